//! Assertions on responses that fail with a one-line reason naming the request, what was
//! expected and what came back.

use crate::client::Response;
use crate::outcome::{Failure, fail};

/// `Content-Type` of every JSON body (SPEC section 1: exactly this, no parameters).
pub const JSON: &str = "application/json";
/// `Content-Type` of the text endpoints.
pub const TEXT: &str = "text/plain; charset=utf-8";
/// The exact body of every 503.
pub const DB_UNAVAILABLE: &[u8] = br#"{"error":"database unavailable"}"#;

/// `bytes` as printable text, escaped and cut to a readable length.
pub fn excerpt(bytes: &[u8]) -> String {
    const MAX_CHARS: usize = 160;
    let text = String::from_utf8_lossy(bytes);
    let escaped: String = text.chars().flat_map(char::escape_debug).collect();
    if escaped.chars().count() <= MAX_CHARS {
        format!("\"{escaped}\"")
    } else {
        let head: String = escaped.chars().take(MAX_CHARS).collect();
        format!("\"{head}...\" ({} bytes)", bytes.len())
    }
}

/// Where `actual` first differs from `expected`, with a little context of both.
pub fn first_difference(expected: &[u8], actual: &[u8]) -> String {
    let at = expected
        .iter()
        .zip(actual)
        .position(|(a, b)| a != b)
        .unwrap_or(expected.len().min(actual.len()));
    let from = at.saturating_sub(20);
    let window = |bytes: &[u8]| excerpt(&bytes[from.min(bytes.len())..(at + 40).min(bytes.len())]);
    format!(
        "expected {} bytes, got {}; first difference at byte {at}: expected {} got {}",
        expected.len(),
        actual.len(),
        window(expected),
        window(actual)
    )
}

pub fn status(label: &str, response: &Response, expected: u16) -> Result<(), Failure> {
    if response.status == expected {
        return Ok(());
    }
    Err(fail(format!(
        "{label}: expected status {expected}, got {}",
        response.summary()
    )))
}

pub fn content_type(label: &str, response: &Response, expected: &str) -> Result<(), Failure> {
    if response.content_type() == expected {
        return Ok(());
    }
    Err(fail(format!(
        "{label}: expected Content-Type {expected:?}, got {:?}",
        response.content_type()
    )))
}

pub fn body(label: &str, response: &Response, expected: &[u8]) -> Result<(), Failure> {
    if response.body.as_ref() == expected {
        return Ok(());
    }
    Err(fail(format!(
        "{label}: body {}",
        first_difference(expected, &response.body)
    )))
}

/// Status, content type and body bytes all as given.
pub fn exact(
    label: &str,
    response: &Response,
    status_code: u16,
    content: &str,
    bytes: &[u8],
) -> Result<(), Failure> {
    status(label, response, status_code)?;
    content_type(label, response, content)?;
    body(label, response, bytes)
}

/// A SPEC error: `status_code`, `application/json`, and a body that is exactly one key `error`
/// holding a non-empty one-line string.
pub fn error(label: &str, response: &Response, status_code: u16) -> Result<(), Failure> {
    status(label, response, status_code)?;
    content_type(label, response, JSON)?;
    error_shape(label, &response.body)
}

/// The body is `{"error": "<non-empty one-line string>"}` and nothing else.
pub fn error_shape(label: &str, body: &[u8]) -> Result<(), Failure> {
    let shape_error = |why: &str| fail(format!("{label}: error body {why}: {}", excerpt(body)));
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| shape_error("is not JSON"))?;
    let object = value
        .as_object()
        .filter(|object| object.len() == 1)
        .ok_or_else(|| shape_error("is not an object with the single key \"error\""))?;
    let message = object
        .get("error")
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| shape_error("has no string \"error\""))?;
    if message.trim().is_empty() || message.contains('\n') {
        return Err(shape_error("message is empty or not one line"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_shape_accepts_only_a_single_string_error_key() {
        assert!(error_shape("x", br#"{"error":"bad"}"#).is_ok());
        for bad in [
            &br#"{"error":"bad","detail":"x"}"#[..],
            br#"{"error":1}"#,
            br#"{"error":""}"#,
            br#"{"error":"two\nlines"}"#,
            br#"["error"]"#,
            b"error",
        ] {
            assert!(error_shape("x", bad).is_err(), "{}", excerpt(bad));
        }
    }

    #[test]
    fn first_difference_points_at_the_byte() {
        let text = first_difference(b"[1,2,3]", b"[1,2,4]");
        assert!(text.contains("first difference at byte 5"), "{text}");
        let text = first_difference(b"abc", b"abcd");
        assert!(text.contains("expected 3 bytes, got 4"), "{text}");
    }

    #[test]
    fn excerpt_escapes_and_shortens() {
        assert_eq!(excerpt(b"a\nb"), "\"a\\nb\"");
        assert!(excerpt(&[b'x'; 500]).ends_with("(500 bytes)"));
    }
}
