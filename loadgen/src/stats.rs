//! Request statistics. Each worker thread records into its own `Recorder` (no locks, no channel
//! send per request); once a second the coordinator takes every worker's `Snapshot` and merges
//! it into the `Aggregate`, which holds the whole run: exact HDR histograms (microseconds) per
//! stats entry and per one-second window, Locust's bucketed counts, errors grouped like Locust.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

use crate::failure::{Failure, FailureKind};
use crate::locust::{Buckets, EntryFigures};
use crate::scenario::EntryKey;

/// A request starting later than this after the user model wanted it marks the run saturated.
pub const LATE_SEND: Duration = Duration::from_millis(10);

/// An empty histogram of response times in microseconds, 3 significant digits. It grows with
/// the largest value recorded, so the usual sub-10 ms histograms stay a few kilobytes and merge
/// in microseconds.
pub fn new_histogram() -> Histogram<u64> {
    Histogram::new(3).expect("3 significant digits is a valid precision")
}

fn record_us(hist: &mut Histogram<u64>, us: u64) {
    // Auto-resizing histograms only refuse values above 2^62 µs; clamp those instead.
    if hist.record(us).is_err() {
        hist.saturating_record(us);
    }
}

fn add_histogram(into: &mut Histogram<u64>, from: &Histogram<u64>) {
    into.add(from)
        .expect("an auto-resizing histogram takes any other");
}

fn ns_to_us(ns: u64) -> u64 {
    (ns + 500) / 1_000
}

/// The run's time base: t=0 on the monotonic clock and the same instant as a unix time.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    pub t0: Instant,
    pub t0_unix: f64,
    pub run_time: Duration,
}

impl Clock {
    pub fn elapsed_s(&self, at: Instant) -> f64 {
        at.saturating_duration_since(self.t0).as_secs_f64()
    }

    pub fn deadline(&self) -> Instant {
        self.t0 + self.run_time
    }

    /// Number of one-second windows (timeseries rows) in the run.
    pub fn windows(&self) -> u32 {
        (self.run_time.as_secs_f64().ceil() as u32).max(1)
    }

    /// The window a completion belongs to; completions after the run time (while in-flight
    /// requests finish under `--stop-timeout`) count in the last window.
    pub fn window_of(&self, elapsed_s: f64) -> u32 {
        (elapsed_s as u32).min(self.windows() - 1)
    }
}

/// Everything recorded for one stats entry (or the aggregate of several).
#[derive(Debug, Clone)]
pub struct EntryStats {
    pub requests: u64,
    pub failures: u64,
    pub by_kind: [u64; 5],
    pub sum_ns: u128,
    pub min_ns: Option<u64>,
    pub max_ns: u64,
    pub content_bytes: u64,
    pub buckets: Buckets,
    pub hist: Histogram<u64>,
}

impl Default for EntryStats {
    fn default() -> Self {
        EntryStats {
            requests: 0,
            failures: 0,
            by_kind: [0; 5],
            sum_ns: 0,
            min_ns: None,
            max_ns: 0,
            content_bytes: 0,
            buckets: Buckets::default(),
            hist: new_histogram(),
        }
    }
}

impl EntryStats {
    pub fn record(&mut self, ns: u64, body_len: u64, failure: Option<FailureKind>) {
        self.requests += 1;
        if let Some(kind) = failure {
            self.failures += 1;
            self.by_kind[kind.index()] += 1;
        }
        self.sum_ns += u128::from(ns);
        self.min_ns = Some(self.min_ns.map_or(ns, |m| m.min(ns)));
        self.max_ns = self.max_ns.max(ns);
        self.content_bytes += body_len;
        self.buckets.record(ns);
        record_us(&mut self.hist, ns_to_us(ns));
    }

    pub fn merge(&mut self, other: &EntryStats) {
        self.requests += other.requests;
        self.failures += other.failures;
        for (mine, theirs) in self.by_kind.iter_mut().zip(other.by_kind) {
            *mine += theirs;
        }
        self.sum_ns += other.sum_ns;
        self.min_ns = match (self.min_ns, other.min_ns) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.max_ns = self.max_ns.max(other.max_ns);
        self.content_bytes += other.content_bytes;
        self.buckets.merge(&other.buckets);
        add_histogram(&mut self.hist, &other.hist);
    }

    /// Exact mean in milliseconds, `None` without requests.
    pub fn mean_ms(&self) -> Option<f64> {
        (self.requests > 0).then(|| self.sum_ns as f64 / self.requests as f64 / 1e6)
    }

