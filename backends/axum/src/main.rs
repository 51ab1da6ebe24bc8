//! The notes API on axum: configuration, bind, serve, graceful shutdown.

use std::process::ExitCode;

use backend_common::{Config, boot};

mod routes;

fn main() -> ExitCode {
    let config = match boot::start("axum") {
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
    let served = axum::serve(listener, routes::app(db.clone()))
        .with_graceful_shutdown(boot::shutdown_signal())
        .await;
    db.close().await;
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => boot::fail(format_args!("server error: {err}")),
    }
}
