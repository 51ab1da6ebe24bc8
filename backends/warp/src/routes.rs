//! Routing glue: each path of the API to its shared handler as warp filters, warp's rejections
//! recovered into the shared 404/405 replies, and [`Reply`] to a warp response.
//!
//! Every path filter comes first, so a rejection further down a route can only be its method
//! filter: that route recovers it into a 405 with its `Allow`. What still rejects at the top
//! matched no path and becomes the shared 404, so no warp text error page ever reaches a client.

use std::convert::Infallible;
use std::future::poll_fn;
use std::pin::{Pin, pin};

use backend_common::api::{self, ALLOW_GET, ALLOW_NOTES, paths};
use backend_common::{Body, Db, MAX_BODY_BYTES, Reply};
use bytes::{Buf, Bytes, BytesMut};
use warp::filters::path::FullPath;
use warp::http::{HeaderValue, StatusCode, header};
use warp::{Filter, Rejection, Stream};

/// The whole API as one filter for `warp::serve`; it never rejects.
pub fn app(
    db: Db,
) -> impl Filter<Extract = (impl warp::Reply,), Error = Infallible> + Clone + Send + Sync + 'static
{
    let db = warp::any().map(move || db.clone());
    let list_notes = get_or_head()
        .and(db.clone())
        .then(|db: Db| async move { Answer(api::list_notes(&db).await) });
    let create_note = warp::post()
        .and(db.clone())
        .and(content_type())
        .and(warp::body::stream())
        .then(create_note);
    let notes = segment(paths::NOTES).and(
        list_notes
            .or(create_note)
            .unify()
            .recover(|_: Rejection| async { answer(api::method_not_allowed(ALLOW_NOTES)) })
            .unify(),
    );
    let health = exact(paths::HEALTH).and(get_only(
        db.then(|db: Db| async move { Answer(api::health(&db).await) }),
    ));
    // The measured endpoints first: routes are tried in this order.
    segment(paths::NO_DB)
        .and(get_only(warp::any().map(|| Answer(api::no_db()))))
        .or(notes)
        .unify()
        .or(segment(paths::NO_DB2).and(get_only(warp::any().map(|| Answer(api::no_db2())))))
        .unify()
        .or(root().and(get_only(warp::any().map(|| Answer(api::root())))))
        .unify()
        .or(health)
        .unify()
        .recover(|_: Rejection| async { answer(api::not_found()) })
        .unify()
}

/// [`paths::ROOT`]. A request target without a path (`CONNECT host:port`, `GET host:port`) also
/// ends here: warp cannot tell it from `/` without the panic described at [`exact`].
fn root() -> impl Filter<Extract = (), Error = Rejection> + Copy {
    warp::path::end()
}

/// GET and HEAD, like axum's `get` (hyper leaves the body out of a HEAD response).
fn get_or_head() -> impl Filter<Extract = (), Error = Rejection> + Copy {
    warp::get().or(warp::head()).unify()
}

/// `handler` for GET (and HEAD); any other method is a 405 allowing GET.
fn get_only(
    handler: impl Filter<Extract = (Answer,), Error = Infallible> + Clone + Send,
) -> impl Filter<Extract = (Answer,), Error = Infallible> + Clone + Send {
    get_or_head()
        .and(handler)
        .recover(|_: Rejection| async { answer(api::method_not_allowed(ALLOW_GET)) })
        .unify()
}

/// A one-segment path of [`paths`], with or without its trailing slash (no redirect): warp
/// matches whole segments and takes one trailing slash as the end of the path.
fn segment(path: &'static str) -> impl Filter<Extract = (), Error = Rejection> + Copy {
    warp::path(path.trim_matches('/')).and(warp::path::end())
}

