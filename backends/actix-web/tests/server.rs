//! The binary over real HTTP against a real PostgreSQL: what the actix glue adds on top of
//! `backend_common` (raw body reading, one pool per worker, signal handling).
//!
//! Each test starts its own server with `DATABASE_URL` (or a private cluster) and tags its
//! connections with a unique `application_name`, so it can count them in `pg_stat_activity`.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use rustix::process::{Pid, Signal, kill_process};
use sqlx::Connection;
use sqlx::postgres::PgConnection;

const NOTE: &str = r#"{"title":"t","content":"c"}"#;

/// A running backend; killed if a test fails before it stops by itself.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(database_url: &str, workers: usize, pool_size: u32) -> Self {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_backend-actix-web"))
            .env_clear()
            .env("DATABASE_URL", database_url)
            .env("HOST", "127.0.0.1")
            .env("PORT", port.to_string())
            .env("WORKERS", workers.to_string())
            .env("DB_POOL_SIZE", pool_size.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("backend starts");
        let mut server = Self { child, port };
        server.wait_ready();
        server
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            assert!(self.child.try_wait().unwrap().is_none(), "backend exited");
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok()
                && get(self.port, "/health").0 == 200
            {
                return;
            }
            thread::sleep(Duration::from_millis(50));
        }
        panic!("backend not ready within 30 s");
    }

    fn signal(&self, signal: Signal) {
        kill_process(Pid::from_child(&self.child), signal).expect("signal delivered");
    }

    /// Waits (bounded) for the exit; `None` if the process is still running after `limit`.
    fn wait_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Sends `head` (request line and headers, no blank line) and `body` on a new connection with
/// `Connection: close`; returns status and body.
fn send(port: u16, head: &str, body: &[u8]) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    let mut request = format!("{head}\r\nHost: test\r\nConnection: close\r\n\r\n").into_bytes();
    request.extend_from_slice(body);
    stream.write_all(&request).unwrap();
    parse(&read_all(&mut stream))
}

fn read_all(stream: &mut TcpStream) -> Vec<u8> {
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    response
}

fn parse(response: &[u8]) -> (u16, Vec<u8>) {
    let split = response
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end in {:?}", String::from_utf8_lossy(response)));
    let status = std::str::from_utf8(&response[9..12])
        .unwrap()
        .parse()
        .unwrap();
    (status, response[split + 4..].to_vec())
}

fn get(port: u16, path: &str) -> (u16, Vec<u8>) {
    send(port, &format!("GET {path} HTTP/1.1"), b"")
}

fn post(port: u16, path: &str, body: &str) -> (u16, Vec<u8>) {
    let head = format!(
        "POST {path} HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: {}",
        body.len()
    );
    send(port, &head, body.as_bytes())
}

fn chunked(body: &[u8], chunk: usize) -> Vec<u8> {
    let mut encoded = Vec::new();
    for piece in body.chunks(chunk) {
        encoded.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        encoded.extend_from_slice(piece);
        encoded.extend_from_slice(b"\r\n");
    }
    encoded.extend_from_slice(b"0\r\n\r\n");
    encoded
}

/// A database for one test, with its connections tagged `application_name`.
struct TestDatabase {
    _database: pgtemp::Database,
    admin_url: String,
    app_url: String,
    application_name: String,
}

impl TestDatabase {
    fn new(tag: &str) -> Self {
        let database = pgtemp::Database::from_env().expect("a PostgreSQL to test against");
        let admin_url = database.url();
        let application_name = format!("actix-test-{tag}-{}", std::process::id());
        let separator = if admin_url.contains('?') { '&' } else { '?' };
        let app_url = format!("{admin_url}{separator}application_name={application_name}");
        Self {
            _database: database,
            admin_url,
            app_url,
            application_name,
        }
    }

    /// Live connections of the backend under test.
    fn connections(&self) -> i64 {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let mut admin = tokio::time::timeout(
                Duration::from_secs(10),
                PgConnection::connect(&self.admin_url),
            )
            .await
            .expect("admin connection within 10 s")
            .expect("admin connection");
            sqlx::query_scalar("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1")
                .bind(&self.application_name)
                .fetch_one(&mut admin)
                .await
                .unwrap()
        })
    }
}

