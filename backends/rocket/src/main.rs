//! The notes API on Rocket: configuration, bind, serve, graceful shutdown.
//!
//! Rocket runs on common's tokio runtime (WORKERS worker threads) rather than its own, so every
//! Rust backend gets its threads the same way; Rocket's `workers` setting is kept equal anyway.

use std::collections::HashSet;
use std::process::ExitCode;

use backend_common::{Config, Db, boot};
use rocket::config::{Ident, LogLevel, Shutdown};
use rocket::error::ErrorKind;

mod routes;

/// Seconds in-flight requests get to finish after SIGTERM/SIGINT (common's grace). Rocket waits
/// this long whenever a connection is still open when the signal arrives, so shutdown takes this
/// long under load.
const GRACE_SECS: u32 = boot::SHUTDOWN_GRACE.as_secs() as u32;
/// Seconds Rocket then gives connections to close before cutting them.
const MERCY_SECS: u32 = 1;
/// When Rocket gives up on requests that are still running (it adds one second): well within
/// the 10 s the SPEC allows.
const GIVE_UP_SECS: u32 = GRACE_SECS + MERCY_SECS + 1;

fn main() -> ExitCode {
    boot::run("rocket", serve)
}

async fn serve(config: Config, db: Db) -> ExitCode {
    let rocket_config = rocket_config(&config);
    // boot::start installed a `log` -> tracing bridge, so Rocket cannot install its own logger and
    // would not apply `log_level` itself: without this, every request logs several lines.
    log::set_max_level(rocket_config.log_level.into());
    let served = async {
        let rocket = routes::app(rocket_config, db.clone()).ignite().await?;
        let shutdown = rocket.shutdown();
        tokio::spawn(async move {
            boot::shutdown_signal().await;
            shutdown.notify();
        });
        rocket.launch().await
    }
    .await;
    match served {
        Ok(_) => {
            db.close().await;
            ExitCode::SUCCESS
        }
        // Not closing the pool: after a failed shutdown, handlers still hold connections.
        Err(err) => failure(&config, &err),
    }
}

fn failure(config: &Config, err: &rocket::Error) -> ExitCode {
    match err.kind() {
        ErrorKind::Bind(err) => {
            let (host, port) = (config.host, config.port);
            boot::fail(format_args!("cannot listen on {host}:{port}: {err}"))
        }
        ErrorKind::Shutdown(..) => boot::fail(format_args!(
            "requests were still running {GIVE_UP_SECS} s after the shutdown signal"
        )),
        _ => boot::fail(format_args!("server error: {err}")),
    }
}

/// Rocket's settings, all from common's [`Config`]: no `Rocket.toml`, no `ROCKET_*` variables.
fn rocket_config(config: &Config) -> rocket::Config {
    rocket::Config {
        address: config.host,
        port: config.port,
        workers: config.workers,
        // No `Server` header (axum sends none) and no per-request `X-Real-IP` parsing.
        ident: Ident::none(),
        ip_header: None,
        log_level: LogLevel::Off,
        cli_colors: false,
        shutdown: Shutdown {
            // SIGTERM and SIGINT come through boot::shutdown_signal, as for every backend.
            ctrlc: false,
            signals: HashSet::new(),
            grace: GRACE_SECS,
            mercy: MERCY_SECS,
            ..Shutdown::default()
        },
        ..rocket::Config::release_default()
    }
}
