//! Routing glue: each path of the API to its shared handler, and [`Reply`] to an axum response.

use axum::Router;
use axum::body::Body as AxumBody;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use backend_common::api::{self, ALLOW_GET, ALLOW_NOTES, paths};
use backend_common::{Body, Db, MAX_BODY_BYTES, Reply};
use http_body_util::LengthLimitError;

/// The whole API; a function so tests can drive it without a socket.
pub fn app(db: Db) -> Router {
    let mut router = Router::new()
        .route(paths::ROOT, get_only(|| async { Answer(api::root()) }))
        .route(
            paths::HEALTH,
            get_only(|State(db): State<Db>| async move { Answer(api::health(&db).await) }),
        );
    for path in with_and_without_slash(paths::NOTES) {
        router = router.route(
            path,
            get(|State(db): State<Db>| async move { Answer(api::list_notes(&db).await) })
                .post(create_note)
                .fallback(|| async { Answer(api::method_not_allowed(ALLOW_NOTES)) }),
        );
    }
    for path in with_and_without_slash(paths::NO_DB) {
        router = router.route(path, get_only(|| async { Answer(api::no_db()) }));
    }
    for path in with_and_without_slash(paths::NO_DB2) {
        router = router.route(path, get_only(|| async { Answer(api::no_db2()) }));
    }
    router
        .fallback(|| async { Answer(api::not_found()) })
        .with_state(db)
}

fn get_only<H, T>(handler: H) -> MethodRouter<Db>
where
    H: axum::handler::Handler<T, Db>,
    T: 'static,
{
    get(handler).fallback(|| async { Answer(api::method_not_allowed(ALLOW_GET)) })
}

fn with_and_without_slash(path: &'static str) -> [&'static str; 2] {
    [path, path.trim_end_matches('/')]
}

async fn create_note(State(db): State<Db>, headers: HeaderMap, body: AxumBody) -> Answer {
    let content_type = headers.get(header::CONTENT_TYPE).map(HeaderValue::as_bytes);
    let read = axum::body::to_bytes(body, MAX_BODY_BYTES).await;
    let body = match &read {
        Ok(bytes) => Body::from_bytes(bytes),
        Err(err) if is_length_limit(err) => Body::TooLarge,
        Err(_) => Body::Unreadable,
    };
    Answer(api::create_note(&db, content_type, body).await)
}

fn is_length_limit(err: &axum::Error) -> bool {
    std::iter::successors(Some(err as &(dyn std::error::Error + 'static)), |err| {
        err.source()
    })
    .any(|err| err.is::<LengthLimitError>())
}

/// A shared [`Reply`] as an axum response.
struct Answer(Reply);

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        let Reply {
            status,
            content_type,
            body,
            allow,
        } = self.0;
        let mut response = Response::new(AxumBody::from(body));
        *response.status_mut() =
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        if let Some(allow) = allow {
            headers.insert(header::ALLOW, HeaderValue::from_static(allow));
        }
        response
    }
}
