//! The command line: flags (with the original suite's environment names where it had them),
//! their parsers and checks, turned into a validated `Config`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};

use crate::duration::parse_duration;
use crate::scenario::{Scenario, ScenarioError};

/// Load generator with Locust's user model: each user keeps one keep-alive connection, picks a
/// weighted random task, waits uniformly between --wait-min and --wait-max, and users start in
/// batches of max(1, floor(rate)) every batch/rate seconds. Writes Locust-compatible CSV files,
/// timeseries.csv and summary.json (see docs/results-format.md).
///
/// Scenario files (--scenario) are TOML: an optional `name`, then one [[task]] table per task
/// with `path` (required), `method` (GET), `name` (the path), `body` (JSON text, sent with
/// Content-Type: application/json), `headers` (table), `expected_status` (200), `weight` (1).
#[derive(Debug, Clone, Parser)]
#[command(name = "loadgen", version, about, long_about)]
pub struct Cli {
    /// Server under test: http://HOST[:PORT]
    #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:8000")]
    pub host: String,

    /// Built-in test type: db_test or no_db_test
    #[arg(long, value_name = "NAME", default_value = "db_test")]
    pub test_type: String,

    /// Run the tasks of a TOML scenario file instead of a built-in test type
    #[arg(long, value_name = "FILE", conflicts_with = "test_type")]
    pub scenario: Option<PathBuf>,

    /// Number of users
    #[arg(short = 'u', long, env = "LOCUST_USERS", value_name = "N", default_value = "5000", value_parser = parse_users)]
    pub users: u64,

    /// Users started per second (batches of max(1, floor(RATE)))
    #[arg(short = 'r', long, env = "LOCUST_SPAWN_RATE", value_name = "RATE", default_value = "10", value_parser = parse_rate)]
    pub spawn_rate: f64,

    /// Run time from t=0, ramp included: 500, 500s, 8m20s, 2h
    #[arg(short = 't', long, env = "LOCUST_RUNTIME", value_name = "DURATION", default_value = "500s", value_parser = parse_positive)]
    pub run_time: Duration,

    /// Shortest wait of a user after each task (seconds or a duration)
    #[arg(long, value_name = "SECONDS", default_value = "1", value_parser = parse_duration)]
    pub wait_min: Duration,

    /// Longest wait of a user after each task (seconds or a duration)
    #[arg(long, value_name = "SECONDS", default_value = "2", value_parser = parse_duration)]
    pub wait_max: Duration,

    /// Per-request timeout (connect, send and the whole response)
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_positive)]
    pub timeout: Duration,

    /// After the run time, let in-flight requests finish for up to this long (0: cut them off,
    /// unrecorded, like Locust)
    #[arg(long, value_name = "DURATION", default_value = "0", value_parser = parse_duration)]
    pub stop_timeout: Duration,

    /// Poll GET / for up to this long until the host answers before starting (0: one try)
    #[arg(long, value_name = "SECONDS", default_value = "0", value_parser = parse_duration)]
    pub wait_ready: Duration,

    /// Seed for task choice and waits, for reproducible runs
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,

    /// Write PREFIX_stats.csv, PREFIX_stats_history.csv, PREFIX_failures.csv,
    /// PREFIX_exceptions.csv, and timeseries.csv and summary.json next to them
    #[arg(long, value_name = "PREFIX")]
    pub csv: Option<PathBuf>,

    /// Worker threads. One runs the default profile (5000 users) at about a tenth of a core and
    /// tens of thousands of requests/s in a closed loop; more only pay off beyond that
    #[arg(long, value_name = "N", default_value = "1", value_parser = parse_threads)]
    pub threads: usize,

    /// No progress line and no summary table
    #[arg(short, long)]
    pub quiet: bool,

    /// Backend name, recorded in summary.json
    #[arg(long, value_name = "NAME")]
    pub backend: Option<String>,

    /// How the backend runs, recorded in summary.json
    #[arg(long, value_enum)]
    pub runtime: Option<RuntimeKind>,
}

/// How the backend under test runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RuntimeKind {
    Native,
    Docker,
}

impl RuntimeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RuntimeKind::Native => "native",
            RuntimeKind::Docker => "docker",
        }
    }
}

fn parse_users(s: &str) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(n) if (1..=1_000_000).contains(&n) => Ok(n),
        _ => Err("expected a whole number of users from 1 to 1000000".to_owned()),
    }
}

fn parse_rate(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(r) if r.is_finite() && r > 0.0 => Ok(r),
        _ => Err("expected a positive number of users per second".to_owned()),
    }
}

