//! The README results block: everything between `<!-- results:start -->` and
//! `<!-- results:end -->` is regenerated from the results folder; nothing else is touched, and
//! the same results give the same bytes, so a second run changes nothing.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use crate::error::PlotError;
use crate::numbers::{count, grouped};
use crate::render::canvas::write_atomic;
use crate::render::run_graph::ms_text;
use crate::results::{self, Entry};

pub const START_MARKER: &str = "<!-- results:start -->";
pub const END_MARKER: &str = "<!-- results:end -->";

/// Rewrites the results block of `readme` from `results`; returns whether the file changed.
pub fn rewrite(readme: &Path, results_dir: &Path) -> Result<bool, PlotError> {
    let text = std::fs::read_to_string(readme)
        .map_err(|e| PlotError::reading(readme, e, "the README with the results markers"))?;
    let (start, end) = marker_positions(readme, &text)?;
    let by_type = results::scan(results_dir)?;
    let link_base = relative_link(readme, results_dir)?;
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let block = render_block(&by_type, results_dir, &link_base, newline);
    let updated = format!("{}{newline}{block}{}", &text[..start], &text[end..]);
    if updated == text {
        return Ok(false);
    }
    write_atomic(readme, updated.as_bytes())?;
    Ok(true)
}

/// Byte offsets: just after the start marker, and the start of the end marker.
fn marker_positions(readme: &Path, text: &str) -> Result<(usize, usize), PlotError> {
    let find_one = |marker: &str| match text.match_indices(marker).collect::<Vec<_>>().as_slice() {
        [(at, _)] => Ok(*at),
        [] => Err(PlotError::invalid(readme, format!("no `{marker}` line"))),
        _ => Err(PlotError::invalid(
            readme,
            format!("`{marker}` appears more than once"),
        )),
    };
    let start = find_one(START_MARKER)?;
    let end = find_one(END_MARKER)?;
    if end < start {
        return Err(PlotError::invalid(
            readme,
            format!("`{END_MARKER}` comes before `{START_MARKER}`"),
        ));
    }
    Ok((start + START_MARKER.len(), end))
}

/// The generated block (without the markers), one table per test type.
fn render_block(
    by_type: &BTreeMap<String, Vec<Entry>>,
    results_dir: &Path,
    link_base: &str,
    nl: &str,
) -> String {
    let mut out = String::new();
    let mut line = |s: &str| {
        out.push_str(s);
        out.push_str(nl);
    };
    line("<!-- Written by `plot readme`: edits between these markers are overwritten. -->");
    for (test_type, entries) in by_type {
        let refs: Vec<&Entry> = entries.iter().collect();
        line("");
        line(&format!("### {}", escape(test_type)));
        line("");
        let workload = results::common_workload(&refs)
            .unwrap_or_else(|| "**differs between backends: not directly comparable**".to_string());
        line(&format!("Workload: {}  ", escape(&workload)));
        line(&format!(
            "Machine: {}",
            escape(&results::machines_text(&refs))
        ));
        line("");
        line(
            "| backend | req/s | p50 | p99 | failures | backend peak CPU | backend peak memory | graph |",
        );
        line("|---|---:|---:|---:|---:|---:|---:|---|");
        for entry in entries {
            line(&row(entry, link_base));
        }
        let mut notes = Vec::new();
        for entry in entries {
            for warning in entry.run.warnings() {
                notes.push(format!(
                    "⚠ {}: {}",
                    escape(&entry.backend),
                    escape(&warning)
                ));
            }
        }
        if entries.iter().any(|e| {
            e.run.usage.backend_cpu_percent_peak.is_none()
                || e.run.usage.backend_rss_mb_peak.is_none()
        }) {
            notes.push("— = not measured".to_string());
        }
        if entries.iter().any(|e| e.run.is_locust()) {
            notes.push(
                "† plain Locust CSV: Locust's own figures (rounded percentiles), not loadgen's exact ones"
                    .to_string(),
            );
        }
        if !notes.is_empty() {
            line("");
            for note in notes {
                line(&format!("- {note}"));
            }
        }
        let comparison = format!("comparison_{test_type}.png");
        if results_dir.join(&comparison).is_file() {
            line("");
            line(&format!(
                "![{}: requests per second and whole-run figures per backend]({link_base}{})",
                escape(test_type),
                url_path(&comparison)
            ));
        }
    }
    line("");
    out
}

