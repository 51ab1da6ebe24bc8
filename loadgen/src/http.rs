//! A lean HTTP/1.1 client for one keep-alive connection per user: requests are serialised once
//! per task and written with a single syscall; responses are parsed in a buffer the connection
//! reuses, bodies (Content-Length, chunked, or until close) are counted and discarded. Nothing
//! is allocated per request, which is what keeps loadgen's cost near wrk's.

use std::io;
use std::net::{SocketAddr, ToSocketAddrs};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::scenario::Task;

/// Longest response head accepted; a longer one is a protocol error, not a reason to grow forever.
const MAX_HEAD: usize = 64 * 1024;
/// Starting size of a connection's read buffer: a typical head and a small body fit in one read.
const BUF_SIZE: usize = 4 * 1024;

/// The server under test, from `--host`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The URL as given, without a trailing slash.
    pub url: String,
    pub addr: SocketAddr,
    /// The `Host` header value.
    pub authority: String,
}

/// Why `--host` is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error(
        "invalid --host '{0}': expected http://HOST[:PORT] (https and paths are not supported)"
    )]
    Malformed(String),
    #[error("invalid --host '{url}': cannot resolve '{authority}' ({reason})")]
    Unresolvable {
        url: String,
        authority: String,
        reason: String,
    },
}

impl Target {
    /// Parses and resolves `http://HOST[:PORT][/]`, once, before the test starts.
    pub fn parse(url: &str) -> Result<Target, TargetError> {
        let malformed = || TargetError::Malformed(url.to_owned());
        let rest = url.strip_prefix("http://").ok_or_else(malformed)?;
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.is_empty() || authority.contains(['/', '?', '#', '@', ' ']) {
            return Err(malformed());
        }
        let has_port = match authority.rfind(':') {
            Some(i) => !authority[i..].contains(']'),
            None => false,
        };
        let with_port = if has_port {
            authority.to_owned()
        } else {
            format!("{authority}:80")
        };
        let addrs: Vec<SocketAddr> = with_port
            .to_socket_addrs()
            .map_err(|e| TargetError::Unresolvable {
                url: url.to_owned(),
                authority: authority.to_owned(),
                reason: e.to_string(),
            })?
            .collect();
        let addr = addrs
            .iter()
            .find(|a| a.is_ipv4())
            .or(addrs.first())
            .copied()
            .ok_or_else(|| TargetError::Unresolvable {
                url: url.to_owned(),
                authority: authority.to_owned(),
                reason: "no addresses".to_owned(),
            })?;
        Ok(Target {
            url: format!("http://{authority}"),
            addr,
            authority: authority.to_owned(),
        })
    }
}

/// A task's request, serialised once and written as is on every iteration.
#[derive(Debug, Clone)]
pub struct PreparedRequest {
    bytes: Box<[u8]>,
    head: bool,
}

impl PreparedRequest {
    pub fn new(task: &Task, target: &Target) -> PreparedRequest {
        let mut text = format!(
            "{} {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: loadgen/{}\r\nAccept: */*\r\nConnection: keep-alive\r\n",
            task.method,
            task.path,
            target.authority,
            env!("CARGO_PKG_VERSION")
        );
        let has_content_type = task
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("content-type"));
        for (name, value) in &task.headers {
            text.push_str(&format!("{name}: {value}\r\n"));
        }
        match &task.body {
            Some(body) => {
                if !has_content_type {
                    text.push_str("Content-Type: application/json\r\n");
                }
                text.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
            }
            None if matches!(task.method.as_str(), "POST" | "PUT" | "PATCH") => {
                text.push_str("Content-Length: 0\r\n\r\n");
            }
            None => text.push_str("\r\n"),
        }
        PreparedRequest {
            bytes: text.into_bytes().into_boxed_slice(),
            head: task.method == "HEAD",
        }
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// What a request ended with when the server answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    /// Body bytes after de-chunking (Locust's content size).
    pub body_len: u64,
    /// The connection cannot be reused (`Connection: close`, HTTP/1.0, body until close).
    pub close: bool,
}

