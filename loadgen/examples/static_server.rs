//! A minimal HTTP/1.1 server for measuring load generators (`scripts/bench_loadgen.sh`) and for
//! trying loadgen by hand: the notes API's static endpoints, a 50 ms endpoint, and stand-ins for
//! `/notes/`, on one thread so it can be pinned to one core.
//!
//! `cargo run --release -p loadgen --example static_server -- 127.0.0.1:8080` prints
//! `listening on ADDR` once it accepts connections.

use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpSocket;

async fn handle(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let text = |status: StatusCode, body: &'static str| {
        let mut response = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
        *response.status_mut() = status;
        response
    };
    let response = match (request.method(), request.uri().path()) {
        (&Method::GET, "/") => text(StatusCode::OK, "Server is ready"),
        (&Method::GET, "/no_db_endpoint/") => text(StatusCode::OK, "No db endpoint"),
        (&Method::GET, "/no_db_endpoint2/") => text(StatusCode::OK, "No db endpoint2"),
        (&Method::GET, "/sleep50") => {
            tokio::time::sleep(Duration::from_millis(50)).await;
            text(StatusCode::OK, "ok")
        }
        (&Method::GET, "/notes/") => text(StatusCode::OK, "[]"),
        (&Method::POST, "/notes/") => text(
            StatusCode::CREATED,
            r#"{"id":1,"title":"Sample Note","content":"This is a note content."}"#,
        ),
        _ => text(StatusCode::NOT_FOUND, r#"{"error":"not found"}"#),
    };
    Ok(response)
}

fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let addr: std::net::SocketAddr = addr.parse().map_err(std::io::Error::other)?;
        let socket = TcpSocket::new_v4()?;
        socket.set_reuseaddr(true)?;
        socket.bind(addr)?;
        // A deep accept queue: a spawn batch connects all at once, and a dropped SYN would
        // cost the client a 1 s retransmission that no load generator is to blame for.
        let listener = socket.listen(4096)?;
        println!("listening on {}", listener.local_addr()?);
        loop {
            let (stream, _) = listener.accept().await?;
            stream.set_nodelay(true)?;
            tokio::spawn(async move {
                // A client that hangs up mid-request is normal under load; nothing to report.
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service_fn(handle))
                    .await;
            });
        }
    })
}