    /// Quantile from the HDR histogram, in milliseconds (microsecond resolution). The histogram
    /// reports the top of the bucket a value fell in, so it is capped at the exact maximum.
    pub fn quantile_ms(&self, q: f64) -> Option<f64> {
        (self.requests > 0)
            .then(|| self.hist.value_at_quantile(q).min(ns_to_us(self.max_ns)) as f64 / 1e3)
    }

    /// The figures Locust keeps, in Locust's float milliseconds.
    pub fn locust_figures(&self) -> EntryFigures {
        EntryFigures {
            requests: self.requests,
            min_ms: self.min_ns.map(|ns| ns as f64 / 1e6),
            max_ms: self.max_ns as f64 / 1e6,
        }
    }
}

/// Requests completed in one second of the run.
#[derive(Debug, Clone)]
pub struct Window {
    pub index: u32,
    pub requests: u64,
    pub failures: u64,
    pub max_ns: u64,
    pub hist: Histogram<u64>,
}

impl Window {
    fn new(index: u32) -> Window {
        Window {
            index,
            requests: 0,
            failures: 0,
            max_ns: 0,
            hist: new_histogram(),
        }
    }

    fn merge(&mut self, other: &Window) {
        self.requests += other.requests;
        self.failures += other.failures;
        self.max_ns = self.max_ns.max(other.max_ns);
        add_histogram(&mut self.hist, &other.hist);
    }
}

/// One row of Locust's failures table: how often, first and last time (unix seconds).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErrorStat {
    pub occurrences: u64,
    pub first_unix: f64,
    pub last_unix: f64,
}

impl ErrorStat {
    fn merge(&mut self, other: &ErrorStat) {
        self.occurrences += other.occurrences;
        self.first_unix = self.first_unix.min(other.first_unix);
        self.last_unix = self.last_unix.max(other.last_unix);
    }
}

/// Errors grouped like Locust: by stats entry and message.
pub type ErrorKey = (usize, String);

/// What one worker recorded since its previous snapshot.
#[derive(Debug)]
pub struct Snapshot {
    pub entries: Vec<EntryStats>,
    pub windows: Vec<Window>,
    /// (unix second, requests, failures) of completions, for Locust's "current" rates.
    pub unix_seconds: Vec<(i64, u64, u64)>,
    pub errors: HashMap<ErrorKey, ErrorStat>,
    pub last_completion_s: Option<f64>,
    /// When users started, in seconds after t=0.
    pub spawn_times: Vec<f64>,
    pub late_sends: u64,
    pub max_lag_ns: u64,
    /// The moment this snapshot was taken (seconds after t=0): every completion before it is in.
    pub as_of_s: f64,
}

/// A worker's recording side: called once per request, on the worker's own thread.
#[derive(Debug)]
pub struct Recorder {
    clock: Clock,
    current: Snapshot,
}

impl Recorder {
    pub fn new(clock: Clock, entries: usize) -> Recorder {
        Recorder {
            clock,
            current: Recorder::empty(entries),
        }
    }

    fn empty(entries: usize) -> Snapshot {
        Snapshot {
            entries: (0..entries).map(|_| EntryStats::default()).collect(),
            windows: Vec::new(),
            unix_seconds: Vec::new(),
            errors: HashMap::new(),
            last_completion_s: None,
            spawn_times: Vec::new(),
            late_sends: 0,
            max_lag_ns: 0,
            as_of_s: 0.0,
        }
    }

    /// Records one finished request. `wanted` is when the user model wanted it sent (`None`:
    /// not checked for lateness).
    pub fn record(
        &mut self,
        entry: usize,
        wanted: Option<Instant>,
        start: Instant,
        end: Instant,
        body_len: u64,
        failure: Option<Failure>,
    ) {
        let snap = &mut self.current;
        if let Some(wanted) = wanted {
            let lag = start.saturating_duration_since(wanted);
            if lag > LATE_SEND {
                snap.late_sends += 1;
            }
            snap.max_lag_ns = snap.max_lag_ns.max(lag.as_nanos() as u64);
        }

        let ns = end.saturating_duration_since(start).as_nanos() as u64;
        let failed = failure.as_ref().map(|f| f.kind);
        snap.entries[entry].record(ns, body_len, failed);

        let elapsed = self.clock.elapsed_s(end);
        snap.last_completion_s = Some(elapsed);
        let index = self.clock.window_of(elapsed);
        if snap.windows.last().is_none_or(|w| w.index != index) {
            snap.windows.push(Window::new(index));
        }
        if let Some(window) = snap.windows.last_mut() {
            window.requests += 1;
            window.failures += u64::from(failed.is_some());
            window.max_ns = window.max_ns.max(ns);
            record_us(&mut window.hist, ns_to_us(ns));
        }

        let unix = self.clock.t0_unix + elapsed;
        let second = unix.floor() as i64;
        match snap.unix_seconds.last_mut() {
            Some((s, requests, failures)) if *s == second => {
                *requests += 1;
                *failures += u64::from(failed.is_some());
            }
            _ => snap
                .unix_seconds
                .push((second, 1, u64::from(failed.is_some()))),
        }

        if let Some(failure) = failure {
            snap.errors
                .entry((entry, failure.message))
                .and_modify(|e| {
                    e.occurrences += 1;
                    e.last_unix = unix;
                })
                .or_insert(ErrorStat {
                    occurrences: 1,
                    first_unix: unix,
                    last_unix: unix,
                });
        }
    }

