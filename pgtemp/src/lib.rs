//! Throwaway PostgreSQL for tests and scripts.
//!
//! [`Database::from_env`] uses `DATABASE_URL` when it is set and non-empty; otherwise it starts a
//! private [`Cluster`]: `initdb` + `pg_ctl` found on `PATH` or under `/usr/lib/postgresql/*/bin`
//! (highest major version), listening on `127.0.0.1` on a free port, its Unix socket and data in
//! one temporary directory. When the process runs as root the server runs as the `postgres` user
//! (through `runuser`, because `initdb` and `postgres` refuse root); otherwise it runs as the
//! current user. The server keeps PostgreSQL's durable defaults (`fsync` on); only `initdb` skips
//! its one-off sync of the fresh files, which a throwaway cluster does not need.
//!
//! A [`Cluster`] can be stopped and started again on the same port with the same data
//! ([`Cluster::stop_server`], [`Cluster::start_server`]), which is how tests simulate losing the
//! database. Dropping it always removes it: `pg_ctl stop`, then the postmaster is killed by the
//! PID in `postmaster.pid` if that did not work, then the directory is deleted.
//!
//! # The `pgtemp` command (for shell scripts)
//!
//! Every subcommand takes `--dir DIR`, the directory that holds one cluster (data, socket, log
//! and a `pgtemp.state` file that lets later invocations find it again):
//!
//! ```text
//! pgtemp start --dir DIR [--ignore-database-url]
//!     Create DIR (it must not exist or be empty), start a cluster in it, print its URL on
//!     stdout and return once it accepts connections. With DATABASE_URL set (and no
//!     --ignore-database-url) no server is started: DIR only records that URL, which is printed.
//! pgtemp url --dir DIR           Print the URL again.
//! pgtemp stop-server --dir DIR   Stop the server, keep the data (simulates a database loss).
//! pgtemp start-server --dir DIR  Start it again on the same port; return once it is ready.
//! pgtemp stop --dir DIR          Stop the server (killing it if need be) and delete DIR.
//! ```
//!
//! Typical use: `url=$(pgtemp start --dir "$tmp/pg")` and `pgtemp stop --dir "$tmp/pg"` in the
//! script's exit trap. Errors are one line on stderr with exit code 1 (2 for bad arguments).

mod binaries;
pub mod cli;
mod cluster;
mod error;
mod process;
mod state;
mod user;

pub use cluster::Cluster;
pub use error::Error;

/// A PostgreSQL database to use: one given by the environment, or a private cluster that lives
/// as long as this value.
#[derive(Debug)]
pub enum Database {
    /// `DATABASE_URL` was set; nothing was started and nothing will be stopped.
    External(String),
    /// A private cluster, removed when this value is dropped.
    Private(Cluster),
}

impl Database {
    /// Uses `DATABASE_URL` when it is set and non-empty, otherwise starts a private cluster.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_url_or_start(std::env::var("DATABASE_URL").ok())
    }

    /// Uses `url` when it is `Some` and non-empty, otherwise starts a private cluster.
    pub fn from_url_or_start(url: Option<String>) -> Result<Self, Error> {
        match url.filter(|url| !url.trim().is_empty()) {
            Some(url) => Ok(Self::External(url)),
            None => Cluster::start().map(Self::Private),
        }
    }

    /// The connection URL (`postgres://...`).
    pub fn url(&self) -> String {
        match self {
            Self::External(url) => url.clone(),
            Self::Private(cluster) => cluster.url(),
        }
    }

    /// The private cluster, when this database is one (only those can be stopped and started).
    pub fn cluster(&self) -> Option<&Cluster> {
        match self {
            Self::External(_) => None,
            Self::Private(cluster) => Some(cluster),
        }
    }
}
