//! The Locust-compatible files against real Locust output (`reference/locust_csv`):
//! byte-identical headers, CRLF, and every cell in the same Python form (int, repr float,
//! six-decimal rate, N/A) as the same column in Locust's files. Also the db_test workload's
//! exact requests, and timeseries.csv / summary.json agreeing with the Locust files.

use std::path::Path;

use loadgen::pyfmt::float_repr;

use crate::common::{TestServer, config, read_python_csv, reference_dir};

/// A Python form a cell can be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Int,
    Float,
    Fixed6,
    NotAvailable,
    Empty,
    Text,
}

/// Every form the cell is in ("0.5" is a repr float; "562.666667" is both a repr float and a
/// six-decimal rate; an empty cell is also text, like Aggregated's empty Type).
fn forms(cell: &str) -> Vec<Form> {
    if cell.is_empty() {
        return vec![Form::Empty, Form::Text];
    }
    if cell == "N/A" {
        return vec![Form::NotAvailable];
    }
    if cell.bytes().all(|b| b.is_ascii_digit()) {
        return vec![Form::Int];
    }
    let mut found = Vec::new();
    if let Ok(x) = cell.parse::<f64>() {
        if float_repr(x) == cell {
            found.push(Form::Float);
        }
        if cell
            .split_once('.')
            .is_some_and(|(int, frac)| frac.len() == 6 && !int.is_empty())
        {
            found.push(Form::Fixed6);
        }
    }
    if found.is_empty() {
        found.push(Form::Text);
    }
    found
}

fn first_line(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.split_inclusive("\r\n").next().unwrap().to_owned()
}

/// Checks each data row of `ours` against the forms Locust used in the same column of `theirs`
/// (rows with requests only). `median` is the column that may hold Locust's clamped float.
fn assert_same_forms(
    ours: &[Vec<String>],
    theirs: &[Vec<String>],
    count_col: usize,
    median: usize,
    what: &str,
) {
    let reference: Vec<&Vec<String>> = theirs[1..].iter().filter(|r| r[count_col] != "0").collect();
    assert!(!reference.is_empty());
    for row in ours[1..].iter().filter(|r| r[count_col] != "0") {
        assert_eq!(
            row.len(),
            theirs[0].len(),
            "{what}: column count of {row:?}"
        );
        for (col, cell) in row.iter().enumerate() {
            let got = forms(cell);
            // A column's form is what all of Locust's cells in it share.
            let mut allowed = forms(&reference[0][col]);
            allowed.retain(|f| reference.iter().all(|r| forms(&r[col]).contains(f)));
            let ok = got.iter().any(|f| allowed.contains(f))
                || (col == median && got.contains(&Form::Float));
            assert!(
                ok,
                "{what}: column {col} ({}) is {cell:?} ({got:?}); Locust wrote {allowed:?}",
                theirs[0][col]
            );
        }
    }
}

