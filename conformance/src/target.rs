//! What the checks run against: the backend's URL, a direct connection to its database, and
//! optionally a way to stop and start that database.

use std::sync::Arc;
use std::time::Duration;

use crate::client::Client;
use crate::db::Db;

/// Bound on one database stop or start command.
const DB_CONTROL_TIMEOUT: Duration = Duration::from_secs(90);

/// A running backend and its database.
#[derive(Debug, Clone)]
pub struct Target {
    pub client: Client,
    pub db: Db,
    /// Needed by the database-loss check only; without it that check is skipped.
    pub db_control: Option<DbControl>,
}

/// How to stop and start the backend's database.
#[derive(Debug, Clone)]
pub enum DbControl {
    /// Shell command lines (`sh -c`), e.g. `pgtemp stop-server --dir DIR`.
    Commands { stop: String, start: String },
    /// A cluster this process owns.
    Cluster(Arc<pgtemp::Cluster>),
}

impl DbControl {
    /// Stops the database; returns once it is down.
    pub async fn stop(&self) -> Result<(), String> {
        match self {
            Self::Commands { stop, .. } => run_shell(stop).await,
            Self::Cluster(cluster) => {
                let cluster = Arc::clone(cluster);
                blocking(move || cluster.stop_server()).await
            }
        }
    }

    /// Starts the database again; returns once it accepts connections.
    pub async fn start(&self) -> Result<(), String> {
        match self {
            Self::Commands { start, .. } => run_shell(start).await,
            Self::Cluster(cluster) => {
                let cluster = Arc::clone(cluster);
                blocking(move || cluster.start_server()).await
            }
        }
    }
}

async fn blocking(
    work: impl FnOnce() -> Result<(), pgtemp::Error> + Send + 'static,
) -> Result<(), String> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|err| format!("database control task failed: {err}"))?
        .map_err(|err| err.to_string())
}

async fn run_shell(command_line: &str) -> Result<(), String> {
    let output = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(command_line)
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(DB_CONTROL_TIMEOUT, output)
        .await
        .map_err(|_| format!("`{command_line}` did not finish within {DB_CONTROL_TIMEOUT:?}"))?
        .map_err(|err| format!("cannot run `{command_line}`: {err}"))?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let last = stderr
        .lines()
        .rev()
        .find(|line| !line.trim().is_empty())
        .unwrap_or("");
    Err(format!(
        "`{command_line}` failed ({}): {last}",
        output.status
    ))
}
