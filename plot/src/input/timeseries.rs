//! `timeseries.csv` (loadgen's exact per-second series, docs/results-format.md).

use std::path::Path;

use super::table::Table;
use crate::error::PlotError;
use crate::run::Second;

pub(crate) const FILE: &str = "timeseries.csv";

/// Reads the per-second rows; an empty file (header only) is an empty run.
pub(crate) fn read(path: &Path) -> Result<Vec<Second>, PlotError> {
    let table = Table::read(path, "loadgen's per-second series")?;
    if table.is_empty() {
        return Err(PlotError::EmptyRun {
            path: path.to_path_buf(),
            reason: "no rows after the header".to_string(),
        });
    }
    let elapsed = table.column("elapsed_s")?;
    let users = table.column("users")?;
    let requests = table.column("requests")?;
    let failures = table.column("failures")?;
    let rps = table.column("rps")?;
    let p50 = table.column("p50_ms")?;
    let p95 = table.column("p95_ms")?;
    let p99 = table.column("p99_ms")?;

    let mut out: Vec<Second> = Vec::with_capacity(table.rows().count());
    for row in table.rows() {
        let t = row.number(elapsed)?;
        if out.last().is_some_and(|prev| prev.t >= t) {
            return Err(row.error(format!(
                "column `elapsed_s`: {t} does not follow the previous row's value"
            )));
        }
        let request_count = row.number(requests)?;
        let failure_count = row.number(failures)?;
        if failure_count > request_count {
            return Err(
                row.error("more failures than requests (a failure also counts as a request)")
            );
        }
        let rate = row.number(rps)?;
        // Failures per second over the same window as `rps` (the last window may be shorter).
        let failures_per_s = if request_count > 0.0 {
            failure_count * rate / request_count
        } else {
            0.0
        };
        out.push(Second {
            t,
            users: row.number(users)?,
            rps: rate,
            failures_per_s,
            p50: row.optional_number(p50)?,
            p95: row.optional_number(p95)?,
            p99: row.optional_number(p99)?,
        });
    }
    Ok(out)
}
