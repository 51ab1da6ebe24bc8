//! `plot`: turns benchmark results into pictures and the README results table.
//!
//! - [`plot_run`]: the graph of one run folder (loadgen results or plain Locust CSV);
//! - [`plot_compare`]: one comparison picture per test type under `results/`;
//! - [`rewrite_readme`]: the results block of the README.
//!
//! Inputs are described in `docs/results-format.md`; every output file is written to a
//! temporary name and renamed, and the same input always gives the same bytes.

pub mod cli;
mod error;
mod input;
pub mod numbers;
pub mod readme;
mod render;
pub mod results;
pub mod run;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

pub use error::PlotError;
pub use render::canvas::write_atomic;
pub use render::comparison::DEFAULT_WIDTH as COMPARISON_WIDTH;
pub use render::run_graph::DEFAULT_SIZE as RUN_GRAPH_SIZE;

use render::canvas;
use render::comparison::Comparison;
use render::run_graph::RunGraph;

/// How to draw one run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The Locust CSV set to read when a folder holds several (`--csv PREFIX`).
    pub prefix: Option<String>,
    /// Where the PNG goes; default `graph.png` in the run folder (`<prefix>_graph.png` for a
    /// Locust set picked by prefix). The SVG goes beside it.
    pub out: Option<PathBuf>,
    pub svg: bool,
    pub log_scale: bool,
    pub size: (u32, u32),
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            prefix: None,
            out: None,
            svg: false,
            log_scale: false,
            size: RUN_GRAPH_SIZE,
        }
    }
}

/// Draws the run in `dir`; returns the files written.
pub fn plot_run(dir: &Path, options: &RunOptions) -> Result<Vec<PathBuf>, PlotError> {
    // An absolute path lets the picture name the run folder even when given as `.`.
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let run = run::load(&dir, options.prefix.as_deref())?;
    let png_path = options
        .out
        .clone()
        .unwrap_or_else(|| dir.join(run.graph_file_name()));
    let graph = RunGraph {
        run: &run,
        log_y: options.log_scale,
        size: options.size,
    };
    graph.check_size()?;
    // Render everything before writing anything: a drawing error leaves no new file.
    let png = canvas::png(&graph)?;
    let svg = if options.svg {
        Some(canvas::svg(&graph)?)
    } else {
        None
    };
    write_atomic(&png_path, &png)?;
    let mut written = vec![png_path.clone()];
    if let Some(svg) = svg {
        let svg_path = png_path.with_extension("svg");
        write_atomic(&svg_path, svg.as_bytes())?;
        written.push(svg_path);
    }
    Ok(written)
}

/// How to draw the comparisons.
#[derive(Debug, Clone, Default)]
pub struct CompareOptions {
    pub svg: bool,
    /// Fixed size; default: [`COMPARISON_WIDTH`] wide and as tall as the backends need.
    pub size: Option<(u32, u32)>,
}

/// Writes `comparison_<test_type>.png` into `results_dir` for each test type found there;
/// returns the files written.
pub fn plot_compare(
    results_dir: &Path,
    options: &CompareOptions,
) -> Result<Vec<PathBuf>, PlotError> {
    let by_type = results::scan(results_dir)?;
    let names = results::backends(&by_type);
    let colours: BTreeMap<&str, _> = names
        .iter()
        .map(String::as_str)
        .zip(render::distinct_colours(names.len()))
        .collect();
    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    for (test_type, entries) in &by_type {
        let mut picture = Comparison {
            test_type,
            entries: entries
                .iter()
                .map(|e| (e, colours[e.backend.as_str()]))
                .collect(),
            size: (COMPARISON_WIDTH, 0),
        };
        picture.size = options
            .size
            .unwrap_or((COMPARISON_WIDTH, picture.natural_height()));
        picture.check_size()?;
        let png_path = results_dir.join(format!("comparison_{test_type}.png"));
        files.push((png_path.clone(), canvas::png(&picture)?));
        if options.svg {
            files.push((
                png_path.with_extension("svg"),
                canvas::svg(&picture)?.into_bytes(),
            ));
        }
    }
    for (path, bytes) in &files {
        write_atomic(path, bytes)?;
    }
    Ok(files.into_iter().map(|(p, _)| p).collect())
}

/// Regenerates the results block of `readme` from `results_dir`; returns whether it changed.
pub fn rewrite_readme(readme: &Path, results_dir: &Path) -> Result<bool, PlotError> {
    readme::rewrite(readme, results_dir)
}

/// The vertical pixel bands of the run graph's panels, top to bottom: where `plot_run` draws
/// users, throughput, response time (and CPU, memory) for `run` with `options`.
pub fn run_graph_panel_bands(run: &run::Run, options: &RunOptions) -> Vec<Range<u32>> {
    RunGraph {
        run,
        log_y: options.log_scale,
        size: options.size,
    }
    .layout()
    .panels
}

/// The colours `plot_compare` gives `n` backends (sorted by name), as RGB.
pub fn backend_colours(n: usize) -> Vec<(u8, u8, u8)> {
    render::distinct_colours(n)
        .into_iter()
        .map(|c| (c.0, c.1, c.2))
        .collect()
}

/// Parses `WIDTHxHEIGHT` (e.g. `1500x1700`).
pub fn parse_size(text: &str) -> Result<(u32, u32), PlotError> {
    let bad = || PlotError::Size(text.to_string());
    let (w, h) = text.split_once(['x', 'X']).ok_or_else(bad)?;
    let w: u32 = w.trim().parse().map_err(|_| bad())?;
    let h: u32 = h.trim().parse().map_err(|_| bad())?;
    let valid = 400..=8000;
    if valid.contains(&w) && valid.contains(&h) {
        Ok((w, h))
    } else {
        Err(bad())
    }
}
