//! How a failed request is classified and named. The kinds feed `summary.json`
//! (`failures_by_kind`); the message is the text Locust's `HttpUser` would have recorded for the
//! same event, so failures group in `benchmark_failures.csv` exactly as they would under Locust
//! (one row per method, name and message).

use std::io;

use crate::http::{RequestError, reason_phrase};

/// The failure kinds of `summary.json`, in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FailureKind {
    /// The server answered with another status than the expected one.
    Status,
    /// No complete response within `--timeout`.
    Timeout,
    /// The connection could not be opened (refused, unreachable).
    Connect,
    /// The connection broke: reset, closed early, broken pipe.
    Reset,
    /// Anything else, e.g. a malformed response.
    Other,
}

impl FailureKind {
    pub const ALL: [FailureKind; 5] = [
        FailureKind::Status,
        FailureKind::Timeout,
        FailureKind::Connect,
        FailureKind::Reset,
        FailureKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Status => "status",
            FailureKind::Timeout => "timeout",
            FailureKind::Connect => "connect",
            FailureKind::Reset => "reset",
            FailureKind::Other => "other",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// A failed request: its kind and Locust's message for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub kind: FailureKind,
    pub message: String,
}

impl Failure {
    /// The server answered, but not with the expected status.
    pub fn status(status: u16, expected: u16, name: &str) -> Failure {
        let message = if (400..600).contains(&status) {
            let class = if status < 500 { "Client" } else { "Server" };
            format!(
                "HTTPError('{status} {class} Error: {} for url: {name}')",
                reason_phrase(status)
            )
        } else {
            // requests raises nothing for these; Locust users flag them with catch_response.
            format!(
                "CatchResponseError('Unexpected status code {status} (expected {expected}) for url: {name}')"
            )
        };
        Failure {
            kind: FailureKind::Status,
            message,
        }
    }

    pub fn timeout() -> Failure {
        Failure {
            kind: FailureKind::Timeout,
            message: "TimeoutError('timed out')".to_owned(),
        }
    }

    pub fn from_request_error(error: &RequestError) -> Failure {
        match error {
            RequestError::Connect(e) => {
                let kind = if e.kind() == io::ErrorKind::TimedOut {
                    FailureKind::Timeout
                } else {
                    FailureKind::Connect
                };
                Failure {
                    kind,
                    message: os_error(e),
                }
            }
            RequestError::Write(e) | RequestError::Read(e) => {
                let kind = match e.kind() {
                    io::ErrorKind::ConnectionReset
                    | io::ErrorKind::ConnectionAborted
                    | io::ErrorKind::BrokenPipe
                    | io::ErrorKind::UnexpectedEof => FailureKind::Reset,
                    io::ErrorKind::TimedOut => FailureKind::Timeout,
                    _ => FailureKind::Other,
                };
                Failure {
                    kind,
                    message: os_error(e),
                }
            }
            RequestError::ClosedEarly => Failure {
                kind: FailureKind::Reset,
                message: "RemoteDisconnected('Remote end closed connection without response')"
                    .to_owned(),
            },
            RequestError::Incomplete { received } => Failure {
                kind: FailureKind::Reset,
                message: format!(
                    "ProtocolError('Connection broken: IncompleteRead({received} bytes read)')"
                ),
            },
            RequestError::Protocol(detail) => Failure {
                kind: FailureKind::Other,
                message: format!("InvalidResponse({})", py_str_repr(detail)),
            },
        }
    }
}

/// Python's repr of an `OSError` subclass, e.g. `ConnectionRefusedError(111, 'Connection refused')`.
fn os_error(e: &io::Error) -> String {
    let class = match e.kind() {
        io::ErrorKind::ConnectionRefused => "ConnectionRefusedError",
        io::ErrorKind::ConnectionReset => "ConnectionResetError",
        io::ErrorKind::ConnectionAborted => "ConnectionAbortedError",
        io::ErrorKind::BrokenPipe => "BrokenPipeError",
        io::ErrorKind::TimedOut => "TimeoutError",
        _ => "OSError",
    };
    let text = e.to_string();
    match e.raw_os_error() {
        Some(code) => {
            let suffix = format!(" (os error {code})");
            let message = text.strip_suffix(&suffix).unwrap_or(&text);
            format!("{class}({code}, {})", py_str_repr(message))
        }
        None => format!("{class}({})", py_str_repr(&text)),
    }
}

/// Python's repr of a str: single quotes unless the text holds one and no double quote.
fn py_str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_match_locust_reference() {
        assert_eq!(
            Failure::status(404, 200, "/missing/").message,
            "HTTPError('404 Client Error: Not Found for url: /missing/')"
        );
        assert_eq!(
            Failure::status(500, 200, "/api/notes/").message,
            "HTTPError('500 Server Error: Internal Server Error for url: /api/notes/')"
        );
        let refused = io::Error::from_raw_os_error(111);
        let f = Failure::from_request_error(&RequestError::Connect(refused));
        assert_eq!(
            f.message,
            "ConnectionRefusedError(111, 'Connection refused')"
        );
        assert_eq!(f.kind, FailureKind::Connect);
        let reset =
            Failure::from_request_error(&RequestError::Read(io::Error::from_raw_os_error(104)));
        assert_eq!(
            reset.message,
            "ConnectionResetError(104, 'Connection reset by peer')"
        );
        assert_eq!(reset.kind, FailureKind::Reset);
        assert_eq!(py_str_repr("it's"), "\"it's\"");
    }
}
