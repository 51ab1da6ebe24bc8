//! What a check concludes: passed (with what was compared), failed (with a one-line reason) or
//! skipped (with why it could not run here).

use std::fmt;

use crate::client::ClientError;

/// The verdict of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Pass,
    Fail,
    Skip,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Pass => "PASS",
            Self::Fail => "FAIL",
            Self::Skip => "SKIP",
        })
    }
}

/// One check's verdict with its one-line detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    pub check: &'static str,
    pub status: Status,
    /// Pass: what was compared. Fail: why. Skip: what was missing.
    pub detail: String,
}

impl CheckResult {
    pub fn from_outcome(check: &'static str, outcome: Outcome) -> Self {
        let (status, detail) = match outcome {
            Ok(compared) => (Status::Pass, compared),
            Err(Failure::Fail(reason)) => (Status::Fail, reason),
            Err(Failure::Skip(reason)) => (Status::Skip, reason),
        };
        Self {
            check,
            status,
            detail: one_line(&detail),
        }
    }
}

impl fmt::Display for CheckResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status, self.check, self.detail)
    }
}

/// Why a check did not pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    Fail(String),
    Skip(String),
}

/// `Ok(what was compared)` or the failure.
pub type Outcome = Result<String, Failure>;

/// A failed check with `reason`.
pub fn fail(reason: impl Into<String>) -> Failure {
    Failure::Fail(reason.into())
}

impl From<ClientError> for Failure {
    fn from(err: ClientError) -> Self {
        Self::Fail(err.to_string())
    }
}

impl From<sqlx::Error> for Failure {
    fn from(err: sqlx::Error) -> Self {
        Self::Fail(format!("direct database query failed: {err}"))
    }
}

/// Newlines and tabs become spaces, so every reported line stays one line.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
