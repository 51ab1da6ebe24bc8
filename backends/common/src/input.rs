//! Validation of a `POST /notes/` request: SPEC section 1's bad-input rules, in their order.
//!
//! 415 (content type) > 413 (body size) > 400 (not JSON) > 422 (wrong shape). Everything here is
//! pure: bad input is rejected before any database work.

use serde_json::Value;

use crate::error::ApiError;

/// Largest accepted request body, in raw bytes as received.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Deepest accepted JSON nesting (arrays and objects).
pub const MAX_JSON_DEPTH: usize = 128;
/// Title length bounds, in Unicode code points (what `VARCHAR(100)` counts).
pub const TITLE_CHARS: std::ops::RangeInclusive<usize> = 1..=100;
/// Longest accepted content, in Unicode code points.
pub const MAX_CONTENT_CHARS: usize = 10_000;

/// The body as the framework read it: complete, cut off because it exceeded [`MAX_BODY_BYTES`],
/// or lost (the client went away or sent a broken chunked encoding).
#[derive(Debug, Clone, Copy)]
pub enum Body<'a> {
    Complete(&'a [u8]),
    TooLarge,
    Unreadable,
}

impl<'a> Body<'a> {
    /// Classifies `bytes`, which the caller read up to at least `MAX_BODY_BYTES + 1` bytes.
    pub fn from_bytes(bytes: &'a [u8]) -> Self {
        if bytes.len() > MAX_BODY_BYTES {
            Self::TooLarge
        } else {
            Self::Complete(bytes)
        }
    }
}

/// A note that passed validation, ready to insert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNote {
    pub title: String,
    pub content: String,
}

/// Applies every rule of SPEC section 1 in order; `content_type` is the raw header value.
pub fn parse_new_note(content_type: Option<&[u8]>, body: Body<'_>) -> Result<NewNote, ApiError> {
    if !content_type.is_some_and(is_json) {
        return Err(ApiError::UnsupportedMediaType);
    }
    let bytes = match body {
        Body::Complete(bytes) if bytes.len() <= MAX_BODY_BYTES => bytes,
        Body::Complete(_) | Body::TooLarge => return Err(ApiError::PayloadTooLarge),
        Body::Unreadable => {
            return Err(ApiError::BadJson("request body could not be read".into()));
        }
    };
    let value = parse_json(bytes)?;
    note_from_value(value)
}

/// `application/json` in any letter case, optionally followed by parameters (`; charset=utf-8`).
pub fn is_json(content_type: &[u8]) -> bool {
    let essence = content_type
        .split(|&byte| byte == b';')
        .next()
        .unwrap_or_default()
        .trim_ascii();
    essence.eq_ignore_ascii_case(b"application/json")
}

fn parse_json(bytes: &[u8]) -> Result<Value, ApiError> {
    if nesting_depth(bytes) > MAX_JSON_DEPTH {
        return Err(ApiError::BadJson(format!(
            "JSON nests deeper than {MAX_JSON_DEPTH} levels"
        )));
    }
    // serde_json's own limit rejects 128 levels; ours accepts up to and including 128, and the
    // scan above already bounds the recursion.
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    deserializer.disable_recursion_limit();
    let value = serde::Deserialize::deserialize(&mut deserializer)
        .and_then(|value| deserializer.end().map(|()| value))
        .map_err(|err| ApiError::BadJson(format!("body is not valid JSON: {err}")))?;
    Ok(value)
}

