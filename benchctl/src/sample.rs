//! `benchctl sample`: one row of resources.csv per interval (docs/results-format.md) until the
//! watched process (loadgen) exits. Rows are flushed as they are written, so a run that is cut
//! short keeps what was measured.

use std::io::Write;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::proc::{Reading, Source, is_alive};

/// The header of resources.csv.
pub const HEADER: &str =
    "elapsed_s,backend_cpu_percent,backend_rss_mb,db_cpu_percent,db_rss_mb,loadgen_cpu_percent";

/// What to sample.
#[derive(Debug, Clone)]
pub struct Sampler {
    pub backend: Option<Source>,
    pub db: Option<Source>,
    pub loadgen: Option<Source>,
    pub interval: Duration,
}

/// One column pair's state between two samples.
struct Column {
    source: Option<Source>,
    last: Option<Reading>,
}

impl Column {
    fn new(source: Option<Source>) -> Self {
        let last = source.as_ref().and_then(Source::read);
        Self { source, last }
    }

    /// CPU percent of one core since the previous sample, and memory now. The rate divides by
    /// the time between the two CPU readings themselves (`Reading::cpu_read_at`).
    fn next(&mut self) -> (Option<f64>, Option<f64>) {
        let now = self.source.as_ref().and_then(Source::read);
        let cpu = match (self.last, now) {
            (Some(last), Some(now)) => {
                let seconds = now
                    .cpu_read_at
                    .duration_since(last.cpu_read_at)
                    .as_secs_f64()
                    .max(1e-3);
                Some(((now.cpu_seconds - last.cpu_seconds).max(0.0) / seconds) * 100.0)
            }
            _ => None,
        };
        self.last = now;
        (cpu, now.map(|reading| reading.memory_bytes as f64 / 1e6))
    }
}

impl Sampler {
    /// Writes the header, then a row every interval until `until_exit` is no longer alive.
    pub fn run(self, until_exit: u32, out: &mut impl Write) -> Result<u64> {
        writeln!(out, "{HEADER}").context("writing resources.csv")?;
        let mut backend = Column::new(self.backend);
        let mut db = Column::new(self.db);
        let mut loadgen = Column::new(self.loadgen);
        let start = Instant::now();
        let mut rows = 0u64;
        while is_alive(until_exit) {
            let deadline = start + self.interval * u32::try_from(rows + 1).unwrap_or(u32::MAX);
            if let Some(wait) = deadline.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
            rows += 1;
            let (backend_cpu, backend_mb) = backend.next();
            let (db_cpu, db_mb) = db.next();
            let (loadgen_cpu, _) = loadgen.next();
            let elapsed = self.interval.as_secs_f64() * rows as f64;
            writeln!(
                out,
                "{elapsed},{},{},{},{},{}",
                cell(backend_cpu),
                cell(backend_mb),
                cell(db_cpu),
                cell(db_mb),
                cell(loadgen_cpu)
            )
            .and_then(|()| out.flush())
            .context("writing resources.csv")?;
        }
        Ok(rows)
    }
}

/// One decimal, or an empty cell for "not measured".
fn cell(value: Option<f64>) -> String {
    value.map(|value| format!("{value:.1}")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_a_busy_process_until_the_watched_one_exits() {
        let mut sleeper = std::process::Command::new("sleep")
            .arg("2.2")
            .spawn()
            .unwrap();
        let busy = std::thread::spawn(|| {
            let start = Instant::now();
            let mut x = 1u64;
            while start.elapsed() < Duration::from_secs(3) {
                x = std::hint::black_box(x.wrapping_mul(3));
            }
        });
        let sampler = Sampler {
            backend: Some(Source::Process(std::process::id())),
            db: None,
            loadgen: Some(Source::Process(sleeper.id())),
            interval: Duration::from_millis(500),
        };
        let sleeper_pid = sleeper.id();
        let reaper = std::thread::spawn(move || sleeper.wait());
        let mut out = Vec::new();
        let rows = sampler.run(sleeper_pid, &mut out).unwrap();
        reaper.join().unwrap().unwrap();
        busy.join().unwrap();

        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], HEADER);
        assert!((4..=6).contains(&rows), "{rows} rows:\n{text}");
        assert_eq!(lines.len() as u64, rows + 1);
        let first: Vec<&str> = lines[1].split(',').collect();
        assert_eq!(first.len(), 6);
        let backend_cpu: f64 = first[1].parse().unwrap();
        assert!(backend_cpu > 50.0, "a spinning thread should show: {text}");
        assert!(first[2].parse::<f64>().unwrap() > 1.0);
        assert_eq!((first[3], first[4]), ("", ""), "no database was sampled");
    }
}
