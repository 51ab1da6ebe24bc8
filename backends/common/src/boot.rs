//! What every backend binary does around serving: logging, configuration (exit 2 on a bad
//! variable), the start-up log line, the database, and the shutdown signal.

use std::future::Future;
use std::io::IsTerminal;
use std::pin::Pin;
use std::process::ExitCode;
use std::time::Duration;

use crate::config::Config;
use crate::db::{ACQUIRE_TIMEOUT, Db};

/// Exit code for a missing or malformed environment variable (SPEC section 1).
pub const EXIT_CONFIG: u8 = 2;
/// Exit code when the server cannot start (port taken, database never reachable).
pub const EXIT_STARTUP: u8 = 1;

/// How long in-flight requests may run on after SIGTERM/SIGINT before the server exits anyway.
/// Longer than a request can wait for a pooled connection ([`ACQUIRE_TIMEOUT`]), so no request
/// that is merely queued is cut off; well within the 10 s SPEC section 1 allows for the exit.
/// Without a bound, one client that never finishes its request would hold the exit forever.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(ACQUIRE_TIMEOUT.as_secs() + 2);

/// The shutdown signal handed to a framework's graceful-shutdown hook.
pub type Signal = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// `main` of a backend that runs on tokio: logging, configuration, a runtime with WORKERS
/// threads, the database (DB_POOL_SIZE connections, schema created), then `serve`.
pub fn run<F, Fut>(framework: &'static str, serve: F) -> ExitCode
where
    F: FnOnce(Config, Db) -> Fut,
    Fut: Future<Output = ExitCode>,
{
    let config = match start(framework) {
        Ok(config) => config,
        Err(code) => return code,
    };
    let runtime = match tokio_runtime(config.workers) {
        Ok(runtime) => runtime,
        Err(err) => return fail(format_args!("cannot start the tokio runtime: {err}")),
    };
    runtime.block_on(async move {
        match open_database(&config, config.pool_size).await {
            Ok(db) => serve(config, db).await,
            Err(code) => code,
        }
    })
}

/// Binds HOST:PORT, or prints why not.
pub async fn bind(config: &Config) -> Result<tokio::net::TcpListener, ExitCode> {
    let (host, port) = (config.host, config.port);
    tokio::net::TcpListener::bind((host, port))
        .await
        .map_err(|err| fail(format_args!("cannot listen on {host}:{port}: {err}")))
}

/// Runs the server that `make_server` builds around a shutdown [`Signal`], and bounds its
/// graceful shutdown by [`SHUTDOWN_GRACE`]. Exit 0 either way; the pool is closed only when the
/// server finished on its own (requests still running would hold their connections).
pub async fn serve_gracefully<S, E>(db: Db, make_server: impl FnOnce(Signal) -> S) -> ExitCode
where
    S: Future<Output = Result<(), E>>,
    E: std::fmt::Display,
{
    let (stopping, stopped) = tokio::sync::oneshot::channel();
    let signal = Box::pin(async move {
        shutdown_signal().await;
        // The receiver lives until this function returns, so the send cannot fail.
        let _ = stopping.send(());
    });
    let grace_over = async {
        match stopped.await {
            Ok(()) => tokio::time::sleep(SHUTDOWN_GRACE).await,
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        served = make_server(signal) => match served {
            Ok(()) => {
                db.close().await;
                ExitCode::SUCCESS
            }
            Err(err) => fail(format_args!("server error: {err}")),
        },
        () = grace_over => {
            tracing::warn!("requests still in flight {SHUTDOWN_GRACE:?} after the signal: exiting");
            ExitCode::SUCCESS
        }
    }
}

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
