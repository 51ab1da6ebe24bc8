//! The cross-backend comparison: every backend gets the same database state and the same
//! requests; success bodies must be byte-for-byte identical (created ids normalised) and errors
//! must agree on status, content type, `Allow` and the `{"error": string}` shape.

use std::collections::BTreeSet;

use http::Method;

use crate::client::Request;
use crate::db::{canonical, tricky_rows};
use crate::expect;
use crate::outcome::{CheckResult, Outcome, fail};
use crate::target::Target;

pub const CHECK_NAME: &str = "cross-backend-identical";
/// Rows every backend's database holds before the requests (ids 1..=120 after a reset).
const SEED_ROWS: usize = 120;

/// How a response is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Body bytes compared exactly.
    Success,
    /// A created note: body bytes compared with the id replaced by 0.
    Created,
    /// Status, content type and `Allow` compared; the body only has to have the error shape.
    Error,
}

/// One response as seen from one backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    label: String,
    kind: Kind,
    status: u16,
    content_type: String,
    allow: Option<BTreeSet<String>>,
    /// Normalised for [`Kind::Created`].
    body: Vec<u8>,
    /// What the body must be, from the backend's own database (not for errors).
    expected: Option<Vec<u8>>,
}

fn probes() -> Vec<(Request, Kind)> {
    let note = |title: &str, content: &str| {
        canonical(&serde_json::json!({ "title": title, "content": content }))
    };
    let mut too_large = b"{".to_vec();
    too_large.resize(64 * 1024 + 1, b' ');
    vec![
        (Request::get("/"), Kind::Success),
        (Request::get("/no_db_endpoint/"), Kind::Success),
        (Request::get("/no_db_endpoint2/"), Kind::Success),
        (Request::get("/no_db_endpoint"), Kind::Success),
        (Request::get("/no_db_endpoint2"), Kind::Success),
        (Request::get("/health"), Kind::Success),
        (Request::get("/notes/"), Kind::Success),
        (Request::get("/notes"), Kind::Success),
        (
            Request::post_json("/notes/", note("Sample Note", "This is a note content.")),
            Kind::Created,
        ),
        (
            Request::post_json("/notes", note("ü😀 \"q\" </x> \u{2028}", "a\nb\t\u{1}\\")),
            Kind::Created,
        ),
        (Request::get("/notes/"), Kind::Success),
        (Request::get("/does-not-exist"), Kind::Error),
        (Request::new(Method::DELETE, "/notes/"), Kind::Error),
        (Request::new(Method::POST, "/"), Kind::Error),
        (Request::post("/notes/", None, note("t", "c")), Kind::Error),
        (Request::post_json("/notes/", too_large), Kind::Error),
        (Request::post_json("/notes/", b"{".to_vec()), Kind::Error),
        (Request::post_json("/notes/", b"[]".to_vec()), Kind::Error),
        (
            Request::post_json("/notes/", note(&"é".repeat(101), "c")),
            Kind::Error,
        ),
    ]
}

