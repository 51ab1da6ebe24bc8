//! The bad-input rules of SPEC section 1 (415 > 413 > 400 > 422, first match wins) and the
//! inputs at the edges of those rules that must be accepted.

use super::{note_body, passed, post_accepted, post_rejected};
use crate::client::Request;
use crate::outcome::{Failure, Outcome, fail};
use crate::target::Target;

/// Largest accepted body, in raw bytes.
const MAX_BODY: usize = 64 * 1024;
/// Deepest accepted JSON nesting.
const MAX_DEPTH: usize = 128;

/// One POST that must be refused with `status`.
struct Rejection {
    what: &'static str,
    status: u16,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    /// Sent with `Transfer-Encoding: chunked` instead of `Content-Length`.
    chunked: bool,
}

/// One POST that must be accepted and store exactly `title` and `content`.
struct Acceptance {
    what: &'static str,
    /// Sent with `Transfer-Encoding: chunked` instead of `Content-Length`.
    chunked: bool,
    content_type: &'static str,
    body: Vec<u8>,
    title: String,
    content: String,
}

/// Every refusal case; the precedence cases are filed under the status that must win.
fn rejections() -> Vec<Rejection> {
    let json = Some("application/json");
    let valid = || note_body("t", "c");
    let reject = |what, status, content_type, body| Rejection {
        what,
        status,
        content_type,
        body,
        chunked: false,
    };
    vec![
        reject("no Content-Type", 415, None, valid()),
        reject("Content-Type text/plain", 415, Some("text/plain"), valid()),
        reject(
            "form Content-Type",
            415,
            Some("application/x-www-form-urlencoded"),
            b"title=t&content=c".to_vec(),
        ),
        reject(
            "a +json type is not application/json",
            415,
            Some("application/vnd.api+json"),
            valid(),
        ),
        reject("application/jsonx", 415, Some("application/jsonx"), valid()),
        reject(
            "415 before 413: text/plain over 64 KiB",
            415,
            Some("text/plain"),
            padded(valid(), MAX_BODY + 1),
        ),
        reject(
            "415 before 400: no Content-Type, invalid JSON",
            415,
            None,
            b"{not json".to_vec(),
        ),
        reject(
            "415 before 422: text/plain JSON array",
            415,
            Some("text/plain"),
            b"[]".to_vec(),
        ),
        reject(
            "valid note padded to 64 KiB + 1",
            413,
            json,
            padded(valid(), MAX_BODY + 1),
        ),
        reject(
            "413 before 400: invalid JSON over 64 KiB",
            413,
            json,
            vec![b'{'; MAX_BODY + 1],
        ),
        reject(
            "413 before 422: JSON array over 64 KiB",
            413,
            json,
            padded(b"[]".to_vec(), MAX_BODY + 1),
        ),
        Rejection {
            chunked: true,
            ..reject(
                "chunked body over 64 KiB",
                413,
                json,
                padded(valid(), MAX_BODY + 1),
            )
        },
        reject("empty body", 400, json, Vec::new()),
        reject(
            "truncated JSON",
            400,
            json,
            br#"{"title":"t","content":"#.to_vec(),
        ),
        reject(
            "trailing garbage",
            400,
            json,
            br#"{"title":"t","content":"c"} x"#.to_vec(),
        ),
        reject(
            "single quotes",
            400,
            json,
            b"{'title':'t','content':'c'}".to_vec(),
        ),
        reject(
            "invalid UTF-8",
            400,
            json,
            b"{\"title\":\"\xff\xfe\",\"content\":\"c\"}".to_vec(),
        ),
        reject(
            "lone surrogate escape",
            400,
            json,
            br#"{"title":"\ud800","content":"c"}"#.to_vec(),
        ),
        reject(
            "raw control character in a string",
            400,
            json,
            b"{\"title\":\"a\x01b\",\"content\":\"c\"}".to_vec(),
        ),
        reject("array nested 129 deep", 400, json, nested(MAX_DEPTH + 1)),
        reject(
            "400 before 422: note with a field nested 129 deep",
            400,
            json,
            with_field(&nested(MAX_DEPTH)),
        ),
        reject("JSON array", 422, json, b"[]".to_vec()),
        reject(
            "array holding a valid note",
            422,
            json,
            format!("[{}]", String::from_utf8_lossy(&valid())).into_bytes(),
        ),
        reject("JSON string", 422, json, br#""t""#.to_vec()),
        reject("JSON null", 422, json, b"null".to_vec()),
        reject("empty object", 422, json, b"{}".to_vec()),
        reject("title missing", 422, json, br#"{"content":"c"}"#.to_vec()),
        reject("content missing", 422, json, br#"{"title":"t"}"#.to_vec()),
        reject(
            "title a number",
            422,
            json,
            br#"{"title":1,"content":"c"}"#.to_vec(),
        ),
        reject(
            "title null",
            422,
            json,
            br#"{"title":null,"content":"c"}"#.to_vec(),
        ),
        reject(
            "content a number",
            422,
            json,
            br#"{"title":"t","content":5}"#.to_vec(),
        ),
        reject(
            "content an array",
            422,
            json,
            br#"{"title":"t","content":["c"]}"#.to_vec(),
        ),
        reject("title of 0 characters", 422, json, note_body("", "c")),
        reject(
            "title of 101 multi-byte characters",
            422,
            json,
            note_body(&"é".repeat(101), "c"),
        ),
        reject(
            "title of 101 ASCII characters",
            422,
            json,
            note_body(&"a".repeat(101), "c"),
        ),
        reject(
            "content of 10,001 characters",
            422,
            json,
            note_body("t", &"ü".repeat(10_001)),
        ),
        reject(
            "U+0000 in title",
            422,
            json,
            br#"{"title":"a\u0000b","content":"c"}"#.to_vec(),
        ),
        reject(
            "U+0000 in content",
            422,
            json,
            br#"{"title":"t","content":"\u0000"}"#.to_vec(),
        ),
        reject(
            "422 with an accepted Content-Type variant",
            422,
            Some("application/json; charset=utf-8"),
            b"[]".to_vec(),
        ),
    ]
}

/// Inputs at the edges of the rules; each must create exactly one row holding what was sent.
fn acceptances() -> Vec<Acceptance> {
    let accept = |what, content_type, body, title: &str, content: &str| Acceptance {
        what,
        chunked: false,
        content_type,
        body,
        title: title.to_string(),
        content: content.to_string(),
    };
    let json = "application/json";
    let title_100 = "ü😀".repeat(50);
    let content_10k = "😀".repeat(10_000);
    vec![
        accept(
            "Content-Type with charset",
            "application/json; charset=utf-8",
            note_body("t", "c"),
            "t",
            "c",
        ),
        accept(
            "upper-case Content-Type",
            "APPLICATION/JSON",
            note_body("t", "c"),
            "t",
            "c",
        ),
        accept(
            "unknown fields ignored (an id too)",
            json,
            br#"{"id":999999999,"title":"t","content":"c","extra":{"x":[1,null]}}"#.to_vec(),
            "t",
            "c",
        ),
        accept(
            "keys in the other order",
            json,
            br#"{"content":"c","title":"t"}"#.to_vec(),
            "t",
            "c",
        ),
        accept("empty content", json, note_body("t", ""), "t", ""),
        accept(
            "title of 100 multi-byte characters (150 UTF-16 units)",
            json,
            note_body(&title_100, "c"),
            &title_100,
            "c",
        ),
        accept("title of 1 character", json, note_body("x", "c"), "x", "c"),
        accept(
            "content of 10,000 emoji (40,000 bytes)",
            json,
            note_body("t", &content_10k),
            "t",
            &content_10k,
        ),
        accept(
            "body of exactly 64 KiB",
            json,
            padded(note_body("t", "c"), MAX_BODY),
            "t",
            "c",
        ),
        Acceptance {
            chunked: true,
            ..accept("chunked body", json, note_body("t", "c"), "t", "c")
        },
        accept(
            "a field nested exactly 128 deep",
            json,
            with_field(&nested(MAX_DEPTH - 1)),
            "t",
            "c",
        ),
        accept(
            "escapes decoded (surrogate pair, \\/ and \\\")",
            json,
            br#"{"title":"\u00fc\ud83d\ude00","content":"\"\\\/"}"#.to_vec(),
            "ü😀",
            "\"\\/",
        ),
    ]
}

/// Every refusal case that must answer `status`: the right 4xx, the JSON error body, no row.
pub(super) async fn rejected(target: &Target, status: u16) -> Outcome {
    let cases: Vec<Rejection> = rejections()
        .into_iter()
        .filter(|case| case.status == status)
        .collect();
    let mut failures = Vec::new();
    for case in &cases {
        let mut request = Request::post("/notes/", case.content_type, case.body.clone());
        if case.chunked {
            request = request.header("Transfer-Encoding", b"chunked");
        }
        let label = format!("POST /notes/ ({})", case.what);
        if let Err(failure) = post_rejected(target, &label, &request, status).await {
            failures.push(failure);
        }
    }
    all_passed(failures, cases.len())?;
    passed(format!(
        "{} bodies answered {status}, application/json, {{\"error\":string}}, row count unchanged: {}",
        cases.len(),
        cases
            .iter()
            .map(|case| case.what)
            .collect::<Vec<_>>()
            .join("; ")
    ))
}

/// Every edge input that must be accepted: 201, stored exactly, answered byte for byte.
pub(super) async fn accepted(target: &Target) -> Outcome {
    let cases = acceptances();
    let mut failures = Vec::new();
    for case in &cases {
        let mut request = Request::post("/notes/", Some(case.content_type), case.body.clone());
        if case.chunked {
            request = request.header("Transfer-Encoding", b"chunked");
        }
        let label = format!("POST /notes/ ({})", case.what);
        if let Err(failure) =
            post_accepted(target, &label, &request, &case.title, &case.content).await
        {
            failures.push(failure);
        }
    }
    all_passed(failures, cases.len())?;
    passed(format!(
        "{} bodies answered 201 with the stored row byte for byte, one row each: {}",
        cases.len(),
        cases
            .iter()
            .map(|case| case.what)
            .collect::<Vec<_>>()
            .join("; ")
    ))
}

/// Every case's failure in one reason (a broken rule rarely breaks only one case, and the lead
/// wants to see them all).
fn all_passed(failures: Vec<Failure>, cases: usize) -> Result<(), Failure> {
    let reasons: Vec<String> = failures
        .into_iter()
        .map(|failure| match failure {
            Failure::Fail(reason) | Failure::Skip(reason) => reason,
        })
        .collect();
    if reasons.is_empty() {
        return Ok(());
    }
    Err(fail(format!(
        "{} of {cases} cases failed: {}",
        reasons.len(),
        reasons.join(" || ")
    )))
}

/// `json` with spaces inserted after its first byte so that it is exactly `len` bytes long and
/// still the same JSON value.
fn padded(json: Vec<u8>, len: usize) -> Vec<u8> {
    let mut body = Vec::with_capacity(len);
    body.push(json[0]);
    body.resize(len - (json.len() - 1), b' ');
    body.extend_from_slice(&json[1..]);
    body
}

/// `depth` nested arrays: `[[...]]`.
fn nested(depth: usize) -> Vec<u8> {
    let mut body = vec![b'['; depth];
    body.extend(std::iter::repeat_n(b']', depth));
    body
}

/// A valid note with `value` as an extra field, one level deeper than `value` itself.
fn with_field(value: &[u8]) -> Vec<u8> {
    let mut body = br#"{"title":"t","content":"c","x":"#.to_vec();
    body.extend_from_slice(value);
    body.push(b'}');
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_hits_the_exact_length_and_keeps_the_value() {
        let body = padded(note_body("t", "c"), MAX_BODY);
        assert_eq!(body.len(), MAX_BODY);
        let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(value, serde_json::json!({"title": "t", "content": "c"}));
    }

    #[test]
    fn the_depth_cases_sit_on_either_side_of_128() {
        let depth = |body: &[u8]| {
            let mut deepest = 0;
            body.iter().fold(0i32, |depth, byte| match byte {
                b'[' | b'{' => {
                    deepest = deepest.max(depth + 1);
                    depth + 1
                }
                b']' | b'}' => depth - 1,
                _ => depth,
            });
            deepest
        };
        assert_eq!(depth(&with_field(&nested(MAX_DEPTH - 1))), 128);
        assert_eq!(depth(&with_field(&nested(MAX_DEPTH))), 129);
        assert_eq!(depth(&nested(MAX_DEPTH + 1)), 129);
    }

    #[test]
    fn every_status_has_cases_and_lengths_are_code_points() {
        let cases = rejections();
        for status in [415, 413, 400, 422] {
            assert!(cases.iter().any(|case| case.status == status), "{status}");
        }
        let accepted = acceptances();
        let title = accepted
            .iter()
            .find(|case| case.what.starts_with("title of 100"))
            .unwrap();
        assert_eq!(title.title.chars().count(), 100);
        assert!(title.title.encode_utf16().count() > 100);
    }
}
