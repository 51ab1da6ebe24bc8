//! The notes API on actix-web: configuration, schema, one pool per worker, bind, serve,
//! graceful shutdown.

use std::process::ExitCode;

use actix_web::HttpServer;
use backend_common::{Config, boot};

mod pools;
mod routes;

/// actix-server refuses (panics on) more workers than this.
const MAX_WORKERS: usize = 512;

fn main() -> ExitCode {
    let config = match boot::start("actix-web") {
        Ok(config) => config,
        Err(code) => return code,
    };
    if config.workers > MAX_WORKERS {
        eprintln!(
            "actix-web backend: WORKERS={} is malformed: expected a whole number from 1 to {MAX_WORKERS}",
            config.workers
        );
        return ExitCode::from(boot::EXIT_CONFIG);
    }
    actix_web::rt::System::new().block_on(serve(config))
}

async fn serve(config: Config) -> ExitCode {
    // The schema, once, before any worker starts; this pool is closed again at once because
    // the workers open their own, each on its own runtime.
    match boot::open_database(&config, 1).await {
        Ok(db) => db.close().await,
        Err(code) => return code,
    }
    let pools = pools::WorkerPools::new(&config);
    tracing::info!(sizes = ?pools.sizes(), "database pools, one per worker");
    if config.workers > pools.sizes().len() {
        tracing::warn!(
            "DB_POOL_SIZE < WORKERS: workers share single-connection pools across runtimes"
        );
    }
    // actix's own signal handling makes SIGINT a forced stop; with `shutdown_signal` both
    // SIGTERM and SIGINT start the graceful one, which actix bounds by `shutdown_timeout`.
    let server = HttpServer::new(move || routes::app(pools.next()))
        .workers(config.workers)
        .shutdown_timeout(boot::SHUTDOWN_GRACE.as_secs())
        .shutdown_signal(boot::shutdown_signal())
        .bind((config.host, config.port));
    let server = match server {
        Ok(server) => server,
        Err(err) => {
            let (host, port) = (config.host, config.port);
            return boot::fail(format_args!("cannot listen on {host}:{port}: {err}"));
        }
    };
    match server.run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => boot::fail(format_args!("server error: {err}")),
    }
}
