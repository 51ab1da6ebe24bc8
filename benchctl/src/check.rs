//! `benchctl check`: are the results of a run complete and clean? Used by CI after
//! `PROFILE=quick scripts/start_tests.sh`: every pair has its graph and a summary with zero
//! failed requests, every test type its comparison, and the README its table.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde_json::Value;

/// Checks `results/<backend>/<test_type>/` for every pair and `results/comparison_<t>.png`;
/// returns one line per pair on success, every problem at once on failure.
pub fn check_results(
    results: &Path,
    backends: &[String],
    test_types: &[String],
    readme: Option<&Path>,
) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let mut lines = Vec::new();
    for backend in backends {
        for test_type in test_types {
            match check_pair(&results.join(backend).join(test_type)) {
                Ok(requests) => lines.push(format!(
                    "{backend} / {test_type}: {requests} requests, 0 failed"
                )),
                Err(err) => problems.push(format!("{backend} / {test_type}: {err:#}")),
            }
        }
    }
    for test_type in test_types {
        let comparison = results.join(format!("comparison_{test_type}.png"));
        if !is_png(&comparison) {
            problems.push(format!("{} is missing or not a PNG", comparison.display()));
        }
    }
    if let Some(readme) = readme {
        let text =
            fs::read_to_string(readme).with_context(|| format!("reading {}", readme.display()))?;
        let block = text
            .split_once("<!-- results:start -->")
            .and_then(|(_, rest)| rest.split_once("<!-- results:end -->"))
            .map(|(block, _)| block);
        match block {
            None => problems.push(format!("{}: no results block", readme.display())),
            Some(block) => {
                for backend in backends {
                    if !block.contains(&format!("{backend}/")) {
                        problems.push(format!(
                            "{}: the table does not show {backend}",
                            readme.display()
                        ));
                    }
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(lines)
    } else {
        bail!("{}", problems.join("; "))
    }
}

fn check_pair(dir: &Path) -> Result<u64> {
    if !is_png(&dir.join("graph.png")) {
        bail!("graph.png is missing or not a PNG");
    }
    let path = dir.join("summary.json");
    let text = fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let summary: Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    let count = |field: &str| summary["totals"][field].as_u64();
    match (count("requests"), count("failures")) {
        (Some(0), _) => bail!("no requests were made"),
        (Some(requests), Some(0)) => Ok(requests),
        (Some(requests), Some(failures)) => bail!("{failures} of {requests} requests failed"),
        _ => bail!(
            "{} has no totals.requests / totals.failures",
            path.display()
        ),
    }
}

fn is_png(path: &Path) -> bool {
    fs::read(path).is_ok_and(|bytes| bytes.starts_with(b"\x89PNG\r\n\x1a\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(results: &Path, backend: &str, failures: u64) {
        let dir = results.join(backend).join("db_test");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("graph.png"), b"\x89PNG\r\n\x1a\nrest").unwrap();
        let summary = format!(r#"{{"totals":{{"requests":10,"failures":{failures}}}}}"#);
        fs::write(dir.join("summary.json"), summary).unwrap();
    }

    #[test]
    fn complete_clean_results_pass_and_every_problem_is_named() {
        let results = std::env::temp_dir().join(format!("benchctl-check-{}", std::process::id()));
        let _ = fs::remove_dir_all(&results);
        pair(&results, "axum", 0);
        fs::write(results.join("comparison_db_test.png"), b"\x89PNG\r\n\x1a\n").unwrap();
        let readme = results.join("README.md");
        fs::write(
            &readme,
            "<!-- results:start -->\n![](results/axum/db_test/graph.png)\n<!-- results:end -->\n",
        )
        .unwrap();
        let names = |list: &[&str]| {
            list.iter()
                .map(|name| (*name).to_owned())
                .collect::<Vec<_>>()
        };

        let lines = check_results(
            &results,
            &names(&["axum"]),
            &names(&["db_test"]),
            Some(&readme),
        )
        .unwrap();
        assert_eq!(lines, ["axum / db_test: 10 requests, 0 failed"]);

        pair(&results, "warp", 3);
        let err = check_results(
            &results,
            &names(&["axum", "warp", "rocket"]),
            &names(&["db_test"]),
            Some(&readme),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("warp / db_test: 3 of 10 requests failed"),
            "{err}"
        );
        assert!(
            err.contains("rocket / db_test: graph.png is missing"),
            "{err}"
        );
        assert!(err.contains("the table does not show warp"), "{err}");
        fs::remove_dir_all(&results).unwrap();
    }
}
