//! The checks can fail: a deliberately wrong server (in-process, on 127.0.0.1 port 0) gets a
//! FAIL with a reason naming the deviation, and a right answer to the same request passes.

use std::convert::Infallible;

use bytes::Bytes;
use conformance::checks::Check;
use conformance::client::Client;
use conformance::db::Db;
use conformance::outcome::Status;
use conformance::target::Target;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;

/// Answers like a backend with typical framework-default mistakes.
async fn wrong_backend(
    request: hyper::Request<hyper::body::Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let (content_type, body, status) = match request.uri().path() {
        // Right bytes, but no charset parameter.
        "/" => ("text/plain", "Server is ready", 200),
        "/no_db_endpoint/" => ("text/plain; charset=utf-8", "No db endpoint", 200),
        "/no_db_endpoint2/" => ("text/plain; charset=utf-8", "No db endpoint2", 200),
        // Pretty-printed JSON.
        "/health" => ("application/json", r#"{"status": "ok"}"#, 200),
        // An HTML 404 page.
        _ => ("text/html", "<h1>Not Found</h1>", 404),
    };
    let mut response = hyper::Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = hyper::StatusCode::from_u16(status).unwrap();
    response
        .headers_mut()
        .insert("content-type", content_type.parse().unwrap());
    Ok(response)
}

async fn serve_wrong_backend() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(
                hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service_fn(wrong_backend)),
            );
        }
    });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread")]
async fn framework_default_mistakes_fail_with_a_reason() {
    let cluster = tokio::task::spawn_blocking(pgtemp::Cluster::start)
        .await
        .unwrap()
        .unwrap();
    let url = serve_wrong_backend().await;
    let target = Target {
        client: Client::new(&url).unwrap(),
        db: Db::connect(&cluster.url()).await.unwrap(),
        db_control: None,
    };

    let text = Check::TextEndpoints.run(&target).await;
    assert_eq!(text.status, Status::Fail, "{text}");
    assert!(
        text.detail
            .contains("GET /: expected Content-Type \"text/plain; charset=utf-8\""),
        "{text}"
    );

    let health = Check::Health.run(&target).await;
    assert_eq!(health.status, Status::Fail, "{health}");
    assert!(
        health.detail.contains("first difference at byte 10"),
        "{health}"
    );

    let not_found = Check::NotFound.run(&target).await;
    assert_eq!(not_found.status, Status::Fail, "{not_found}");
    assert!(
        not_found
            .detail
            .contains("expected Content-Type \"application/json\""),
        "{not_found}"
    );

    let loss = Check::DatabaseLoss.run(&target).await;
    assert_eq!(
        loss.status,
        Status::Skip,
        "without a way to stop the database: {loss}"
    );
}
