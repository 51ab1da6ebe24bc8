//! Plain Locust output: `<prefix>_stats.csv` (whole-run figures in its `Aggregated` row) and
//! `<prefix>_stats_history.csv` (one `Aggregated` row per second, Locust 2.x format).
//!
//! What these files hold is Locust's own view: history percentiles over a rolling window of
//! bucketed response times, and a rolling Requests/s. The pictures say so; nothing here
//! pretends they are exact.

use std::path::{Path, PathBuf};

use super::table::Table;
use crate::error::PlotError;
use crate::run::{Second, Totals};

const HISTORY_SUFFIX: &str = "_stats_history.csv";
const STATS_SUFFIX: &str = "_stats.csv";
const AGGREGATED: &str = "Aggregated";

/// What a set of Locust files holds, on the run's time axis.
pub(crate) struct LocustRun {
    /// Unix time of the first history row: t = 0 of the run.
    pub t0: f64,
    pub seconds: Vec<Second>,
    pub totals: Totals,
}

/// The prefixes of the Locust CSV sets in `dir` (`benchmark` for `--csv benchmark`), sorted.
pub(crate) fn prefixes(dir: &Path) -> Result<Vec<String>, PlotError> {
    let entries = std::fs::read_dir(dir).map_err(|e| PlotError::reading(dir, e, "a run folder"))?;
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| PlotError::reading(dir, e, "a run folder"))?;
        let name = entry.file_name();
        if let Some(prefix) = name.to_str().and_then(|n| n.strip_suffix(HISTORY_SUFFIX))
            && !prefix.is_empty()
        {
            out.push(prefix.to_string());
        }
    }
    out.sort();
    Ok(out)
}

pub(crate) fn history_path(dir: &Path, prefix: &str) -> PathBuf {
    dir.join(format!("{prefix}{HISTORY_SUFFIX}"))
}

pub(crate) fn read(dir: &Path, prefix: &str) -> Result<LocustRun, PlotError> {
    let totals = read_stats(&dir.join(format!("{prefix}{STATS_SUFFIX}")))?;
    let (t0, seconds) = read_history(&history_path(dir, prefix))?;
    Ok(LocustRun {
        t0,
        seconds,
        totals,
    })
}

fn read_stats(path: &Path) -> Result<Totals, PlotError> {
    let table = Table::read(path, "Locust's whole-run statistics")?;
    let kind = table.column("Type")?;
    let name = table.column("Name")?;
    let requests = table.column("Request Count")?;
    let failures = table.column("Failure Count")?;
    let mean = table.column("Average Response Time")?;
    let max = table.column("Max Response Time")?;
    let rps = table.column("Requests/s")?;
    let p50 = table.column("50%")?;
    let p95 = table.column("95%")?;
    let p99 = table.column("99%")?;
    let p999 = table.optional_column("99.9%");
    let row = table
        .rows()
        .find(|r| r.text(kind).is_empty() && r.text(name) == AGGREGATED)
        .ok_or_else(|| PlotError::invalid(path, "no `Aggregated` row"))?;
    let count = whole(&row, requests)?;
    if count == 0 {
        return Err(PlotError::EmptyRun {
            path: path.to_path_buf(),
            reason: "the Aggregated row has 0 requests".to_string(),
        });
    }
    let failed = whole(&row, failures)?;
    if failed > count {
        return Err(row.error("Failure Count exceeds Request Count"));
    }
    Ok(Totals {
        requests: count,
        failures: failed,
        failures_by_kind: Default::default(),
        rps: row.number(rps)?,
        mean_ms: row.optional_number(mean)?,
        p50_ms: row.optional_number(p50)?,
        p95_ms: row.optional_number(p95)?,
        p99_ms: row.optional_number(p99)?,
        p999_ms: match p999 {
            Some(c) => row.optional_number(c)?,
            None => None,
        },
        max_ms: row.optional_number(max)?,
    })
}

fn whole(row: &super::table::Row<'_>, column: usize) -> Result<u64, PlotError> {
    let v = row.number(column)?;
    if v.fract() != 0.0 {
        return Err(row.error(format!(
            "expected a whole count, got `{}`",
            row.text(column)
        )));
    }
    // A count far beyond any run would not fit exactly; saturating is fine for display.
    Ok(v as u64)
}

fn read_history(path: &Path) -> Result<(f64, Vec<Second>), PlotError> {
    let table = Table::read(path, "Locust's per-second history")?;
    let timestamp = table.column("Timestamp")?;
    let users = table.column("User Count")?;
    let name = table.column("Name")?;
    let rps = table.column("Requests/s")?;
    let fps = table.column("Failures/s")?;
    let p50 = table.column("50%")?;
    let p95 = table.column("95%")?;
    let p99 = table.column("99%")?;
    let mut t0 = None;
    let mut out: Vec<Second> = Vec::new();
    // With --csv-full-history Locust adds one row per endpoint; the Aggregated rows are the run.
    for row in table.rows().filter(|r| r.text(name) == AGGREGATED) {
        let ts = row.number(timestamp)?;
        let start = *t0.get_or_insert(ts);
        let t = ts - start;
        if out.last().is_some_and(|prev| prev.t > t) {
            return Err(row.error("column `Timestamp` goes backwards"));
        }
        out.push(Second {
            t,
            users: row.number(users)?,
            rps: row.number(rps)?,
            failures_per_s: row.number(fps)?,
            p50: row.optional_number(p50)?,
            p95: row.optional_number(p95)?,
            p99: row.optional_number(p99)?,
        });
    }
    match t0 {
        Some(t0) => Ok((t0, out)),
        None => Err(PlotError::EmptyRun {
            path: path.to_path_buf(),
            reason: "no `Aggregated` rows".to_string(),
        }),
    }
}