/// A request that got no complete response.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error("connect: {0}")]
    Connect(io::Error),
    #[error("send: {0}")]
    Write(io::Error),
    #[error("receive: {0}")]
    Read(io::Error),
    /// The server closed the connection before sending anything.
    #[error("remote end closed connection without response")]
    ClosedEarly,
    /// The server closed the connection in the middle of a response.
    #[error("connection broken after {received} bytes of the response")]
    Incomplete { received: u64 },
    #[error("invalid response: {0}")]
    Protocol(String),
}

/// One keep-alive connection and its reusable read buffer.
#[derive(Debug)]
pub struct Connection {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Connection {
    pub async fn open(addr: SocketAddr) -> Result<Connection, RequestError> {
        let stream = TcpStream::connect(addr)
            .await
            .map_err(RequestError::Connect)?;
        stream.set_nodelay(true).map_err(RequestError::Connect)?;
        Ok(Connection {
            stream,
            buf: vec![0; BUF_SIZE],
        })
    }

    /// Writes the request and reads the whole response.
    pub async fn send(&mut self, request: &PreparedRequest) -> Result<Response, RequestError> {
        self.stream
            .write_all(request.as_bytes())
            .await
            .map_err(RequestError::Write)?;
        let mut filled = 0;
        loop {
            let head = self.read_head(&mut filled).await?;
            let Head {
                status,
                len,
                framing,
                close,
            } = head;
            if (100..200).contains(&status) && status != 101 {
                // An interim response (100 Continue): drop it and read the real one.
                self.buf.copy_within(len..filled, 0);
                filled -= len;
                continue;
            }
            let framing = if request.head || status == 204 || status == 304 {
                Framing::Length(0)
            } else {
                framing
            };
            let leftover = len..filled;
            let body_len = match framing {
                Framing::Length(n) => self.read_length(leftover, n).await?,
                Framing::Chunked => self.read_chunked(leftover).await?,
                Framing::UntilClose => self.read_until_close(leftover).await?,
            };
            let close = close || matches!(framing, Framing::UntilClose);
            return Ok(Response {
                status,
                body_len,
                close,
            });
        }
    }

    async fn fill(&mut self, from: usize) -> Result<usize, RequestError> {
        self.stream
            .read(&mut self.buf[from..])
            .await
            .map_err(RequestError::Read)
    }

    async fn read_head(&mut self, filled: &mut usize) -> Result<Head, RequestError> {
        loop {
            if *filled > 0
                && let Some(head) = parse_head(&self.buf[..*filled])?
            {
                return Ok(head);
            }
            if *filled == self.buf.len() {
                if self.buf.len() >= MAX_HEAD {
                    return Err(RequestError::Protocol(
                        "response head larger than 64 KiB".to_owned(),
                    ));
                }
                self.buf.resize(self.buf.len() * 2, 0);
            }
            let n = self.fill(*filled).await?;
            if n == 0 {
                return Err(if *filled == 0 {
                    RequestError::ClosedEarly
                } else {
                    RequestError::Incomplete {
                        received: *filled as u64,
                    }
                });
            }
            *filled += n;
        }
    }

    async fn read_length(
        &mut self,
        leftover: std::ops::Range<usize>,
        length: u64,
    ) -> Result<u64, RequestError> {
        let mut got = leftover.len() as u64;
        while got < length {
            let n = self.fill(0).await?;
            if n == 0 {
                return Err(RequestError::Incomplete { received: got });
            }
            got += n as u64;
        }
        if got > length {
            return Err(RequestError::Protocol(format!(
                "{} bytes after a {length}-byte body",
                got - length
            )));
        }
        Ok(length)
    }