#[test]
fn db_test_files_match_locusts_format() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("benchmark");
    let summary = loadgen::run(&config(&format!("--host {} --test-type db_test -u 5 -r 5 -t 2.5 --wait-min 0.05 --wait-max 0.1 --threads 3 --csv {} --seed 1", server.url, prefix.display())))
    .unwrap()
    .summary;
    // The server answers 400 to anything but the exact original note, so no failure means
    // every POST carried it with Content-Type: application/json.
    assert_eq!(summary.totals.failures, 0);
    let posts: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .collect();
    assert!(posts.len() > 10, "{} POSTs", posts.len());
    for post in &posts {
        assert_eq!(post.content_type.as_deref(), Some("application/json"));
        assert_eq!(
            post.body,
            br#"{"title": "Sample Note", "content": "This is a note content."}"#
        );
    }

    let reference = reference_dir();
    for suffix in [
        "_stats.csv",
        "_stats_history.csv",
        "_failures.csv",
        "_exceptions.csv",
    ] {
        let ours = first_line(&dir.path().join(format!("benchmark{suffix}")));
        let theirs = first_line(&reference.join(format!("failures_mix{suffix}")));
        assert_eq!(ours, theirs, "header of {suffix}");
    }

    let stats = read_python_csv(&dir.path().join("benchmark_stats.csv"));
    let names: Vec<(&str, &str)> = stats[1..]
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str()))
        .collect();
    assert_eq!(
        names,
        [("GET", "/notes/"), ("POST", "/notes/"), ("", "Aggregated")]
    );
    assert_same_forms(
        &stats,
        &read_python_csv(&reference.join("failures_mix_stats.csv")),
        2,
        4,
        "stats",
    );
    assert_same_forms(
        &stats,
        &read_python_csv(&reference.join("loc_fast_nodb_stats.csv")),
        2,
        4,
        "stats",
    );
    let aggregated = &stats[3];
    assert_eq!(aggregated[2], summary.totals.requests.to_string());

    let history = read_python_csv(&dir.path().join("benchmark_stats_history.csv"));
    let empty = &history[1];
    assert_eq!(
        empty[1..].join(","),
        "0,,Aggregated,0.000000,0.000000,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,0,0,0,0.0,0,0,0"
    );
    let reference_history = read_python_csv(&reference.join("loc_fast_nodb_stats_history.csv"));
    assert_same_forms(&history, &reference_history, 17, 19, "history");
    assert!(
        history.len() >= 4,
        "a row per second and a final one: {history:?}"
    );
    let last = history.last().unwrap();
    assert_eq!(
        last[17], aggregated[2],
        "the final history row has the final totals"
    );
    let stamps: Vec<u64> = history[1..].iter().map(|r| r[0].parse().unwrap()).collect();
    assert!(stamps.windows(2).all(|w| w[0] <= w[1]), "{stamps:?}");

    let timeseries = std::fs::read_to_string(dir.path().join("timeseries.csv")).unwrap();
    let lines: Vec<&str> = timeseries.lines().collect();
    assert_eq!(
        lines[0],
        "elapsed_s,users,requests,failures,rps,p50_ms,p95_ms,p99_ms,max_ms"
    );
    assert_eq!(lines.len(), 4, "rows 1, 2 and 2.500: {timeseries}");
    assert!(lines[3].starts_with("2.500,5,"), "{}", lines[3]);
    let per_second: u64 = lines[1..]
        .iter()
        .map(|l| l.split(',').nth(2).unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(per_second, summary.totals.requests);
    assert!(!timeseries.contains('\r'));

    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("summary.json")).unwrap()).unwrap();
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["test_type"], "db_test");
    assert_eq!(json["backend"], serde_json::Value::Null);
    assert_eq!(json["workload"]["seed"], 1);
    assert_eq!(json["workload"]["threads"], 3);
    assert_eq!(json["workload"]["tasks"][0]["expected_status"], 201);
    assert_eq!(json["endpoints"][0]["method"], "GET");
    assert_eq!(json["endpoints"][1]["method"], "POST");
    for key in [
        "p50_ms", "p90_ms", "p95_ms", "p99_ms", "p999_ms", "max_ms", "mean_ms", "min_ms",
    ] {
        assert!(json["totals"][key].as_f64().is_some(), "{key}");
    }
    // Whether a busy machine flagged the run is timing; that the verdict and reasons agree is not.
    let reasons = json["saturation"]["reasons"]
        .as_array()
        .expect("reasons is a list");
    assert_eq!(json["saturation"]["saturated"], !reasons.is_empty());
    let failures = read_python_csv(&dir.path().join("benchmark_failures.csv"));
    assert_eq!(failures.len(), 1, "header only");
    let exceptions = std::fs::read_to_string(dir.path().join("benchmark_exceptions.csv")).unwrap();
    assert_eq!(exceptions, "Count,Message,Traceback,Nodes\r\n");
}

#[test]
fn the_form_check_accepts_locusts_own_files() {
    let reference = reference_dir();
    for prefix in [
        "failures_mix",
        "loc_fast_nodb",
        "loc_prof_5000",
        "loc_proffast_5000",
    ] {
        let stats = read_python_csv(&reference.join(format!("{prefix}_stats.csv")));
        assert_same_forms(
            &stats,
            &read_python_csv(&reference.join("failures_mix_stats.csv")),
            2,
            4,
            prefix,
        );
        let history = read_python_csv(&reference.join(format!("{prefix}_stats_history.csv")));
        assert_same_forms(
            &history,
            &read_python_csv(&reference.join("loc_fast_nodb_stats_history.csv")),
            17,
            19,
            prefix,
        );
    }
}
