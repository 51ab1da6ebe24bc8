//! `benchctl finish`: adds the whole-run resource figures (from resources.csv) and the database
//! settings to a run's summary.json, keeping every field loadgen wrote and its order.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::sample::HEADER;

/// Whole-run figures of one resources.csv (docs/results-format.md, `resources`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Resources {
    pub backend_cpu_seconds: Option<f64>,
    pub backend_cpu_percent_peak: Option<f64>,
    pub backend_rss_mb_peak: Option<f64>,
    pub db_cpu_seconds: Option<f64>,
    pub db_cpu_percent_peak: Option<f64>,
    pub db_rss_mb_peak: Option<f64>,
    pub loadgen_cpu_seconds: Option<f64>,
}

/// CPU peaks are the highest mean over this many seconds of samples. One sample's rate depends
/// on when the sampler got to read the counters: on a machine whose cores a backend saturates it
/// reads some of them late, and the sample after a late one shows the difference (a 2-core
/// machine saw 153% then 242% for a backend steady at 197%). Over 5 s that cancels out.
pub const CPU_PEAK_WINDOW_S: f64 = 5.0;

/// Sums and peaks of resources.csv; `interval_s` is the sampling interval.
///
/// CPU-seconds count every sample: all the work the run cost. Peaks count only the samples taken
/// before `load_end_s` (the run time), when there are any: the sample after loadgen stops also
/// holds the closing of every connection at once (5000 by default), a burst no user caused.
/// Memory peaks are the highest sample, CPU peaks the highest mean over `CPU_PEAK_WINDOW_S`.
pub fn resources_from_csv(
    text: &str,
    interval_s: f64,
    load_end_s: Option<f64>,
    file: &Path,
) -> Result<Resources> {
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, header)) if header.trim_end() == HEADER => {}
        _ => bail!("{}: line 1: expected the header {HEADER}", file.display()),
    }
    let mut columns: [Vec<f64>; 5] = Default::default();
    // Per column, how many of its values were sampled before `load_end_s`.
    let mut under_load = [0usize; 5];
    for (index, line) in lines {
        let cells: Vec<&str> = line.trim_end().split(',').collect();
        if cells.len() != 6 {
            bail!(
                "{}: line {}: expected 6 cells, found {}",
                file.display(),
                index + 1,
                cells.len()
            );
        }
        let elapsed = number(cells[0], index, file)?;
        let loaded = load_end_s.is_none_or(|end| elapsed < end);
        for ((column, count), cell) in columns.iter_mut().zip(&mut under_load).zip(&cells[1..]) {
            if cell.is_empty() {
                continue;
            }
            column.push(number(cell, index, file)?);
            if loaded {
                *count += 1;
            }
        }
    }
    let [backend_cpu, _, db_cpu, _, loadgen_cpu] = &columns;
    let seconds = |percent: &Vec<f64>| {
        (!percent.is_empty()).then(|| round(percent.iter().sum::<f64>() / 100.0 * interval_s, 3))
    };
    // Samples come in time order, so the ones under load are each column's first ones.
    let loaded = |column: usize| {
        let values = &columns[column];
        match under_load[column] {
            0 => &values[..],
            count => &values[..count],
        }
    };
    let window = ((CPU_PEAK_WINDOW_S / interval_s).round() as usize).max(1);
    let cpu_peak = |column: usize| {
        let values = loaded(column);
        let peak = values
            .windows(window.min(values.len()).max(1))
            .map(|run| run.iter().sum::<f64>() / run.len() as f64)
            .reduce(f64::max)?;
        Some(round(peak, 1))
    };
    let memory_peak = |column: usize| loaded(column).iter().copied().reduce(f64::max);
    Ok(Resources {
        backend_cpu_seconds: seconds(backend_cpu),
        backend_cpu_percent_peak: cpu_peak(0),
        backend_rss_mb_peak: memory_peak(1),
        db_cpu_seconds: seconds(db_cpu),
        db_cpu_percent_peak: cpu_peak(2),
        db_rss_mb_peak: memory_peak(3),
        loadgen_cpu_seconds: seconds(loadgen_cpu),
    })
}

/// One finite number of resources.csv, or an error naming the file and line.
fn number(cell: &str, index: usize, file: &Path) -> Result<f64> {
    cell.parse()
        .ok()
        .filter(|value: &f64| value.is_finite())
        .with_context(|| {
            format!(
                "{}: line {}: {cell:?} is not a number",
                file.display(),
                index + 1
            )
        })
}

