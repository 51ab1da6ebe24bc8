//! Resource samples: our `resources.csv` (one row per second) and the original suite's
//! docker-stats `cpu_usage.csv` (`8.09%`, `4.199MiB` strings, a sample every few seconds).

use std::path::Path;

use super::table::Table;
use crate::error::PlotError;
use crate::run::ResourceSample;

pub(crate) const FILE: &str = "resources.csv";
pub(crate) const DOCKER_FILE: &str = "cpu_usage.csv";

/// Reads `resources.csv`; empty cells mean "not measured".
pub(crate) fn read(path: &Path) -> Result<Vec<ResourceSample>, PlotError> {
    let table = Table::read(path, "the resource sampler's per-second series")?;
    let elapsed = table.column("elapsed_s")?;
    let backend_cpu = table.column("backend_cpu_percent")?;
    let backend_mb = table.column("backend_rss_mb")?;
    let db_cpu = table.column("db_cpu_percent")?;
    let db_mb = table.column("db_rss_mb")?;
    let loadgen_cpu = table.optional_column("loadgen_cpu_percent");
    table
        .rows()
        .map(|row| {
            Ok(ResourceSample {
                t: row.number(elapsed)?,
                backend_cpu: row.optional_number(backend_cpu)?,
                backend_mb: row.optional_number(backend_mb)?,
                db_cpu: row.optional_number(db_cpu)?,
                db_mb: row.optional_number(db_mb)?,
                loadgen_cpu: match loadgen_cpu {
                    Some(c) => row.optional_number(c)?,
                    None => None,
                },
            })
        })
        .collect()
}

/// Reads docker stats samples, placing them on the run's time axis (`t0` = the run's first
/// Unix timestamp). docker reports memory in binary units; we plot MB (10^6 bytes).
pub(crate) fn read_docker(path: &Path, t0: f64) -> Result<Vec<ResourceSample>, PlotError> {
    let table = Table::read(path, "docker stats samples")?;
    let timestamp = table.column("timestamp")?;
    let backend_cpu = table.column("benchmark_cpu_usage")?;
    let backend_mem = table.column("benchmark_mem_usage_mb")?;
    let db_cpu = table.column("db_cpu_usage")?;
    let db_mem = table.column("db_mem_usage_mb")?;
    let mut out = Vec::new();
    for row in table.rows() {
        let t = row.number(timestamp)? - t0;
        let sample = ResourceSample {
            t,
            backend_cpu: percent(&row, backend_cpu)?,
            backend_mb: megabytes(&row, backend_mem)?,
            db_cpu: percent(&row, db_cpu)?,
            db_mb: megabytes(&row, db_mem)?,
            loadgen_cpu: None,
        };
        // docker's last sample is often all empty (the container was gone): nothing to plot.
        if sample.backend_cpu.is_some()
            || sample.backend_mb.is_some()
            || sample.db_cpu.is_some()
            || sample.db_mb.is_some()
        {
            out.push(sample);
        }
    }
    Ok(out)
}

fn percent(row: &super::table::Row<'_>, column: usize) -> Result<Option<f64>, PlotError> {
    Ok(row
        .optional_number_with_suffix(column, "%,")?
        .map(|(v, _)| v))
}

fn megabytes(row: &super::table::Row<'_>, column: usize) -> Result<Option<f64>, PlotError> {
    Ok(row
        .optional_number_with_suffix(column, "B,kB,KiB,MB,MiB,GB,GiB,TB,TiB")?
        .map(|(v, unit)| v * bytes_per_unit(unit) / 1e6))
}

fn bytes_per_unit(unit: &str) -> f64 {
    match unit {
        "kB" => 1e3,
        "KiB" => 1024.0,
        "MB" => 1e6,
        "MiB" => 1024.0 * 1024.0,
        "GB" => 1e9,
        "GiB" => 1024.0 * 1024.0 * 1024.0,
        "TB" => 1e12,
        "TiB" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => 1.0,
    }
}
