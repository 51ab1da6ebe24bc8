//! What a person watching sees: a live progress line (rewritten in place on a terminal, a plain
//! line every few seconds otherwise) and, at the end, Locust's summary tables followed by the
//! exact figures and the saturation verdict.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use crate::locust::{self, PERCENTILES};
use crate::stats::{Aggregate, EntryStats};
use crate::summary::Summary;

/// Seconds between plain progress lines when stderr is not a terminal.
const PLAIN_EVERY: Duration = Duration::from_secs(10);

/// The live progress line on stderr.
#[derive(Debug)]
pub struct Progress {
    enabled: bool,
    terminal: bool,
    last_plain: Option<Instant>,
    drawn: bool,
}

impl Progress {
    pub fn new(quiet: bool) -> Progress {
        Progress {
            enabled: !quiet,
            terminal: std::io::stderr().is_terminal(),
            last_plain: None,
            drawn: false,
        }
    }

    pub fn update(&mut self, agg: &Aggregate, users_total: u64, elapsed: Duration) {
        if !self.enabled {
            return;
        }
        if !self.terminal && self.last_plain.is_some_and(|t| t.elapsed() < PLAIN_EVERY) {
            return;
        }
        let line = progress_line(agg, users_total, elapsed);
        let mut err = std::io::stderr().lock();
        if self.terminal {
            let _ = write!(err, "\r\x1b[2K{line}");
            self.drawn = true;
        } else {
            let _ = writeln!(err, "{line}");
            self.last_plain = Some(Instant::now());
        }
        let _ = err.flush();
    }

    /// Ends the in-place line so later output starts on a fresh line.
    pub fn finish(&mut self) {
        if self.drawn {
            let _ = writeln!(std::io::stderr());
            self.drawn = false;
        }
    }
}

fn progress_line(agg: &Aggregate, users_total: u64, elapsed: Duration) -> String {
    let total = agg.total();
    let left = agg
        .clock
        .run_time
        .saturating_sub(elapsed)
        .as_secs_f64()
        .ceil() as u64;
    let mut line = format!("users {}/{}", agg.users(), users_total);
    match agg.rows.last() {
        Some(row) => {
            let rps = if row.length_s > 0.0 {
                row.requests as f64 / row.length_s
            } else {
                0.0
            };
            let ms =
                |us: Option<u64>| us.map_or("-".to_owned(), |us| format!("{:.2}", us as f64 / 1e3));
            let _ = write!(
                line,
                " | {rps:.0} req/s | p50 {} ms p99 {} ms",
                ms(row.p50_us),
                ms(row.p99_us)
            );
        }
        None => line.push_str(" | - req/s"),
    }
    let _ = write!(
        line,
        " | failures {} of {} | {}m{:02}s left",
        total.failures,
        total.requests,
        left / 60,
        left % 60
    );
    line
}

/// Python's `%d` of a float: truncation toward zero.
fn trunc(x: f64) -> i64 {
    x as i64
}

fn median_number(entry: &EntryStats) -> f64 {
    match locust::median(&entry.buckets, entry.locust_figures()) {
        crate::pyfmt::Cell::Int(n) => n as f64,
        crate::pyfmt::Cell::Float(x) => x,
        crate::pyfmt::Cell::Text(_) => 0.0,
    }
}

