//! The `loadgen` binary: parse flags, watch for Ctrl-C/SIGTERM, run, report errors on one line
//! (exit 2 for bad flags or scenario files, 1 when the run cannot start or its files cannot be
//! written, 130 when a signal cut the run short after its files were written).

use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use clap::error::ErrorKind;
use loadgen::{Cli, Config};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            e.exit()
        }
        Err(e) => {
            // clap adds usage and a tip on further lines; the first line names flag and problem.
            let text = e.render().to_string();
            eprintln!(
                "{}",
                text.lines().next().unwrap_or("error: invalid arguments")
            );
            return ExitCode::from(2);
        }
    };
    let config = match Config::from_cli(cli).context("invalid configuration") {
        Ok(config) => config,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    let outcome = loadgen::interrupt::stop_on_signal()
        .context("cannot watch for Ctrl-C")
        .and_then(|stop| loadgen::run_until_stopped(&config, &stop).context("run failed"));
    match outcome {
        Ok(outcome) if outcome.interrupted => {
            eprintln!(
                "interrupted: the files hold the first {:.1} s of the run",
                outcome.summary.duration_s
            );
            ExitCode::from(130)
        }
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
