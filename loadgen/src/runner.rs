//! The coordinator: checks the host, raises limits, starts the workers on one t=0, merges their
//! snapshots once a second (rows of `timeseries.csv`, Locust's history, live files, progress),
//! and at the end writes every file once more, `summary.json`, and the summary tables.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::cli::Config;
use crate::console::{self, Progress};
use crate::error::Error;
use crate::files::{OutputError, OutputPaths, write_atomic};
use crate::http::{Connection, PreparedRequest, Target};
use crate::locust_csv;
use crate::monitor::{self, CpuMonitor};
use crate::scenario::Task;
use crate::stats::{Aggregate, Clock};
use crate::summary::{self, Figures, Machine, Saturation, Summary, TaskInfo, Tools, Workload};
use crate::worker::{Plan, Worker};

/// How often `--wait-ready` polls.
const READY_POLL: Duration = Duration::from_millis(100);
/// How often the coordinator looks at the stop flag while it waits.
const STOP_POLL: Duration = Duration::from_millis(50);

/// The result of a run that wrote its files: completed, or interrupted and cut short.
#[derive(Debug)]
pub struct RunOutcome {
    pub summary: Summary,
    pub interrupted: bool,
}

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Runs the load test described by `config` for its whole run time.
pub fn run(config: &Config) -> Result<RunOutcome, Error> {
    run_until_stopped(config, &AtomicBool::new(false))
}

/// Sleeps until `until` unless `stop` is set first; true when stopped.
fn sleep_unless_stopped(until: Instant, stop: &AtomicBool) -> bool {
    loop {
        if stop.load(Ordering::Relaxed) {
            return true;
        }
        let now = Instant::now();
        if now >= until {
            return false;
        }
        std::thread::sleep((until - now).min(STOP_POLL));
    }
}

/// Runs the load test described by `config`, ending it early (users stopped at once, every file
/// written for the run so far) when `stop` turns true.
pub fn run_until_stopped(config: &Config, stop: &AtomicBool) -> Result<RunOutcome, Error> {
    let target = Target::parse(&config.host)?;
    crate::limits::ensure_open_files(config.users)?;
    wait_ready(&target, config.wait_ready, config.timeout)?;
    let paths = config.csv.as_deref().map(OutputPaths::new);
    if let Some(paths) = &paths {
        paths.prepare()?;
    }
    let seed = config.seed.unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
            ^ u64::from(std::process::id())
    });

    let clock = Clock {
        t0: Instant::now(),
        t0_unix: unix_now(),
        run_time: config.run_time,
    };
    let (keys, _) = config.scenario.entries();
    let mut agg = Aggregate::new(clock, keys);
    let mut history = vec![locust_csv::history_row(&agg, clock.t0_unix, 0)];
    if let Some(paths) = &paths {
        // Written before any load: an unwritable output path fails the run up front.
        write_live_files(paths, &agg, &history)?;
    }

    let plan = Arc::new(Plan::new(config, clock, &target, seed));
    let mut workers = Vec::with_capacity(config.threads);
    for index in 0..config.threads {
        workers.push(Worker::spawn(index, Arc::clone(&plan)).map_err(Error::Worker)?);
    }
    let mut cpu = CpuMonitor::start();
    let mut progress = Progress::new(config.quiet);
    let mut live_write_failed = false;
    let mut interrupted = false;

    for second in 1u64.. {
        let tick = clock.t0 + Duration::from_secs(second);
        if tick >= clock.deadline() {
            break;
        }
        if sleep_unless_stopped(tick, stop) {
            interrupted = true;
            break;
        }
        let answers: Vec<_> = workers.iter().map(Worker::request_snapshot).collect();
        let mut complete_until = f64::INFINITY;
        for answer in answers {
            match answer.recv() {
                Ok(snapshot) => {
                    complete_until = complete_until.min(snapshot.as_of_s);
                    agg.absorb(snapshot);
                }
                Err(_) => complete_until = 0.0,
            }
        }
        agg.close_windows(complete_until, false);
        cpu.sample();
        history.push(locust_csv::history_row(&agg, unix_now(), agg.users()));
        if let Some(paths) = &paths
            && let Err(e) = write_live_files(paths, &agg, &history)
            && !live_write_failed
        {
            // Keep running: the final write reports the error if it persists.
            live_write_failed = true;
            progress.finish();
            eprintln!("warning: {e}");
        }
        progress.update(
            &agg,
            config.users,
            Instant::now().saturating_duration_since(clock.t0),
        );
    }

    // The users stop by themselves at the run time (plus --stop-timeout); a stop request
    // before then cuts them off.
    if interrupted {
        workers.iter().for_each(Worker::stop);
    }
    while !workers.iter().all(Worker::is_finished) {
        if interrupted {
            std::thread::sleep(STOP_POLL);
        } else if sleep_unless_stopped(Instant::now() + STOP_POLL, stop) {
            interrupted = true;
            workers.iter().for_each(Worker::stop);
        }
    }
    for worker in workers {
        let snapshot = worker.join().map_err(Error::Worker)?;
        agg.absorb(snapshot);
    }
    let ended = Instant::now();
    let ended_unix = unix_now();
    cpu.sample();
    if interrupted {
        agg.cut_short(ended.saturating_duration_since(clock.t0).as_secs_f64());
    }
    agg.close_windows(f64::INFINITY, true);
    history.push(locust_csv::history_row(&agg, ended_unix, agg.users()));
    progress.update(
        &agg,
        config.users,
        ended.saturating_duration_since(clock.t0),
    );
    progress.finish();

    let duration_s = ended.saturating_duration_since(clock.t0).as_secs_f64();
    let summary = build_summary(config, &agg, &cpu, duration_s, ended_unix, interrupted);
    if let Some(paths) = &paths {
        write_live_files(paths, &agg, &history)?;
        write_atomic(&paths.summary(), |out| summary::write(out, &summary))?;
    }
    if !config.quiet {
        print!("{}", console::locust_tables(&agg));
        print!("{}", console::exact_summary(&summary));
    }
    if summary.saturation.saturated {
        eprintln!("warning: {}", monitor::SATURATED);
    }
    Ok(RunOutcome {
        summary,
        interrupted,
    })
}

