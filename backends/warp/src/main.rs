//! The notes API on warp: configuration, bind, serve, graceful shutdown.

use std::process::ExitCode;
use std::time::Duration;

use backend_common::{Config, boot};

mod routes;

/// How long in-flight requests may run on after SIGTERM/SIGINT. warp's graceful shutdown waits
/// for every open connection without a limit (a client that never finishes its request would
/// hold it forever); SPEC section 1 wants an exit within 10 s. Longer than a request can wait
/// for a pooled connection (`db::ACQUIRE_TIMEOUT`, 3 s), so in-flight requests are not cut off.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

fn main() -> ExitCode {
    let config = match boot::start("warp") {
        Ok(config) => config,
        Err(code) => return code,
    };
    match boot::tokio_runtime(config.workers) {
        Ok(runtime) => runtime.block_on(serve(config)),
        Err(err) => boot::fail(format_args!("cannot start the tokio runtime: {err}")),
    }
}

async fn serve(config: Config) -> ExitCode {
    let db = match boot::open_database(&config, config.pool_size).await {
        Ok(db) => db,
        Err(code) => return code,
    };
    let listener = match tokio::net::TcpListener::bind((config.host, config.port)).await {
        Ok(listener) => listener,
        Err(err) => {
            let (host, port) = (config.host, config.port);
            return boot::fail(format_args!("cannot listen on {host}:{port}: {err}"));
        }
    };
    let (stopping, stopped) = tokio::sync::oneshot::channel();
    let signal = async move {
        boot::shutdown_signal().await;
        // The receiver lives until serve returns, so the send cannot fail.
        let _ = stopping.send(());
    };
    let server = warp::serve(routes::app(db.clone()))
        .incoming(listener)
        .graceful(signal)
        .run();
    let grace_over = async {
        if stopped.await.is_ok() {
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        () = server => db.close().await,
        // Requests still running keep their pooled connections: closing the pool would wait
        // for them, so the process exits without it.
        () = grace_over => {
            tracing::warn!("requests still in flight {SHUTDOWN_GRACE:?} after the signal: exiting");
        }
    }
    ExitCode::SUCCESS
}
