//! The user model and the measurements, checked from the server's side where possible: spawn
//! schedule, weights, waits, seeds, run time, stop timeout, response-time accuracy, failure
//! kinds and grouping, body framing, and a server that dies in the middle of a run.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use loadgen::summary::Summary;

use crate::common::{TestServer, config, read_python_csv, scenario};

fn run(args: &str) -> Summary {
    loadgen::run(&config(args)).expect("run completes").summary
}

fn endpoint<'a>(summary: &'a Summary, name: &str) -> &'a loadgen::summary::Figures {
    summary
        .endpoints
        .iter()
        .find(|e| e.name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("no endpoint {name}"))
}

#[test]
fn response_time_of_a_50ms_endpoint_is_measured_within_2ms() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), "[[task]]\npath = \"/sleep50\"\n");
    let summary = run(&format!(
        "--host {} --scenario {} -u 10 -r 10 -t 3 --wait-min 0.02 --wait-max 0.05",
        server.url,
        file.display()
    ));
    let p50 = summary.totals.p50_ms.unwrap();
    assert!(
        summary.totals.requests >= 100,
        "{}",
        summary.totals.requests
    );
    assert!(
        (50.0..=52.0).contains(&p50),
        "p50 {p50} ms for a 50 ms endpoint"
    );
    assert!(summary.totals.min_ms.unwrap() >= 50.0);
}

#[test]
fn users_start_in_batches_on_locusts_schedule() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let summary_dir = dir.path().join("run");
    let prefix = summary_dir.join("benchmark");
    run(&format!(
        "--host {} --test-type no_db_test -u 30 -r 10 -t 3.5 --wait-min 0.3 --wait-max 0.5 --threads 2 --csv {}",
        server.url,
        prefix.display()
    ));
    // Every user holds one connection: the server's accept times are the spawn times (after
    // the readiness probe's connection).
    let accepted = server.accepted();
    assert_eq!(
        accepted.len(),
        31,
        "the probe, then one keep-alive connection per user"
    );
    let accepted = &accepted[1..];
    let first = accepted[0];
    for (at_s, model) in [(0.5, 10), (1.5, 20), (2.5, 30)] {
        let started = accepted
            .iter()
            .filter(|t| t.duration_since(first).as_secs_f64() < at_s)
            .count() as i64;
        assert!(
            (started - model).abs() <= 10,
            "{started} users by {at_s} s, model {model}"
        );
    }
    let timeseries = std::fs::read_to_string(summary_dir.join("timeseries.csv")).unwrap();
    let users: Vec<i64> = timeseries
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
        .collect();
    assert_eq!(users.len(), 4, "{timeseries}");
    for (got, model) in users.iter().zip([10, 20, 30, 30]) {
        assert!((got - model).abs() <= 10, "{users:?}");
    }
}

#[test]
fn task_weights_hold_over_thousands_of_picks() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(
        dir.path(),
        "[[task]]\npath = \"/no_db_endpoint/\"\nweight = 1\n[[task]]\npath = \"/no_db_endpoint2/\"\nweight = 3\n",
    );
    let summary = run(&format!(
        "--host {} --scenario {} -u 4 -r 4 -t 1.5 --wait-min 0 --wait-max 0 --threads 2",
        server.url,
        file.display()
    ));
    let n = summary.totals.requests as f64;
    let heavy = endpoint(&summary, "/no_db_endpoint2/").requests as f64;
    assert!(n >= 400.0, "only {n} requests");
    let sigma = (n * 0.75 * 0.25).sqrt();
    assert!(
        (heavy - 0.75 * n).abs() < 5.0 * sigma,
        "{heavy} of {n} picks for weight 3 of 4"
    );
    assert_eq!(summary.totals.failures, 0);
}