fn write_live_files(
    paths: &OutputPaths,
    agg: &Aggregate,
    history: &[String],
) -> Result<(), OutputError> {
    write_atomic(&paths.stats(), |out| locust_csv::write_stats(out, agg))?;
    write_atomic(&paths.history(), |out| {
        locust_csv::write_history(out, history)
    })?;
    write_atomic(&paths.failures(), |out| {
        locust_csv::write_failures(out, agg)
    })?;
    write_atomic(&paths.exceptions(), locust_csv::write_exceptions)?;
    write_atomic(&paths.timeseries(), |out| {
        crate::timeseries::write(out, &agg.rows)
    })?;
    Ok(())
}

fn build_summary(
    config: &Config,
    agg: &Aggregate,
    cpu: &CpuMonitor,
    duration_s: f64,
    ended_unix: f64,
    interrupted: bool,
) -> Summary {
    let (totals, endpoints) = Figures::of_run(agg, duration_s);
    let max_lag = Duration::from_nanos(agg.max_lag_ns);
    let reasons = monitor::saturation_reasons(
        cpu.longest_busy_streak(),
        agg.late_sends,
        totals.requests,
        max_lag,
    );
    let round1 = |x: f64| (x * 10.0).round() / 10.0;
    Summary {
        schema_version: 1,
        backend: config.backend.clone(),
        test_type: config.scenario.name.clone(),
        runtime: config.runtime.map(|r| r.as_str().to_owned()),
        host: Target::parse(&config.host).map_or_else(|_| config.host.clone(), |t| t.url),
        workload: Workload {
            users: config.users,
            spawn_rate: config.spawn_rate,
            run_time_s: config.run_time.as_secs_f64(),
            wait_min_s: config.wait_min.as_secs_f64(),
            wait_max_s: config.wait_max.as_secs_f64(),
            timeout_s: config.timeout.as_secs_f64(),
            stop_timeout_s: config.stop_timeout.as_secs_f64(),
            seed: config.seed,
            threads: config.threads,
            tasks: config
                .scenario
                .tasks
                .iter()
                .map(|t| TaskInfo {
                    name: t.name.clone(),
                    method: t.method.clone(),
                    weight: t.weight,
                    expected_status: t.expected_status,
                })
                .collect(),
        },
        started_at: locust_csv::utc_timestamp(agg.clock.t0_unix),
        ended_at: locust_csv::utc_timestamp(ended_unix),
        duration_s: summary::round3(duration_s),
        interrupted,
        git_commit: summary::git_commit(),
        tools: Tools {
            loadgen: env!("CARGO_PKG_VERSION").to_owned(),
        },
        machine: Machine::detect(),
        totals,
        endpoints,
        saturation: Saturation {
            saturated: !reasons.is_empty(),
            reasons,
            loadgen_cpu_percent_mean: round1(cpu.mean()),
            loadgen_cpu_percent_max: round1(cpu.max()),
            late_sends: agg.late_sends,
            max_send_lag_ms: summary::round3(max_lag.as_secs_f64() * 1e3),
        },
    }
}

/// Polls `GET /` until the host gives any HTTP response or `wait` has passed (one try at least,
/// each try bounded by the request `timeout`).
fn wait_ready(target: &Target, wait: Duration, timeout: Duration) -> Result<(), Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(Error::Worker)?;
    let probe = Task {
        name: "/".to_owned(),
        method: "GET".to_owned(),
        path: "/".to_owned(),
        body: None,
        headers: Vec::new(),
        expected_status: 200,
        weight: 1,
    };
    let request = PreparedRequest::new(&probe, target);
    let started = Instant::now();
    let give_up = started + wait;
    runtime.block_on(async {
        loop {
            let attempt = async {
                let mut connection = Connection::open(target.addr).await?;
                connection.send(&request).await
            };
            // A slow answer is still an answer: each try may take a request's --timeout.
            let reason = match tokio::time::timeout(timeout, attempt).await {
                Ok(Ok(_)) => return Ok(()),
                Ok(Err(e)) => e.to_string(),
                Err(_) => format!("no response within {timeout:?}"),
            };
            if Instant::now() + READY_POLL > give_up {
                return Err(Error::Unreachable {
                    url: target.url.clone(),
                    reason,
                    waited_s: started.elapsed().as_secs_f64(),
                });
            }
            tokio::time::sleep(READY_POLL).await;
        }
    })
}
