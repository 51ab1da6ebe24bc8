//! The four Locust-compatible CSV files (`PREFIX_stats.csv`, `_stats_history.csv`,
//! `_failures.csv`, `_exceptions.csv`), byte for byte in Locust 2.4x's layout: same headers and
//! column order, `N/A` cells, CRLF, Python's number formatting, Locust's bucketed percentiles and
//! rates. Failures are sorted by (name, method, message) rather than by Locust's hash of them.

use std::io::{self, Write};

use time::OffsetDateTime;
use time::macros::format_description;

use crate::locust::{self, PERCENTILES};
use crate::pyfmt::{Cell, csv_header, csv_row, fixed6};
use crate::stats::{Aggregate, EntryStats};

const PERCENTILE_COLUMNS: [&str; 11] = [
    "50%", "66%", "75%", "80%", "90%", "95%", "98%", "99%", "99.9%", "99.99%", "100%",
];

const STATS_COLUMNS: [&str; 11] = [
    "Type",
    "Name",
    "Request Count",
    "Failure Count",
    "Median Response Time",
    "Average Response Time",
    "Min Response Time",
    "Max Response Time",
    "Average Content Size",
    "Requests/s",
    "Failures/s",
];

const HISTORY_LEAD: [&str; 6] = [
    "Timestamp",
    "User Count",
    "Type",
    "Name",
    "Requests/s",
    "Failures/s",
];

const HISTORY_TAIL: [&str; 7] = [
    "Total Request Count",
    "Total Failure Count",
    "Total Median Response Time",
    "Total Average Response Time",
    "Total Min Response Time",
    "Total Max Response Time",
    "Total Average Content Size",
];

const FAILURES_COLUMNS: [&str; 6] = [
    "Method",
    "Name",
    "Error",
    "Occurrences",
    "First Seen",
    "Last Seen",
];

const EXCEPTIONS_COLUMNS: [&str; 4] = ["Count", "Message", "Traceback", "Nodes"];

/// `benchmark_stats.csv`'s header line.
pub fn stats_header() -> String {
    csv_header(&[&STATS_COLUMNS[..], &PERCENTILE_COLUMNS[..]].concat())
}

/// `benchmark_stats_history.csv`'s header line.
pub fn history_header() -> String {
    csv_header(
        &[
            &HISTORY_LEAD[..],
            &PERCENTILE_COLUMNS[..],
            &HISTORY_TAIL[..],
        ]
        .concat(),
    )
}

/// `%Y-%m-%dT%H:%M:%SZ` of a unix time, whole seconds (Locust's `format_utc_timestamp`).
pub fn utc_timestamp(unix: f64) -> String {
    let fmt = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    OffsetDateTime::from_unix_timestamp(unix.floor() as i64)
        .ok()
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_default()
}

fn percentile_cells(entry: &EntryStats) -> Vec<Cell> {
    if entry.requests == 0 {
        return PERCENTILES.iter().map(|_| Cell::from("N/A")).collect();
    }
    PERCENTILES
        .iter()
        .map(|p| Cell::Int(entry.buckets.percentile(entry.requests, *p)))
        .collect()
}

/// Locust's `min_response_time or 0`: a float, or the integer 0 when there is none (or it is 0).
fn min_cell(entry: &EntryStats) -> Cell {
    match entry.locust_figures().min_ms {
        Some(ms) if ms != 0.0 => Cell::Float(ms),
        _ => Cell::Int(0),
    }
}

/// Locust's `max_response_time`: starts as the integer 0, a float once a request is logged.
fn max_cell(entry: &EntryStats) -> Cell {
    if entry.requests == 0 {
        Cell::Int(0)
    } else {
        Cell::Float(entry.locust_figures().max_ms)
    }
}

fn average_cell(entry: &EntryStats) -> Cell {
    Cell::Float(entry.mean_ms().unwrap_or(0.0))
}

fn content_cell(entry: &EntryStats) -> Cell {
    if entry.requests == 0 {
        Cell::Int(0)
    } else {
        Cell::Float(entry.content_bytes as f64 / entry.requests as f64)
    }
}

