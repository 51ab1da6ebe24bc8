//! The glue over real HTTP on 127.0.0.1: the app is launched on port 0 and spoken to with raw
//! requests, so methods Rocket cannot represent and broken framing can be sent too.

use std::sync::Mutex;
use std::time::Duration;

use backend_common::{Config, Db};
use rocket::fairing::AdHoc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::time::timeout;

use super::*;

const WAIT: Duration = Duration::from_secs(10);
const JSON_404: &str = r#"{"error":"not found"}"#;
const JSON_405: &str = r#"{"error":"method not allowed"}"#;

/// A launched app; stops when dropped.
struct Server {
    port: u16,
    shutdown: rocket::Shutdown,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown.clone().notify();
    }
}

/// Launches the app with the binary's own Rocket settings, on a free port of 127.0.0.1.
async fn launch(db: Db) -> Server {
    let config = test_config(&[("HOST", "127.0.0.1"), ("PORT", "0")]);
    let config = crate::rocket_config(&config);
    let (tx, rx) = oneshot::channel();
    let tx = Mutex::new(Some(tx));
    let rocket = app(config, db)
        .attach(AdHoc::on_liftoff("report port", move |rocket| {
            let sent = tx.lock().ok().and_then(|mut tx| tx.take());
            if let Some(tx) = sent {
                // The test is waiting on the other end; it fails on its own if this is lost.
                let _ = tx.send((rocket.config().port, rocket.shutdown()));
            }
            Box::pin(async {})
        }))
        .ignite()
        .await
        .expect("the app ignites");
    tokio::spawn(rocket.launch());
    let (port, shutdown) = timeout(WAIT, rx)
        .await
        .expect("the app lifts off in time")
        .expect("the app reports its port");
    Server { port, shutdown }
}

/// Common's configuration with an unreachable database and `vars`.
fn test_config(vars: &[(&str, &str)]) -> Config {
    Config::from_lookup(|name| match name {
        "DATABASE_URL" => Some("postgres://nobody@127.0.0.1:1/none".to_owned()),
        _ => vars
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| (*value).to_owned()),
    })
    .expect("a valid test configuration")
}

/// A Db whose server is never there: for everything that must not reach the database.
fn unreachable_db() -> Db {
    Db::lazy(test_config(&[]).database, 1)
}

#[derive(Debug)]
struct Answered {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answered {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    fn body_text(&self) -> &str {
        std::str::from_utf8(&self.body).expect("a UTF-8 body")
    }

    fn assert_json_error(&self, status: u16, body: &str, request: &str) {
        assert_eq!(self.status, status, "{request}");
        assert_eq!(
            self.header("content-type"),
            Some("application/json"),
            "{request}"
        );
        assert_eq!(self.body_text(), body, "{request}");
    }
}

/// Sends `head` (request line and headers, without the final blank line) plus `body`, with
/// `Connection: close`, and reads the whole answer.
async fn send(port: u16, head: &str, body: &[u8]) -> Answered {
    let exchange = async {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).await?;
        let mut request = format!("{head}\r\nHost: test\r\nConnection: close\r\n\r\n").into_bytes();
        request.extend_from_slice(body);
        stream.write_all(&request).await?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await?;
        std::io::Result::Ok(raw)
    };
    let raw = timeout(WAIT, exchange)
        .await
        .expect("an answer in time")
        .expect("a complete exchange");
    parse(&raw)
}

fn parse(raw: &[u8]) -> Answered {
    let split = raw
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .expect("a header block");
    let head = std::str::from_utf8(&raw[..split]).expect("an ASCII header block");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|line| line.split_once(": "))
        .map(|(name, value)| (name.to_ascii_lowercase(), value.to_owned()))
        .collect();
    Answered {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

#[test]
fn slash_optional_paths_have_both_spellings() {
    assert_eq!(with_and_without_slash("/notes/"), ["/notes/", "/notes"]);
    assert_eq!(with_and_without_slash("/health"), ["/health", "/health"]);
}

#[tokio::test]
async fn text_endpoints_answer_with_common_replies_and_no_extra_headers() {
    let server = launch(unreachable_db()).await;
    for (path, text) in [
        ("/", "Server is ready"),
        ("/no_db_endpoint/", "No db endpoint"),
        ("/no_db_endpoint", "No db endpoint"),
        ("/no_db_endpoint2/", "No db endpoint2"),
        ("/no_db_endpoint2", "No db endpoint2"),
        ("/no_db_endpoint/?query=ignored", "No db endpoint"),
    ] {
        let answer = send(server.port, &format!("GET {path} HTTP/1.1"), b"").await;
        assert_eq!(answer.status, 200, "{path}");
        assert_eq!(answer.body_text(), text, "{path}");
        let mut names: Vec<_> = answer
            .headers
            .iter()
            .map(|(name, _)| name.as_str())
            .collect();
        names.sort_unstable();
        assert_eq!(
            names,
            ["connection", "content-length", "content-type", "date"],
            "{path}: no Server or Shield headers"
        );
        assert_eq!(
            answer.header("content-type"),
            Some("text/plain; charset=utf-8")
        );
    }
}

#[tokio::test]
async fn head_answers_like_get_without_a_body() {
    let server = launch(unreachable_db()).await;
    let answer = send(server.port, "HEAD /no_db_endpoint HTTP/1.1", b"").await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("content-length"), Some("14"));
    assert!(answer.body.is_empty());
}