    async fn read_chunked(
        &mut self,
        leftover: std::ops::Range<usize>,
    ) -> Result<u64, RequestError> {
        let mut decoder = Chunked::default();
        let mut range = leftover;
        loop {
            let consumed = decoder
                .feed(&self.buf[range.clone()])
                .map_err(RequestError::Protocol)?;
            if decoder.is_done() {
                if consumed < range.len() {
                    return Err(RequestError::Protocol(
                        "bytes after the last chunk".to_owned(),
                    ));
                }
                return Ok(decoder.body_len);
            }
            let n = self.fill(0).await?;
            if n == 0 {
                return Err(RequestError::Incomplete {
                    received: decoder.body_len,
                });
            }
            range = 0..n;
        }
    }

    async fn read_until_close(
        &mut self,
        leftover: std::ops::Range<usize>,
    ) -> Result<u64, RequestError> {
        let mut got = leftover.len() as u64;
        loop {
            let n = self.fill(0).await?;
            if n == 0 {
                return Ok(got);
            }
            got += n as u64;
        }
    }
}

/// How the body's end is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    Length(u64),
    Chunked,
    UntilClose,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Head {
    status: u16,
    len: usize,
    framing: Framing,
    close: bool,
}

fn parse_head(bytes: &[u8]) -> Result<Option<Head>, RequestError> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut response = httparse::Response::new(&mut headers);
    let len = match response.parse(bytes) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(e) => return Err(RequestError::Protocol(format!("bad response head ({e})"))),
    };
    let status = response.code.unwrap_or(0);
    let mut close = response.version == Some(0);
    let mut framing = Framing::UntilClose;
    for header in response.headers.iter() {
        if header.name.eq_ignore_ascii_case("content-length") {
            if framing != Framing::Chunked {
                let value = std::str::from_utf8(header.value)
                    .ok()
                    .and_then(|v| v.trim().parse::<u64>().ok());
                match value {
                    Some(n) => framing = Framing::Length(n),
                    None => return Err(RequestError::Protocol("bad Content-Length".to_owned())),
                }
            }
        } else if header.name.eq_ignore_ascii_case("transfer-encoding") {
            if contains_token(header.value, b"chunked") {
                framing = Framing::Chunked;
            }
        } else if header.name.eq_ignore_ascii_case("connection") {
            if contains_token(header.value, b"close") {
                close = true;
            } else if contains_token(header.value, b"keep-alive") {
                close = false;
            }
        }
    }
    Ok(Some(Head {
        status,
        len,
        framing,
        close,
    }))
}

fn contains_token(value: &[u8], token: &[u8]) -> bool {
    value
        .split(|b| *b == b',')
        .any(|part| part.trim_ascii().eq_ignore_ascii_case(token))
}

/// Incremental chunked-body decoder that only counts data bytes.
#[derive(Debug, Default)]
struct Chunked {
    state: ChunkState,
    size: u64,
    digits: u32,
    body_len: u64,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum ChunkState {
    #[default]
    Size,
    Extension,
    SizeLf,
    Data,
    DataCr,
    DataLf,
    TrailerStart,
    Trailer,
    FinalLf,
    Done,
}

impl Chunked {
    fn is_done(&self) -> bool {
        self.state == ChunkState::Done
    }

