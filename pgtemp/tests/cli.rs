//! The `pgtemp` binary as a script uses it: start, stop-server, start-server, url, stop.

use std::path::Path;
use std::process::{Command, Output};

fn pgtemp(args: &[&str], dir: &Path, database_url: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pgtemp"));
    command.args(args).arg("--dir").arg(dir);
    match database_url {
        Some(url) => command.env("DATABASE_URL", url),
        None => command.env_remove("DATABASE_URL"),
    };
    command.output().expect("pgtemp runs")
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "pgtemp failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone())
        .unwrap()
        .trim()
        .to_string()
}

fn accepts_connections(url: &str) -> bool {
    let port = url.rsplit(':').next().unwrap().split('/').next().unwrap();
    std::net::TcpStream::connect(format!("127.0.0.1:{port}")).is_ok()
}

fn scratch(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("pgtemp-cli-{name}-{}", std::process::id()))
}

#[test]
fn start_stop_server_start_server_and_stop_remove_everything() {
    let dir = scratch("lifecycle");
    let url = stdout(&pgtemp(&["start"], &dir, None));
    assert!(url.starts_with("postgres://postgres@127.0.0.1:"), "{url}");
    assert!(
        accepts_connections(&url),
        "start returned before the server listens"
    );
    assert_eq!(stdout(&pgtemp(&["url"], &dir, None)), url);

    stdout(&pgtemp(&["stop-server"], &dir, None));
    assert!(
        !accepts_connections(&url),
        "server still listens after stop-server"
    );
    assert!(dir.join("data").exists(), "stop-server must keep the data");

    stdout(&pgtemp(&["start-server"], &dir, None));
    assert!(
        accepts_connections(&url),
        "server not back on the same port"
    );

    stdout(&pgtemp(&["stop"], &dir, None));
    assert!(!dir.exists(), "stop left {}", dir.display());
    assert!(
        !accepts_connections(&url),
        "server still listens after stop"
    );
}

#[test]
fn start_with_database_url_records_it_and_starts_nothing() {
    let dir = scratch("external");
    let external = "postgres://app:pw@127.0.0.1:1/notes";
    assert_eq!(stdout(&pgtemp(&["start"], &dir, Some(external))), external);
    assert!(
        !dir.join("data").exists(),
        "a cluster was created despite DATABASE_URL"
    );
    assert_eq!(stdout(&pgtemp(&["url"], &dir, None)), external);

    let refused = pgtemp(&["stop-server"], &dir, None);
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(message.contains("external DATABASE_URL"), "{message}");
    assert_eq!(
        message.trim().lines().count(),
        1,
        "error is not one line: {message}"
    );

    stdout(&pgtemp(&["stop"], &dir, None));
    assert!(!dir.exists());
}

#[test]
fn stop_on_a_directory_without_a_cluster_fails_with_one_line() {
    let dir = scratch("nothing");
    let output = pgtemp(&["stop"], &dir, None);
    assert_eq!(output.status.code(), Some(1));
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(
        message.contains("not a pgtemp cluster directory"),
        "{message}"
    );
    assert_eq!(message.trim().lines().count(), 1, "{message}");
}