/// A one-segment path of [`paths`] without a trailing slash, matched exactly: [`segment`] would
/// also take `path/`. The full path is compared only once the segment matched, because
/// `warp::path::full` panics on a request target without a path (`CONNECT host:port`,
/// seanmonstar/warp#1166, still in 0.4.3).
fn exact(path: &'static str) -> impl Filter<Extract = (), Error = Rejection> + Copy {
    segment(path)
        .and(warp::path::full())
        .and_then(move |full: FullPath| async move {
            if full.as_str() == path {
                Ok(())
            } else {
                Err(warp::reject::not_found())
            }
        })
        .untuple_one()
}

/// The raw `Content-Type` header, if any: common judges it, warp's parsing would reject
/// non-ASCII values with its own error.
fn content_type() -> impl Filter<Extract = (Option<HeaderValue>,), Error = Infallible> + Copy {
    warp::header::value("content-type")
        .map(Some)
        .or(warp::any().map(|| None))
        .unify()
}

async fn create_note<B: Buf>(
    db: Db,
    content_type: Option<HeaderValue>,
    body: impl Stream<Item = Result<B, warp::Error>>,
) -> Answer {
    let read = read_body(body).await;
    let body = match &read {
        Ok(bytes) => Body::from_bytes(bytes),
        Err(_) => Body::Unreadable,
    };
    let content_type = content_type.as_ref().map(HeaderValue::as_bytes);
    Answer(api::create_note(&db, content_type, body).await)
}

/// Reads the body until its end or one byte past the limit, so "exactly at the limit" and "over
/// it" differ and an endless chunked body is not buffered. A body that arrives in one chunk (the
/// usual case) is not copied.
async fn read_body<B: Buf>(
    body: impl Stream<Item = Result<B, warp::Error>>,
) -> Result<Bytes, warp::Error> {
    let mut body = pin!(body);
    let first = match next_chunk(body.as_mut()).await? {
        None => return Ok(Bytes::new()),
        Some(first) if first.len() > MAX_BODY_BYTES => return Ok(first),
        Some(first) => first,
    };
    let Some(second) = next_chunk(body.as_mut()).await? else {
        return Ok(first);
    };
    let mut joined = BytesMut::with_capacity(first.len() + second.len());
    joined.extend_from_slice(&first);
    joined.extend_from_slice(&second);
    while joined.len() <= MAX_BODY_BYTES {
        match next_chunk(body.as_mut()).await? {
            Some(chunk) => joined.extend_from_slice(&chunk),
            None => break,
        }
    }
    Ok(joined.freeze())
}

async fn next_chunk<B: Buf>(
    mut body: Pin<&mut impl Stream<Item = Result<B, warp::Error>>>,
) -> Result<Option<Bytes>, warp::Error> {
    match poll_fn(|cx| body.as_mut().poll_next(cx)).await {
        Some(Ok(mut chunk)) => Ok(Some(chunk.copy_to_bytes(chunk.remaining()))),
        Some(Err(err)) => Err(err),
        None => Ok(None),
    }
}

/// A recovered rejection's answer; recovery cannot fail.
fn answer(reply: Reply) -> Result<Answer, Infallible> {
    Ok(Answer(reply))
}

/// A shared [`Reply`] as a warp response.
struct Answer(Reply);