/// Resets the backend's database to the common seed and records its answers to the probes.
pub async fn observe(target: &Target) -> Result<Vec<Observation>, String> {
    let db = &target.db;
    db.reset()
        .await
        .map_err(|err| format!("resetting the database: {err}"))?;
    db.insert(&tricky_rows(SEED_ROWS))
        .await
        .map_err(|err| format!("seeding the database: {err}"))?;
    let mut observations = Vec::new();
    for (request, kind) in probes() {
        let label = request.label();
        let response = target
            .client
            .send(&request)
            .await
            .map_err(|err| err.to_string())?;
        let expected = match (kind, request.path.as_str()) {
            (Kind::Error, _) => None,
            (Kind::Created, _) => {
                let id = serde_json::from_slice::<serde_json::Value>(&response.body)
                    .ok()
                    .and_then(|value| value.get("id")?.as_i64())
                    .ok_or_else(|| format!("{label}: no id in {}", response.summary()))?;
                let row = db.note(id).await.map_err(|err| err.to_string())?;
                Some(normalise_id(&canonical(&row)))
            }
            (Kind::Success, "/notes/" | "/notes") => Some(canonical(
                &db.newest().await.map_err(|err| err.to_string())?,
            )),
            (Kind::Success, "/health") => Some(br#"{"status":"ok"}"#.to_vec()),
            (Kind::Success, "/") => Some(b"Server is ready".to_vec()),
            (Kind::Success, path) if path.starts_with("/no_db_endpoint2") => {
                Some(b"No db endpoint2".to_vec())
            }
            (Kind::Success, _) => Some(b"No db endpoint".to_vec()),
        };
        let body = match kind {
            Kind::Created => normalise_id(&response.body),
            _ => response.body.to_vec(),
        };
        observations.push(Observation {
            label,
            kind,
            status: response.status,
            content_type: response.content_type().to_string(),
            allow: response.header("allow").map(|allow| {
                allow
                    .split(',')
                    .map(|method| method.trim().to_ascii_uppercase())
                    .collect()
            }),
            body,
            expected,
        });
    }
    Ok(observations)
}

/// One verdict per backend: its answers are right on their own, and equal to the reference
/// backend's (the first one, by name, that could be observed).
pub fn compare(
    observed: &[(String, Result<Vec<Observation>, String>)],
) -> Vec<(String, CheckResult)> {
    let reference = observed.iter().find_map(|(name, result)| {
        result
            .as_ref()
            .ok()
            .map(|observations| (name, observations))
    });
    observed
        .iter()
        .map(|(name, result)| {
            let outcome = match (result, reference) {
                (Err(err), _) => Err(fail(err.clone())),
                (Ok(mine), Some((reference_name, theirs))) => {
                    judge(mine, theirs, reference_name, observed.len())
                }
                (Ok(_), None) => Err(fail("no reference backend")),
            };
            (name.clone(), CheckResult::from_outcome(CHECK_NAME, outcome))
        })
        .collect()
}

fn judge(
    mine: &[Observation],
    theirs: &[Observation],
    reference: &str,
    backends: usize,
) -> Outcome {
    for observation in mine {
        let label = &observation.label;
        match &observation.expected {
            Some(expected) if &observation.body != expected => {
                return Err(fail(format!(
                    "{label}: body {}",
                    expect::first_difference(expected, &observation.body)
                )));
            }
            Some(_) => {}
            None => expect::error_shape(label, &observation.body)?,
        }
    }
    for (mine, theirs) in mine.iter().zip(theirs) {
        let label = &mine.label;
        if mine.status != theirs.status || mine.content_type != theirs.content_type {
            return Err(fail(format!(
                "{label}: {} {:?} but {reference} answers {} {:?}",
                mine.status, mine.content_type, theirs.status, theirs.content_type
            )));
        }
        if mine.allow != theirs.allow {
            return Err(fail(format!(
                "{label}: Allow {:?} but {reference} sends {:?}",
                mine.allow, theirs.allow
            )));
        }
        if mine.kind != Kind::Error && mine.body != theirs.body {
            return Err(fail(format!(
                "{label}: body differs from {reference}'s: {}",
                expect::first_difference(&theirs.body, &mine.body)
            )));
        }
    }
    let bodies = mine
        .iter()
        .filter(|observation| observation.kind != Kind::Error)
        .count();
    let compared_with = if backends > 1 {
        format!("identical to {reference} (reference of {backends} backends)")
    } else {
        "the only backend, so compared with the canonical bytes only".to_string()
    };
    Ok(format!(
        "same {SEED_ROWS} seeded rows, {} requests: {bodies} success bodies byte for byte (created \
         ids normalised) equal to the canonical bytes and {compared_with}; errors agree on status, \
         content type, Allow and {{\"error\":string}}",
        mine.len()
    ))
}

/// `{"id":<digits>,...` → `{"id":0,...`, so notes created on different backends compare equal.
fn normalise_id(body: &[u8]) -> Vec<u8> {
    const PREFIX: &[u8] = br#"{"id":"#;
    let Some(rest) = body.strip_prefix(PREFIX) else {
        return body.to_vec();
    };
    let digits = rest.iter().take_while(|byte| byte.is_ascii_digit()).count();
    [PREFIX, b"0", &rest[digits..]].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn observation(label: &str, kind: Kind, status: u16, body: &[u8]) -> Observation {
        Observation {
            label: label.into(),
            kind,
            status,
            content_type: "application/json".into(),
            allow: None,
            body: body.to_vec(),
            expected: (kind != Kind::Error).then(|| body.to_vec()),
        }
    }

    #[test]
    fn ids_are_normalised_and_nothing_else() {
        assert_eq!(
            normalise_id(br#"{"id":4711,"title":"t"}"#),
            br#"{"id":0,"title":"t"}"#
        );
        assert_eq!(
            normalise_id(br#"{"title":"t","id":5}"#),
            br#"{"title":"t","id":5}"#
        );
    }

    #[test]
    fn differing_success_bytes_fail_naming_the_request_and_error_wording_may_differ() {
        let a = vec![
            observation("GET /notes/", Kind::Success, 200, b"[]"),
            observation(
                "POST /notes/",
                Kind::Error,
                415,
                br#"{"error":"wrong type"}"#,
            ),
        ];
        let mut b = a.clone();
        b[1].body = br#"{"error":"unsupported media type"}"#.to_vec();
        let results = compare(&[("a".into(), Ok(a.clone())), ("b".into(), Ok(b.clone()))]);
        assert!(
            results
                .iter()
                .all(|(_, result)| result.status == crate::outcome::Status::Pass)
        );

        b[0].body = b"[ ]".to_vec();
        b[0].expected = Some(b"[ ]".to_vec());
        let results = compare(&[("a".into(), Ok(a)), ("b".into(), Ok(b))]);
        let (name, verdict) = &results[1];
        assert_eq!(name, "b");
        assert_eq!(verdict.status, crate::outcome::Status::Fail);
        assert!(
            verdict
                .detail
                .starts_with("GET /notes/: body differs from a's"),
            "{}",
            verdict.detail
        );
    }

    #[test]
    fn a_status_mismatch_on_an_error_fails() {
        let a = vec![observation(
            "DELETE /notes/",
            Kind::Error,
            405,
            br#"{"error":"x"}"#,
        )];
        let b = vec![observation(
            "DELETE /notes/",
            Kind::Error,
            404,
            br#"{"error":"x"}"#,
        )];
        let results = compare(&[("a".into(), Ok(a)), ("b".into(), Ok(b))]);
        assert_eq!(results[1].1.status, crate::outcome::Status::Fail);
    }
}
