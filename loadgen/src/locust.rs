//! Locust's own statistics, reproduced quirk for quirk so the Locust-compatible CSV files carry
//! the numbers Locust would have printed for the same requests: response times bucketed to about
//! two significant digits (round-half-even) before any percentile, the percentile walk from the
//! top bucket, the median clamped into [min, max], and "current" rates averaged over whole
//! wall-clock seconds. Our exact figures (HDR histograms) live in `stats`, not here.

use crate::pyfmt::Cell;

/// The percentiles of Locust's CSV columns `50%` .. `100%`.
pub const PERCENTILES: [f64; 11] = [
    0.50, 0.66, 0.75, 0.80, 0.90, 0.95, 0.98, 0.99, 0.999, 0.9999, 1.0,
];

/// The bucket key Locust stores a response time under, computed exactly from nanoseconds:
/// `round(ms)` below 100 ms, then to 10 ms below 1 s, 100 ms below 10 s, else to whole seconds,
/// each with Python's round-half-even.
pub fn bucket_key(ns: u64) -> u64 {
    const MS: u64 = 1_000_000;
    let unit = if ns < 100 * MS {
        MS
    } else if ns < 1_000 * MS {
        10 * MS
    } else if ns < 10_000 * MS {
        100 * MS
    } else {
        1_000 * MS
    };
    round_half_even(ns, unit) * (unit / MS)
}

fn round_half_even(n: u64, unit: u64) -> u64 {
    let (q, r) = (n / unit, n % unit);
    let half = unit / 2;
    if r > half || (r == half && q % 2 == 1) {
        q + 1
    } else {
        q
    }
}

/// Dense index of a bucket key: the keys are 0..=99, then multiples of 10, 100 and 1000.
fn key_to_index(key: u64) -> usize {
    let index = if key < 100 {
        key
    } else if key < 1_000 {
        100 + (key - 100) / 10
    } else if key < 10_000 {
        190 + (key - 1_000) / 100
    } else {
        280 + (key - 10_000) / 1_000
    };
    index as usize
}

fn index_to_key(index: usize) -> u64 {
    let i = index as u64;
    if i < 100 {
        i
    } else if i < 190 {
        100 + (i - 100) * 10
    } else if i < 280 {
        1_000 + (i - 190) * 100
    } else {
        10_000 + (i - 280) * 1_000
    }
}

/// Locust's `response_times` dict (bucket key -> count) as a dense array.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Buckets {
    counts: Vec<u64>,
}

impl Buckets {
    pub fn record(&mut self, ns: u64) {
        let index = key_to_index(bucket_key(ns));
        if index >= self.counts.len() {
            self.counts.resize(index + 1, 0);
        }
        self.counts[index] += 1;
    }

    pub fn merge(&mut self, other: &Buckets) {
        if other.counts.len() > self.counts.len() {
            self.counts.resize(other.counts.len(), 0);
        }
        for (mine, theirs) in self.counts.iter_mut().zip(&other.counts) {
            *mine += theirs;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.counts.iter().all(|c| *c == 0)
    }

    /// Locust's `calculate_response_time_percentile`: walk the buckets from the top until no
    /// more than `int(n * percent)` requests remain below.
    pub fn percentile(&self, num_requests: u64, percent: f64) -> u64 {
        let wanted = (num_requests as f64 * percent) as u64;
        let mut processed = 0u64;
        for (index, count) in self.counts.iter().enumerate().rev() {
            if *count == 0 {
                continue;
            }
            processed += count;
            if num_requests.saturating_sub(processed) <= wanted {
                return index_to_key(index);
            }
        }
        0
    }
}

/// The raw numbers Locust keeps per stats entry (response times in ms as floats).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EntryFigures {
    pub requests: u64,
    pub min_ms: Option<f64>,
    pub max_ms: f64,
}

/// Locust's `median_response_time`: the bucketed median, clamped into [min, max] with the exact
/// (unbucketed) extremes, which is why it can come out as a float.
pub fn median(buckets: &Buckets, figures: EntryFigures) -> Cell {
    if buckets.is_empty() {
        return Cell::Int(0);
    }
    let median = buckets.percentile(figures.requests, 0.5);
    if median as f64 > figures.max_ms {
        return Cell::Float(figures.max_ms);
    }
    match figures.min_ms {
        Some(min) if (median as f64) < min => Cell::Float(min),
        _ => Cell::Int(median),
    }
}