fn parse_positive(s: &str) -> Result<Duration, String> {
    match parse_duration(s) {
        Ok(d) if !d.is_zero() => Ok(d),
        Ok(_) => Err("expected a duration above zero".to_owned()),
        Err(e) => Err(e.to_string()),
    }
}

fn parse_threads(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=1024).contains(&n) => Ok(n),
        _ => Err("expected a whole number of threads from 1 to 1024".to_owned()),
    }
}

/// A checked set of run parameters.
#[derive(Debug, Clone)]
pub struct Config {
    pub host: String,
    pub scenario: Scenario,
    pub users: u64,
    pub spawn_rate: f64,
    pub run_time: Duration,
    pub wait_min: Duration,
    pub wait_max: Duration,
    pub timeout: Duration,
    pub stop_timeout: Duration,
    pub wait_ready: Duration,
    pub seed: Option<u64>,
    pub csv: Option<PathBuf>,
    pub threads: usize,
    pub quiet: bool,
    pub backend: Option<String>,
    pub runtime: Option<RuntimeKind>,
}

/// A combination of flags that cannot run.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error("invalid --wait-min {min:?}: longer than --wait-max {max:?}")]
    WaitRange { min: Duration, max: Duration },
}

impl Config {
    pub fn from_cli(cli: Cli) -> Result<Config, ConfigError> {
        if cli.wait_min > cli.wait_max {
            return Err(ConfigError::WaitRange {
                min: cli.wait_min,
                max: cli.wait_max,
            });
        }
        let scenario = match &cli.scenario {
            Some(path) => Scenario::from_file(path)?,
            None => Scenario::built_in(&cli.test_type)?,
        };
        Ok(Config {
            host: cli.host,
            scenario,
            users: cli.users,
            spawn_rate: cli.spawn_rate,
            run_time: cli.run_time,
            wait_min: cli.wait_min,
            wait_max: cli.wait_max,
            timeout: cli.timeout,
            stop_timeout: cli.stop_timeout,
            wait_ready: cli.wait_ready,
            seed: cli.seed,
            csv: cli.csv,
            threads: cli.threads,
            quiet: cli.quiet,
            backend: cli.backend,
            runtime: cli.runtime,
        })
    }

    /// Users per spawn batch: Locust's max(1, floor(rate)).
    pub fn spawn_batch(&self) -> u64 {
        (self.spawn_rate.floor() as u64).max(1)
    }

    /// When user number `user` (0-based) starts, after t=0.
    pub fn spawn_offset(&self, user: u64) -> Duration {
        let batch = self.spawn_batch();
        Duration::from_secs_f64((user / batch) as f64 * batch as f64 / self.spawn_rate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("loadgen").chain(args.iter().copied()))
    }

    #[test]
    fn defaults_are_the_original_profile() {
        let c = Config::from_cli(parse(&[]).unwrap()).unwrap();
        assert_eq!(
            (c.users, c.spawn_rate, c.run_time),
            (5000, 10.0, Duration::from_secs(500))
        );
        assert_eq!(
            (c.wait_min, c.wait_max),
            (Duration::from_secs(1), Duration::from_secs(2))
        );
        assert_eq!(c.scenario.name, "db_test");
        assert_eq!(c.timeout, Duration::from_secs(60));
    }

    #[test]
    fn spawn_schedule_is_locusts() {
        let c = Config::from_cli(parse(&["-r", "2.5"]).unwrap()).unwrap();
        assert_eq!(c.spawn_batch(), 2);
        assert_eq!(c.spawn_offset(0), Duration::ZERO);
        assert_eq!(c.spawn_offset(1), Duration::ZERO);
        assert_eq!(c.spawn_offset(2), Duration::from_millis(800));
        let c = Config::from_cli(parse(&["-r", "0.5"]).unwrap()).unwrap();
        assert_eq!(c.spawn_offset(3), Duration::from_secs(6));
    }

    #[test]
    fn bad_values_are_rejected() {
        for args in [
            &["--users", "0"][..],
            &["--users", "many"],
            &["--spawn-rate", "-1"],
            &["--run-time", "0"],
            &["--run-time", "5x"],
            &["--runtime", "vm"],
            &["--threads", "0"],
            &["--scenario", "x.toml", "--test-type", "db_test"],
        ] {
            assert!(parse(args).is_err(), "{args:?}");
        }
        let err = Config::from_cli(parse(&["--wait-min", "3"]).unwrap()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid --wait-min 3s: longer than --wait-max 2s"
        );
        let err = Config::from_cli(parse(&["--test-type", "nope"]).unwrap()).unwrap_err();
        assert!(err.to_string().starts_with("unknown test type 'nope'"));
    }
}
