//! The library's error type: everything that stops a run before or after the load, each with a
//! one-line message naming the culprit.

use crate::cli::ConfigError;
use crate::files::OutputError;
use crate::http::TargetError;
use crate::limits::LimitError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Target(#[from] TargetError),
    #[error(
        "host {url} is not reachable: {reason} (waited {waited_s:.1} s; --wait-ready SECONDS waits longer)"
    )]
    Unreachable {
        url: String,
        reason: String,
        waited_s: f64,
    },
    #[error(transparent)]
    Limit(#[from] LimitError),
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error("cannot run worker thread: {0}")]
    Worker(std::io::Error),
}