/// Locust's `current_rps` / `current_fail_per_sec`: the mean count over the whole wall-clock
/// seconds `max(last - 12, start) .. last - 2` (exclusive), where `last` is the second of the
/// latest completed request and `start` the second the test started. `count_at` gives the
/// count for one unix second.
pub fn current_rate(
    last_request_unix: Option<f64>,
    start_unix: f64,
    count_at: impl Fn(i64) -> u64,
) -> f64 {
    let Some(last) = last_request_unix else {
        return 0.0;
    };
    let last = last.floor() as i64;
    let start = (last - 12).max(start_unix.floor() as i64);
    let end = last - 2;
    if end <= start {
        return 0.0;
    }
    let total: u64 = (start..end).map(count_at).sum();
    total as f64 / (end - start) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = 1_000_000;

    #[test]
    fn buckets_round_like_python() {
        assert_eq!(bucket_key(2_500_000), 2); // round(2.5) == 2
        assert_eq!(bucket_key(3_500_000), 4); // round(3.5) == 4
        assert_eq!(bucket_key(2_500_001), 3);
        assert_eq!(bucket_key(99_600_000), 100);
        assert_eq!(bucket_key(125 * MS), 120); // round(125.0, -1) == 120
        assert_eq!(bucket_key(135 * MS), 140);
        assert_eq!(bucket_key(147 * MS), 150);
        assert_eq!(bucket_key(3_432 * MS), 3_400);
        assert_eq!(bucket_key(58_760 * MS), 59_000);
        assert_eq!(bucket_key(9_990 * MS), 10_000);
        for key in [0, 5, 99, 100, 110, 990, 1_000, 1_100, 9_900, 10_000, 61_000] {
            assert_eq!(index_to_key(key_to_index(key)), key);
        }
    }

    #[test]
    fn percentile_walks_from_the_top() {
        let mut b = Buckets::default();
        for ms in [1, 1, 1, 2, 2, 5, 30, 140] {
            b.record(ms * MS);
        }
        assert_eq!(b.percentile(8, 0.5), 2);
        assert_eq!(b.percentile(8, 0.99), 140);
        assert_eq!(b.percentile(8, 1.0), 140);
        assert_eq!(b.percentile(8, 0.0), 1);
    }

    #[test]
    fn percentiles_equal_locusts_on_the_same_samples() {
        // Expected values printed by Locust 2.47's own bucket_response_time and
        // calculate_response_time_percentile for the same 521 samples.
        let mut samples: Vec<u64> = (0..500u64)
            .map(|i| ((i * 7919 * 104_729) % 12_000_000_000 + 50_000) / (1 + (i % 3) * 40))
            .collect();
        for _ in 0..3 {
            samples.extend([
                2_500_000,
                3_500_000,
                125 * MS,
                135 * MS,
                1_250 * MS,
                1_350 * MS,
                12_500 * MS,
            ]);
        }
        let mut b = Buckets::default();
        for ns in &samples {
            b.record(*ns);
        }
        let n = samples.len() as u64;
        let got: Vec<u64> = PERCENTILES.iter().map(|p| b.percentile(n, *p)).collect();
        assert_eq!(
            got,
            [
                150, 280, 2700, 4600, 8300, 10000, 11000, 12000, 12000, 12000, 12000
            ]
        );
    }

    #[test]
    fn median_is_clamped_to_exact_extremes() {
        let mut b = Buckets::default();
        b.record(400_000); // 0.4 ms buckets to 0
        let figures = EntryFigures {
            requests: 1,
            min_ms: Some(0.4),
            max_ms: 0.4,
        };
        assert_eq!(median(&b, figures), Cell::Float(0.4));
    }

    #[test]
    fn current_rate_uses_whole_seconds_before_the_last_two() {
        // The failures_mix reference: start at second 963, per-second counts 455, 617, 616.
        let counts = |s: i64| match s {
            963 => 455,
            964 => 617,
            965 => 616,
            _ => 0,
        };
        let start = 963.4;
        assert_eq!(current_rate(Some(965.9), start, counts), 0.0);
        assert_eq!(current_rate(Some(966.5), start, counts), 455.0);
        assert_eq!(current_rate(Some(967.5), start, counts), 536.0);
        assert_eq!(
            crate::pyfmt::fixed6(current_rate(Some(968.1), start, counts)),
            "562.666667"
        );
        assert_eq!(current_rate(None, start, counts), 0.0);
    }
}
