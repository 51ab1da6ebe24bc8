//! The one error type of the library: every way an input or an output can be wrong, each
//! rendered as a single line that names the file (and line, for CSV rows) and what was expected.

use std::path::{Path, PathBuf};

use thiserror::Error;

/// Everything `plot` can refuse or fail at.
#[derive(Debug, Error)]
pub enum PlotError {
    #[error("{}: file not found ({expected})", path.display())]
    MissingFile { path: PathBuf, expected: String },
    #[error("{}: cannot read: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}: {message}", path.display())]
    MalformedRow {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error("{}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
    #[error("{}: empty run: {reason}", path.display())]
    EmptyRun { path: PathBuf, reason: String },
    #[error(
        "{}: no runs found (expected <backend>/<test_type>/ folders holding summary.json + timeseries.csv, or Locust CSV files)",
        path.display()
    )]
    NoRuns { path: PathBuf },
    #[error("{}: cannot write: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("drawing failed: {0}")]
    Draw(String),
    #[error("embedded font {0} could not be loaded")]
    Font(&'static str),
    #[error(
        "a {width}x{height} picture is too small for this content: it needs at least {needed} pixels of height"
    )]
    TooSmall {
        width: u32,
        height: u32,
        needed: u32,
    },
    #[error(
        "invalid size `{0}`: expected WIDTHxHEIGHT in pixels, each between 400 and 8000 (e.g. 1400x1600)"
    )]
    Size(String),
}

impl PlotError {
    pub(crate) fn invalid(path: &Path, message: impl Into<String>) -> Self {
        PlotError::Invalid {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }

    /// A read failure, reported as a missing file when that is what it is.
    pub(crate) fn reading(path: &Path, source: std::io::Error, expected: &str) -> Self {
        if source.kind() == std::io::ErrorKind::NotFound {
            PlotError::MissingFile {
                path: path.to_path_buf(),
                expected: expected.to_string(),
            }
        } else {
            PlotError::Read {
                path: path.to_path_buf(),
                source,
            }
        }
    }
}

/// Turns a plotters drawing error (generic over the backend) into ours.
pub(crate) fn draw_err<E: std::fmt::Display>(e: E) -> PlotError {
    PlotError::Draw(e.to_string())
}
