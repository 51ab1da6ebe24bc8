//! The model of one run, whatever files it came from, and loading it from a run folder.
//!
//! A loadgen run folder holds `summary.json` + `timeseries.csv` (+ `resources.csv`); a plain
//! Locust folder holds `<prefix>_stats.csv` + `<prefix>_stats_history.csv` (+ the original
//! suite's docker-stats `cpu_usage.csv`). Both become a [`Run`]; [`Source`] remembers which,
//! so the pictures can say whose figures they show.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::PlotError;
use crate::input::{locust, resources, summary, timeseries};
use crate::numbers::{count, grouped};

/// Failure share above which a run is flagged.
pub const FAILURE_WARNING_PERCENT: f64 = 1.0;

/// Where a run's figures come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// loadgen: exact per-second percentiles and exact whole-run totals.
    Loadgen,
    /// Plain Locust CSV with this file prefix: Locust's rolling, bucketed figures.
    Locust { prefix: String },
}

/// One second of the run (or one Locust history row), at `t` seconds after the start.
#[derive(Debug, Clone, PartialEq)]
pub struct Second {
    pub t: f64,
    pub users: f64,
    pub rps: f64,
    pub failures_per_s: f64,
    pub p50: Option<f64>,
    pub p95: Option<f64>,
    pub p99: Option<f64>,
}

/// One resource sample; `None` = not measured. CPU: 100 = one core. Memory: MB (10^6 bytes).
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceSample {
    pub t: f64,
    pub backend_cpu: Option<f64>,
    pub backend_mb: Option<f64>,
    pub db_cpu: Option<f64>,
    pub db_mb: Option<f64>,
    pub loadgen_cpu: Option<f64>,
}

/// Whole-run request figures (summary.json `totals`, or Locust's `Aggregated` row).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Totals {
    pub requests: u64,
    pub failures: u64,
    #[serde(default)]
    pub failures_by_kind: BTreeMap<String, u64>,
    pub rps: f64,
    #[serde(default)]
    pub mean_ms: Option<f64>,
    #[serde(default)]
    pub p50_ms: Option<f64>,
    #[serde(default)]
    pub p95_ms: Option<f64>,
    #[serde(default)]
    pub p99_ms: Option<f64>,
    #[serde(default)]
    pub p999_ms: Option<f64>,
    #[serde(default)]
    pub max_ms: Option<f64>,
}

/// Whole-run resource figures (summary.json `resources`); `None` = not measured.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Usage {
    #[serde(default)]
    pub backend_cpu_seconds: Option<f64>,
    #[serde(default)]
    pub backend_cpu_percent_peak: Option<f64>,
    #[serde(default)]
    pub backend_rss_mb_peak: Option<f64>,
    #[serde(default)]
    pub db_cpu_seconds: Option<f64>,
    #[serde(default)]
    pub db_cpu_percent_peak: Option<f64>,
    #[serde(default)]
    pub db_rss_mb_peak: Option<f64>,
    #[serde(default)]
    pub loadgen_cpu_seconds: Option<f64>,
}

/// The user model of a loadgen run.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Workload {
    pub users: u64,
    pub spawn_rate: f64,
    pub run_time_s: f64,
    pub wait_min_s: f64,
    pub wait_max_s: f64,
    #[serde(default)]
    pub tasks: Vec<Task>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Task {
    pub name: String,
    pub method: String,
    pub weight: u32,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Machine {
    #[serde(default)]
    pub cpu_model: Option<String>,
    #[serde(default)]
    pub cores: Option<u32>,
    #[serde(default)]
    pub os: Option<String>,
}

/// Whether loadgen could keep up (summary.json `saturation`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Saturation {
    pub saturated: bool,
    #[serde(default)]
    pub reasons: Vec<String>,
    #[serde(default)]
    pub loadgen_cpu_percent_mean: Option<f64>,
    #[serde(default)]
    pub loadgen_cpu_percent_max: Option<f64>,
    #[serde(default)]
    pub late_sends: Option<u64>,
    #[serde(default)]
    pub max_send_lag_ms: Option<f64>,
}

/// Everything the pictures and the README table know about one run.
#[derive(Debug, Clone)]
pub struct Run {
    pub dir: PathBuf,
    pub source: Source,
    pub backend: Option<String>,
    pub test_type: Option<String>,
    pub workload: Option<Workload>,
    pub runtime: Option<String>,
    pub machine: Option<Machine>,
    pub started_at: Option<String>,
    pub git_commit: Option<String>,
    pub duration_s: f64,
    pub seconds: Vec<Second>,
    /// Empty when resources were not measured.
    pub resources: Vec<ResourceSample>,
    pub totals: Totals,
    pub usage: Usage,
    pub saturation: Option<Saturation>,
}

