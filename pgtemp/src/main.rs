//! `pgtemp`: throwaway PostgreSQL clusters for shell scripts. See the crate docs for the commands.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

/// Throwaway PostgreSQL clusters for scripts: start one, stop/start its server, remove it.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start a cluster in DIR and print its URL once it accepts connections (with DATABASE_URL
    /// set, record and print that instead).
    Start {
        /// Directory for the cluster; must not exist or be empty.
        #[arg(long)]
        dir: PathBuf,
        /// Start a private cluster even when DATABASE_URL is set.
        #[arg(long)]
        ignore_database_url: bool,
    },
    /// Print the URL of the database recorded in DIR.
    Url {
        #[arg(long)]
        dir: PathBuf,
    },
    /// Stop the server in DIR, keeping its data.
    StopServer {
        #[arg(long)]
        dir: PathBuf,
    },
    /// Start the server in DIR again on the same port; returns once it is ready.
    StartServer {
        #[arg(long)]
        dir: PathBuf,
    },
    /// Stop the server in DIR (killing it if need be) and delete DIR.
    Stop {
        #[arg(long)]
        dir: PathBuf,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse().command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("pgtemp: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Start {
            dir,
            ignore_database_url,
        } => {
            let external = std::env::var("DATABASE_URL")
                .ok()
                .filter(|_| !ignore_database_url);
            let url = pgtemp::cli::start(&dir, external)
                .with_context(|| format!("starting a database in {}", dir.display()))?;
            println!("{url}");
        }
        Command::Url { dir } => println!("{}", pgtemp::cli::url(&dir)?),
        Command::StopServer { dir } => pgtemp::cli::stop_server(&dir)
            .with_context(|| format!("stopping the server in {}", dir.display()))?,
        Command::StartServer { dir } => pgtemp::cli::start_server(&dir)
            .with_context(|| format!("starting the server in {}", dir.display()))?,
        Command::Stop { dir } => pgtemp::cli::stop(&dir)
            .with_context(|| format!("removing the database in {}", dir.display()))?,
    }
    Ok(())
}
