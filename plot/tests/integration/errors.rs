//! Every bad input gets a one-line error naming the file (and line), and no picture is left
//! half-written: an earlier graph stays as it was, and no temporary file remains.

use std::path::{Path, PathBuf};

use crate::common::{copy_tree, file_names, fixtures};
use plot::{CompareOptions, RunOptions, plot_compare, plot_run};

/// A copy of the axum db_test run holding an earlier `graph.png`.
fn run_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("axum/db_test");
    copy_tree(&fixtures().join("results/axum/db_test"), &run);
    std::fs::write(run.join("graph.png"), b"earlier graph").unwrap();
    (dir, run)
}

/// `plot run` fails with a one-line message containing `expected`, and leaves no trace.
fn assert_run_fails(run: &Path, expected: &str) {
    let before = file_names(run);
    let err = plot_run(run, &RunOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains(expected), "expected `{expected}` in: {err}");
    assert!(!err.contains('\n'), "not one line: {err}");
    assert_eq!(
        std::fs::read(run.join("graph.png")).unwrap(),
        b"earlier graph"
    );
    assert_eq!(file_names(run), before, "a temporary file was left behind");
}

fn replace_line(path: &Path, line: usize, with: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[line - 1] = with;
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

#[test]
fn missing_files() {
    for file in ["timeseries.csv", "summary.json"] {
        let (_dir, run) = run_copy();
        std::fs::remove_file(run.join(file)).unwrap();
        assert_run_fails(
            &run,
            &format!("{}: file not found", run.join(file).display()),
        );
    }
    let (dir, _) = run_copy();
    let nowhere = dir.path().join("no-such-run");
    let err = plot_run(&nowhere, &RunOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("no-such-run: file not found (a run folder)"),
        "{err}"
    );
    assert!(!nowhere.exists());
}

#[test]
fn malformed_rows_name_file_and_line() {
    let cases = [
        (
            "timeseries.csv",
            7,
            "6,60,40,0,abc,1.0,2.0,3.0,4.0",
            "timeseries.csv:7: column `rps`: expected a non-negative number, got `abc`",
        ),
        (
            "timeseries.csv",
            5,
            "4,40,27",
            "timeseries.csv:5: expected 9 fields like the header, found 3",
        ),
        (
            "timeseries.csv",
            9,
            "8,80,10,11,10.000,1.0,2.0,3.0,4.0",
            "timeseries.csv:9: more failures than requests",
        ),
        (
            "timeseries.csv",
            4,
            "1,30,20,0,20.000,1.0,2.0,3.0,4.0",
            "timeseries.csv:4: column `elapsed_s`: 1 does not follow",
        ),
        (
            "timeseries.csv",
            6,
            "5,50,33,0,-3.000,1.0,2.0,3.0,4.0",
            "got `-3.000`",
        ),
        (
            "resources.csv",
            3,
            "2,12.0,14.2,3.0,41.7,1.0,extra",
            "resources.csv:3: expected 6 fields like the header, found 7",
        ),
        (
            "resources.csv",
            1,
            "elapsed_s,backend_cpu,backend_rss_mb,db_cpu_percent,db_rss_mb,loadgen_cpu_percent",
            "resources.csv: header has no column `backend_cpu_percent`",
        ),
    ];
    for (file, line, content, expected) in cases {
        let (_dir, run) = run_copy();
        replace_line(&run.join(file), line, content);
        assert_run_fails(&run, expected);
    }
}

#[test]
fn malformed_summary() {
    let cases = [
        (
            "{\"schema_version\": 1,",
            "summary.json: not a valid summary: EOF while parsing",
        ),
        (
            "{\"schema_version\": 2}",
            "summary.json: schema_version 2 is not supported",
        ),
        (
            "{\"schema_version\": 1, \"test_type\": \"db_test\"}",
            "missing field `workload`",
        ),
    ];
    for (text, expected) in cases {
        let (_dir, run) = run_copy();
        std::fs::write(run.join("summary.json"), text).unwrap();
        assert_run_fails(&run, expected);
    }
}

#[test]
fn empty_runs() {
    let (_dir, run) = run_copy();
    std::fs::write(
        run.join("timeseries.csv"),
        "elapsed_s,users,requests,failures,rps,p50_ms,p95_ms,p99_ms,max_ms\n",
    )
    .unwrap();
    assert_run_fails(&run, "timeseries.csv: empty run: no rows after the header");

    let (_dir, run) = run_copy();
    let summary = std::fs::read_to_string(run.join("summary.json")).unwrap();
    std::fs::write(
        run.join("summary.json"),
        summary.replacen("\"requests\": 791936", "\"requests\": 0", 1),
    )
    .unwrap();
    assert_run_fails(&run, "summary.json: empty run: totals.requests is 0");

    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixtures().join("locust_only"), dir.path());
    let header = "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%";
    std::fs::write(
        dir.path().join("benchmark_stats.csv"),
        format!("{header}\r\n,Aggregated,0,0,0,0.0,0,0,0,0.0,0.0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A\r\n"),
    )
    .unwrap();
    let err = plot_run(dir.path(), &RunOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("benchmark_stats.csv: empty run: the Aggregated row has 0 requests"),
        "{err}"
    );
    assert!(!dir.path().join("graph.png").exists());
}

#[test]
fn results_without_runs() {
    let dir = tempfile::tempdir().unwrap();
    let err = plot_compare(dir.path(), &CompareOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("no runs found"), "{err}");
    // Folders that hold no run files are not runs either.
    std::fs::create_dir_all(dir.path().join("axum/db_test")).unwrap();
    std::fs::write(dir.path().join("axum/db_test/notes.txt"), "x").unwrap();
    let err = plot_compare(dir.path(), &CompareOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("no runs found"), "{err}");
    assert_eq!(file_names(dir.path()), ["axum"]);

    let missing = dir.path().join("missing");
    let err = plot_compare(&missing, &CompareOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("missing: file not found (a results folder)"),
        "{err}"
    );
}

#[test]
fn one_bad_run_stops_the_comparison_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixtures().join("results"), dir.path());
    replace_line(&dir.path().join("warp/db_test/timeseries.csv"), 3, "2,20,x");
    let err = plot_compare(dir.path(), &CompareOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("warp/db_test/timeseries.csv:3:"), "{err}");
    assert!(
        file_names(dir.path())
            .iter()
            .all(|n| !n.starts_with("comparison"))
    );
    assert!(file_names(dir.path()).iter().all(|n| !n.ends_with(".tmp")));
}

#[test]
fn too_small_a_picture_is_refused() {
    let (_dir, run) = run_copy();
    let err = plot_run(
        &run,
        &RunOptions {
            size: (800, 600),
            ..RunOptions::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(err.starts_with("a 800x600 picture is too small"), "{err}");
    assert_eq!(
        std::fs::read(run.join("graph.png")).unwrap(),
        b"earlier graph"
    );
    assert!(plot::parse_size("10x10").is_err());
    assert!(plot::parse_size("1200").is_err());
    assert_eq!(plot::parse_size("1200x900").unwrap(), (1200, 900));
}
