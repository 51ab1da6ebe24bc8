//! Test harness: a small HTTP/1.1 server on 127.0.0.1 port 0 whose paths misbehave on purpose
//! (slow, chunked, closing, hanging, resetting), which logs every connection and request so
//! tests can check what loadgen really sent, plus helpers to run loadgen in-process.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Parser;
use loadgen::{Cli, Config};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub at: Instant,
    pub connection: u64,
    pub method: String,
    pub path: String,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

#[derive(Debug, Default)]
pub struct Log {
    pub accepted: Vec<Instant>,
    pub requests: Vec<Seen>,
}

/// The test server; stops (dropping every connection) when dropped or on `stop`.
pub struct TestServer {
    pub url: String,
    pub log: Arc<Mutex<Log>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl TestServer {
    pub fn start() -> TestServer {
        TestServer::start_at("127.0.0.1:0".parse().unwrap())
    }

    /// A server on a given address (to bring it up after a client started waiting for it).
    pub fn start_at(addr: SocketAddr) -> TestServer {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime.block_on(TcpListener::bind(addr)).unwrap();
        let addr = listener.local_addr().unwrap();
        let log = Arc::new(Mutex::new(Log::default()));
        runtime.spawn(accept_loop(listener, Arc::clone(&log)));
        TestServer {
            url: format!("http://{addr}"),
            log,
            runtime: Some(runtime),
        }
    }

    /// Kills the server: the listener and every open connection go away at once.
    pub fn stop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.log.lock().unwrap().requests.clone()
    }

    pub fn accepted(&self) -> Vec<Instant> {
        self.log.lock().unwrap().accepted.clone()
    }

    /// Waits (bounded) until the server has seen `n` requests.
    pub fn wait_for_requests(&self, n: usize, limit: Duration) -> bool {
        let until = Instant::now() + limit;
        while Instant::now() < until {
            if self.log.lock().unwrap().requests.len() >= n {
                return true;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        false
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn accept_loop(listener: TcpListener, log: Arc<Mutex<Log>>) {
    let mut next_id = 0u64;
    while let Ok((stream, _)) = listener.accept().await {
        log.lock().unwrap().accepted.push(Instant::now());
        next_id += 1;
        tokio::spawn(serve(stream, next_id, Arc::clone(&log)));
    }
}

async fn serve(mut stream: TcpStream, connection: u64, log: Arc<Mutex<Log>>) {
    let mut buf = Vec::new();
    loop {
        let Some((head_len, method, path, content_type, body_len)) =
            read_head(&mut stream, &mut buf).await
        else {
            return;
        };
        while buf.len() < head_len + body_len {
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let body = buf[head_len..head_len + body_len].to_vec();
        buf.drain(..head_len + body_len);
        log.lock().unwrap().requests.push(Seen {
            at: Instant::now(),
            connection,
            method: method.clone(),
            path: path.clone(),
            content_type: content_type.clone(),
            body: body.clone(),
        });
        let keep_open = respond(&mut stream, &method, &path, content_type.as_deref(), &body).await;
        if !keep_open {
            return;
        }
    }
}

async fn read_head(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
) -> Option<(usize, String, String, Option<String>, usize)> {
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            let mut lines = head.split("\r\n");
            let mut first = lines.next()?.split(' ');
            let method = first.next()?.to_owned();
            let path = first.next()?.to_owned();
            let mut content_type = None;
            let mut body_len = 0;
            for line in lines {
                let (name, value) = line.split_once(':')?;
                if name.eq_ignore_ascii_case("content-length") {
                    body_len = value.trim().parse().ok()?;
                } else if name.eq_ignore_ascii_case("content-type") {
                    content_type = Some(value.trim().to_owned());
                }
            }
            return Some((end + 4, method, path, content_type, body_len));
        }
        let mut chunk = [0u8; 4096];
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

fn plain(status: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// Writes the response for a path; false when the connection should end.
async fn respond(
    stream: &mut TcpStream,
    method: &str,
    path: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> bool {
    let reply = match (method, path) {
        ("GET", "/") => plain("200 OK", "Server is ready"),
        ("GET", "/no_db_endpoint/") => plain("200 OK", "No db endpoint"),
        ("GET", "/no_db_endpoint2/") => plain("200 OK", "No db endpoint2"),
        ("GET", "/notes/") => {
            // Chunked, as frameworks stream JSON arrays.
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n[\r\n4;x=y\r\n{}{}\r\n1\r\n]\r\n0\r\n\r\n".to_owned()
        }
        ("POST", "/notes/") => {
            let expected = br#"{"title": "Sample Note", "content": "This is a note content."}"#;
            if content_type == Some("application/json") && body == expected {
                let note = r#"{"id":1,"title":"Sample Note","content":"This is a note content."}"#;
                format!(
                    "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{note}",
                    note.len()
                )
            } else {
                plain("400 Bad Request", "bad note")
            }
        }
        ("GET", "/sleep50") => {
            tokio::time::sleep(Duration::from_millis(50)).await;
            plain("200 OK", "slept")
        }
        ("GET", "/sleep700") => {
            tokio::time::sleep(Duration::from_millis(700)).await;
            plain("200 OK", "slept")
        }
        ("GET", "/close") => {
            let _ = stream
                .write_all(
                    b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 5\r\n\r\nbye!!",
                )
                .await;
            return false;
        }
        ("GET", "/until-close") => {
            let _ = stream.write_all(b"HTTP/1.0 200 OK\r\n\r\n0123456789").await;
            return false;
        }
        ("GET", "/hang") => {
            tokio::time::sleep(Duration::from_secs(30)).await;
            return false;
        }
        ("GET", "/reset") => {
            let _ = stream.set_zero_linger();
            return false;
        }
        ("GET", "/empty") => return false,
        ("GET", "/error") => plain("500 Internal Server Error", "boom"),
        ("GET", "/created") => plain("201 Created", "made"),
        _ => plain("404 Not Found", ""),
    };
    stream.write_all(reply.as_bytes()).await.is_ok()
}

/// A config from a command line (words split at spaces), as `loadgen` would parse it, always
/// with `--quiet`.
pub fn config(args: &str) -> Config {
    let words = std::iter::once("loadgen")
        .chain(args.split_whitespace())
        .chain(["--quiet"]);
    Config::from_cli(Cli::try_parse_from(words).expect("valid flags")).expect("valid config")
}

/// Writes a scenario file into `dir`.
pub fn scenario(dir: &Path, toml: &str) -> PathBuf {
    let path = dir.join("scenario.toml");
    std::fs::write(&path, toml).unwrap();
    path
}

/// The real Locust output kept in the repository (`reference/locust_csv`).
pub fn reference_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../reference/locust_csv")
}

/// Parses a CSV file written like Python's csv module into rows of fields; asserts CRLF ends.
pub fn read_python_csv(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        text.ends_with("\r\n"),
        "{} must end with CRLF",
        path.display()
    );
    let mut rows = Vec::new();
    for line in text.split_terminator("\r\n") {
        assert!(!line.contains('\n'), "bare LF in {}", path.display());
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, quoted) {
                ('"', true) if chars.peek() == Some(&'"') => {
                    field.push('"');
                    chars.next();
                }
                ('"', _) => quoted = !quoted,
                (',', false) => fields.push(std::mem::take(&mut field)),
                (c, _) => field.push(c),
            }
        }
        fields.push(field);
        rows.push(fields);
    }
    rows
}
