//! `benchctl wait`: poll `GET <url>` until it answers 200, the server process dies, or time is up.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::proc::is_alive;

/// Host, port and path of an `http://host:port/path` URL.
pub fn split_url(url: &str) -> Result<(SocketAddr, String)> {
    let rest = url
        .strip_prefix("http://")
        .with_context(|| format!("{url:?} is not an http:// URL"))?;
    let (authority, path) = match rest.find('/') {
        Some(index) => (&rest[..index], &rest[index..]),
        None => (rest, "/"),
    };
    let address = authority
        .to_socket_addrs()
        .ok()
        .and_then(|mut addresses| addresses.next())
        .with_context(|| format!("{url:?}: expected host:port"))?;
    Ok((address, path.to_owned()))
}

/// The status code of one `GET`, or `None` when the server does not answer.
fn get_status(address: SocketAddr, path: &str, timeout: Duration) -> Option<u16> {
    let mut stream = TcpStream::connect_timeout(&address, timeout).ok()?;
    stream.set_read_timeout(Some(timeout)).ok()?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).ok()?;
    let mut head = [0u8; 64];
    let read = stream.read(&mut head).ok()?;
    let line = std::str::from_utf8(&head[..read]).ok()?;
    line.strip_prefix("HTTP/1.")?.get(2..5)?.parse().ok()
}

/// Polls every 100 ms until a 200 (`Ok`), the process `pid` exits, or `timeout` passes.
pub fn wait_ready(url: &str, pid: Option<u32>, timeout: Duration) -> Result<()> {
    let (address, path) = split_url(url)?;
    let start = Instant::now();
    let mut last = None;
    loop {
        last = get_status(address, &path, Duration::from_secs(2)).or(last);
        if last == Some(200) {
            return Ok(());
        }
        if let Some(pid) = pid.filter(|&pid| !is_alive(pid)) {
            bail!("the server (pid {pid}) exited before {url} answered 200");
        }
        if start.elapsed() >= timeout {
            match last {
                Some(status) => bail!("{url} answered {status}, not 200, for {timeout:?}"),
                None => bail!("{url} did not answer within {timeout:?}"),
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn urls_split_into_address_and_path() {
        let (address, path) = split_url("http://127.0.0.1:8000/health").unwrap();
        assert_eq!((address.port(), path.as_str()), (8000, "/health"));
        assert_eq!(split_url("http://127.0.0.1:9").unwrap().1, "/");
        assert!(split_url("https://127.0.0.1:9/").is_err());
        assert!(split_url("http://127.0.0.1/").is_err());
    }

    #[test]
    fn waits_for_a_200_and_reports_other_statuses() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/health", listener.local_addr().unwrap());
        let server = std::thread::spawn(move || {
            for status in ["503 Service Unavailable", "200 OK"] {
                let (mut stream, _) = listener.accept().unwrap();
                let mut buffer = [0u8; 512];
                let _ = stream.read(&mut buffer).unwrap();
                let response = format!("HTTP/1.1 {status}\r\nContent-Length: 0\r\n\r\n");
                stream.write_all(response.as_bytes()).unwrap();
            }
        });
        wait_ready(&url, None, Duration::from_secs(10)).unwrap();
        server.join().unwrap();
        let err = wait_ready(&url, None, Duration::from_millis(300)).unwrap_err();
        assert!(err.to_string().contains("did not answer"), "{err}");
    }

    #[test]
    fn gives_up_when_the_server_process_is_gone() {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        let err =
            wait_ready("http://127.0.0.1:9/", Some(pid), Duration::from_secs(30)).unwrap_err();
        assert!(err.to_string().contains("exited"), "{err}");
    }
}