#[tokio::test]
async fn other_methods_on_known_paths_are_405_with_allow() {
    let server = launch(unreachable_db()).await;
    for (path, allow) in [
        ("/", "GET"),
        ("/health", "GET"),
        ("/notes/", "GET, POST"),
        ("/notes", "GET, POST"),
        ("/no_db_endpoint", "GET"),
        ("/no_db_endpoint2/", "GET"),
    ] {
        for method in [
            "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "FOO",
        ] {
            let request = format!("{method} {path} HTTP/1.1");
            let answer = send(server.port, &request, b"").await;
            answer.assert_json_error(405, JSON_405, &request);
            assert_eq!(answer.header("allow"), Some(allow), "{request}");
        }
    }
    let answer = send(server.port, "POST /no_db_endpoint/ HTTP/1.1", b"").await;
    answer.assert_json_error(405, JSON_405, "POST /no_db_endpoint/");
    assert_eq!(answer.header("allow"), Some("GET"));
}

#[tokio::test]
async fn unknown_and_misspelled_paths_are_404() {
    let server = launch(unreachable_db()).await;
    for request in [
        "GET /nope HTTP/1.1",
        "GET /notes/1 HTTP/1.1",
        "GET /health/ HTTP/1.1",
        "GET //notes HTTP/1.1",
        "GET /notes// HTTP/1.1",
        "GET // HTTP/1.1",
        "GET /%6eotes/ HTTP/1.1",
        "HEAD //no_db_endpoint HTTP/1.1",
        "PUT /nope HTTP/1.1",
        "FOO /nope HTTP/1.1",
        "CONNECT example.com:443 HTTP/1.1",
    ] {
        let answer = send(server.port, request, b"").await;
        let body = if request.starts_with("HEAD") {
            ""
        } else {
            JSON_404
        };
        answer.assert_json_error(404, body, request);
    }
}

#[tokio::test]
async fn post_rules_apply_in_order_before_the_database() {
    let server = launch(unreachable_db()).await;
    let post = |content_type: &str, extra: &str| {
        format!("POST /notes/ HTTP/1.1\r\nContent-Type: {content_type}{extra}")
    };
    let sized = |body: &[u8]| format!("\r\nContent-Length: {}", body.len());
    let over_limit = vec![b' '; MAX_BODY_BYTES + 1];
    let chunked_over_limit = {
        let mut body = Vec::new();
        for chunk in over_limit.chunks(1000) {
            body.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
            body.extend_from_slice(chunk);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(b"0\r\n\r\n");
        body
    };
    let form_override = b"_method=get".as_slice();
    for (head, body, status) in [
        (
            post("text/plain", &sized(&over_limit)),
            &over_limit[..],
            415,
        ),
        (
            post("application/x-www-form-urlencoded", &sized(form_override)),
            form_override,
            415,
        ),
        (
            post("application/json", &sized(&over_limit)),
            &over_limit[..],
            413,
        ),
        (
            post("application/json", "\r\nTransfer-Encoding: chunked"),
            &chunked_over_limit[..],
            413,
        ),
        (
            post("application/json", &sized(b"{x")),
            b"{x".as_slice(),
            400,
        ),
        (post("application/json", &sized(b"")), b"".as_slice(), 400),
        (
            post("application/json", &sized(b"[]")),
            b"[]".as_slice(),
            422,
        ),
    ] {
        let answer = send(server.port, &head, body).await;
        assert_eq!(answer.status, status, "{head}");
        assert_eq!(answer.header("content-type"), Some("application/json"));
        assert!(answer.body_text().starts_with(r#"{"error":""#), "{head}");
    }
}

#[tokio::test]
async fn the_managed_database_serves_the_notes() {
    let database = pgtemp::Database::from_env().expect("a PostgreSQL database");
    let config = Config::from_lookup(|name| (name == "DATABASE_URL").then(|| database.url()))
        .expect("a valid database URL");
    let db = Db::lazy(config.database, 2);
    db.prepare().await.expect("the schema is created");
    let server = launch(db).await;

    let answer = send(server.port, "GET /health HTTP/1.1", b"").await;
    assert_eq!(
        (answer.status, answer.body_text()),
        (200, r#"{"status":"ok"}"#)
    );

    let note = br#"{"title":"rocket","content":"glue"}"#;
    let head = format!(
        "POST /notes HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: {}",
        note.len()
    );
    let created = send(server.port, &head, note).await;
    assert_eq!(created.status, 201, "{}", created.body_text());
    let created: serde_json::Value = serde_json::from_slice(&created.body).expect("a JSON note");
    assert_eq!(created["title"], "rocket");

    let listed = send(server.port, "GET /notes/ HTTP/1.1", b"").await;
    assert_eq!(listed.status, 200);
    let listed: Vec<serde_json::Value> = serde_json::from_slice(&listed.body).expect("a list");
    assert_eq!(listed.first(), Some(&created), "newest first");

    // Exactly 64 KiB passes the size rule and is stored.
    let pad = MAX_BODY_BYTES - br#"{"title":"big","content":"","pad":""}"#.len();
    let big = format!(
        r#"{{"title":"big","content":"","pad":"{}"}}"#,
        "a".repeat(pad)
    );
    assert_eq!(big.len(), MAX_BODY_BYTES);
    let head = format!(
        "POST /notes/ HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: {}",
        big.len()
    );
    assert_eq!(send(server.port, &head, big.as_bytes()).await.status, 201);
}