fn round(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

/// Adds `resources` (when resources.csv exists) and `database` to `<run_dir>/summary.json`,
/// writing a temporary file and renaming it into place.
pub fn finish(run_dir: &Path, interval_s: f64, database: Option<Map<String, Value>>) -> Result<()> {
    let summary_path = run_dir.join("summary.json");
    let text = fs::read_to_string(&summary_path)
        .with_context(|| format!("reading {}", summary_path.display()))?;
    let mut summary: Map<String, Value> = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a JSON object", summary_path.display()))?;
    let resources_path = run_dir.join("resources.csv");
    if resources_path.exists() {
        let csv = fs::read_to_string(&resources_path)
            .with_context(|| format!("reading {}", resources_path.display()))?;
        let run_time_s = summary
            .get("workload")
            .and_then(|workload| workload.get("run_time_s"))
            .and_then(Value::as_f64);
        let resources = resources_from_csv(&csv, interval_s, run_time_s, &resources_path)?;
        summary.insert("resources".into(), serde_json::to_value(resources)?);
    }
    if let Some(database) = database {
        summary.insert("database".into(), Value::Object(database));
    }
    let temp = run_dir.join(".summary.json.tmp");
    let mut body = serde_json::to_string_pretty(&summary)?;
    body.push('\n');
    fs::write(&temp, body).with_context(|| format!("writing {}", temp.display()))?;
    fs::rename(&temp, &summary_path)
        .with_context(|| format!("replacing {}", summary_path.display()))
}

/// The server settings that decide how comparable a run is (durability, memory).
pub async fn database_settings(url: &str) -> Result<Map<String, Value>> {
    use sqlx::Connection;
    let mut connection = sqlx::PgConnection::connect(url)
        .await
        .context("connecting to the database")?;
    let mut settings = Map::new();
    for name in [
        "server_version",
        "fsync",
        "synchronous_commit",
        "shared_buffers",
        "max_connections",
    ] {
        let value: String = sqlx::query_scalar("SELECT current_setting($1)")
            .bind(name)
            .fetch_one(&mut connection)
            .await
            .with_context(|| format!("reading the setting {name}"))?;
        settings.insert(name.into(), Value::String(value));
    }
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_and_peaks_skip_unmeasured_cells() {
        let csv = format!("{HEADER}\n1,50.0,10.0,,,2.0\n2,150.0,12.5,,,4.0\n3,100.0,11.0,,,\n");
        let resources = resources_from_csv(&csv, 1.0, None, Path::new("r.csv")).unwrap();
        assert_eq!(resources.backend_cpu_seconds, Some(3.0));
        // Fewer samples than the peak window: their mean.
        assert_eq!(resources.backend_cpu_percent_peak, Some(100.0));
        assert_eq!(resources.backend_rss_mb_peak, Some(12.5));
        assert_eq!(resources.db_cpu_seconds, None);
        assert_eq!(resources.loadgen_cpu_seconds, Some(0.06));
    }

    #[test]
    fn peaks_leave_out_the_samples_after_the_run_time() {
        // Row 3 is the second in which loadgen closed every connection.
        let csv = format!("{HEADER}\n1,10.0,5.0,,,1.0\n2,20.0,6.0,,,1.0\n3,90.0,4.0,,,1.0\n");
        // Sampled every 5 s, so each CPU sample is a peak window of its own.
        let resources = resources_from_csv(&csv, 5.0, Some(3.0), Path::new("r.csv")).unwrap();
        assert_eq!(resources.backend_cpu_percent_peak, Some(20.0));
        assert_eq!(resources.backend_rss_mb_peak, Some(6.0));
        assert_eq!(
            resources.backend_cpu_seconds,
            Some(6.0),
            "sums keep every sample"
        );
        // A run shorter than one sample still has peaks.
        let resources = resources_from_csv(&csv, 5.0, Some(0.5), Path::new("r.csv")).unwrap();
        assert_eq!(resources.backend_cpu_percent_peak, Some(90.0));
    }

    #[test]
    fn cpu_peaks_are_the_highest_five_second_mean() {
        // A backend steady at 200% whose counters were read late once: 150 then 250.
        let mut csv = format!("{HEADER}\n");
        for (second, cpu) in [200.0, 200.0, 150.0, 250.0, 200.0, 200.0, 200.0, 100.0]
            .iter()
            .enumerate()
        {
            csv.push_str(&format!("{},{cpu},10.0,,,1.0\n", second + 1));
        }
        let resources = resources_from_csv(&csv, 1.0, None, Path::new("r.csv")).unwrap();
        assert_eq!(resources.backend_cpu_percent_peak, Some(200.0));
        assert_eq!(resources.backend_rss_mb_peak, Some(10.0));
    }

    #[test]
    fn malformed_rows_name_file_and_line() {
        let err = resources_from_csv(
            &format!("{HEADER}\n1,x,1,1,1,1\n"),
            1.0,
            None,
            Path::new("r.csv"),
        )
        .unwrap_err()
        .to_string();
        assert_eq!(err, "r.csv: line 2: \"x\" is not a number");
        let err = resources_from_csv("a,b\n", 1.0, None, Path::new("r.csv"))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("r.csv: line 1: expected the header"),
            "{err}"
        );
        let err = resources_from_csv(&format!("{HEADER}\n1,2\n"), 1.0, None, Path::new("r.csv"))
            .unwrap_err()
            .to_string();
        assert_eq!(err, "r.csv: line 2: expected 6 cells, found 2");
    }

    #[test]
    fn finish_adds_resources_and_keeps_field_order() {
        let dir = std::env::temp_dir().join(format!("benchctl-finish-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        fs::write(
            dir.join("summary.json"),
            r#"{"schema_version":1,"backend":"axum","totals":{"requests":10}}"#,
        )
        .unwrap();
        fs::write(
            dir.join("resources.csv"),
            format!("{HEADER}\n1,20.0,5.0,10.0,40.0,1.0\n"),
        )
        .unwrap();
        let mut database = Map::new();
        database.insert("fsync".into(), Value::String("on".into()));
        finish(&dir, 1.0, Some(database)).unwrap();
        let summary: Map<String, Value> =
            serde_json::from_str(&fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
        let keys: Vec<&str> = summary.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "schema_version",
                "backend",
                "totals",
                "resources",
                "database"
            ]
        );
        assert_eq!(summary["resources"]["backend_cpu_seconds"], 0.2);
        assert_eq!(summary["resources"]["db_rss_mb_peak"], 40.0);
        assert_eq!(summary["database"]["fsync"], "on");
        assert!(!dir.join(".summary.json.tmp").exists());
        fs::remove_dir_all(&dir).unwrap();
    }
}
