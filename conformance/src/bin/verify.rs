//! `verify`: the conformance checks against a backend that is already running.
//!
//! ```text
//! verify --host http://127.0.0.1:8000 --database-url postgres://user@127.0.0.1:5432/db \
//!        [--db-stop-cmd 'pgtemp stop-server --dir D' --db-start-cmd 'pgtemp start-server --dir D'] \
//!        [--check NAME]...
//! ```
//!
//! Prints one line per check (`PASS|FAIL|SKIP name: what was compared or why`) and a closing
//! `N passed, N failed, N skipped` line. Exit status: 0 when nothing failed, 1 when a check
//! failed, 2 when the checks could not run (bad arguments, database unreachable). The checks
//! write rows into the `note` table (and the database-loss check stops the database).

use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use conformance::checks::{Check, run_all};
use conformance::client::Client;
use conformance::db::Db;
use conformance::outcome::{CheckResult, Status};
use conformance::target::{DbControl, Target};
use conformance::{compare, shutdown};

/// Checks a running backend against SPEC section 1 (status codes, bodies, bad input, database
/// loss). Writes rows into its `note` table.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// Base URL of the backend, e.g. http://127.0.0.1:8000
    #[arg(long)]
    host: String,
    /// The backend's database, for row counts and seeding, e.g. postgres://postgres@127.0.0.1:5432/postgres
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,
    /// Shell command that stops the database (enables the database-loss check)
    #[arg(long, requires = "db_start_cmd")]
    db_stop_cmd: Option<String>,
    /// Shell command that starts the database again and returns once it is ready
    #[arg(long, requires = "db_stop_cmd")]
    db_start_cmd: Option<String>,
    /// Run only this check (repeatable); names as printed
    #[arg(long = "check", value_parser = parse_check)]
    checks: Vec<Check>,
}

fn parse_check(name: &str) -> Result<Check, String> {
    Check::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = Check::ALL.iter().map(|check| check.name()).collect();
        format!(
            "unknown check {name:?}; expected one of: {}",
            names.join(", ")
        )
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("verify: cannot start the async runtime: {err}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(results) => report(&results),
        Err(err) => {
            eprintln!("verify: {err:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<Vec<CheckResult>> {
    let client = Client::new(&cli.host).context("--host")?;
    let db = Db::connect(&cli.database_url)
        .await
        .context("connecting to --database-url")?;
    let db_control = cli
        .db_stop_cmd
        .zip(cli.db_start_cmd)
        .map(|(stop, start)| DbControl::Commands { stop, start });
    let target = Target {
        client,
        db,
        db_control,
    };
    let checks = if cli.checks.is_empty() {
        Check::ALL.to_vec()
    } else {
        cli.checks
    };
    let mut results = run_all(&target, &checks).await;
    if checks.len() == Check::ALL.len() {
        for check in [compare::CHECK_NAME, shutdown::CHECK_NAME] {
            results.push(CheckResult {
                check,
                status: Status::Skip,
                detail: "needs the backend processes; run by `cargo test -p conformance`".into(),
            });
        }
    }
    target.db.close().await;
    Ok(results)
}

fn report(results: &[CheckResult]) -> ExitCode {
    let count = |status| {
        results
            .iter()
            .filter(|result| result.status == status)
            .count()
    };
    for result in results {
        println!("{result}");
    }
    println!(
        "{} passed, {} failed, {} skipped",
        count(Status::Pass),
        count(Status::Fail),
        count(Status::Skip)
    );
    if count(Status::Fail) == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