/// Does `dir` look like a run folder at all (as opposed to an unrelated folder)?
pub fn is_run_dir(dir: &Path) -> bool {
    dir.join(summary::FILE).is_file()
        || dir.join(timeseries::FILE).is_file()
        || locust::prefixes(dir).is_ok_and(|p| !p.is_empty())
}

/// Loads the run in `dir`. `prefix` picks one Locust CSV set when a folder holds several.
pub fn load(dir: &Path, prefix: Option<&str>) -> Result<Run, PlotError> {
    let has_loadgen_files =
        dir.join(summary::FILE).is_file() || dir.join(timeseries::FILE).is_file();
    if prefix.is_none() && has_loadgen_files {
        return load_loadgen(dir);
    }
    let prefixes = locust::prefixes(dir)?;
    let chosen = match (prefix, prefixes.as_slice()) {
        (Some(p), _) => p.to_string(),
        (None, [only]) => only.clone(),
        (None, []) => {
            return Err(PlotError::MissingFile {
                path: dir.join(summary::FILE),
                expected: "a run folder holds loadgen's summary.json and timeseries.csv, or \
                           Locust's benchmark_stats.csv and benchmark_stats_history.csv"
                    .to_string(),
            });
        }
        (None, several) => {
            return Err(PlotError::invalid(
                dir,
                format!(
                    "holds several Locust CSV sets ({}): choose one with --prefix",
                    several.join(", ")
                ),
            ));
        }
    };
    load_locust(dir, &chosen, prefixes.len() == 1)
}

fn load_loadgen(dir: &Path) -> Result<Run, PlotError> {
    let summary = summary::read(&dir.join(summary::FILE))?;
    let seconds = timeseries::read(&dir.join(timeseries::FILE))?;
    let resources_path = dir.join(resources::FILE);
    let samples = if resources_path.is_file() {
        resources::read(&resources_path)?
    } else {
        Vec::new()
    };
    let usage = summary
        .resources
        .unwrap_or_default()
        .or(&Usage::from_samples(&samples));
    Ok(Run {
        dir: dir.to_path_buf(),
        source: Source::Loadgen,
        backend: summary.backend,
        test_type: Some(summary.test_type),
        workload: Some(summary.workload),
        runtime: summary.runtime,
        machine: summary.machine,
        started_at: summary.started_at,
        git_commit: summary.git_commit,
        duration_s: summary.duration_s,
        seconds,
        resources: samples,
        totals: summary.totals,
        usage,
        saturation: summary.saturation,
    })
}

/// `sole_set`: the folder holds only this Locust set, so its `cpu_usage.csv` belongs to it.
fn load_locust(dir: &Path, prefix: &str, sole_set: bool) -> Result<Run, PlotError> {
    let run = locust::read(dir, prefix)?;
    let ours = dir.join(resources::FILE);
    let docker = dir.join(resources::DOCKER_FILE);
    let samples = if ours.is_file() {
        resources::read(&ours)?
    } else if sole_set && docker.is_file() {
        resources::read_docker(&docker, run.t0)?
    } else {
        Vec::new()
    };
    let duration_s = run.seconds.last().map_or(0.0, |s| s.t);
    Ok(Run {
        dir: dir.to_path_buf(),
        source: Source::Locust {
            prefix: prefix.to_string(),
        },
        backend: None,
        test_type: None,
        workload: None,
        runtime: None,
        machine: None,
        started_at: None,
        git_commit: None,
        duration_s,
        seconds: run.seconds,
        usage: Usage::from_samples(&samples),
        resources: samples,
        totals: run.totals,
        saturation: None,
    })
}

impl Usage {
    /// Peaks and CPU-seconds from the samples (each sample stands for the time since the
    /// previous one; the first for the same spacing as the second).
    pub fn from_samples(samples: &[ResourceSample]) -> Usage {
        if samples.is_empty() {
            return Usage::default();
        }
        let peak =
            |f: fn(&ResourceSample) -> Option<f64>| samples.iter().filter_map(f).reduce(f64::max);
        let cpu_seconds = |f: fn(&ResourceSample) -> Option<f64>| {
            let mut total = None;
            for (i, s) in samples.iter().enumerate() {
                let dt = match i {
                    0 => samples.get(1).map_or(1.0, |next| next.t - s.t),
                    _ => s.t - samples[i - 1].t,
                };
                if let Some(cpu) = f(s) {
                    *total.get_or_insert(0.0) += cpu / 100.0 * dt.max(0.0);
                }
            }
            total
        };
        Usage {
            backend_cpu_seconds: cpu_seconds(|s| s.backend_cpu),
            backend_cpu_percent_peak: peak(|s| s.backend_cpu),
            backend_rss_mb_peak: peak(|s| s.backend_mb),
            db_cpu_seconds: cpu_seconds(|s| s.db_cpu),
            db_cpu_percent_peak: peak(|s| s.db_cpu),
            db_rss_mb_peak: peak(|s| s.db_mb),
            loadgen_cpu_seconds: cpu_seconds(|s| s.loadgen_cpu),
        }
    }

