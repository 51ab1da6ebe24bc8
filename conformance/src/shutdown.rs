//! The SIGTERM check, which needs to own the backend process: requests in flight when SIGTERM
//! arrives complete, new connections are refused, and the process exits 0 within 10 s.
//!
//! "In flight" is made certain rather than hoped for: each request is sent up to the middle of
//! its body, and SIGTERM is sent only once the kernel shows the server has read every byte sent
//! (the receive queue of its socket in `/proc/net/tcp` is empty), so the server has started
//! handling it. The rest of the body follows after the signal.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::db::Db;
use crate::outcome::{CheckResult, Failure, Outcome, fail};
use crate::runner::Running;

pub const CHECK_NAME: &str = "graceful-shutdown";
/// SPEC section 1: exit 0 within 10 s of SIGTERM.
const EXIT_WITHIN: Duration = Duration::from_secs(10);
/// Requests held in flight across the signal.
const IN_FLIGHT: usize = 4;
/// Bound on the server reading what was sent, and on the listener closing.
const OBSERVE_LIMIT: Duration = Duration::from_secs(5);
const IO_LIMIT: Duration = Duration::from_secs(10);

/// Runs the check; the server is gone afterwards whatever the verdict.
pub async fn check(running: &mut Running, db: &Db) -> CheckResult {
    let outcome = graceful_shutdown(running, db)
        .await
        .map_err(|failure| match failure {
            Failure::Fail(reason) => fail(format!("{reason}; server log: {}", running.log_tail(3))),
            skip => skip,
        });
    CheckResult::from_outcome(CHECK_NAME, outcome)
}

async fn graceful_shutdown(running: &mut Running, db: &Db) -> Outcome {
    let port = running.port();
    let before = db.count().await?;
    let mut held = Vec::with_capacity(IN_FLIGHT);
    for i in 0..IN_FLIGHT {
        held.push(HeldRequest::open(port, i).await?);
    }
    for request in &held {
        request.wait_until_read().await?;
    }

    let signalled = Instant::now();
    running.sigterm().map_err(fail)?;
    let refused_after = wait_until_refused(port).await;

    let mut statuses = Vec::with_capacity(IN_FLIGHT);
    for request in held {
        statuses.push(request.finish().await?);
    }
    let status = running
        .wait_exit(EXIT_WITHIN.saturating_sub(signalled.elapsed()))
        .await
        .map_err(|err| fail(format!("after SIGTERM: {err}")))?;
    let exited_after = signalled.elapsed();

    if let Some((i, answer)) = statuses
        .iter()
        .enumerate()
        .find(|(_, answer)| !answer.starts_with("201"))
    {
        return Err(fail(format!(
            "in-flight POST #{i} got {answer} instead of 201 after SIGTERM"
        )));
    }
    let after = db.count().await?;
    if after != before + IN_FLIGHT as i64 {
        return Err(fail(format!(
            "{IN_FLIGHT} in-flight POSTs answered 201 but the row count went from {before} to {after}"
        )));
    }
    let refused_after = refused_after.map_err(|err| fail(format!("after SIGTERM: {err}")))?;
    if !status.success() {
        return Err(fail(format!(
            "exited with {status} after SIGTERM, expected exit status 0; log: {}",
            running.log_tail(2)
        )));
    }
    Ok(format!(
        "{IN_FLIGHT} POSTs in flight at SIGTERM (headers and half the body read by the server) \
         completed 201 with their rows stored; new connections refused after {} ms; exit status \
         0 after {} ms (limit 10000)",
        refused_after.as_millis(),
        exited_after.as_millis()
    ))
}

/// A POST whose body is half sent, on a connection that already served one request.
struct HeldRequest {
    stream: TcpStream,
    index: usize,
    rest: Vec<u8>,
}

