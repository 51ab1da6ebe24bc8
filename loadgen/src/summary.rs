//! `summary.json`: the run's metadata and exact whole-run figures (format:
//! `docs/results-format.md`, `schema_version` 1). Times are milliseconds rounded to the
//! microsecond; figures without any request are `null`.

use std::io::{self, Write};
use std::process::{Command, Stdio};

use serde::Serialize;

use crate::failure::FailureKind;
use crate::stats::{Aggregate, EntryStats};

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub schema_version: u32,
    pub backend: Option<String>,
    pub test_type: String,
    pub runtime: Option<String>,
    pub host: String,
    pub workload: Workload,
    pub started_at: String,
    pub ended_at: String,
    pub duration_s: f64,
    /// Ctrl-C or SIGTERM ended the run before its run time.
    pub interrupted: bool,
    pub git_commit: Option<String>,
    pub tools: Tools,
    pub machine: Machine,
    pub totals: Figures,
    pub endpoints: Vec<Figures>,
    pub saturation: Saturation,
}

#[derive(Debug, Clone, Serialize)]
pub struct Workload {
    pub users: u64,
    pub spawn_rate: f64,
    pub run_time_s: f64,
    pub wait_min_s: f64,
    pub wait_max_s: f64,
    pub timeout_s: f64,
    pub stop_timeout_s: f64,
    pub seed: Option<u64>,
    pub threads: usize,
    pub tasks: Vec<TaskInfo>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TaskInfo {
    pub name: String,
    pub method: String,
    pub weight: u32,
    pub expected_status: u16,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tools {
    pub loadgen: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    pub cpu_model: Option<String>,
    pub cores: usize,
    pub os: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FailuresByKind {
    pub status: u64,
    pub timeout: u64,
    pub connect: u64,
    pub reset: u64,
    pub other: u64,
}

/// Whole-run figures of the totals or of one endpoint (`method`/`name` only for endpoints).
#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub requests: u64,
    pub failures: u64,
    pub failures_by_kind: FailuresByKind,
    pub rps: f64,
    pub mean_ms: Option<f64>,
    pub min_ms: Option<f64>,
    pub p50_ms: Option<f64>,
    pub p90_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub p999_ms: Option<f64>,
    pub max_ms: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Saturation {
    pub saturated: bool,
    pub reasons: Vec<String>,
    pub loadgen_cpu_percent_mean: f64,
    pub loadgen_cpu_percent_max: f64,
    pub late_sends: u64,
    pub max_send_lag_ms: f64,
}

/// Rounds milliseconds to the microsecond (three decimals).
pub fn round3(x: f64) -> f64 {
    (x * 1e3).round() / 1e3
}

impl Figures {
    pub fn of(
        entry: &EntryStats,
        duration_s: f64,
        method: Option<&str>,
        name: Option<&str>,
    ) -> Figures {
        let kinds = |k: FailureKind| entry.by_kind[k.index()];
        Figures {
            method: method.map(str::to_owned),
            name: name.map(str::to_owned),
            requests: entry.requests,
            failures: entry.failures,
            failures_by_kind: FailuresByKind {
                status: kinds(FailureKind::Status),
                timeout: kinds(FailureKind::Timeout),
                connect: kinds(FailureKind::Connect),
                reset: kinds(FailureKind::Reset),
                other: kinds(FailureKind::Other),
            },
            rps: if duration_s > 0.0 {
                round3(entry.requests as f64 / duration_s)
            } else {
                0.0
            },
            mean_ms: entry.mean_ms().map(round3),
            min_ms: entry.min_ns.map(|ns| round3(ns as f64 / 1e6)),
            p50_ms: entry.quantile_ms(0.5),
            p90_ms: entry.quantile_ms(0.9),
            p95_ms: entry.quantile_ms(0.95),
            p99_ms: entry.quantile_ms(0.99),
            p999_ms: entry.quantile_ms(0.999),
            max_ms: (entry.requests > 0).then(|| round3(entry.max_ns as f64 / 1e6)),
        }
    }

    /// The totals and the per-endpoint figures of a run.
    pub fn of_run(agg: &Aggregate, duration_s: f64) -> (Figures, Vec<Figures>) {
        let totals = Figures::of(agg.total(), duration_s, None, None);
        let endpoints = agg
            .keys
            .iter()
            .zip(&agg.entries)
            .map(|(k, e)| Figures::of(e, duration_s, Some(&k.method), Some(&k.name)))
            .collect();
        (totals, endpoints)
    }
}

impl Machine {
    /// This machine, from `/proc/cpuinfo`.
    pub fn detect() -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu_model = cpuinfo
            .lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_owned());
        let listed = cpuinfo
            .lines()
            .filter(|l| l.starts_with("processor"))
            .count();
        let cores = if listed > 0 {
            listed
        } else {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        };
        Machine {
            cpu_model,
            cores,
            os: std::env::consts::OS.to_owned(),
        }
    }
}

/// The commit of the git checkout loadgen runs in, if any.
pub fn git_commit() -> Option<String> {
    let output = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let commit = String::from_utf8(output.stdout).ok()?.trim().to_owned();
    (output.status.success() && !commit.is_empty()).then_some(commit)
}

pub fn write<W: Write>(out: &mut W, summary: &Summary) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, summary)?;
    out.write_all(b"\n")
}
