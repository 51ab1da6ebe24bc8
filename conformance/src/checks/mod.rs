//! The checks of SPEC section 1 that need only a running backend and its database: the list
//! `verify` runs, and the suite runs per backend before its process-level checks.

mod db_loss;
mod endpoints;
mod inputs;
mod notes;

use crate::client::{Request, Response};
use crate::db::{Note, canonical};
use crate::expect;
use crate::outcome::{CheckResult, Failure, Outcome, fail};
use crate::target::Target;

/// One kind of check. Names are stable: reports and test names use them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    TextEndpoints,
    Health,
    TrailingSlash,
    NotFound,
    MethodNotAllowed,
    ListNewest100,
    CreateInsertsOneRow,
    AcceptedInputs,
    LiteralStorage,
    Reject415,
    Reject413,
    Reject400,
    Reject422,
    ConcurrentPosts,
    DatabaseLoss,
}

impl Check {
    /// Every check, in the order they run (database loss last: it disturbs the database).
    pub const ALL: [Check; 15] = [
        Check::TextEndpoints,
        Check::Health,
        Check::TrailingSlash,
        Check::NotFound,
        Check::MethodNotAllowed,
        Check::ListNewest100,
        Check::CreateInsertsOneRow,
        Check::AcceptedInputs,
        Check::LiteralStorage,
        Check::Reject415,
        Check::Reject413,
        Check::Reject400,
        Check::Reject422,
        Check::ConcurrentPosts,
        Check::DatabaseLoss,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::TextEndpoints => "text-endpoints",
            Self::Health => "health",
            Self::TrailingSlash => "trailing-slash",
            Self::NotFound => "not-found-404",
            Self::MethodNotAllowed => "method-not-allowed-405",
            Self::ListNewest100 => "list-newest-100",
            Self::CreateInsertsOneRow => "create-inserts-one-row",
            Self::AcceptedInputs => "accepted-inputs",
            Self::LiteralStorage => "literal-storage",
            Self::Reject415 => "reject-415",
            Self::Reject413 => "reject-413",
            Self::Reject400 => "reject-400",
            Self::Reject422 => "reject-422",
            Self::ConcurrentPosts => "concurrent-posts",
            Self::DatabaseLoss => "database-loss",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|check| check.name() == name)
    }

    pub async fn run(self, target: &Target) -> CheckResult {
        let outcome = match self {
            Self::TextEndpoints => endpoints::text_endpoints(target).await,
            Self::Health => endpoints::health(target).await,
            Self::TrailingSlash => endpoints::trailing_slash(target).await,
            Self::NotFound => endpoints::not_found(target).await,
            Self::MethodNotAllowed => endpoints::method_not_allowed(target).await,
            Self::ListNewest100 => notes::list_newest_100(target).await,
            Self::CreateInsertsOneRow => notes::create_inserts_one_row(target).await,
            Self::AcceptedInputs => inputs::accepted(target).await,
            Self::LiteralStorage => notes::literal_storage(target).await,
            Self::Reject415 => inputs::rejected(target, 415).await,
            Self::Reject413 => inputs::rejected(target, 413).await,
            Self::Reject400 => inputs::rejected(target, 400).await,
            Self::Reject422 => inputs::rejected(target, 422).await,
            Self::ConcurrentPosts => notes::concurrent_posts(target).await,
            Self::DatabaseLoss => db_loss::database_loss(target).await,
        };
        CheckResult::from_outcome(self.name(), outcome)
    }
}

/// Runs `checks` one after another (they share the database, so never in parallel).
pub async fn run_all(target: &Target, checks: &[Check]) -> Vec<CheckResult> {
    let mut results = Vec::with_capacity(checks.len());
    for check in checks {
        results.push(check.run(target).await);
    }
    results
}

/// Sends a POST that must be accepted: 201, `application/json`, the body byte for byte the
/// stored row, the row holding exactly `title` and `content`, and exactly one row more.
async fn post_accepted(
    target: &Target,
    label: &str,
    request: &Request,
    title: &str,
    content: &str,
) -> Result<Note, Failure> {
    let before = target.db.count().await?;
    let response = target.client.send(request).await?;
    expect::status(label, &response, 201)?;
    expect::content_type(label, &response, expect::JSON)?;
    let id = response_id(label, &response)?;
    let stored = target
        .db
        .note(id)
        .await?
        .ok_or_else(|| fail(format!("{label}: answered id {id}, but no row has that id")))?;
    if stored.title != title || stored.content != content {
        return Err(fail(format!(
            "{label}: row {id} holds title {} content {}, sent title {} content {}",
            expect::excerpt(stored.title.as_bytes()),
            expect::excerpt(stored.content.as_bytes()),
            expect::excerpt(title.as_bytes()),
            expect::excerpt(content.as_bytes()),
        )));
    }
    expect::body(label, &response, &canonical(&stored))?;
    let after = target.db.count().await?;
    if after != before + 1 {
        return Err(fail(format!(
            "{label}: row count went from {before} to {after}, expected +1"
        )));
    }
    Ok(stored)
}

/// Sends a POST that must be refused with `status` and the SPEC error body, writing no row.
async fn post_rejected(
    target: &Target,
    label: &str,
    request: &Request,
    status: u16,
) -> Result<(), Failure> {
    let before = target.db.count().await?;
    let response = target.client.send(request).await?;
    expect::error(label, &response, status)?;
    let after = target.db.count().await?;
    if after != before {
        return Err(fail(format!(
            "{label}: answered {status} but the row count went from {before} to {after}"
        )));
    }
    Ok(())
}

/// The `id` of a created note in a response body.
fn response_id(label: &str, response: &Response) -> Result<i64, Failure> {
    serde_json::from_slice::<serde_json::Value>(&response.body)
        .ok()
        .and_then(|value| value.get("id")?.as_i64())
        .ok_or_else(|| {
            fail(format!(
                "{label}: body has no integer \"id\": {}",
                expect::excerpt(&response.body)
            ))
        })
}

/// A JSON note body with `title` and `content` (serde_json escapes them correctly).
fn note_body(title: &str, content: &str) -> Vec<u8> {
    canonical(&serde_json::json!({ "title": title, "content": content }))
}

/// The check passed, having compared what `compared` says.
fn passed(compared: impl Into<String>) -> Outcome {
    Ok(compared.into())
}