/// The deepest bracket nesting outside string literals. For invalid JSON the count may be off
/// after the first error, but never below what a JSON parser would recurse into before failing.
fn nesting_depth(bytes: &[u8]) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let (mut in_string, mut escaped) = (false, false);
    for &byte in bytes {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

fn note_from_value(value: Value) -> Result<NewNote, ApiError> {
    let Value::Object(mut fields) = value else {
        return Err(ApiError::invalid("body must be a JSON object"));
    };
    let title = string_field(&mut fields, "title")?;
    let content = string_field(&mut fields, "content")?;
    if !TITLE_CHARS.contains(&title.chars().count()) {
        return Err(ApiError::invalid("title must be 1 to 100 characters long"));
    }
    if content.chars().count() > MAX_CONTENT_CHARS {
        return Err(ApiError::invalid(
            "content must be at most 10000 characters long",
        ));
    }
    if title.contains('\0') || content.contains('\0') {
        return Err(ApiError::invalid(
            "title and content must not contain the NUL character (U+0000)",
        ));
    }
    Ok(NewNote { title, content })
}

fn string_field(
    fields: &mut serde_json::Map<String, Value>,
    name: &'static str,
) -> Result<String, ApiError> {
    match fields.remove(name) {
        Some(Value::String(text)) => Ok(text),
        Some(_) => Err(ApiError::invalid(match name {
            "title" => "title must be a string",
            _ => "content must be a string",
        })),
        None => Err(ApiError::invalid(match name {
            "title" => "title is required",
            _ => "content is required",
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: Option<&[u8]> = Some(b"application/json");

    fn status(content_type: Option<&[u8]>, body: &[u8]) -> u16 {
        match parse_new_note(content_type, Body::from_bytes(body)) {
            Ok(_) => 201,
            Err(err) => err.status(),
        }
    }

    fn nested(depth: usize) -> String {
        "[".repeat(depth) + &"]".repeat(depth)
    }

    #[test]
    fn a_valid_note_parses_and_ignores_unknown_fields() {
        let note = parse_new_note(
            JSON,
            Body::Complete(br#"{"title":"t","content":"","extra":[1,{"x":null}]}"#),
        )
        .unwrap();
        assert_eq!(
            note,
            NewNote {
                title: "t".into(),
                content: String::new()
            }
        );
    }

    #[test]
    fn content_types_follow_the_spec() {
        let body = br#"{"title":"t","content":"c"}"#;
        for accepted in [
            &b"application/json"[..],
            b"APPLICATION/JSON",
            b"application/json; charset=utf-8",
            b"Application/Json;charset=UTF-8",
        ] {
            assert_eq!(status(Some(accepted), body), 201, "{accepted:?}");
        }
        for rejected in [
            &b"text/plain"[..],
            b"application/jsonx",
            b"",
            b"application/x-www-form-urlencoded",
        ] {
            assert_eq!(status(Some(rejected), body), 415, "{rejected:?}");
        }
        assert_eq!(status(None, body), 415);
    }

    #[test]
    fn rules_apply_in_order_415_413_400_422() {
        let huge_invalid = vec![b'x'; MAX_BODY_BYTES + 1];
        assert_eq!(status(Some(b"text/plain"), &huge_invalid), 415);
        assert_eq!(status(JSON, &huge_invalid), 413);
        assert_eq!(status(JSON, b"{not json"), 400);
        assert_eq!(status(JSON, b"[]"), 422);
    }

    #[test]
    fn a_complete_body_over_the_limit_is_still_413() {
        let body = vec![b' '; MAX_BODY_BYTES + 1];
        let err = parse_new_note(JSON, Body::Complete(&body)).unwrap_err();
        assert_eq!(err, ApiError::PayloadTooLarge);
    }

    #[test]
    fn body_size_limit_is_exactly_64_kib() {
        let note = |len: usize| {
            let pad = len - br#"{"title":"t","content":"","p":""}"#.len();
            format!(r#"{{"title":"t","content":"","p":"{}"}}"#, "a".repeat(pad)).into_bytes()
        };
        assert_eq!(status(JSON, &note(MAX_BODY_BYTES)), 201);
        assert_eq!(status(JSON, &note(MAX_BODY_BYTES + 1)), 413);
    }

    #[test]
    fn invalid_json_is_400() {
        for body in [
            &b""[..],
            b"   ",
            b"{\"title\":\"t\",\"content\":\"c\"} trailing",
            b"{\"title\":\"\xff\xfe\",\"content\":\"c\"}",
            br#"{"title":"\ud800","content":"c"}"#,
            br#"{"title":"t","content":"c","ignored":"\udc00"}"#,
        ] {
            assert_eq!(status(JSON, body), 400, "{}", String::from_utf8_lossy(body));
        }
    }

    #[test]
    fn nesting_is_allowed_up_to_128_levels() {
        assert_eq!(status(JSON, nested(128).as_bytes()), 422);
        assert_eq!(status(JSON, nested(129).as_bytes()), 400);
        let deep_field = format!(r#"{{"title":"t","content":"c","x":{}}}"#, nested(127));
        assert_eq!(status(JSON, deep_field.as_bytes()), 201);
        let too_deep_field = format!(r#"{{"title":"t","content":"c","x":{}}}"#, nested(128));
        assert_eq!(status(JSON, too_deep_field.as_bytes()), 400);
        let brackets_in_strings = format!(r#"{{"title":"{}","content":"\"["}}"#, "[".repeat(100));
        assert_eq!(status(JSON, brackets_in_strings.as_bytes()), 201);
    }

    #[test]
    fn wrong_shapes_are_422() {
        for body in [
            &br#"[{"title":"t","content":"c"}]"#[..],
            br#""a string""#,
            br#"{"content":"c"}"#,
            br#"{"title":"t"}"#,
            br#"{"title":1,"content":"c"}"#,
            br#"{"title":"t","content":null}"#,
            br#"{"title":"","content":"c"}"#,
            br#"{"title":"a\u0000b","content":"c"}"#,
            br#"{"title":"t","content":"\u0000"}"#,
        ] {
            assert_eq!(status(JSON, body), 422, "{}", String::from_utf8_lossy(body));
        }
    }

    #[test]
    fn lengths_count_code_points_not_bytes() {
        let with = |title: &str, content: &str| {
            serde_json::json!({ "title": title, "content": content }).to_string()
        };
        assert_eq!(status(JSON, with(&"é".repeat(100), "").as_bytes()), 201);
        assert_eq!(status(JSON, with(&"😀".repeat(100), "").as_bytes()), 201);
        assert_eq!(status(JSON, with(&"é".repeat(101), "").as_bytes()), 422);
        assert_eq!(status(JSON, with("t", &"ü".repeat(10_000)).as_bytes()), 201);
        assert_eq!(status(JSON, with("t", &"ü".repeat(10_001)).as_bytes()), 422);
    }
}
