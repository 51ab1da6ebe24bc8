//! The benchctl command against a real PostgreSQL and real processes.

use std::process::Command;

use sqlx::Connection;

fn benchctl() -> Command {
    Command::new(env!("CARGO_BIN_EXE_benchctl"))
}

#[test]
fn seed_creates_the_table_and_resets_it_to_100_notes() {
    let cluster = pgtemp::Cluster::start().unwrap();
    let url = cluster.url();
    for _ in 0..2 {
        let status = benchctl()
            .args(["seed", "--database-url", &url])
            .status()
            .unwrap();
        assert!(status.success());
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (count, max_id): (i64, i64) = runtime.block_on(async {
        let mut connection = sqlx::PgConnection::connect(&url).await.unwrap();
        sqlx::query_as("SELECT count(*), max(id) FROM note")
            .fetch_one(&mut connection)
            .await
            .unwrap()
    });
    assert_eq!((count, max_id), (100, 100));
}

#[test]
fn sample_measures_the_database_and_finish_summarises_it() {
    let cluster = pgtemp::Cluster::start().unwrap();
    let dir = tempdir();
    let csv = dir.join("resources.csv");
    let mut watched = Command::new("sleep").arg("1.6").spawn().unwrap();
    let sampler = benchctl()
        .args([
            "sample",
            "--interval-ms",
            "400",
            "--until-exit",
            &watched.id().to_string(),
        ])
        .arg("--out")
        .arg(&csv)
        .arg("--db-data-dir")
        .arg(cluster.dir().join("data"))
        .spawn()
        .unwrap();
    watched.wait().unwrap();
    let output = sampler.wait_with_output().unwrap();
    assert!(output.status.success());

    let text = std::fs::read_to_string(&csv).unwrap();
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|line| line.split(',').collect())
        .collect();
    assert!(rows.len() >= 3, "{text}");
    for row in &rows {
        assert_eq!(row[1], "", "no backend was sampled: {text}");
        let db_mb: f64 = row[4].parse().unwrap();
        assert!(db_mb > 1.0, "PostgreSQL's memory should show: {text}");
    }

    std::fs::write(dir.join("summary.json"), "{\"schema_version\":1}").unwrap();
    let status = benchctl()
        .args([
            "finish",
            "--interval-ms",
            "400",
            "--database-url",
            &cluster.url(),
        ])
        .arg("--run-dir")
        .arg(&dir)
        .status()
        .unwrap();
    assert!(status.success());
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["database"]["fsync"], "on");
    assert!(summary["resources"]["db_rss_mb_peak"].as_f64().unwrap() > 1.0);
    assert!(summary["resources"]["backend_cpu_seconds"].is_null());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_input_is_a_one_line_error() {
    let output = benchctl()
        .args(["seed", "--database-url", "mysql://x"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("benchctl: --database-url is not a postgres:// URL"),
        "{stderr}"
    );

    let dir = tempdir();
    let output = benchctl()
        .arg("finish")
        .arg("--run-dir")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("summary.json"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

fn tempdir() -> std::path::PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "benchctl-test-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
