//! Self-monitoring: loadgen samples its own CPU use once a second and decides at the end whether
//! the run measured the backend or the load generator. Saturated means the CPU stayed above 90%
//! of one core for `SUSTAINED_SECONDS` seconds in a row, or more than `LATE_SHARE` of the
//! requests started more than 10 ms after the user model wanted them. A few late sends happen on
//! any shared machine (a scheduling hiccup delays every user due in that instant); they are
//! counted in summary.json but do not discredit a run of a million requests.

use std::time::{Duration, Instant};

use rustix::time::{ClockId, clock_gettime};

use crate::stats::LATE_SEND;

/// CPU use (100 = one core) above which a second counts as busy.
pub const BUSY_PERCENT: f64 = 90.0;
/// Busy seconds in a row that make the run saturated.
pub const SUSTAINED_SECONDS: usize = 5;

/// Share of all requests that may start late before the run counts as saturated.
pub const LATE_SHARE: f64 = 0.01;

/// The message printed and recorded when the run is saturated.
pub const SATURATED: &str =
    "load generator saturated: results measure the load generator, not the backend";

/// CPU time this process has used so far.
pub fn process_cpu_time() -> Duration {
    let t = clock_gettime(ClockId::ProcessCPUTime);
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// Per-second CPU samples of this process.
#[derive(Debug)]
pub struct CpuMonitor {
    started_wall: Instant,
    started_cpu: Duration,
    last_wall: Instant,
    last_cpu: Duration,
    samples: Vec<f64>,
}

impl CpuMonitor {
    pub fn start() -> CpuMonitor {
        let (wall, cpu) = (Instant::now(), process_cpu_time());
        CpuMonitor {
            started_wall: wall,
            started_cpu: cpu,
            last_wall: wall,
            last_cpu: cpu,
            samples: Vec::new(),
        }
    }

    /// Takes a sample: CPU percent since the previous one.
    pub fn sample(&mut self) -> f64 {
        let (wall, cpu) = (Instant::now(), process_cpu_time());
        let dt = wall.saturating_duration_since(self.last_wall).as_secs_f64();
        let percent = if dt > 0.0 {
            (cpu.saturating_sub(self.last_cpu)).as_secs_f64() / dt * 100.0
        } else {
            0.0
        };
        self.last_wall = wall;
        self.last_cpu = cpu;
        self.samples.push(percent);
        percent
    }

    /// Mean CPU percent since the start.
    pub fn mean(&self) -> f64 {
        let wall = self.started_wall.elapsed().as_secs_f64();
        if wall > 0.0 {
            process_cpu_time()
                .saturating_sub(self.started_cpu)
                .as_secs_f64()
                / wall
                * 100.0
        } else {
            0.0
        }
    }

    pub fn max(&self) -> f64 {
        self.samples.iter().copied().fold(0.0, f64::max)
    }

    /// Longest run of consecutive busy samples.
    pub fn longest_busy_streak(&self) -> usize {
        let mut best = 0;
        let mut current = 0;
        for s in &self.samples {
            current = if *s > BUSY_PERCENT { current + 1 } else { 0 };
            best = best.max(current);
        }
        best
    }
}

/// The verdict: whether the run is saturated, and why in words.
pub fn saturation_reasons(
    busy_streak: usize,
    late_sends: u64,
    requests: u64,
    max_lag: Duration,
) -> Vec<String> {
    let mut reasons = Vec::new();
    if busy_streak >= SUSTAINED_SECONDS {
        reasons.push(format!(
            "loadgen CPU above {BUSY_PERCENT:.0}% of a core for {busy_streak} seconds in a row"
        ));
    }
    if late_sends as f64 > LATE_SHARE * requests as f64 {
        reasons.push(format!(
            "{late_sends} of {requests} requests ({:.1}%) started more than {} ms after the user model wanted them (worst {:.1} ms late)",
            late_sends as f64 * 100.0 / requests.max(1) as f64,
            LATE_SEND.as_millis(),
            max_lag.as_secs_f64() * 1e3
        ));
    }
    reasons
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_in_words() {
        assert!(saturation_reasons(4, 0, 100, Duration::ZERO).is_empty());
        assert!(saturation_reasons(0, 10, 1000, Duration::from_millis(15)).is_empty());
        let r = saturation_reasons(5, 11, 1000, Duration::from_millis(15));
        assert_eq!(r.len(), 2);
        assert!(
            r[1].starts_with("11 of 1000 requests (1.1%) started more than 10 ms"),
            "{}",
            r[1]
        );
    }

    #[test]
    fn cpu_time_advances_with_work() {
        let before = process_cpu_time();
        let mut x = 0u64;
        let start = Instant::now();
        while start.elapsed() < Duration::from_millis(30) {
            x = x.wrapping_add(std::hint::black_box(1));
        }
        assert!(x > 0);
        assert!(process_cpu_time() > before);
    }
}