    pub fn user_started(&mut self, at: Instant) {
        let elapsed = self.clock.elapsed_s(at);
        self.current.spawn_times.push(elapsed);
    }

    /// Hands over everything recorded so far and starts afresh.
    pub fn take(&mut self) -> Snapshot {
        let fresh = Recorder::empty(self.current.entries.len());
        let mut snap = std::mem::replace(&mut self.current, fresh);
        snap.as_of_s = self.clock.elapsed_s(Instant::now());
        snap
    }
}

/// One row of `timeseries.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct SecondRow {
    /// End of the window, seconds after t=0.
    pub end_s: f64,
    pub length_s: f64,
    pub users: u64,
    pub requests: u64,
    pub failures: u64,
    /// p50, p95, p99 and max in microseconds; `None` without requests.
    pub p50_us: Option<u64>,
    pub p95_us: Option<u64>,
    pub p99_us: Option<u64>,
    pub max_us: Option<u64>,
}

/// The whole run so far, merged from all workers' snapshots.
#[derive(Debug)]
pub struct Aggregate {
    pub clock: Clock,
    pub keys: Vec<EntryKey>,
    pub entries: Vec<EntryStats>,
    total: EntryStats,
    pub errors: HashMap<ErrorKey, ErrorStat>,
    pub unix_seconds: BTreeMap<i64, (u64, u64)>,
    pub last_completion_s: Option<f64>,
    pub rows: Vec<SecondRow>,
    pub late_sends: u64,
    pub max_lag_ns: u64,
    pending: BTreeMap<u32, Window>,
    spawn_times: Vec<f64>,
}

impl Aggregate {
    pub fn new(clock: Clock, keys: Vec<EntryKey>) -> Aggregate {
        let entries = keys.iter().map(|_| EntryStats::default()).collect();
        Aggregate {
            clock,
            keys,
            entries,
            total: EntryStats::default(),
            errors: HashMap::new(),
            unix_seconds: BTreeMap::new(),
            last_completion_s: None,
            rows: Vec::new(),
            late_sends: 0,
            max_lag_ns: 0,
            pending: BTreeMap::new(),
            spawn_times: Vec::new(),
        }
    }

    pub fn absorb(&mut self, snap: Snapshot) {
        for (mine, theirs) in self.entries.iter_mut().zip(&snap.entries) {
            mine.merge(theirs);
            self.total.merge(theirs);
        }
        for window in snap.windows {
            match self.pending.get_mut(&window.index) {
                Some(existing) => existing.merge(&window),
                None => {
                    self.pending.insert(window.index, window);
                }
            }
        }
        for (second, requests, failures) in snap.unix_seconds {
            let slot = self.unix_seconds.entry(second).or_default();
            slot.0 += requests;
            slot.1 += failures;
        }
        for (key, stat) in snap.errors {
            match self.errors.get_mut(&key) {
                Some(existing) => existing.merge(&stat),
                None => {
                    self.errors.insert(key, stat);
                }
            }
        }
        self.last_completion_s = match (self.last_completion_s, snap.last_completion_s) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        self.spawn_times.extend(snap.spawn_times);
        self.late_sends += snap.late_sends;
        self.max_lag_ns = self.max_lag_ns.max(snap.max_lag_ns);
    }

    /// Ends the run's windows at `elapsed_s` when it was interrupted before its run time.
    pub fn cut_short(&mut self, elapsed_s: f64) {
        if elapsed_s < self.clock.run_time.as_secs_f64() {
            self.clock.run_time = Duration::from_secs_f64(elapsed_s);
        }
    }

    /// Users started before `elapsed_s`.
    pub fn users_before(&self, elapsed_s: f64) -> u64 {
        self.spawn_times.iter().filter(|t| **t < elapsed_s).count() as u64
    }

    /// Users started so far.
    pub fn users(&self) -> u64 {
        self.spawn_times.len() as u64
    }