/// Locust's end-of-run tables (`print_stats(current=False)`, percentiles, error report) for
/// the run in `agg`, with the name column sized to the names.
pub fn locust_tables(agg: &Aggregate) -> String {
    let name_width = agg
        .keys
        .iter()
        .map(|k| k.name.len() + 4)
        .max()
        .unwrap_or(0)
        .clamp(16, 80);
    let total = agg.total();
    let span = agg.last_completion_s.unwrap_or(0.0);
    let rate = |n: u64| if span > 0.0 { n as f64 / span } else { 0.0 };
    let mut rows: Vec<(String, &str, &EntryStats)> = agg
        .keys
        .iter()
        .zip(&agg.entries)
        .map(|(k, e)| (format!("{} ", k.method), k.name.as_str(), e))
        .collect();
    let mut out = String::new();

    let name_col = name_width - 8 + 4;
    let _ = writeln!(
        out,
        "{:<8} {:<name_col$} {:>7} {:>12} |{:>7} {:>7} {:>7}{:>7} | {:>7} {:>11}",
        "Type", "Name", "# reqs", "# fails", "Avg", "Min", "Max", "Med", "req/s", "failures/s"
    );
    let separator = format!(
        "{}|{}|{}|{}|{}|{}|{}|{}|{}|{}",
        "-".repeat(8),
        "-".repeat(name_col),
        "-".repeat(7),
        "-".repeat(13),
        "-".repeat(7),
        "-".repeat(7),
        "-".repeat(7),
        "-".repeat(7),
        "-".repeat(8),
        "-".repeat(11)
    );
    let stats_line = |out: &mut String, method: &str, name: &str, e: &EntryStats| {
        let ratio = if e.requests > 0 {
            e.failures as f64 / e.requests as f64 * 100.0
        } else {
            0.0
        };
        let figures = e.locust_figures();
        let _ = writeln!(
            out,
            "{:<8} {:<name_col$} {:>7} {:>12} |{:>7} {:>7} {:>7}{:>7} | {:>7.2} {:>11.2}",
            method,
            name,
            e.requests,
            format!("{}({:.2}%)", e.failures, ratio),
            trunc(e.mean_ms().unwrap_or(0.0)),
            trunc(figures.min_ms.unwrap_or(0.0)),
            trunc(figures.max_ms),
            trunc(median_number(e)),
            rate(e.requests),
            rate(e.failures)
        );
    };
    let _ = writeln!(out, "{separator}");
    for (method, name, e) in &rows {
        stats_line(&mut out, method, name, e);
    }
    let _ = writeln!(out, "{separator}");
    stats_line(&mut out, "", "Aggregated", total);
    out.push('\n');

    out.push_str("Response time percentiles (approximated)\n");
    let labels = [
        "50%", "66%", "75%", "80%", "90%", "95%", "98%", "99%", "99.9%", "99.99%", "100%", "# reqs",
    ];
    let _ = write!(
        out,
        "{:<8} {:<name_width$} {:>8}",
        "Type", "Name", labels[0]
    );
    for label in &labels[1..] {
        let _ = write!(out, " {label:>6}");
    }
    out.push('\n');
    let mut separator = format!(
        "{}|{}|{}|",
        "-".repeat(8),
        "-".repeat(name_width),
        "-".repeat(8)
    );
    separator.push_str(&"------|".repeat(PERCENTILES.len()));
    separator.pop();
    let percentile_line = |out: &mut String, method: &str, name: &str, e: &EntryStats| {
        let values: Vec<u64> = PERCENTILES
            .iter()
            .map(|p| e.buckets.percentile(e.requests, *p))
            .collect();
        let _ = write!(out, "{:<8} {:<name_width$} {:>8}", method, name, values[0]);
        for v in &values[1..] {
            let _ = write!(out, " {v:>6}");
        }
        let _ = writeln!(out, " {:>6}", e.requests);
    };
    let _ = writeln!(out, "{separator}");
    rows.retain(|(_, _, e)| e.requests > 0);
    for (method, name, e) in &rows {
        percentile_line(&mut out, method.trim_end(), name, e);
    }
    let _ = writeln!(out, "{separator}");
    if total.requests > 0 {
        percentile_line(&mut out, "", "Aggregated", total);
    }
    out.push('\n');

    if !agg.errors.is_empty() {
        out.push_str("Error report\n");
        let _ = writeln!(out, "{:<18} {:<100}", "# occurrences", "Error");
        let separator = format!("{}|{}", "-".repeat(18), "-".repeat(80 + name_width - 19));
        let _ = writeln!(out, "{separator}");
        let mut errors: Vec<_> = agg.errors.iter().collect();
        errors.sort_by(|((ea, ma), _), ((eb, mb), _)| {
            (&agg.keys[*ea], ma).cmp(&(&agg.keys[*eb], mb))
        });
        for ((entry, message), stat) in errors {
            let key = &agg.keys[*entry];
            let _ = writeln!(
                out,
                "{:<18} {:<100}",
                stat.occurrences,
                format!("{} {}: {}", key.method, key.name, message)
            );
        }
        let _ = writeln!(out, "{separator}");
        out.push('\n');
    }
    out
}

/// Our own closing lines: exact whole-run figures, loadgen's cost, the saturation verdict.
pub fn exact_summary(summary: &Summary) -> String {
    let t = &summary.totals;
    let ms = |x: Option<f64>| x.map_or("-".to_owned(), |v| format!("{v:.3}"));
    let mut out = format!(
        "Exact (HDR histogram, whole run): {} requests, {} failed, {:.1} req/s over {:.1} s\n",
        t.requests, t.failures, t.rps, summary.duration_s
    );
    let _ = writeln!(
        out,
        "  response time ms: mean {} min {} p50 {} p90 {} p95 {} p99 {} p99.9 {} max {}",
        ms(t.mean_ms),
        ms(t.min_ms),
        ms(t.p50_ms),
        ms(t.p90_ms),
        ms(t.p95_ms),
        ms(t.p99_ms),
        ms(t.p999_ms),
        ms(t.max_ms)
    );
    if t.failures > 0 {
        let k = &t.failures_by_kind;
        let _ = writeln!(
            out,
            "  failures: status {} timeout {} connect {} reset {} other {}",
            k.status, k.timeout, k.connect, k.reset, k.other
        );
    }
    let s = &summary.saturation;
    let _ = writeln!(
        out,
        "  loadgen: CPU mean {:.1}% max {:.1}% of a core, {} late sends (worst {:.1} ms)",
        s.loadgen_cpu_percent_mean, s.loadgen_cpu_percent_max, s.late_sends, s.max_send_lag_ms
    );
    if s.saturated {
        let _ = writeln!(
            out,
            "{}: {}",
            crate::monitor::SATURATED,
            s.reasons.join("; ")
        );
    }
    out
}
