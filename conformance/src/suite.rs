//! The whole suite over every `backends/*/backend.toml`: build each backend once, start each
//! with its own throwaway cluster and port (in parallel), run every check, compare the backends
//! with each other, then SIGTERM each one. The result is a report of one verdict per backend and
//! check, so a new backend folder is checked with no new test code.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::backend::{self, Backend};
use crate::checks::{Check, run_all};
use crate::client::Client;
use crate::compare;
use crate::db::Db;
use crate::outcome::{CheckResult, Status};
use crate::runner::{self, Running};
use crate::shutdown;
use crate::target::{DbControl, Target};

/// The check that covers discovery, `build`, cluster, `run` and the first `GET /health`.
pub const SETUP_CHECK: &str = "build-and-start";

/// Every check name the suite reports for each backend, in order.
pub fn check_names() -> Vec<&'static str> {
    let mut names = vec![SETUP_CHECK];
    names.extend(Check::ALL.iter().map(|check| check.name()));
    names.push(compare::CHECK_NAME);
    names.push(shutdown::CHECK_NAME);
    names
}

/// The verdicts of one backend.
#[derive(Debug, Clone)]
pub struct BackendReport {
    pub name: String,
    pub results: Vec<CheckResult>,
}

/// The verdicts of every discovered backend.
#[derive(Debug, Clone)]
pub struct Report {
    pub backends: Vec<BackendReport>,
    pub elapsed: Duration,
}

impl Report {
    /// `backend: reason` for every backend whose `check` did not pass (a missing verdict
    /// counts as a failure).
    pub fn failures(&self, check: &str) -> Vec<String> {
        self.backends
            .iter()
            .filter_map(|backend| {
                match backend.results.iter().find(|result| result.check == check) {
                    Some(result) if result.status == Status::Pass => None,
                    Some(result) => Some(format!(
                        "{}: {} {}: {}",
                        backend.name, result.status, check, result.detail
                    )),
                    None => Some(format!("{}: {check} has no verdict", backend.name)),
                }
            })
            .collect()
    }

    /// Every verdict, one line each, grouped by backend.
    pub fn render(&self) -> String {
        let mut text = String::new();
        for backend in &self.backends {
            for result in &backend.results {
                let _ = writeln!(text, "[{}] {result}", backend.name);
            }
        }
        let _ = writeln!(
            text,
            "{} backends, {} verdicts in {:.1} s",
            self.backends.len(),
            self.backends
                .iter()
                .map(|backend| backend.results.len())
                .sum::<usize>(),
            self.elapsed.as_secs_f64()
        );
        text
    }
}

/// A started backend with everything it needs until its SIGTERM check.
struct Session {
    name: String,
    running: Running,
    target: Target,
    results: Vec<CheckResult>,
    /// Kept so that it outlives the backend; removed when the session is dropped.
    _cluster: Arc<pgtemp::Cluster>,
}

/// Runs the suite over the backends under `root`; `work_dir` receives build and server logs.
///
/// Ctrl-C (SIGINT) ends the run early with an error, after stopping every backend started and
/// removing every cluster: the servers sit in their own process groups and the postmasters in
/// their own sessions, so the terminal's signal would not reach them.
pub async fn run(root: &Path, work_dir: &Path) -> Result<Report, String> {
    tokio::select! {
        report = run_to_end(root, work_dir) => report,
        _ = tokio::signal::ctrl_c() => {
            Err("interrupted by SIGINT: backends stopped, clusters removed".to_string())
        }
    }
}

