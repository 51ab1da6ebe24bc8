//! The binary's contract with people: one-line errors and a non-zero exit for bad flags, bad
//! scenario files, an unreachable host and an unwritable output path; exit 0 on a completed
//! run even when requests failed; the original suite's environment names.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::common::{TestServer, scenario};

fn loadgen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_loadgen"))
        .args(args)
        .output()
        .expect("loadgen runs")
}

fn one_line_error(out: &Output) -> String {
    assert!(
        !out.status.success(),
        "expected failure, got {:?}",
        out.status
    );
    let stderr = String::from_utf8_lossy(&out.stderr).trim_end().to_owned();
    assert_eq!(
        stderr.lines().count(),
        1,
        "error must be one line, got:\n{stderr}"
    );
    stderr
}

fn free_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    url
}

#[test]
fn bad_flags_are_one_line_errors_naming_the_flag() {
    let cases: [(&[&str], &str); 10] = [
        (&["--users", "0"], "--users"),
        (&["--users", "abc"], "--users"),
        (&["--spawn-rate", "0"], "--spawn-rate"),
        (&["--run-time", "5x"], "--run-time"),
        (&["--timeout", "0"], "--timeout"),
        (&["--runtime", "vm"], "--runtime"),
        (&["--wait-min", "3"], "--wait-min"),
        (&["--test-type", "nope"], "test type"),
        (&["--host", "ftp://127.0.0.1:1"], "--host"),
        (&["--bogus"], "--bogus"),
    ];
    for (args, needle) in cases {
        let out = loadgen(args);
        let err = one_line_error(&out);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn bad_environment_values_are_rejected() {
    let out = Command::new(env!("CARGO_BIN_EXE_loadgen"))
        .env("LOCUST_USERS", "lots")
        .output()
        .unwrap();
    let err = one_line_error(&out);
    assert!(err.contains("lots") && err.contains("--users"), "{err}");
}

#[test]
fn bad_scenario_files_are_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "[[task]]\npath = \"/a\"\nwieght = 2\n",
            "line 3: unknown field `wieght`",
        ),
        (
            "[[task]]\npath = \"/a\"\nbody = '{\"title\": '\n",
            "task 1: body is not valid JSON",
        ),
        ("[[task]]\nmethod = \"GET\"\n", "missing field `path`"),
        ("name = \"x\"\n", "no tasks"),
        ("[[task]\npath = \"/a\"\n", "line 1"),
        (
            "[[task]]\npath = \"/a\"\nexpected_status = 999\n",
            "expected_status 999",
        ),
    ];
    for (toml, needle) in cases {
        let file = scenario(dir.path(), toml);
        let out = loadgen(&["--scenario", file.to_str().unwrap()]);
        let err = one_line_error(&out);
        assert!(
            err.contains("scenario file") && err.contains(needle),
            "{toml:?}: {err}"
        );
    }
    let out = loadgen(&["--scenario", "/nonexistent/scenario.toml"]);
    assert!(one_line_error(&out).contains("/nonexistent/scenario.toml"));
}

#[test]
fn unreachable_host_fails_after_wait_ready() {
    let url = free_port_url();
    let started = Instant::now();
    let out = loadgen(&["--host", &url, "--wait-ready", "0.5", "-u", "1", "-t", "1"]);
    let err = one_line_error(&out);
    assert!(err.contains("not reachable") && err.contains(&url), "{err}");
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "gave up after {:?}",
        started.elapsed()
    );
}

#[test]
fn unwritable_output_path_fails_before_any_load() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain-file");
    std::fs::write(&file, "x").unwrap();
    let prefix = file.join("benchmark");
    let out = loadgen(&[
        "--host",
        &server.url,
        "-u",
        "2",
        "-t",
        "2",
        "--csv",
        prefix.to_str().unwrap(),
    ]);
    let err = one_line_error(&out);
    assert!(err.contains("plain-file"), "{err}");
    let load: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.path != "/")
        .collect();
    assert!(load.is_empty(), "no load may be sent: {load:?}");
}

#[test]
fn completed_run_with_failures_exits_zero_and_env_names_work() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), "[[task]]\npath = \"/missing/\"\n");
    let prefix = dir.path().join("out/benchmark");
    let out = Command::new(env!("CARGO_BIN_EXE_loadgen"))
        .args([
            "--host",
            &server.url,
            "--scenario",
            file.to_str().unwrap(),
            "--wait-min",
            "0.05",
        ])
        .args([
            "--wait-max",
            "0.1",
            "--csv",
            prefix.to_str().unwrap(),
            "--backend",
            "test-server",
        ])
        .args(["--runtime", "native"])
        .env("LOCUST_USERS", "3")
        .env("LOCUST_SPAWN_RATE", "3")
        .env("LOCUST_RUNTIME", "1s")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("Aggregated") && stdout.contains("Error report"),
        "{stdout}"
    );
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/summary.json")).unwrap())
            .unwrap();
    assert_eq!(summary["workload"]["users"], 3);
    assert_eq!(summary["workload"]["run_time_s"], 1.0);
    assert_eq!(summary["backend"], "test-server");
    assert_eq!(summary["runtime"], "native");
    assert!(summary["totals"]["failures"].as_u64().unwrap() > 0);
    assert_eq!(summary["totals"]["failures"], summary["totals"]["requests"]);
}

#[test]
fn wait_ready_polls_until_the_host_answers() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let url = format!("http://{addr}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_loadgen"))
        .args([
            "--host",
            &url,
            "--wait-ready",
            "20",
            "-u",
            "1",
            "-t",
            "0.5",
            "--quiet",
            "--test-type",
            "no_db_test",
        ])
        .spawn()
        .unwrap();
    // Give loadgen time to find the port closed at least once, then bring the server up.
    std::thread::sleep(Duration::from_millis(300));
    let server = TestServer::start_at(addr);
    let status = child.wait().unwrap();
    assert!(status.success());
    assert!(
        server
            .requests()
            .iter()
            .any(|r| r.path == "/no_db_endpoint/" || r.path == "/no_db_endpoint2/")
    );
}

#[test]
fn help_describes_the_flags() {
    let out = loadgen(&["--help"]);
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--users",
        "LOCUST_USERS",
        "--scenario",
        "--seed",
        "--stop-timeout",
        "--wait-ready",
        "--csv",
        "--backend",
    ] {
        assert!(help.contains(flag), "help lacks {flag}");
    }
}

#[test]
fn ctrl_c_ends_the_run_early_with_complete_files() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("benchmark");
    let mut child = Command::new(env!("CARGO_BIN_EXE_loadgen"))
        .args([
            "--host",
            &server.url,
            "--test-type",
            "no_db_test",
            "-u",
            "5",
            "-r",
            "5",
            "-t",
            "60s",
        ])
        .args([
            "--wait-min",
            "0.01",
            "--wait-max",
            "0.02",
            "--quiet",
            "--csv",
            prefix.to_str().unwrap(),
        ])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    assert!(
        server.wait_for_requests(50, Duration::from_secs(10)),
        "load never arrived"
    );
    let sent = Instant::now();
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            sent.elapsed() < Duration::from_secs(10),
            "loadgen ignored SIGINT"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(130));
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["interrupted"], true);
    let duration = summary["duration_s"].as_f64().unwrap();
    assert!(duration < 30.0, "{duration}");
    let timeseries = std::fs::read_to_string(dir.path().join("timeseries.csv")).unwrap();
    assert_eq!(
        timeseries.lines().count() - 1,
        duration.ceil() as usize,
        "{timeseries}"
    );
    let per_second: u64 = timeseries
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(2).unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(summary["totals"]["requests"], per_second);
}
