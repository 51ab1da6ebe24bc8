//! A framework-neutral HTTP answer. Handlers in [`crate::api`] return a [`Reply`]; each backend
//! turns it into its framework's response type in one small function, so the status codes,
//! headers and body bytes are the same for every backend.

use bytes::Bytes;
use serde::Serialize;

use crate::error::ApiError;

/// `Content-Type` of the text endpoints.
pub const TEXT_PLAIN: &str = "text/plain; charset=utf-8";
/// `Content-Type` of every JSON body, errors included.
pub const APPLICATION_JSON: &str = "application/json";

/// Status, content type, body and (for 405) the `Allow` header of one response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Bytes,
    pub allow: Option<&'static str>,
}

impl Reply {
    /// A 200 `text/plain` answer; the body is static, so building it allocates nothing.
    pub fn text(body: &'static str) -> Self {
        Self {
            status: 200,
            content_type: TEXT_PLAIN,
            body: Bytes::from_static(body.as_bytes()),
            allow: None,
        }
    }

    /// An `application/json` answer of `value`, serialised compactly.
    pub fn json<T: Serialize + ?Sized>(status: u16, value: &T) -> Self {
        Self {
            status,
            content_type: APPLICATION_JSON,
            body: Bytes::from(json_bytes(value)),
            allow: None,
        }
    }
}

impl From<ApiError> for Reply {
    fn from(err: ApiError) -> Self {
        Self {
            status: err.status(),
            content_type: APPLICATION_JSON,
            body: Bytes::from(err.body()),
            allow: err.allow(),
        }
    }
}

impl<T: Serialize> From<Result<(u16, T), ApiError>> for Reply {
    fn from(result: Result<(u16, T), ApiError>) -> Self {
        match result {
            Ok((status, value)) => Self::json(status, &value),
            Err(err) => err.into(),
        }
    }
}

/// Compact JSON, keys in declaration order, non-ASCII as UTF-8: the bytes every backend sends.
pub fn json_bytes<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    // Serialising plain structs of strings and integers into a Vec cannot fail.
    serde_json::to_vec(value).unwrap_or_else(|err| {
        tracing::error!(error = %err, "JSON serialisation failed");
        br#"{"error":"internal server error"}"#.to_vec()
    })
}
