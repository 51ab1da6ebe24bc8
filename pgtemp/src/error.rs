//! The one error type of the crate: every variant renders as one line naming what failed.

use std::path::PathBuf;

/// Why a cluster could not be found, started, stopped or removed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "PostgreSQL server binaries not found: need initdb and pg_ctl on PATH or under \
         /usr/lib/postgresql/<version>/bin (Debian: apt-get install postgresql)"
    )]
    BinariesNotFound,

    #[error("running as root needs the `postgres` user to run the server: {0}")]
    NoPostgresUser(String),

    #[error("{action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("{command} failed: {detail}")]
    Command { command: String, detail: String },

    #[error("cluster directory {0} exists and is not empty (pass a new or empty directory)")]
    DirNotEmpty(PathBuf),

    #[error(
        "cluster directory {0} contains a single quote, which pg_ctl's option string cannot carry"
    )]
    UnsupportedPath(PathBuf),

    #[error("{path} is not a pgtemp cluster directory: {reason}")]
    BadState { path: PathBuf, reason: String },

    #[error("{0} records an external DATABASE_URL: there is no server here to stop or start")]
    External(PathBuf),

    #[error(
        "no free TCP port on 127.0.0.1 after {attempts} attempts; last server log line: {last_log}"
    )]
    NoFreePort { attempts: u32, last_log: String },
}

impl Error {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Self::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