#[test]
fn waits_stay_between_min_and_max_and_run_time_is_respected() {
    let server = TestServer::start();
    let started = Instant::now();
    let summary = run(&format!(
        "--host {} --test-type no_db_test -u 5 -r 5 -t 2.5 --wait-min 0.2 --wait-max 0.4",
        server.url
    ));
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(2_500) && took < Duration::from_millis(3_500),
        "run took {took:?}"
    );
    assert!(summary.duration_s >= 2.5 && summary.duration_s < 3.5);
    let mut by_connection: HashMap<u64, Vec<Instant>> = HashMap::new();
    for seen in server.requests() {
        assert!(
            seen.at.duration_since(started) < Duration::from_millis(2_700),
            "request after the run time"
        );
        by_connection
            .entry(seen.connection)
            .or_default()
            .push(seen.at);
    }
    let gaps: Vec<f64> = by_connection
        .values()
        .flat_map(|times| {
            times
                .windows(2)
                .map(|w| w[1].duration_since(w[0]).as_secs_f64())
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(gaps.len() >= 20, "{} gaps", gaps.len());
    for gap in &gaps {
        assert!(
            // Exact below; above, room for a busy machine delaying a wake-up.
            *gap >= 0.2 && *gap <= 0.4 + 0.2,
            "gap {gap} s outside the 0.2..0.4 s wait"
        );
    }
    let (lo, hi) = gaps
        .iter()
        .fold((f64::MAX, 0.0f64), |(lo, hi), g| (lo.min(*g), hi.max(*g)));
    assert!(lo < 0.27 && hi > 0.33, "waits are not spread: {lo}..{hi}");
}

fn first_paths(seed: &str) -> Vec<String> {
    let server = TestServer::start();
    run(&format!(
        "--host {} --test-type no_db_test -u 1 -r 1 -t 1 --wait-min 0 --wait-max 0.002 --seed {}",
        server.url, seed
    ));
    let paths: Vec<String> = server
        .requests()
        .into_iter()
        .map(|r| r.path)
        .take(40)
        .collect();
    assert!(paths.len() >= 40, "only {} requests", paths.len());
    paths
}

#[test]
fn a_seed_replays_task_choice() {
    let a = first_paths("42");
    assert_eq!(a, first_paths("42"));
    assert_ne!(a, first_paths("43"));
}

#[test]
fn stop_timeout_lets_in_flight_requests_finish() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), "[[task]]\npath = \"/sleep700\"\n");
    let args = format!(
        "--host {} --scenario {} -u 1 -r 1 -t 1 --wait-min 0 --wait-max 0",
        server.url,
        file.display()
    );
    let cut = run(&args);
    assert_eq!(
        cut.totals.requests, 1,
        "the request in flight at 1 s is cut off"
    );
    let started = Instant::now();
    let finished = run(&format!("{args} --stop-timeout 3s"));
    assert_eq!(
        finished.totals.requests, 2,
        "the request in flight at 1 s completes"
    );
    assert!(
        started.elapsed() < Duration::from_millis(2_500),
        "stopped once the last request finished"
    );
}

#[test]
fn failures_are_classified_and_grouped_like_locust() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(
        dir.path(),
        "[[task]]\npath = \"/missing/\"\n[[task]]\npath = \"/error\"\n[[task]]\npath = \"/hang\"\n\
         [[task]]\npath = \"/reset\"\n[[task]]\npath = \"/empty\"\n[[task]]\npath = \"/created\"\n\
         [[task]]\npath = \"/no_db_endpoint/\"\n",
    );
    let prefix = dir.path().join("benchmark");
    let summary = run(&format!(
        "--host {} --scenario {} -u 8 -r 8 -t 2 --wait-min 0.01 --wait-max 0.02 --timeout 300ms --csv {}",
        server.url,
        file.display(),
        prefix.display()
    ));
    let rows = read_python_csv(&dir.path().join("benchmark_failures.csv"));
    let errors: HashMap<&str, &Vec<String>> =
        rows[1..].iter().map(|r| (r[1].as_str(), r)).collect();
    let expect = [
        (
            "/missing/",
            "HTTPError('404 Client Error: Not Found for url: /missing/')",
        ),
        (
            "/error",
            "HTTPError('500 Server Error: Internal Server Error for url: /error')",
        ),
        ("/hang", "TimeoutError('timed out')"),
        (
            "/reset",
            "ConnectionResetError(104, 'Connection reset by peer')",
        ),
        (
            "/empty",
            "RemoteDisconnected('Remote end closed connection without response')",
        ),
        (
            "/created",
            "CatchResponseError('Unexpected status code 201 (expected 200) for url: /created')",
        ),
    ];
    for (name, message) in expect {
        let row = errors
            .get(name)
            .unwrap_or_else(|| panic!("no failure row for {name}: {rows:?}"));
        assert_eq!(row[0], "GET");
        assert_eq!(row[2], message, "{name}");
        assert!(
            row[4].ends_with('Z') && row[4].len() == 20,
            "first seen {}",
            row[4]
        );
    }
    assert_eq!(
        rows.len(),
        1 + expect.len(),
        "one row per (method, name, error): {rows:?}"
    );
    let occurrences: u64 = rows[1..].iter().map(|r| r[3].parse::<u64>().unwrap()).sum();
    assert_eq!(occurrences, summary.totals.failures);
    let kinds = &summary.totals.failures_by_kind;
    assert!(
        kinds.status > 0 && kinds.timeout > 0 && kinds.reset > 0,
        "{kinds:?}"
    );
    assert_eq!(endpoint(&summary, "/no_db_endpoint/").failures, 0);
    let hang = endpoint(&summary, "/hang");
    assert!(
        hang.min_ms.unwrap() >= 300.0 && hang.max_ms.unwrap() < 1_000.0,
        "timeouts take the timeout"
    );
}

