//! Routing glue: each path of the API to its shared handler, and [`Reply`] to an actix response.
//!
//! Every answer comes from `backend_common`: unknown paths go to the app's default service (404),
//! other methods on a known path to the resource's default service (405 with `Allow`), and the
//! POST body is read raw here, so no actix extractor, body limit or error page answers first.

use std::future::poll_fn;
use std::pin::Pin;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::guard::{self, GuardContext};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::web::{self, ThinData};
use actix_web::{App, HttpRequest, HttpResponse, Resource, Responder, Route};
use backend_common::api::{self, ALLOW_GET, ALLOW_NOTES, paths};
use backend_common::{Body, Db, MAX_BODY_BYTES, Reply};
use bytes::{Bytes, BytesMut};
use futures_core::Stream;

/// The whole API for one worker, over that worker's pool.
pub fn app(
    db: Db,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let mut app = App::new()
        .app_data(ThinData(db))
        .service(resource(paths::ROOT, ALLOW_GET).route(get().to(|| async { Answer(api::root()) })))
        .service(resource(paths::HEALTH, ALLOW_GET).route(
            get().to(|ThinData(db): ThinData<Db>| async move { Answer(api::health(&db).await) }),
        ));
    for path in with_and_without_slash(paths::NOTES) {
        app = app.service(
            resource(path, ALLOW_NOTES)
                .route(get().to(|ThinData(db): ThinData<Db>| async move {
                    Answer(api::list_notes(&db).await)
                }))
                .route(post().to(create_note)),
        );
    }
    for path in with_and_without_slash(paths::NO_DB) {
        app = app
            .service(resource(path, ALLOW_GET).route(get().to(|| async { Answer(api::no_db()) })));
    }
    for path in with_and_without_slash(paths::NO_DB2) {
        app = app
            .service(resource(path, ALLOW_GET).route(get().to(|| async { Answer(api::no_db2()) })));
    }
    app.default_service(web::to(|| async { Answer(api::not_found()) }))
}

/// One resource per path: actix matches a single static pattern by comparing strings, but a
/// resource with several patterns through a regex set.
fn with_and_without_slash(path: &'static str) -> [&'static str; 2] {
    [path, path.trim_end_matches('/')]
}

/// The resource at `path`; 405 with `allow` for methods it has no route for.
///
/// actix matches the path after decoding escapes of unreserved characters (`/no%5Fdb_endpoint/`
/// would be `/no_db_endpoint/`); the guard keeps to the raw path, as the reference backend does,
/// so such a path is a 404 everywhere.
fn resource(path: &'static str, allow: &'static str) -> Resource {
    web::resource(path)
        .guard(guard::fn_guard(move |ctx: &GuardContext<'_>| {
            ctx.head().uri.path() == path
        }))
        .default_service(web::to(move || async move {
            Answer(api::method_not_allowed(allow))
        }))
}

/// GET (and HEAD, whose body actix drops). actix's own method guards record every method
/// they test in the request's extensions, an allocation per request; this one only compares.
fn get() -> Route {
    web::route().guard(guard::fn_guard(|ctx: &GuardContext<'_>| {
        let method = &ctx.head().method;
        method == Method::GET || method == Method::HEAD
    }))
}

fn post() -> Route {
    web::route().guard(guard::fn_guard(|ctx: &GuardContext<'_>| {
        ctx.head().method == Method::POST
    }))
}

async fn create_note(
    request: HttpRequest,
    ThinData(db): ThinData<Db>,
    payload: web::Payload,
) -> Answer {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .map(HeaderValue::as_bytes);
    let read = read_body(payload).await;
    let body = match &read {
        Ok(bytes) => Body::from_bytes(bytes),
        Err(_) => Body::Unreadable,
    };
    Answer(api::create_note(&db, content_type, body).await)
}

/// Reads the body up to one byte past [`MAX_BODY_BYTES`] (so "at the limit" and "over it"
/// differ) and stops there, whatever the transfer encoding. A body that arrives in one chunk,
/// the usual case, is passed on without a copy.
async fn read_body(mut payload: web::Payload) -> Result<Bytes, PayloadError> {
    let Some(first) = next_chunk(&mut payload).await? else {
        return Ok(Bytes::new());
    };
    if first.len() > MAX_BODY_BYTES {
        return Ok(first);
    }
    let Some(second) = next_chunk(&mut payload).await? else {
        return Ok(first);
    };
    let mut body = BytesMut::with_capacity(first.len() + second.len());
    body.extend_from_slice(&first);
    body.extend_from_slice(&second);
    while body.len() <= MAX_BODY_BYTES {
        match next_chunk(&mut payload).await? {
            Some(chunk) => body.extend_from_slice(&chunk),
            None => break,
        }
    }
    Ok(body.freeze())
}