async fn run_to_end(root: &Path, work_dir: &Path) -> Result<Report, String> {
    let started = Instant::now();
    let discovered = backend::discover(root)
        .map_err(|err| format!("cannot list {}/backends: {err}", root.display()))?;
    if discovered.is_empty() {
        return Err(format!(
            "no backends/*/backend.toml under {}",
            root.display()
        ));
    }

    let mut reports = Vec::new();
    let mut built = Vec::new();
    // Builds run one after another: they share cargo's target directory and its lock anyway.
    for (folder, parsed) in discovered {
        let log = work_dir.join(format!("{folder}.build.log"));
        let outcome = match parsed {
            Err(err) => Err(err.to_string()),
            Ok(backend) => runner::build(&backend, &log)
                .await
                .map(|took| (backend, took)),
        };
        match outcome {
            Ok(backend) => built.push(backend),
            Err(reason) => reports.push(not_started(folder, reason)),
        }
    }

    let mut starting = tokio::task::JoinSet::new();
    for (backend, build_time) in built {
        let log = work_dir.join(format!("{}.server.log", backend.name));
        starting.spawn(async move {
            let name = backend.name.clone();
            (name, start_and_check(backend, build_time, log).await)
        });
    }
    let mut sessions = Vec::new();
    while let Some(joined) = starting.join_next().await {
        match joined {
            Ok((_, Ok(session))) => sessions.push(session),
            Ok((name, Err(reason))) => reports.push(not_started(name, reason)),
            Err(err) => return Err(format!("a backend task panicked: {err}")),
        }
    }
    sessions.sort_by(|a, b| a.name.cmp(&b.name));

    let mut observed = Vec::new();
    for session in &sessions {
        observed.push((
            session.name.clone(),
            compare::observe(&session.target).await,
        ));
    }
    for (name, verdict) in compare::compare(&observed) {
        if let Some(session) = sessions.iter_mut().find(|session| session.name == name) {
            session.results.push(verdict);
        }
    }

    let mut stopping = tokio::task::JoinSet::new();
    for mut session in sessions {
        stopping.spawn(async move {
            let verdict = shutdown::check(&mut session.running, &session.target.db).await;
            session.results.push(verdict);
            session.target.db.close().await;
            let report = BackendReport {
                name: session.name.clone(),
                results: std::mem::take(&mut session.results),
            };
            // Dropping stops the server if still running and removes the cluster (blocking).
            let _ = tokio::task::spawn_blocking(move || drop(session)).await;
            report
        });
    }
    while let Some(joined) = stopping.join_next().await {
        reports.push(joined.map_err(|err| format!("a shutdown task panicked: {err}"))?);
    }
    reports.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Report {
        backends: reports,
        elapsed: started.elapsed(),
    })
}

async fn start_and_check(
    backend: Backend,
    build_time: Duration,
    log: std::path::PathBuf,
) -> Result<Session, String> {
    let cluster = tokio::task::spawn_blocking(pgtemp::Cluster::start)
        .await
        .map_err(|err| format!("cluster task failed: {err}"))?
        .map_err(|err| format!("throwaway PostgreSQL: {err}"))?;
    let cluster = Arc::new(cluster);
    let running = Running::start(&backend, &cluster.url(), &log)
        .await
        .map_err(|err| format!("`{}`: {err}", backend.run))?;
    let db = Db::connect(&cluster.url())
        .await
        .map_err(|err| format!("direct database connection: {err}"))?;
    let client = Client::new(&running.url()).map_err(|err| err.to_string())?;
    let target = Target {
        client,
        db,
        db_control: Some(DbControl::Cluster(Arc::clone(&cluster))),
    };
    let mut results = vec![CheckResult {
        check: SETUP_CHECK,
        status: Status::Pass,
        detail: format!(
            "built with `{}` in {:.1} s, started with `{}` on {} against a private cluster, GET /health 200",
            backend.build,
            build_time.as_secs_f64(),
            backend.run,
            running.url()
        ),
    }];
    results.extend(run_all(&target, &Check::ALL).await);
    Ok(Session {
        name: backend.name,
        running,
        target,
        results,
        _cluster: cluster,
    })
}

/// A backend that never got to its checks: setup fails with `reason`, every other check fails
/// as not run, so each per-check test names it.
fn not_started(name: String, reason: String) -> BackendReport {
    let results = check_names()
        .into_iter()
        .map(|check| CheckResult {
            check,
            status: Status::Fail,
            detail: if check == SETUP_CHECK {
                crate::outcome::one_line(&reason)
            } else {
                format!("not run: {SETUP_CHECK} failed")
            },
        })
        .collect();
    BackendReport { name, results }
}