    /// Each figure from `self`, or from `fallback` where `self` did not measure it.
    pub fn or(self, fallback: &Usage) -> Usage {
        Usage {
            backend_cpu_seconds: self.backend_cpu_seconds.or(fallback.backend_cpu_seconds),
            backend_cpu_percent_peak: self
                .backend_cpu_percent_peak
                .or(fallback.backend_cpu_percent_peak),
            backend_rss_mb_peak: self.backend_rss_mb_peak.or(fallback.backend_rss_mb_peak),
            db_cpu_seconds: self.db_cpu_seconds.or(fallback.db_cpu_seconds),
            db_cpu_percent_peak: self.db_cpu_percent_peak.or(fallback.db_cpu_percent_peak),
            db_rss_mb_peak: self.db_rss_mb_peak.or(fallback.db_rss_mb_peak),
            loadgen_cpu_seconds: self.loadgen_cpu_seconds.or(fallback.loadgen_cpu_seconds),
        }
    }
}

impl Workload {
    /// `5,000 users (spawn 10/s) · 500 s · wait 1–2 s · POST /notes/ ×1, GET /notes/ ×1`
    pub fn describe(&self) -> String {
        let mut text = format!(
            "{} users (spawn {}/s) · {} s · wait {}–{} s",
            count(self.users),
            short(self.spawn_rate),
            short(self.run_time_s),
            short(self.wait_min_s),
            short(self.wait_max_s),
        );
        if !self.tasks.is_empty() {
            let tasks: Vec<String> = self
                .tasks
                .iter()
                .map(|t| format!("{} {} ×{}", t.method, t.name, t.weight))
                .collect();
            text.push_str(" · ");
            text.push_str(&tasks.join(", "));
        }
        text
    }
}

impl Machine {
    /// `AMD EPYC 7B13 (2 cores, linux)`
    pub fn describe(&self) -> String {
        let mut details = Vec::new();
        if let Some(c) = self.cores {
            details.push(format!("{c} cores"));
        }
        if let Some(os) = &self.os {
            details.push(os.clone());
        }
        let model = self
            .cpu_model
            .clone()
            .unwrap_or_else(|| "unknown CPU".to_string());
        if details.is_empty() {
            model
        } else {
            format!("{model} ({})", details.join(", "))
        }
    }
}

/// `10.0` → `10`, `1.5` → `1.5`: knob values as a person would type them.
fn short(value: f64) -> String {
    let text = format!("{value:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

impl Run {
    /// The graph's file name in the run folder: `graph.png`, or `PREFIX_graph.png` for a
    /// Locust set other than `benchmark` (several sets can share a folder).
    pub fn graph_file_name(&self) -> String {
        match &self.source {
            Source::Locust { prefix } if prefix != "benchmark" => format!("{prefix}_graph.png"),
            _ => "graph.png".to_string(),
        }
    }

    pub fn is_locust(&self) -> bool {
        matches!(self.source, Source::Locust { .. })
    }

    pub fn failure_percent(&self) -> f64 {
        self.totals.failures as f64 * 100.0 / self.totals.requests as f64
    }

    pub fn peak_users(&self) -> f64 {
        self.seconds.iter().map(|s| s.users).fold(0.0, f64::max)
    }

    /// The end of the shared time axis: the last second of data of any kind.
    pub fn time_span(&self) -> f64 {
        let last_second = self.seconds.last().map_or(0.0, |s| s.t);
        let last_sample = self.resources.last().map_or(0.0, |s| s.t);
        last_second.max(last_sample).max(1.0)
    }

    /// The workload in words; for Locust, what its history shows.
    pub fn workload_text(&self) -> String {
        match (&self.workload, &self.source) {
            (Some(w), _) => w.describe(),
            (None, Source::Locust { prefix }) => format!(
                "up to {} users · {} s of history (`{prefix}` files; Locust CSV does not record the settings)",
                grouped(self.peak_users(), 0),
                grouped(self.duration_s, 0)
            ),
            (None, Source::Loadgen) => "workload not recorded".to_string(),
        }
    }

    /// Why this run's figures need care, in words; empty when none.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(s) = &self.saturation
            && s.saturated
        {
            let why = if s.reasons.is_empty() {
                "no reason recorded".to_string()
            } else {
                s.reasons.join("; ")
            };
            out.push(format!(
                "Load generator saturated: the backend may be faster than shown ({why})"
            ));
        }
        let failed = self.failure_percent();
        if failed > FAILURE_WARNING_PERCENT {
            out.push(format!(
                "{} % of requests failed ({} of {}), above {} %",
                grouped(failed, 2),
                count(self.totals.failures),
                count(self.totals.requests),
                FAILURE_WARNING_PERCENT
            ));
        }
        out
    }
}