impl HeldRequest {
    async fn open(port: u16, index: usize) -> Result<Self, Failure> {
        let mut stream = TcpStream::connect(("127.0.0.1", port))
            .await
            .map_err(|err| fail(format!("connecting for in-flight request #{index}: {err}")))?;
        // A complete first request proves the server accepted and serves this connection.
        let warm_up = format!("GET /no_db_endpoint/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n");
        write(&mut stream, warm_up.as_bytes(), index).await?;
        let first = read_response(&mut stream, false)
            .await
            .map_err(|err| fail(format!("in-flight request #{index} warm-up GET: {err}")))?;
        if !first.starts_with("200") {
            return Err(fail(format!(
                "in-flight request #{index} warm-up GET got {first}"
            )));
        }
        let body = format!(r#"{{"title":"in flight {index}","content":"sent across SIGTERM"}}"#);
        let head = format!(
            "POST /notes/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let (first_half, rest) = body.as_bytes().split_at(body.len() / 2);
        write(&mut stream, &[head.as_bytes(), first_half].concat(), index).await?;
        Ok(Self {
            stream,
            index,
            rest: rest.to_vec(),
        })
    }

    /// Waits until the server has read everything sent so far.
    async fn wait_until_read(&self) -> Result<(), Failure> {
        let local = self
            .stream
            .local_addr()
            .map_err(|err| fail(format!("in-flight request #{}: {err}", self.index)))?;
        let peer = self
            .stream
            .peer_addr()
            .map_err(|err| fail(format!("in-flight request #{}: {err}", self.index)))?;
        let started = Instant::now();
        loop {
            match server_receive_queue(peer.port(), local.port()) {
                Some(0) => return Ok(()),
                _ if started.elapsed() > OBSERVE_LIMIT => {
                    return Err(fail(format!(
                        "the server did not read in-flight request #{} within {OBSERVE_LIMIT:?}",
                        self.index
                    )));
                }
                _ => tokio::time::sleep(Duration::from_millis(10)).await,
            }
        }
    }

    /// Sends the rest of the body and returns the response's status line.
    async fn finish(mut self) -> Result<String, Failure> {
        let index = self.index;
        write(&mut self.stream, &self.rest, index).await?;
        read_response(&mut self.stream, true)
            .await
            .map_err(|err| fail(format!("in-flight POST #{index} after SIGTERM: {err}")))
    }
}

async fn write(stream: &mut TcpStream, bytes: &[u8], index: usize) -> Result<(), Failure> {
    tokio::time::timeout(IO_LIMIT, stream.write_all(bytes))
        .await
        .map_err(|_| fail(format!("in-flight request #{index}: write timed out")))?
        .map_err(|err| fail(format!("in-flight request #{index}: write failed: {err}")))
}

/// Reads one response and returns `"<status> <body>"`. With `to_close` the server must close
/// the connection after it (the request said `Connection: close`); otherwise `Content-Length`
/// delimits the body.
async fn read_response(stream: &mut TcpStream, to_close: bool) -> Result<String, String> {
    let read = async {
        let mut buffer = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            if !to_close && let Some(response) = parse_response(&buffer) {
                return Ok(response);
            }
            let n = stream
                .read(&mut chunk)
                .await
                .map_err(|err| format!("read failed: {err}"))?;
            if n == 0 {
                return parse_response(&buffer).ok_or_else(|| {
                    format!(
                        "connection closed without a complete response (got {} bytes)",
                        buffer.len()
                    )
                });
            }
            buffer.extend_from_slice(&chunk[..n]);
        }
    };
    tokio::time::timeout(IO_LIMIT, read)
        .await
        .map_err(|_| format!("no complete response within {IO_LIMIT:?}"))?
}

/// `"<status> <body>"` once `buffer` holds a whole `Content-Length` response.
fn parse_response(buffer: &[u8]) -> Option<String> {
    let head_end = buffer.windows(4).position(|window| window == b"\r\n\r\n")? + 4;
    let head = String::from_utf8_lossy(&buffer[..head_end]);
    let status = head.split_whitespace().nth(1)?.to_string();
    let length: usize = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    let body = buffer.get(head_end..head_end + length)?;
    Some(format!("{status} {}", String::from_utf8_lossy(body)))
}

/// Polls until a new connection to `port` is refused; returns how long that took.
async fn wait_until_refused(port: u16) -> Result<Duration, String> {
    let started = Instant::now();
    loop {
        match TcpStream::connect(("127.0.0.1", port)).await {
            Err(err) if err.kind() == std::io::ErrorKind::ConnectionRefused => {
                return Ok(started.elapsed());
            }
            _ if started.elapsed() > OBSERVE_LIMIT => {
                return Err(format!(
                    "new connections still accepted {OBSERVE_LIMIT:?} after SIGTERM"
                ));
            }
            _ => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

/// Bytes the server has not yet read on its socket `server_port` ↔ `client_port`, from
/// `/proc/net/tcp` (IPv4) or `/proc/net/tcp6`.
fn server_receive_queue(server_port: u16, client_port: u16) -> Option<u64> {
    ["/proc/net/tcp", "/proc/net/tcp6"]
        .into_iter()
        .find_map(|path| {
            let table = std::fs::read_to_string(path).ok()?;
            table.lines().skip(1).find_map(|line| {
                let fields: Vec<&str> = line.split_whitespace().collect();
                let port_of = |field: &str| u16::from_str_radix(field.rsplit(':').next()?, 16).ok();
                let local = port_of(fields.get(1)?)?;
                let remote = port_of(fields.get(2)?)?;
                if local != server_port || remote != client_port {
                    return None;
                }
                let rx_queue = fields.get(4)?.split(':').nth(1)?;
                u64::from_str_radix(rx_queue, 16).ok()
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_are_complete_only_with_their_whole_body() {
        let head = b"HTTP/1.1 201 Created\r\ncontent-length: 4\r\n\r\n";
        assert_eq!(
            parse_response(&[&head[..], b"{\"a\""].concat()),
            Some("201 {\"a\"".into())
        );
        assert_eq!(parse_response(&[&head[..], b"{\""].concat()), None);
        assert_eq!(parse_response(b"HTTP/1.1 200 OK\r\n"), None);
    }

    #[tokio::test]
    async fn the_receive_queue_of_a_local_socket_is_visible() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server_port = listener.local_addr().unwrap().port();
        let mut client = TcpStream::connect(("127.0.0.1", server_port))
            .await
            .unwrap();
        let (mut accepted, _) = listener.accept().await.unwrap();
        let client_port = client.local_addr().unwrap().port();
        client.write_all(b"12345").await.unwrap();
        let started = Instant::now();
        while server_receive_queue(server_port, client_port) != Some(5) {
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "queue never showed 5 bytes"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let mut buffer = [0u8; 5];
        accepted.read_exact(&mut buffer).await.unwrap();
        assert_eq!(server_receive_queue(server_port, client_port), Some(0));
    }
}
