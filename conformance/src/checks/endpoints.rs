//! The fixed endpoints, routing errors (404, 405 with `Allow`) and the trailing-slash variants.

use http::Method;

use super::{note_body, passed, post_accepted};
use crate::client::Request;
use crate::db::canonical;
use crate::expect::{self, JSON, TEXT};
use crate::outcome::{Outcome, fail};
use crate::target::Target;

const TEXT_ENDPOINTS: [(&str, &str); 3] = [
    ("/", "Server is ready"),
    ("/no_db_endpoint/", "No db endpoint"),
    ("/no_db_endpoint2/", "No db endpoint2"),
];

/// `GET /`, `/no_db_endpoint/`, `/no_db_endpoint2/`: 200, `text/plain; charset=utf-8`, exact text.
pub(super) async fn text_endpoints(target: &Target) -> Outcome {
    for (path, text) in TEXT_ENDPOINTS {
        let request = Request::get(path);
        let response = target.client.send(&request).await?;
        expect::exact(&request.label(), &response, 200, TEXT, text.as_bytes())?;
    }
    passed(format!(
        "GET / /no_db_endpoint/ /no_db_endpoint2/: status 200, Content-Type {TEXT:?}, exact body bytes"
    ))
}

/// `GET /health`: 200 `{"status":"ok"}` while the database is up.
pub(super) async fn health(target: &Target) -> Outcome {
    let request = Request::get("/health");
    let response = target.client.send(&request).await?;
    expect::exact(
        &request.label(),
        &response,
        200,
        JSON,
        br#"{"status":"ok"}"#,
    )?;
    passed("GET /health: status 200, application/json, body {\"status\":\"ok\"} byte for byte")
}

/// `/notes`, `/no_db_endpoint`, `/no_db_endpoint2` answer like their slashed forms, no redirect.
pub(super) async fn trailing_slash(target: &Target) -> Outcome {
    for (path, text) in &TEXT_ENDPOINTS[1..] {
        let request = Request::get(path.trim_end_matches('/'));
        let response = target.client.send(&request).await?;
        expect::exact(&request.label(), &response, 200, TEXT, text.as_bytes())?;
    }
    let request = Request::get("/notes");
    let response = target.client.send(&request).await?;
    let expected = canonical(&target.db.newest().await?);
    expect::exact(&request.label(), &response, 200, JSON, &expected)?;

    let title = "posted without the trailing slash";
    let post = Request::post_json("/notes", note_body(title, "c"));
    post_accepted(target, &post.label(), &post, title, "c").await?;
    passed(
        "GET /no_db_endpoint /no_db_endpoint2 /notes and POST /notes (no slash): same status, \
         content type and bytes as the slashed paths, no redirect, POST inserted one row",
    )
}

/// Unknown paths: 404 with the JSON error body, whatever the method.
pub(super) async fn not_found(target: &Target) -> Outcome {
    let requests = [
        Request::get("/does-not-exist"),
        Request::get("/notes/1"),
        Request::get("/no_db_endpoint3/"),
        Request::post_json("/does-not-exist", note_body("t", "c")),
    ];
    for request in &requests {
        let response = target.client.send(request).await?;
        expect::error(&request.label(), &response, 404)?;
    }
    passed(format!(
        "{}: 404, application/json, {{\"error\":string}}",
        labels(&requests)
    ))
}

/// Known paths with a wrong method: 405, the JSON error body, and an `Allow` header listing the
/// methods the path serves (and not the one refused).
pub(super) async fn method_not_allowed(target: &Target) -> Outcome {
    let cases = [
        (Method::DELETE, "/notes/", &["GET", "POST"][..]),
        (Method::PUT, "/notes", &["GET", "POST"]),
        (Method::PATCH, "/notes/", &["GET", "POST"]),
        (Method::POST, "/", &["GET"]),
        (Method::POST, "/health", &["GET"]),
        (Method::DELETE, "/no_db_endpoint/", &["GET"]),
        (Method::POST, "/no_db_endpoint2/", &["GET"]),
    ];
    let mut requests = Vec::new();
    for (method, path, allowed) in cases {
        let mut request = Request::new(method.clone(), path);
        if method != Method::DELETE {
            request = Request::post_json(path, note_body("t", "c"));
            request.method = method.clone();
        }
        let label = request.label();
        let before = target.db.count().await?;
        let response = target.client.send(&request).await?;
        expect::error(&label, &response, 405)?;
        let allow = response
            .header("allow")
            .ok_or_else(|| fail(format!("{label}: 405 without an Allow header")))?;
        let listed: Vec<String> = allow
            .split(',')
            .map(|method| method.trim().to_ascii_uppercase())
            .collect();
        let missing: Vec<&&str> = allowed
            .iter()
            .filter(|method| !listed.iter().any(|listed| listed == **method))
            .collect();
        if !missing.is_empty() || listed.iter().any(|listed| listed == method.as_str()) {
            return Err(fail(format!(
                "{label}: Allow {allow:?} should list {allowed:?} and not {method}"
            )));
        }
        if target.db.count().await? != before {
            return Err(fail(format!("{label}: answered 405 but wrote a row")));
        }
        requests.push(request);
    }
    passed(format!(
        "{}: 405, application/json, {{\"error\":string}}, Allow lists the served methods, no row written",
        labels(&requests)
    ))
}

fn labels(requests: &[Request]) -> String {
    requests
        .iter()
        .map(Request::label)
        .collect::<Vec<_>>()
        .join(", ")
}