fn row(entry: &Entry, link_base: &str) -> String {
    let run = &entry.run;
    let t = &run.totals;
    let locust = run.is_locust();
    let mut name = escape(&entry.backend);
    if locust {
        name.push_str(" †");
    }
    if !run.warnings().is_empty() {
        name.push_str(" ⚠");
    }
    let percent = |v: Option<f64>| v.map_or("—".to_string(), |v| format!("{} %", grouped(v, 1)));
    let megabytes =
        |v: Option<f64>| v.map_or("—".to_string(), |v| format!("{} MB", grouped(v, 1)));
    let graph_file = run.graph_file_name();
    let graph = if run.dir.join(&graph_file).is_file() {
        format!(
            "[graph]({link_base}{}/{}/{})",
            url_path(&entry.backend),
            url_path(&entry.test_type),
            url_path(&graph_file)
        )
    } else {
        "not rendered".to_string()
    };
    format!(
        "| {name} | {} | {} | {} | {} ({} %) | {} | {} | {graph} |",
        grouped(t.rps, 1),
        ms_text(t.p50_ms, locust),
        ms_text(t.p99_ms, locust),
        count(t.failures),
        grouped(run.failure_percent(), 2),
        percent(run.usage.backend_cpu_percent_peak),
        megabytes(run.usage.backend_rss_mb_peak),
    )
}

/// Markdown table cells cannot hold a bare `|`.
fn escape(s: &str) -> String {
    s.replace('|', "\\|")
}

/// Spaces and parentheses would end a Markdown link target.
fn url_path(s: &str) -> String {
    s.replace('%', "%25")
        .replace(' ', "%20")
        .replace('(', "%28")
        .replace(')', "%29")
}

/// The results folder as seen from the README's folder, ending in `/` (`results/`).
fn relative_link(readme: &Path, results_dir: &Path) -> Result<String, PlotError> {
    let absolute =
        |p: &Path| std::fs::canonicalize(p).map_err(|e| PlotError::reading(p, e, "a folder"));
    let readme_dir = match readme.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let from_abs = absolute(&readme_dir)?;
    let to_abs = absolute(results_dir)?;
    let from_parts: Vec<Component<'_>> = from_abs.components().collect();
    let to_parts: Vec<_> = to_abs.components().collect();
    let common = from_parts
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut link = String::new();
    for _ in common..from_parts.len() {
        link.push_str("../");
    }
    for part in &to_parts[common..] {
        link.push_str(&url_path(&part.as_os_str().to_string_lossy()));
        link.push('/');
    }
    Ok(link)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_must_be_single_and_ordered() {
        let p = Path::new("README.md");
        assert!(
            marker_positions(p, "a\n<!-- results:start -->\nx\n<!-- results:end -->\n").is_ok()
        );
        let err = marker_positions(p, "<!-- results:end -->\n<!-- results:start -->").unwrap_err();
        assert!(err.to_string().contains("comes before"), "{err}");
        let err = marker_positions(p, "nothing here").unwrap_err();
        assert!(
            err.to_string().contains("no `<!-- results:start -->` line"),
            "{err}"
        );
        let twice = "<!-- results:start --><!-- results:start --><!-- results:end -->";
        assert!(
            marker_positions(p, twice)
                .unwrap_err()
                .to_string()
                .contains("more than once")
        );
    }

    #[test]
    fn cells_and_links_are_escaped() {
        assert_eq!(escape("a|b"), "a\\|b");
        assert_eq!(url_path("my backend (v2)"), "my%20backend%20%28v2%29");
    }
}