#[test]
fn bodies_are_counted_for_every_framing() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(
        dir.path(),
        "[[task]]\npath = \"/close\"\n[[task]]\npath = \"/until-close\"\n[[task]]\npath = \"/notes/\"\n",
    );
    let prefix = dir.path().join("benchmark");
    let summary = run(&format!(
        "--host {} --scenario {} -u 3 -r 3 -t 1 --wait-min 0.01 --wait-max 0.02 --csv {}",
        server.url,
        file.display(),
        prefix.display()
    ));
    assert_eq!(summary.totals.failures, 0);
    let rows = read_python_csv(&dir.path().join("benchmark_stats.csv"));
    let content: HashMap<&str, &str> = rows[1..]
        .iter()
        .map(|r| (r[1].as_str(), r[8].as_str()))
        .collect();
    assert_eq!(content["/close"], "5.0");
    assert_eq!(content["/until-close"], "10.0");
    assert_eq!(content["/notes/"], "6.0", "chunked body de-chunked");
    let closing = summary
        .endpoints
        .iter()
        .filter(|e| e.name.as_deref() != Some("/notes/"))
        .map(|e| e.requests)
        .sum::<u64>();
    assert!(
        server.accepted().len() as u64 >= closing,
        "a closed connection is reopened by the next task"
    );
}

#[test]
fn a_server_dying_mid_run_is_recorded_and_files_stay_valid() {
    let mut server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("benchmark");
    let config = config(&format!(
        "--host {} --test-type no_db_test -u 10 -r 10 -t 3 --wait-min 0.05 --wait-max 0.1 --csv {}",
        server.url,
        prefix.display()
    ));
    let run = std::thread::spawn(move || loadgen::run(&config));
    assert!(
        server.wait_for_requests(30, Duration::from_secs(10)),
        "load never arrived"
    );
    server.stop();
    let summary = run.join().unwrap().expect("the run completes").summary;
    assert!(summary.totals.requests > 30);
    let kinds = &summary.totals.failures_by_kind;
    assert!(
        kinds.connect > 0,
        "reconnects are refused once the server is gone: {kinds:?}"
    );
    assert_eq!(
        summary.totals.failures,
        kinds.status + kinds.timeout + kinds.connect + kinds.reset + kinds.other
    );
    let timeseries = std::fs::read_to_string(dir.path().join("timeseries.csv")).unwrap();
    assert_eq!(timeseries.lines().count(), 4, "{timeseries}");
    let stats = read_python_csv(&dir.path().join("benchmark_stats.csv"));
    assert!(stats.iter().all(|r| r.len() == 22));
    let failures = read_python_csv(&dir.path().join("benchmark_failures.csv"));
    assert!(
        failures
            .iter()
            .any(|r| r[2] == "ConnectionRefusedError(111, 'Connection refused')"),
        "{failures:?}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("summary.json")).unwrap()).unwrap();
    assert_eq!(json["totals"]["requests"], summary.totals.requests);
}