async fn next_chunk(payload: &mut web::Payload) -> Result<Option<Bytes>, PayloadError> {
    poll_fn(|cx| Pin::new(&mut *payload).poll_next(cx))
        .await
        .transpose()
}

/// A shared [`Reply`] as an actix response.
struct Answer(Reply);

impl Responder for Answer {
    type Body = Bytes;

    fn respond_to(self, _: &HttpRequest) -> HttpResponse<Bytes> {
        let Reply {
            status,
            content_type,
            body,
            allow,
        } = self.0;
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = HttpResponse::with_body(status, body);
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        if let Some(allow) = allow {
            headers.insert(header::ALLOW, HeaderValue::from_static(allow));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    //! The routing glue without a database: the pool points at a port nobody listens on, and
    //! none of these requests may reach it.

    use std::collections::VecDeque;
    use std::task::{Context, Poll};

    use actix_web::dev::{Payload, Service};
    use actix_web::test::{self, TestRequest};
    use backend_common::Config;

    use super::*;

    fn unreachable_db() -> Db {
        let config = Config::from_lookup(|name| {
            (name == "DATABASE_URL").then(|| "postgres://nobody@127.0.0.1:1/none".to_owned())
        })
        .unwrap();
        Db::lazy(config.database, 1)
    }

    /// Status, content type, `Allow` and body of the answer to `request`, whose body is
    /// `payload` when given.
    async fn answer(
        request: TestRequest,
        payload: Option<Payload>,
    ) -> (u16, Option<String>, Option<String>, Bytes) {
        let app = test::init_service(app(unreachable_db())).await;
        let mut request = request.to_request();
        if let Some(payload) = payload {
            *request.payload() = payload;
        }
        let response = app.call(request).await.unwrap();
        let header = |name| {
            response
                .headers()
                .get(name)
                .map(|value: &HeaderValue| value.to_str().unwrap().to_owned())
        };
        let (status, content_type, allow) = (
            response.status().as_u16(),
            header(header::CONTENT_TYPE),
            header(header::ALLOW),
        );
        (status, content_type, allow, test::read_body(response).await)
    }

    async fn status_and_body(request: TestRequest) -> (u16, Bytes) {
        let (status, _, _, body) = answer(request, None).await;
        (status, body)
    }

    #[actix_web::test]
    async fn text_endpoints_answer_with_and_without_the_trailing_slash() {
        for (path, body) in [
            ("/", "Server is ready"),
            ("/no_db_endpoint/", "No db endpoint"),
            ("/no_db_endpoint", "No db endpoint"),
            ("/no_db_endpoint2/", "No db endpoint2"),
            ("/no_db_endpoint2", "No db endpoint2"),
            ("/no_db_endpoint2/?x=1", "No db endpoint2"),
        ] {
            let (status, content_type, allow, got) =
                answer(TestRequest::get().uri(path), None).await;
            assert_eq!(status, 200, "{path}");
            assert_eq!(content_type.as_deref(), Some("text/plain; charset=utf-8"));
            assert_eq!((allow, &got[..]), (None, body.as_bytes()), "{path}");
        }
    }

    #[actix_web::test]
    async fn head_is_answered_like_get() {
        let (status, content_type, _, _) = answer(
            TestRequest::default()
                .method(Method::HEAD)
                .uri("/no_db_endpoint"),
            None,
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(content_type.as_deref(), Some("text/plain; charset=utf-8"));
    }

    #[actix_web::test]
    async fn unknown_paths_are_json_404s() {
        for path in [
            "/nope",
            "/notes//",
            "//notes/",
            "/notes/1",
            "/health/",
            "/NOTES/",
            "/no_db_endpoint/extra",
            "/no%5Fdb_endpoint/",
            "/%6Eotes",
            "/%zz",
        ] {
            for method in [Method::GET, Method::POST, Method::DELETE] {
                let request = TestRequest::default().method(method.clone()).uri(path);
                let (status, content_type, allow, body) = answer(request, None).await;
                assert_eq!(status, 404, "{method} {path}");
                assert_eq!(content_type.as_deref(), Some("application/json"));
                assert_eq!((allow, &body[..]), (None, &br#"{"error":"not found"}"#[..]));
            }
        }
    }

    #[actix_web::test]
    async fn other_methods_are_json_405s_with_allow() {
        for (method, path, allow) in [
            (Method::POST, "/", "GET"),
            (Method::POST, "/health", "GET"),
            (Method::PUT, "/notes/", "GET, POST"),
            (Method::DELETE, "/notes", "GET, POST"),
            (Method::OPTIONS, "/notes/", "GET, POST"),
            (Method::PATCH, "/no_db_endpoint", "GET"),
            (Method::POST, "/no_db_endpoint2/", "GET"),
        ] {
            let request = TestRequest::default().method(method.clone()).uri(path);
            let (status, content_type, got_allow, body) = answer(request, None).await;
            assert_eq!(status, 405, "{method} {path}");
            assert_eq!(content_type.as_deref(), Some("application/json"));
            assert_eq!(got_allow.as_deref(), Some(allow), "{method} {path}");
            assert_eq!(&body[..], br#"{"error":"method not allowed"}"#);
        }
    }

    fn post(content_type: Option<&str>) -> TestRequest {
        let request = TestRequest::post().uri("/notes/");
        match content_type {
            Some(value) => request.insert_header((header::CONTENT_TYPE, value)),
            None => request,
        }
    }

    #[actix_web::test]
    async fn bad_posts_are_rejected_in_order_before_the_database() {
        let huge = vec![b'x'; MAX_BODY_BYTES + 1];
        let cases = [
            (None, &br#"{"title":"t","content":"c"}"#[..], 415),
            (Some("text/plain"), &huge[..], 415),
            (Some("application/json"), &huge[..], 413),
            (Some("Application/JSON; charset=utf-8"), b"{not json", 400),
            (Some("application/json"), b"", 400),
            (Some("application/json"), b"[]", 422),
        ];
        for (content_type, body, expected) in cases {
            let (status, _) = status_and_body(post(content_type).set_payload(body.to_vec())).await;
            assert_eq!(status, expected, "{content_type:?}");
        }
    }

    /// A request body that arrives in the given pieces.
    struct Chunks(VecDeque<Result<Bytes, PayloadError>>);

    impl Stream for Chunks {
        type Item = Result<Bytes, PayloadError>;

        fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            Poll::Ready(self.0.pop_front())
        }
    }

    async fn post_chunks(chunks: Vec<Result<Bytes, PayloadError>>) -> (u16, Bytes) {
        let stream: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> =
            Box::pin(Chunks(chunks.into()));
        let payload = Payload::Stream { payload: stream };
        let (status, _, _, body) = answer(post(Some("application/json")), Some(payload)).await;
        (status, body)
    }

    fn pieces(len: usize, piece: usize) -> Vec<Result<Bytes, PayloadError>> {
        let body = Bytes::from(vec![b' '; len]);
        (0..len)
            .step_by(piece)
            .map(|start| Ok(body.slice(start..len.min(start + piece))))
            .collect()
    }

    #[actix_web::test]
    async fn a_body_in_pieces_is_413_exactly_past_the_limit() {
        // Whitespace only: JSON-wise empty, so 400 at the limit and 413 one byte past it.
        for piece in [1000, 4096, MAX_BODY_BYTES] {
            assert_eq!(post_chunks(pieces(MAX_BODY_BYTES, piece)).await.0, 400);
            assert_eq!(post_chunks(pieces(MAX_BODY_BYTES + 1, piece)).await.0, 413);
            assert_eq!(post_chunks(pieces(10 * MAX_BODY_BYTES, piece)).await.0, 413);
        }
    }

    #[actix_web::test]
    async fn a_broken_body_is_a_json_400_not_an_actix_error() {
        let chunks = vec![
            Ok(Bytes::from_static(b"{\"title\":")),
            Err(PayloadError::Incomplete(None)),
        ];
        let (status, body) = post_chunks(chunks).await;
        assert_eq!(status, 400);
        assert_eq!(&body[..], br#"{"error":"request body could not be read"}"#);
    }
}
