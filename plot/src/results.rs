//! The results folder (SPEC section 3): `results/<backend>/<test_type>/` run folders, grouped by
//! test type for the comparison pictures and the README table.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::error::PlotError;
use crate::run::{self, Run};

/// One run in the results folder, named by where it lives.
#[derive(Debug, Clone)]
pub struct Entry {
    pub backend: String,
    pub test_type: String,
    pub run: Run,
}

/// Every run under `results`, by test type; within a test type fastest (mean req/s) first.
/// Folders that hold no run files are skipped; a run folder with a bad file is an error.
pub fn scan(results: &Path) -> Result<BTreeMap<String, Vec<Entry>>, PlotError> {
    let mut by_type: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
    for (backend, backend_dir) in subfolders(results)? {
        for (test_type, dir) in subfolders(&backend_dir)? {
            if !run::is_run_dir(&dir) {
                continue;
            }
            let run = run::load(&dir, None)?;
            by_type.entry(test_type.clone()).or_default().push(Entry {
                backend: backend.clone(),
                test_type,
                run,
            });
        }
    }
    if by_type.is_empty() {
        return Err(PlotError::NoRuns {
            path: results.to_path_buf(),
        });
    }
    for entries in by_type.values_mut() {
        entries.sort_by(|a, b| {
            b.run
                .totals
                .rps
                .total_cmp(&a.run.totals.rps)
                .then_with(|| a.backend.cmp(&b.backend))
        });
    }
    Ok(by_type)
}

/// Visible subfolders of `dir`, sorted by name.
fn subfolders(dir: &Path) -> Result<Vec<(String, PathBuf)>, PlotError> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| PlotError::reading(dir, e, "a results folder"))?;
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| PlotError::reading(dir, e, "a results folder"))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with('.') && entry.path().is_dir() {
            out.push((name, entry.path()));
        }
    }
    out.sort();
    Ok(out)
}

/// The workload shared by the entries that recorded one; `None` when they differ.
pub fn common_workload(entries: &[&Entry]) -> Option<String> {
    let described: BTreeSet<String> = entries
        .iter()
        .filter_map(|e| e.run.workload.as_ref().map(|w| w.describe()))
        .collect();
    match described.len() {
        0 => Some("not recorded (plain Locust CSV)".to_string()),
        1 => described.into_iter().next(),
        _ => None,
    }
}

pub fn same_workload(entries: &[&Entry]) -> bool {
    common_workload(entries).is_some()
}

/// Where the runs ran: one description, or each distinct one.
pub fn machines_text(entries: &[&Entry]) -> String {
    let described: BTreeSet<String> = entries
        .iter()
        .filter_map(|e| {
            let machine = e.run.machine.as_ref().map(|m| m.describe())?;
            Some(match &e.run.runtime {
                Some(r) => format!("{machine}, {r} runtime"),
                None => machine,
            })
        })
        .collect();
    if described.is_empty() {
        "not recorded".to_string()
    } else {
        described.into_iter().collect::<Vec<_>>().join(" | ")
    }
}

/// Every backend name under the results, sorted: the order colours are handed out in, so a
/// backend keeps its colour in every comparison picture.
pub fn backends(by_type: &BTreeMap<String, Vec<Entry>>) -> Vec<String> {
    let names: BTreeSet<&String> = by_type.values().flatten().map(|e| &e.backend).collect();
    names.into_iter().cloned().collect()
}