#[test]
fn notes_round_trip_and_raw_bodies_follow_the_spec() {
    let db = TestDatabase::new("bodies");
    let server = Server::start(&db.app_url, 2, 3);
    let port = server.port;

    let (status, created) = post(port, "/notes", NOTE);
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&created));
    let (status, listed) = get(port, "/notes/");
    assert_eq!(status, 200);
    assert!(
        listed[1..].starts_with(&created),
        "the new note comes first"
    );

    let head =
        "POST /notes/ HTTP/1.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked";
    let over = vec![b' '; 64 * 1024 + 1];
    let (status, body) = send(port, head, &chunked(&over, 4096));
    assert_eq!(status, 413);
    assert_eq!(
        body,
        br#"{"error":"request body is larger than 65536 bytes"}"#
    );
    let (status, _) = send(port, head, &chunked(&over[1..], 4096));
    assert_eq!(
        status, 400,
        "whitespace at the limit is not JSON, but not too large"
    );

    let (status, body) = send(port, head, b"5\r\n{\"a\":\r\nzz\r\n");
    assert_eq!(status, 400);
    assert_eq!(body, br#"{"error":"request body could not be read"}"#);
}

#[test]
fn connections_stay_within_db_pool_size_whatever_the_worker_count() {
    let db = TestDatabase::new("pools");
    for (workers, pool_size) in [(3, 4), (3, 2)] {
        let server = Server::start(&db.app_url, workers, pool_size);
        let port = server.port;
        let running = AtomicBool::new(true);
        let (created, most) = (AtomicUsize::new(0), AtomicUsize::new(0));
        thread::scope(|scope| {
            let clients: Vec<_> = (0..24)
                .map(|_| {
                    scope.spawn(|| {
                        for _ in 0..15 {
                            assert_eq!(post(port, "/notes/", NOTE).0, 201);
                            created.fetch_add(1, Ordering::Relaxed);
                        }
                    })
                })
                .collect();
            scope.spawn(|| {
                while running.load(Ordering::Relaxed) {
                    let live = usize::try_from(db.connections()).unwrap();
                    most.fetch_max(live, Ordering::Relaxed);
                    thread::sleep(Duration::from_millis(20));
                }
            });
            for client in clients {
                client.join().unwrap();
            }
            running.store(false, Ordering::Relaxed);
        });
        let most = most.into_inner();
        assert_eq!(created.into_inner(), 24 * 15);
        assert!(most >= 1, "the sampler saw the backend's connections");
        assert!(
            most <= pool_size as usize,
            "{most} connections with WORKERS={workers} DB_POOL_SIZE={pool_size}"
        );
    }
}

#[test]
fn sigterm_and_sigint_finish_in_flight_requests_and_exit_0() {
    let db = TestDatabase::new("signals");
    for signal in [Signal::TERM, Signal::INT] {
        let mut server = Server::start(&db.app_url, 2, 4);
        let port = server.port;
        // One request whose body is still on its way when the signal arrives, and a crowd of
        // ordinary ones competing for four connections.
        let mut slow = TcpStream::connect(("127.0.0.1", port)).unwrap();
        slow.set_read_timeout(Some(Duration::from_secs(15)))
            .unwrap();
        let head = format!(
            "POST /notes/ HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            NOTE.len()
        );
        slow.write_all(head.as_bytes()).unwrap();
        assert_eq!(get(port, "/").0, 200, "the slow request's head was read");
        let statuses = thread::scope(|scope| {
            let crowd: Vec<_> = (0..100)
                .map(|_| scope.spawn(|| post(port, "/notes/", NOTE).0))
                .collect();
            thread::sleep(Duration::from_millis(100));
            server.signal(signal);
            thread::sleep(Duration::from_millis(300));
            slow.write_all(NOTE.as_bytes()).unwrap();
            let mut statuses: Vec<u16> = crowd.into_iter().map(|c| c.join().unwrap()).collect();
            statuses.push(parse(&read_all(&mut slow)).0);
            statuses
        });
        assert!(statuses.iter().all(|&status| status == 201), "{statuses:?}");
        let status = server.wait_exit(Duration::from_secs(10));
        assert_eq!(
            status.and_then(|s| s.code()),
            Some(0),
            "{signal:?}: {status:?}"
        );
    }
}
