//! The library against real PostgreSQL: start, query, stop/start on the same port with the data
//! kept, removal on drop, and `DATABASE_URL` passthrough.

use std::time::Duration;

use pgtemp::{Cluster, Database};
use sqlx::Connection;
use sqlx::postgres::PgConnection;

async fn connect(url: &str) -> Result<PgConnection, sqlx::Error> {
    tokio::time::timeout(Duration::from_secs(10), PgConnection::connect(url))
        .await
        .unwrap_or(Err(sqlx::Error::PoolTimedOut))
}

/// Live (non-zombie) processes whose command line mentions `needle`.
fn live_processes_mentioning(needle: &str) -> usize {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name().to_string_lossy().parse::<u32>().is_ok())
        .filter(|entry| {
            let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
            let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
            let zombie = stat
                .rfind(')')
                .and_then(|end| stat[end + 1..].split_whitespace().next())
                == Some("Z");
            !zombie && String::from_utf8_lossy(&cmdline).contains(needle)
        })
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn cluster_serves_queries_survives_restart_on_same_port_and_is_removed() {
    let cluster = Cluster::start().expect("cluster starts");
    let url = cluster.url();
    let port = cluster.port();
    let dir = cluster.dir().to_path_buf();
    assert!(url.starts_with("postgres://postgres@127.0.0.1:"), "{url}");

    let mut conn = connect(&url).await.expect("connects");
    sqlx::query("CREATE TABLE t (v TEXT NOT NULL)")
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("INSERT INTO t VALUES ('kept')")
        .execute(&mut conn)
        .await
        .unwrap();
    let fsync: String = sqlx::query_scalar("SHOW fsync")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(fsync, "on", "durable defaults must be kept");
    let encoding: String = sqlx::query_scalar("SHOW server_encoding")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(encoding, "UTF8");
    drop(conn);

    cluster.stop_server().expect("server stops");
    assert!(!cluster.is_running());
    assert!(
        connect(&url).await.is_err(),
        "server still answers after stop_server"
    );

    cluster.start_server().expect("server starts again");
    assert_eq!(cluster.port(), port);
    let mut conn = connect(&url).await.expect("reconnects on the same port");
    let value: String = sqlx::query_scalar("SELECT v FROM t")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(value, "kept", "data lost across stop/start");
    drop(conn);

    let marker = dir.to_string_lossy().to_string();
    assert!(
        live_processes_mentioning(&marker) > 0,
        "no postmaster found for {marker}"
    );
    drop(cluster);
    assert!(!dir.exists(), "{} left behind", dir.display());
    assert_eq!(
        live_processes_mentioning(&marker),
        0,
        "postgres processes left running"
    );
    assert!(
        connect(&url).await.is_err(),
        "server still answers after drop"
    );
}

#[test]
fn stopping_twice_is_not_an_error_and_drop_after_stop_removes() {
    let cluster = Cluster::start().expect("cluster starts");
    cluster.stop_server().unwrap();
    cluster.stop_server().expect("second stop is a no-op");
    let dir = cluster.dir().to_path_buf();
    cluster.remove().expect("removal reports success");
    assert!(!dir.exists());
}

#[test]
fn database_url_is_used_as_is_without_starting_anything() {
    let url = "postgres://someone:secret@db.invalid:5432/notes".to_string();
    let database = Database::from_url_or_start(Some(url.clone())).unwrap();
    assert_eq!(database.url(), url);
    assert!(database.cluster().is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn empty_database_url_starts_a_private_cluster() {
    let database = Database::from_url_or_start(Some("  ".into())).unwrap();
    let cluster = database.cluster().expect("a private cluster");
    assert!(cluster.is_running());
    let mut conn = connect(&database.url()).await.expect("connects");
    let one: i32 = sqlx::query_scalar("SELECT 1")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(one, 1);
}