    /// Turns the windows that ended by `complete_until_s` into rows (all of them when `all`).
    pub fn close_windows(&mut self, complete_until_s: f64, all: bool) {
        let run_s = self.clock.run_time.as_secs_f64();
        let total = self.clock.windows();
        while (self.rows.len() as u32) < total {
            let index = self.rows.len() as u32;
            let end_s = f64::from(index + 1).min(run_s);
            if !all && end_s > complete_until_s {
                break;
            }
            let window = self
                .pending
                .remove(&index)
                .unwrap_or_else(|| Window::new(index));
            let has = window.requests > 0;
            // Capped at the exact maximum: the histogram reports the top of a value's bucket.
            let q = |q: f64| {
                has.then(|| {
                    window
                        .hist
                        .value_at_quantile(q)
                        .min(ns_to_us(window.max_ns))
                })
            };
            self.rows.push(SecondRow {
                end_s,
                length_s: end_s - f64::from(index),
                users: self.users_before(end_s),
                requests: window.requests,
                failures: window.failures,
                p50_us: q(0.5),
                p95_us: q(0.95),
                p99_us: q(0.99),
                max_us: has.then(|| ns_to_us(window.max_ns)),
            });
        }
    }

    /// All entries merged: Locust's "Aggregated" row.
    pub fn total(&self) -> &EntryStats {
        &self.total
    }

    pub fn last_completion_unix(&self) -> Option<f64> {
        self.last_completion_s.map(|s| self.clock.t0_unix + s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock(run_s: u64) -> Clock {
        Clock {
            t0: Instant::now(),
            t0_unix: 1_000.5,
            run_time: Duration::from_secs(run_s),
        }
    }

    #[test]
    fn windows_and_merging_across_workers() {
        let c = clock(3);
        let mut a = Recorder::new(c, 2);
        let mut b = Recorder::new(c, 2);
        let ms = Duration::from_millis;
        a.record(0, Some(c.t0), c.t0, c.t0 + ms(5), 10, None);
        a.record(
            1,
            Some(c.t0),
            c.t0 + ms(1_000),
            c.t0 + ms(1_200),
            10,
            Some(Failure::timeout()),
        );
        b.record(0, Some(c.t0), c.t0 + ms(100), c.t0 + ms(400), 4, None);
        b.record(0, Some(c.t0), c.t0 + ms(2_900), c.t0 + ms(4_000), 4, None); // finishes after the run
        a.user_started(c.t0);
        b.user_started(c.t0 + ms(1_500));
        let mut agg = Aggregate::new(c, vec![]);
        agg.entries = vec![EntryStats::default(), EntryStats::default()];
        agg.absorb(a.take());
        agg.absorb(b.take());
        agg.close_windows(1.5, false);
        assert_eq!(agg.rows.len(), 1);
        assert_eq!(agg.rows[0].requests, 2);
        assert_eq!(agg.rows[0].max_us, Some(300_000));
        // 300 ms falls in a histogram bucket whose top is above it: capped at the exact max.
        assert_eq!(agg.rows[0].p99_us, Some(300_000));
        assert_eq!(agg.rows[0].users, 1);
        agg.close_windows(0.0, true);
        assert_eq!(agg.rows.len(), 3);
        assert_eq!(
            (
                agg.rows[1].requests,
                agg.rows[1].failures,
                agg.rows[1].users
            ),
            (1, 1, 2)
        );
        assert_eq!(
            agg.rows[2].requests, 1,
            "late completion lands in the last window"
        );
        let total = agg.total();
        assert_eq!(
            (total.requests, total.failures, total.content_bytes),
            (4, 1, 28)
        );
        assert_eq!(total.by_kind[FailureKind::Timeout.index()], 1);
        assert_eq!(total.min_ns, Some(5_000_000));
        assert_eq!(agg.unix_seconds[&1_000], (2, 0));
        assert_eq!(agg.unix_seconds[&1_001], (1, 1));
        assert_eq!(agg.errors.len(), 1);
    }

    #[test]
    fn late_sends_are_counted() {
        let c = clock(1);
        let mut r = Recorder::new(c, 1);
        r.record(
            0,
            Some(c.t0),
            c.t0 + Duration::from_millis(11),
            c.t0 + Duration::from_millis(12),
            0,
            None,
        );
        r.record(
            0,
            Some(c.t0),
            c.t0 + Duration::from_millis(2),
            c.t0 + Duration::from_millis(3),
            0,
            None,
        );
        let s = r.take();
        assert_eq!(s.late_sends, 1);
        assert_eq!(s.max_lag_ns, 11_000_000);
    }
}
