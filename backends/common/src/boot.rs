//! What every backend binary does around serving: logging, configuration (exit 2 on a bad
//! variable), the start-up log line, the database, and the shutdown signal.

use std::io::IsTerminal;
use std::process::ExitCode;

use crate::config::Config;
use crate::db::Db;

/// Exit code for a missing or malformed environment variable (SPEC section 1).
pub const EXIT_CONFIG: u8 = 2;
/// Exit code when the server cannot start (port taken, database never reachable).
pub const EXIT_STARTUP: u8 = 1;

/// Initialises logging on stderr (`RUST_LOG` overrides the default `info`; there is no
/// per-request logging) and reads the configuration. On a bad variable, prints one line and
/// returns the exit code to use.
pub fn start(framework: &str) -> Result<Config, ExitCode> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .init();
    match Config::from_env() {
        Ok(config) => {
            tracing::info!(
                framework,
                host = %config.host,
                port = config.port,
                DB_POOL_SIZE = config.pool_size,
                WORKERS = config.workers,
                "starting"
            );
            Ok(config)
        }
        Err(err) => {
            eprintln!("{framework} backend: {err}");
            Err(ExitCode::from(EXIT_CONFIG))
        }
    }
}

/// Opens a pool of `pool_size` connections and creates the schema, waiting for the database at
/// start-up. Prints a one-line error when it cannot.
pub async fn open_database(config: &Config, pool_size: u32) -> Result<Db, ExitCode> {
    let db = Db::lazy(config.database.clone(), pool_size);
    match db.prepare().await {
        Ok(()) => Ok(db),
        Err(err) => Err(fail(format_args!("cannot prepare the database: {err}"))),
    }
}

/// Logs a fatal start-up problem as one line and returns the start-up exit code.
pub fn fail(message: std::fmt::Arguments<'_>) -> ExitCode {
    tracing::error!("{message}");
    ExitCode::from(EXIT_STARTUP)
}

/// A multi-threaded tokio runtime with `workers` worker threads.
pub fn tokio_runtime(workers: usize) -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
}

/// Resolves on the first SIGTERM or SIGINT. If the handlers cannot be installed the server could
/// never stop gracefully, so that is logged and the future resolves at once.
pub async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let (term, int) = match (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) {
        (Ok(term), Ok(int)) => (term, int),
        (Err(err), _) | (_, Err(err)) => {
            tracing::error!(error = %err, "cannot install signal handlers");
            return;
        }
    };
    let (mut term, mut int) = (term, int);
    tokio::select! {
        _ = term.recv() => tracing::info!("SIGTERM: finishing in-flight requests"),
        _ = int.recv() => tracing::info!("SIGINT: finishing in-flight requests"),
    }
}
