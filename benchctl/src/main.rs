//! `benchctl`: `free-port`, `wait`, `seed`, `sample`, `finish` and `check`, the helpers of
//! scripts/start_tests.sh and CI.

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use benchctl::finish::{database_settings, finish};
use benchctl::proc::Source;
use benchctl::sample::Sampler;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print a TCP port on 127.0.0.1 that is free right now.
    FreePort,
    /// Check that every backend / test type pair has a graph and zero failed requests, every
    /// test type its comparison, and the README table every backend (CI).
    Check {
        /// The results folder.
        #[arg(long)]
        results: PathBuf,
        /// Comma-separated backend names.
        #[arg(long, value_delimiter = ',', required = true)]
        backends: Vec<String>,
        /// Comma-separated test types.
        #[arg(long, value_delimiter = ',', default_value = "db_test,no_db_test")]
        test_types: Vec<String>,
        /// The README whose results table must show every backend.
        #[arg(long)]
        readme: Option<PathBuf>,
    },
    /// Poll GET <url> until it answers 200; fail when --pid exits first or --timeout-s passes.
    Wait {
        /// e.g. http://127.0.0.1:8000/health
        url: String,
        /// The server process: stop waiting as soon as it has exited.
        #[arg(long)]
        pid: Option<u32>,
        /// Give up after this many seconds.
        #[arg(long, default_value_t = 60)]
        timeout_s: u64,
    },
    /// Empty the `note` table (creating it if needed) and insert the benchmark's sample notes.
    Seed {
        /// postgres://user:password@host:port/db
        #[arg(long, env = "DATABASE_URL")]
        database_url: String,
        /// How many notes to insert (SPEC section 2: 100).
        #[arg(long, default_value_t = 100)]
        notes: i32,
    },
    /// Write resources.csv: one row per interval until the process --until-exit ends.
    Sample {
        /// The CSV file to write (created or truncated).
        #[arg(long)]
        out: PathBuf,
        /// Stop when this process (loadgen) has exited.
        #[arg(long)]
        until_exit: u32,
        /// The backend process.
        #[arg(long, conflicts_with = "backend_cgroup")]
        backend_pid: Option<u32>,
        /// The backend container's cgroup v2 directory (Docker runtime).
        #[arg(long)]
        backend_cgroup: Option<PathBuf>,
        /// The PostgreSQL data directory (its postmaster.pid names the server).
        #[arg(long, conflicts_with = "db_cgroup")]
        db_data_dir: Option<PathBuf>,
        /// The database container's cgroup v2 directory (Docker runtime).
        #[arg(long)]
        db_cgroup: Option<PathBuf>,
        /// The loadgen process.
        #[arg(long, conflicts_with = "loadgen_cgroup")]
        loadgen_pid: Option<u32>,
        /// The loadgen container's cgroup v2 directory (Docker runtime).
        #[arg(long)]
        loadgen_cgroup: Option<PathBuf>,
        /// Sampling interval in milliseconds.
        #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(10..=60_000))]
        interval_ms: u64,
    },
    /// Add whole-run resource figures and the database settings to <run-dir>/summary.json.
    Finish {
        /// The run folder holding summary.json (and resources.csv).
        #[arg(long)]
        run_dir: PathBuf,
        /// Read the server settings (fsync, shared_buffers, ...) from this database.
        #[arg(long)]
        database_url: Option<String>,
        /// The interval resources.csv was sampled at, in milliseconds.
        #[arg(long, default_value_t = 1000)]
        interval_ms: u64,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("benchctl: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::FreePort => {
            let listener =
                std::net::TcpListener::bind(("127.0.0.1", 0)).context("binding 127.0.0.1:0")?;
            println!("{}", listener.local_addr()?.port());
            Ok(())
        }
        Command::Check {
            results,
            backends,
            test_types,
            readme,
        } => {
            let lines = benchctl::check::check_results(
                &results,
                &backends,
                &test_types,
                readme.as_deref(),
            )?;
            for line in lines {
                println!("{line}");
            }
            Ok(())
        }
        Command::Wait {
            url,
            pid,
            timeout_s,
        } => benchctl::wait::wait_ready(&url, pid, Duration::from_secs(timeout_s)),
        Command::Seed {
            database_url,
            notes,
        } => runtime()?.block_on(async {
            let options = backend_common::config::parse_database_url(&database_url)
                .context("--database-url is not a postgres:// URL")?;
            let db = backend_common::Db::lazy(options, 1);
            db.reset(notes).await.context("seeding the note table")?;
            db.close().await;
            Ok(())
        }),
        Command::Sample {
            out,
            until_exit,
            backend_pid,
            backend_cgroup,
            db_data_dir,
            db_cgroup,
            loadgen_pid,
            loadgen_cgroup,
            interval_ms,
        } => {
            let either = |pid: Option<u32>, cgroup: Option<PathBuf>| {
                pid.map(Source::Process).or(cgroup.map(Source::Cgroup))
            };
            let sampler = Sampler {
                backend: either(backend_pid, backend_cgroup),
                db: db_data_dir
                    .map(Source::Postgres)
                    .or(db_cgroup.map(Source::Cgroup)),
                loadgen: either(loadgen_pid, loadgen_cgroup),
                interval: Duration::from_millis(interval_ms),
            };
            let file = File::create(&out).with_context(|| format!("creating {}", out.display()))?;
            sampler.run(until_exit, &mut BufWriter::new(file)).map(drop)
        }
        Command::Finish {
            run_dir,
            database_url,
            interval_ms,
        } => {
            let database = match database_url {
                Some(url) => Some(runtime()?.block_on(database_settings(&url))?),
                None => None,
            };
            finish(&run_dir, interval_ms as f64 / 1000.0, database)
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}
