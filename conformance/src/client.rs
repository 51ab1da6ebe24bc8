//! A minimal HTTP/1.1 client for the checks: exact method, path, headers and raw body bytes, one
//! connection per request, no redirects followed, no headers added except `Host` and (for
//! requests with a body and no `Transfer-Encoding` of their own) `Content-Length`.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, Method};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// Bound on one request, connection to last body byte.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// Why a request got no response.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("{0} is not an http://host:port URL")]
    BadUrl(String),
    #[error("cannot connect to {addr}: {source}")]
    Connect {
        addr: String,
        source: std::io::Error,
    },
    #[error("{method} {path}: {source}")]
    Http {
        method: Method,
        path: String,
        source: hyper::Error,
    },
    #[error("{method} {path}: invalid request: {source}")]
    Request {
        method: Method,
        path: String,
        source: http::Error,
    },
    #[error("{method} {path}: no complete response within {limit:?}")]
    Timeout {
        method: Method,
        path: String,
        limit: Duration,
    },
}

/// The backend under test, by its base URL.
#[derive(Debug, Clone)]
pub struct Client {
    /// `host:port` to connect to and to send as `Host`.
    authority: String,
}

/// One request, exactly as it goes on the wire (plus `Host` and `Content-Length`).
#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    pub path: String,
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Option<Bytes>,
}

impl Request {
    pub fn get(path: &str) -> Self {
        Self::new(Method::GET, path)
    }

    pub fn new(method: Method, path: &str) -> Self {
        Self {
            method,
            path: path.to_string(),
            headers: Vec::new(),
            body: None,
        }
    }

    /// `POST path` with `body` and, when given, that exact `Content-Type` value.
    pub fn post(path: &str, content_type: Option<&str>, body: impl Into<Bytes>) -> Self {
        let mut request = Self::new(Method::POST, path);
        if let Some(content_type) = content_type {
            request = request.header("Content-Type", content_type.as_bytes());
        }
        request.body = Some(body.into());
        request
    }

    /// `POST path` with `Content-Type: application/json`.
    pub fn post_json(path: &str, body: impl Into<Bytes>) -> Self {
        Self::post(path, Some("application/json"), body)
    }

    pub fn header(mut self, name: &str, value: &[u8]) -> Self {
        self.headers.push((name.to_string(), value.to_vec()));
        self
    }

    /// `METHOD path`, for reports.
    pub fn label(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// A complete response.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// From connecting to the last body byte.
    pub elapsed: Duration,
}

impl Response {
    /// The `Content-Type` value, or `""` when absent or not text.
    pub fn content_type(&self) -> &str {
        self.header("content-type").unwrap_or("")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// `status content-type body` on one line, the body shortened, for failure messages.
    pub fn summary(&self) -> String {
        format!(
            "{} {:?} {}",
            self.status,
            self.content_type(),
            crate::expect::excerpt(&self.body)
        )
    }
}

impl Client {
    /// A client for `base_url` (`http://host:port`, a trailing slash is fine).
    pub fn new(base_url: &str) -> Result<Self, ClientError> {
        let authority = base_url
            .strip_prefix("http://")
            .map(|rest| rest.trim_end_matches('/'))
            .filter(|rest| !rest.is_empty() && !rest.contains('/'))
            .ok_or_else(|| ClientError::BadUrl(base_url.to_string()))?;
        let authority = if authority.contains(':') {
            authority.to_string()
        } else {
            format!("{authority}:80")
        };
        Ok(Self { authority })
    }

    /// `host:port` of the backend.
    pub fn authority(&self) -> &str {
        &self.authority
    }

    /// Sends `request` on a new connection and reads the whole response, within
    /// [`REQUEST_TIMEOUT`].
    pub async fn send(&self, request: &Request) -> Result<Response, ClientError> {
        self.send_within(request, REQUEST_TIMEOUT).await
    }

    /// Like [`Client::send`] with an explicit bound.
    pub async fn send_within(
        &self,
        request: &Request,
        limit: Duration,
    ) -> Result<Response, ClientError> {
        tokio::time::timeout(limit, self.exchange(request))
            .await
            .unwrap_or_else(|_| {
                Err(ClientError::Timeout {
                    method: request.method.clone(),
                    path: request.path.clone(),
                    limit,
                })
            })
    }

    async fn exchange(&self, request: &Request) -> Result<Response, ClientError> {
        let started = Instant::now();
        let http_err = |source| ClientError::Http {
            method: request.method.clone(),
            path: request.path.clone(),
            source,
        };
        let stream = TcpStream::connect(&self.authority)
            .await
            .map_err(|source| ClientError::Connect {
                addr: self.authority.clone(),
                source,
            })?;
        let (mut sender, connection) = http1::handshake(TokioIo::new(stream))
            .await
            .map_err(http_err)?;
        let driver = tokio::spawn(connection);

        let mut builder = http::Request::builder()
            .method(request.method.clone())
            .uri(request.path.as_str())
            .header("Host", self.authority.as_str());
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_slice());
        }
        let chunked = request
            .headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("transfer-encoding"));
        if let Some(body) = request.body.as_ref().filter(|_| !chunked) {
            builder = builder.header("Content-Length", body.len());
        }
        let outgoing = builder
            .body(Full::new(request.body.clone().unwrap_or_default()))
            .map_err(|source| ClientError::Request {
                method: request.method.clone(),
                path: request.path.clone(),
                source,
            })?;
        let response = sender.send_request(outgoing).await.map_err(http_err)?;
        let (parts, body) = response.into_parts();
        let body = body.collect().await.map_err(http_err)?.to_bytes();
        driver.abort();
        Ok(Response {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body,
            elapsed: started.elapsed(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_parsed_to_host_and_port() {
        assert_eq!(
            Client::new("http://127.0.0.1:8000").unwrap().authority(),
            "127.0.0.1:8000"
        );
        assert_eq!(
            Client::new("http://localhost:9/").unwrap().authority(),
            "localhost:9"
        );
        assert_eq!(
            Client::new("http://example").unwrap().authority(),
            "example:80"
        );
        for bad in [
            "https://h:1",
            "127.0.0.1:8000",
            "http://h:1/path",
            "http://",
        ] {
            assert!(Client::new(bad).is_err(), "{bad}");
        }
    }
}