/// Locust's `total_rps`/`total_fail_per_sec`: count over (last request - start).
fn total_rate(agg: &Aggregate, count: u64) -> f64 {
    match agg.last_completion_s {
        Some(span) if span > 0.0 => count as f64 / span,
        _ => 0.0,
    }
}

/// Writes `benchmark_stats.csv`.
pub fn write_stats<W: Write>(out: &mut W, agg: &Aggregate) -> io::Result<()> {
    out.write_all(stats_header().as_bytes())?;
    let total = agg.total();
    let rows = agg
        .keys
        .iter()
        .map(|k| (k.method.as_str(), k.name.as_str()))
        .zip(agg.entries.iter());
    for ((method, name), entry) in rows.chain(std::iter::once((("", "Aggregated"), total))) {
        let mut cells = vec![
            Cell::from(method),
            Cell::from(name),
            Cell::Int(entry.requests),
            Cell::Int(entry.failures),
            locust::median(&entry.buckets, entry.locust_figures()),
            average_cell(entry),
            min_cell(entry),
            max_cell(entry),
            content_cell(entry),
            Cell::Float(total_rate(agg, entry.requests)),
            Cell::Float(total_rate(agg, entry.failures)),
        ];
        cells.extend(percentile_cells(entry));
        out.write_all(csv_row(cells).as_bytes())?;
    }
    Ok(())
}

/// One line of `benchmark_stats_history.csv` for the moment `now_unix`: the Aggregated entry's
/// current rates (Locust's sliding whole-second window) and its whole-run figures so far.
pub fn history_row(agg: &Aggregate, now_unix: f64, users: u64) -> String {
    let total = agg.total();
    let last = agg.last_completion_unix();
    let start = agg.clock.t0_unix;
    let rps = locust::current_rate(last, start, |s| agg.unix_seconds.get(&s).map_or(0, |c| c.0));
    let fps = locust::current_rate(last, start, |s| agg.unix_seconds.get(&s).map_or(0, |c| c.1));
    let mut cells = vec![
        Cell::Int(now_unix.floor() as u64),
        Cell::Int(users),
        Cell::from(""),
        Cell::from("Aggregated"),
        Cell::Text(fixed6(rps)),
        Cell::Text(fixed6(fps)),
    ];
    cells.extend(percentile_cells(total));
    cells.extend([
        Cell::Int(total.requests),
        Cell::Int(total.failures),
        locust::median(&total.buckets, total.locust_figures()),
        average_cell(total),
        min_cell(total),
        max_cell(total),
        content_cell(total),
    ]);
    csv_row(cells)
}

/// Writes `benchmark_stats_history.csv` from rows made by `history_row`.
pub fn write_history<W: Write>(out: &mut W, rows: &[String]) -> io::Result<()> {
    out.write_all(history_header().as_bytes())?;
    for row in rows {
        out.write_all(row.as_bytes())?;
    }
    Ok(())
}

/// Writes `benchmark_failures.csv`: one row per (method, name, message).
pub fn write_failures<W: Write>(out: &mut W, agg: &Aggregate) -> io::Result<()> {
    out.write_all(csv_header(&FAILURES_COLUMNS).as_bytes())?;
    let mut errors: Vec<_> = agg.errors.iter().collect();
    errors.sort_by(|((ea, ma), _), ((eb, mb), _)| (&agg.keys[*ea], ma).cmp(&(&agg.keys[*eb], mb)));
    for ((entry, message), stat) in errors {
        let key = &agg.keys[*entry];
        let row = csv_row([
            Cell::from(key.method.as_str()),
            Cell::from(key.name.as_str()),
            Cell::from(message.as_str()),
            Cell::Int(stat.occurrences),
            Cell::Text(utc_timestamp(stat.first_unix)),
            Cell::Text(utc_timestamp(stat.last_unix)),
        ]);
        out.write_all(row.as_bytes())?;
    }
    Ok(())
}

/// Writes `benchmark_exceptions.csv`. loadgen runs no user code, so it never has rows; the file
/// exists because Locust tooling expects all four.
pub fn write_exceptions<W: Write>(out: &mut W) -> io::Result<()> {
    out.write_all(csv_header(&EXCEPTIONS_COLUMNS).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_timestamps_like_locust() {
        assert_eq!(utc_timestamp(1_796_414_963.7), "2026-12-04T20:09:23Z");
    }
}