    /// Consumes bytes; returns how many were used (fewer than given only once done).
    fn feed(&mut self, bytes: &[u8]) -> Result<usize, String> {
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            match self.state {
                ChunkState::Size => match (b as char).to_digit(16) {
                    Some(d) => {
                        self.digits += 1;
                        if self.digits > 15 {
                            return Err("chunk size too large".to_owned());
                        }
                        self.size = self.size * 16 + u64::from(d);
                    }
                    None if self.digits == 0 => return Err("missing chunk size".to_owned()),
                    None if b == b'\r' => self.state = ChunkState::SizeLf,
                    None if b == b';' || b == b' ' || b == b'\t' => {
                        self.state = ChunkState::Extension
                    }
                    None => return Err("bad chunk size".to_owned()),
                },
                ChunkState::Extension => {
                    if b == b'\r' {
                        self.state = ChunkState::SizeLf;
                    }
                }
                ChunkState::SizeLf => {
                    if b != b'\n' {
                        return Err("bad chunk size line".to_owned());
                    }
                    self.state = if self.size == 0 {
                        ChunkState::TrailerStart
                    } else {
                        ChunkState::Data
                    };
                }
                ChunkState::Data => {
                    let take =
                        (bytes.len() - i).min(usize::try_from(self.size).unwrap_or(usize::MAX));
                    self.size -= take as u64;
                    self.body_len += take as u64;
                    i += take;
                    if self.size == 0 {
                        self.state = ChunkState::DataCr;
                    }
                    continue;
                }
                ChunkState::DataCr => {
                    if b != b'\r' {
                        return Err("chunk not followed by CRLF".to_owned());
                    }
                    self.state = ChunkState::DataLf;
                }
                ChunkState::DataLf => {
                    if b != b'\n' {
                        return Err("chunk not followed by CRLF".to_owned());
                    }
                    self.state = ChunkState::Size;
                    self.digits = 0;
                }
                ChunkState::TrailerStart => {
                    self.state = if b == b'\r' {
                        ChunkState::FinalLf
                    } else {
                        ChunkState::Trailer
                    };
                }
                ChunkState::Trailer => {
                    if b == b'\n' {
                        self.state = ChunkState::TrailerStart;
                    }
                }
                ChunkState::FinalLf => {
                    if b != b'\n' {
                        return Err("bad end of chunked body".to_owned());
                    }
                    self.state = ChunkState::Done;
                    return Ok(i + 1);
                }
                ChunkState::Done => return Ok(i),
            }
            i += 1;
        }
        Ok(i)
    }
}

/// The reason phrase Python's `requests` would show for a status (servers send these).
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        101 => "Switching Protocols",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        413 => "Payload Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_parsing() {
        let t = Target::parse("http://127.0.0.1:8000/").unwrap();
        assert_eq!(t.url, "http://127.0.0.1:8000");
        assert_eq!(t.addr, "127.0.0.1:8000".parse().unwrap());
        assert_eq!(t.authority, "127.0.0.1:8000");
        assert_eq!(Target::parse("http://127.0.0.1").unwrap().addr.port(), 80);
        assert_eq!(Target::parse("http://[::1]:81").unwrap().addr.port(), 81);
        for bad in ["127.0.0.1:8000", "https://x:1", "http://", "http://h:1/api"] {
            assert!(
                matches!(Target::parse(bad), Err(TargetError::Malformed(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn chunked_decoder_counts_data_across_splits() {
        let body = b"5;ext=1\r\nhello\r\nB\r\n world12345\r\n0\r\nX-T: 1\r\n\r\n";
        for split in 1..body.len() {
            let mut d = Chunked::default();
            let a = d.feed(&body[..split]).unwrap();
            assert_eq!(a, split);
            let b = d.feed(&body[split..]).unwrap();
            assert!(d.is_done(), "split {split}");
            assert_eq!(a + b, body.len());
            assert_eq!(d.body_len, 16);
        }
        assert!(Chunked::default().feed(b"zz\r\n").is_err());
    }

    #[test]
    fn request_bytes_are_what_the_server_expects() {
        let target = Target::parse("http://127.0.0.1:9").unwrap();
        let task = crate::scenario::Scenario::built_in("db_test")
            .unwrap()
            .tasks[0]
            .clone();
        let text =
            String::from_utf8(PreparedRequest::new(&task, &target).as_bytes().to_vec()).unwrap();
        assert!(text.starts_with("POST /notes/ HTTP/1.1\r\nHost: 127.0.0.1:9\r\n"));
        assert!(text.ends_with(
            "Content-Type: application/json\r\nContent-Length: 62\r\n\r\n{\"title\": \"Sample Note\", \"content\": \"This is a note content.\"}"
        ));
    }
}