impl warp::Reply for Answer {
    fn into_response(self) -> warp::reply::Response {
        let Reply {
            status,
            content_type,
            body,
            allow,
        } = self.0;
        let mut response = warp::reply::Response::new(body.into());
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

#[cfg(test)]
mod tests {
    //! The glue over real HTTP on 127.0.0.1: routing, warp's rejections and the raw body read.
    //! The database is a lazy pool that is never reached: every request here is answered before
    //! any query (the conformance suite covers the database paths against PostgreSQL).

    use std::net::SocketAddr;
    use std::time::Duration;

    use backend_common::Config;
    use backend_common::input::parse_new_note;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    use super::*;

    const JSON: &str = "application/json";

    struct Response {
        status: u16,
        head: String,
        body: Vec<u8>,
    }

    impl Response {
        fn header(&self, name: &str) -> Option<&str> {
            self.head.lines().find_map(|line| {
                let (key, value) = line.split_once(':')?;
                key.eq_ignore_ascii_case(name).then(|| value.trim())
            })
        }

        fn assert_reply(&self, expected: &Reply, what: &str) {
            assert_eq!(self.status, expected.status, "{what}: {}", self.head);
            assert_eq!(
                self.header("content-type"),
                Some(expected.content_type),
                "{what}"
            );
            assert_eq!(self.header("allow"), expected.allow, "{what}");
            assert_eq!(self.body, expected.body, "{what}");
        }
    }

    async fn server() -> SocketAddr {
        let unreachable = "postgres://nobody@127.0.0.1:1/none".to_owned();
        let config =
            Config::from_lookup(|name| (name == "DATABASE_URL").then(|| unreachable.clone()))
                .expect("a valid configuration");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local address");
        tokio::spawn(
            warp::serve(app(Db::lazy(config.database, 1)))
                .incoming(listener)
                .run(),
        );
        addr
    }

    /// Sends `request` as is (it must ask for `Connection: close`) and reads the whole answer.
    async fn exchange(addr: SocketAddr, request: &[u8]) -> Response {
        let exchange = async {
            let mut stream = TcpStream::connect(addr).await.expect("connect");
            stream.write_all(request).await.expect("send");
            let mut answer = Vec::new();
            stream.read_to_end(&mut answer).await.expect("receive");
            answer
        };
        let answer = tokio::time::timeout(Duration::from_secs(5), exchange)
            .await
            .expect("an answer within 5 s");
        let split = answer
            .windows(4)
            .position(|window| window == b"\r\n\r\n")
            .unwrap_or_else(|| panic!("no response head in {answer:?}"));
        let head = String::from_utf8(answer[..split].to_vec()).expect("ASCII head");
        let status = head[9..12].parse().expect("status code");
        Response {
            status,
            head,
            body: answer[split + 4..].to_vec(),
        }
    }

    async fn call(addr: SocketAddr, method: &str, target: &str) -> Response {
        let request = format!("{method} {target} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        exchange(addr, request.as_bytes()).await
    }

    fn post(content_type: Option<&[u8]>, body: &[u8]) -> Vec<u8> {
        let mut request = b"POST /notes/ HTTP/1.1\r\nHost: t\r\nConnection: close\r\n".to_vec();
        if let Some(content_type) = content_type {
            request.extend_from_slice(b"Content-Type: ");
            request.extend_from_slice(content_type);
            request.extend_from_slice(b"\r\n");
        }
        request.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
        request.extend_from_slice(body);
        request
    }

    fn post_chunked(content_type: &str, chunks: &[&[u8]]) -> Vec<u8> {
        let mut request = format!(
            "POST /notes HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\
             Content-Type: {content_type}\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        .into_bytes();
        for chunk in chunks {
            request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
            request.extend_from_slice(chunk);
            request.extend_from_slice(b"\r\n");
        }
        request.extend_from_slice(b"0\r\n\r\n");
        request
    }

    fn rejected(content_type: Option<&[u8]>, body: Body<'_>) -> Reply {
        parse_new_note(content_type, body)
            .expect_err("a body common rejects")
            .into()
    }

    #[tokio::test]
    async fn paths_answer_with_and_without_their_trailing_slash() {
        let addr = server().await;
        for (target, reply) in [
            ("/", api::root()),
            ("/no_db_endpoint/", api::no_db()),
            ("/no_db_endpoint", api::no_db()),
            ("/no_db_endpoint2/", api::no_db2()),
            ("/no_db_endpoint2?x=1", api::no_db2()),
        ] {
            call(addr, "GET", target).await.assert_reply(&reply, target);
        }
    }

    #[tokio::test]
    async fn unknown_and_odd_paths_are_the_shared_404() {
        let addr = server().await;
        for target in [
            "/health/",
            "/no_db_endpoint//",
            "//no_db_endpoint",
            "/no_db_endpoint/x",
            "/no%5Fdb_endpoint",
            "/notes/x",
            "/nope",
            "*",
        ] {
            for method in ["GET", "DELETE"] {
                let what = format!("{method} {target}");
                call(addr, method, target)
                    .await
                    .assert_reply(&api::not_found(), &what);
            }
        }
    }

    #[tokio::test]
    async fn other_methods_are_405_allowing_what_the_path_serves() {
        let addr = server().await;
        for (method, target, allow) in [
            ("DELETE", "/notes/", ALLOW_NOTES),
            ("PUT", "/notes", ALLOW_NOTES),
            ("BREW", "/notes/", ALLOW_NOTES),
            ("POST", "/", ALLOW_GET),
            ("PATCH", "/health", ALLOW_GET),
            ("POST", "/no_db_endpoint", ALLOW_GET),
            ("OPTIONS", "/no_db_endpoint2/", ALLOW_GET),
        ] {
            let what = format!("{method} {target}");
            let reply = api::method_not_allowed(allow);
            call(addr, method, target).await.assert_reply(&reply, &what);
        }
    }

    #[tokio::test]
    async fn head_is_answered_like_get_without_the_body() {
        let addr = server().await;
        let response = call(addr, "HEAD", "/no_db_endpoint/").await;
        assert_eq!(response.status, 200);
        assert_eq!(response.header("content-length"), Some("14"));
        assert!(response.body.is_empty());
    }

    #[tokio::test]
    async fn a_request_target_without_a_path_is_answered_not_dropped() {
        // warp::path::full panics on these (seanmonstar/warp#1166); root() takes them as `/`.
        let addr = server().await;
        let connect = call(addr, "CONNECT", "example.com:80").await;
        connect.assert_reply(&api::method_not_allowed(ALLOW_GET), "CONNECT");
        let get = call(addr, "GET", "example.com:80").await;
        get.assert_reply(&api::root(), "GET host:port");
    }

    #[tokio::test]
    async fn post_bodies_are_judged_by_common_in_its_order() {
        let addr = server().await;
        let json = Some(JSON.as_bytes());
        let over_limit = vec![b'x'; MAX_BODY_BYTES + 1];
        let cases: [(&str, Vec<u8>, Reply); 6] = [
            (
                "no content type",
                post(None, b"{}"),
                rejected(None, Body::Complete(b"{}")),
            ),
            (
                "non-ASCII content type",
                post(Some(b"text/plain; q=\xe9"), &over_limit),
                rejected(Some(b"text/plain"), Body::TooLarge),
            ),
            (
                "over the limit",
                post(json, &over_limit),
                rejected(json, Body::TooLarge),
            ),
            (
                "chunked over the limit",
                post_chunked(JSON, &[&[b' '; 1000][..]; 70]),
                rejected(json, Body::TooLarge),
            ),
            (
                "not JSON, in chunks",
                post_chunked(JSON, &[b"{\"title\"", b":", b"}"]),
                rejected(json, Body::Complete(b"{\"title\":}")),
            ),
            (
                "wrong shape, in chunks",
                post_chunked(JSON, &[b"{\"title\":\"\",", b"\"content\":\"c\"}"]),
                rejected(json, Body::Complete(br#"{"title":"","content":"c"}"#)),
            ),
        ];
        for (what, request, reply) in cases {
            exchange(addr, &request).await.assert_reply(&reply, what);
        }
    }

    #[tokio::test]
    async fn a_broken_chunked_body_is_unreadable() {
        let addr = server().await;
        let request = b"POST /notes/ HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\
            Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n\
            zz\r\n{}\r\n0\r\n\r\n";
        let reply = rejected(Some(JSON.as_bytes()), Body::Unreadable);
        exchange(addr, request)
            .await
            .assert_reply(&reply, "broken chunk size");
    }
}
