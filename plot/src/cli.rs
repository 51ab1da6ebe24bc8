//! The command line: `plot run`, `plot compare`, `plot readme`, as clap derive types and one
//! function that carries a parsed command out.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::{CompareOptions, PlotError, RunOptions};

/// Graphs of backend-benchmark results, and the README results table.
#[derive(Debug, Parser)]
#[command(name = "plot", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Draw one run: writes graph.png (and graph.svg with --svg) into the run folder.
    Run {
        /// The run folder: results/<backend>/<test_type>/, or a folder of plain Locust CSV files.
        run_dir: PathBuf,
        /// Also write an SVG beside the PNG.
        #[arg(long)]
        svg: bool,
        /// Draw the response-time panel on a logarithmic scale.
        #[arg(long)]
        log_scale: bool,
        /// Picture size in pixels, WIDTHxHEIGHT.
        #[arg(long, default_value = "1500x1700", value_parser = size_arg)]
        size: (u32, u32),
        /// The Locust CSV set to read (the PREFIX of `locust --csv PREFIX`) when the folder
        /// holds several; the graph is then written as PREFIX_graph.png.
        #[arg(long)]
        prefix: Option<String>,
        /// Write the PNG here instead of into the run folder (the SVG goes beside it).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Compare backends: writes comparison_<test_type>.png into the results folder per test type.
    Compare {
        /// The results folder, holding <backend>/<test_type>/ run folders.
        results_dir: PathBuf,
        /// Also write SVGs beside the PNGs.
        #[arg(long)]
        svg: bool,
        /// Picture size in pixels, WIDTHxHEIGHT (default: as tall as the backends need).
        #[arg(long, value_parser = size_arg)]
        size: Option<(u32, u32)>,
    },
    /// Rewrite the block between <!-- results:start --> and <!-- results:end --> in the README.
    Readme {
        /// The README to update; text outside the markers is left as it is.
        readme: PathBuf,
        /// The results folder, holding <backend>/<test_type>/ run folders.
        results_dir: PathBuf,
    },
}

fn size_arg(text: &str) -> Result<(u32, u32), String> {
    crate::parse_size(text).map_err(|e| e.to_string())
}

impl Command {
    /// The subcommand's name, for error context.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Run { .. } => "run",
            Command::Compare { .. } => "compare",
            Command::Readme { .. } => "readme",
        }
    }
}

/// Carries out `command`; returns what to tell the user, one line each.
pub fn execute(command: Command) -> Result<Vec<String>, PlotError> {
    let wrote = |files: Vec<PathBuf>| {
        files
            .into_iter()
            .map(|f| format!("wrote {}", f.display()))
            .collect()
    };
    match command {
        Command::Run {
            run_dir,
            svg,
            log_scale,
            size,
            prefix,
            out,
        } => crate::plot_run(
            &run_dir,
            &RunOptions {
                prefix,
                out,
                svg,
                log_scale,
                size,
            },
        )
        .map(wrote),
        Command::Compare {
            results_dir,
            svg,
            size,
        } => crate::plot_compare(&results_dir, &CompareOptions { svg, size }).map(wrote),
        Command::Readme {
            readme,
            results_dir,
        } => crate::rewrite_readme(&readme, &results_dir).map(|changed| {
            let what = if changed { "updated" } else { "unchanged:" };
            vec![format!("{what} {}", readme.display())]
        }),
    }
}
