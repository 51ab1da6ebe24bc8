//! Reading CPU time and memory of processes (`/proc`) and of Docker containers (cgroup v2).
//!
//! Each source reports cumulative CPU seconds and current memory; the sampler turns differences
//! of CPU seconds into percent of one core.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// One reading of a source.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    /// CPU time used so far, in seconds: every thread of every process of the source, including
    /// processes of it that have already exited.
    pub cpu_seconds: f64,
    /// When `cpu_seconds` was read. CPU rates divide by the time between two of these, not
    /// between two readings' ends: reading the memory after it (`smaps_rollup` of a large
    /// process) can stall for a good part of a second on a busy machine, and timing from there
    /// would show more CPU than the machine has.
    pub cpu_read_at: Instant,
    /// Memory in bytes: the proportional set size (PSS) summed over the source's processes, so
    /// pages that forked workers or PostgreSQL's shared buffers share count once; for a cgroup,
    /// its usage without inactive page cache.
    pub memory_bytes: u64,
}

/// Where a figure comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// A process and all its descendants (a server that forks workers counts as a whole).
    Process(u32),
    /// A PostgreSQL cluster: the postmaster named by `<data dir>/postmaster.pid` and its children.
    Postgres(PathBuf),
    /// A cgroup v2 directory (a Docker container's).
    Cgroup(PathBuf),
}

impl Source {
    /// Reads the source now; `None` when it is gone (process exited, cluster stopped).
    pub fn read(&self) -> Option<Reading> {
        match self {
            Self::Process(pid) => read_tree(*pid),
            Self::Postgres(data_dir) => read_tree(postmaster_pid(data_dir)?),
            Self::Cgroup(dir) => read_cgroup(dir).ok(),
        }
    }
}

/// `/proc/<pid>/stat` fields we use, parsed after the command name (which may contain spaces).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    pub state: char,
    pub ppid: u32,
    /// utime + stime in clock ticks.
    pub own_ticks: u64,
    /// cutime + cstime: ticks of children that exited and were waited for.
    pub children_ticks: u64,
}

/// Parses the text of `/proc/<pid>/stat`.
pub fn parse_stat(text: &str) -> Result<Stat> {
    let after_name = text
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .context("no ')' after the command name")?;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // fields[0] is field 3 of proc(5) (state); utime is field 14, so fields[11].
    let number = |index: usize| -> Result<u64> {
        let field = fields.get(index).context("too few fields")?;
        field
            .parse()
            .with_context(|| format!("field {} is not a number: {field:?}", index + 3))
    };
    let state = fields
        .first()
        .and_then(|field| field.chars().next())
        .context("no state field")?;
    Ok(Stat {
        state,
        ppid: u32::try_from(number(1)?).context("ppid out of range")?,
        own_ticks: number(11)? + number(12)?,
        children_ticks: number(13)? + number(14)?,
    })
}

fn stat_of(pid: u32) -> Option<Stat> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_stat(&text).ok()
}

/// Whether `pid` exists and is not a zombie (a child that exited but was not waited for yet).
pub fn is_alive(pid: u32) -> bool {
    stat_of(pid).is_some_and(|stat| stat.state != 'Z')
}

fn ticks_per_second() -> f64 {
    // SAFETY: sysconf only reads a system constant; it has no memory-safety preconditions.
    #[allow(unsafe_code)]
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if ticks > 0 { ticks as f64 } else { 100.0 }
}

/// A value in kB from `/proc/<pid>/status` or `smaps_rollup` (`VmRSS:   1234 kB`).
pub fn kb_field(text: &str, name: &str) -> Option<u64> {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(':'))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
}

/// CPU and memory of `root` and every process descending from it. CPU counts each live
/// process's own ticks plus the ticks of its children that exited and were waited for (the
/// kernel moves those into the parent's cutime/cstime), so nothing is counted twice.
fn read_tree(root: u32) -> Option<Reading> {
    let root_stat = stat_of(root).filter(|stat| stat.state != 'Z')?;
    let processes: Vec<(u32, Stat)> = all_processes().collect();
    let mut tree = vec![(root, root_stat)];
    let mut next = 0;
    while let Some(&(parent, _)) = tree.get(next) {
        next += 1;
        tree.extend(
            processes
                .iter()
                .filter(|(pid, stat)| stat.ppid == parent && *pid != root),
        );
    }
    let (ticks, cpu_read_at) = timed_ticks(&tree);
    let pss_kb: u64 = tree
        .iter()
        .filter(|(_, stat)| stat.state != 'Z')
        .map(|(pid, _)| pss_kb(*pid))
        .sum();
    Some(Reading {
        cpu_seconds: ticks as f64 / ticks_per_second(),
        cpu_read_at,
        memory_bytes: pss_kb * 1024,
    })
}

/// A pass over the tree's stat files that took longer than this was interrupted (the sampler
/// lost its core); the counters it read are then from too different moments to time together.
const TIMED_PASS_MAX: Duration = Duration::from_millis(2);
const TIMED_PASS_ATTEMPTS: usize = 5;

/// The tree's CPU ticks, re-read in one short pass, and the moment they stand for (the middle of
/// the pass). Walking all of /proc to find the tree can be preempted on a busy machine; timing
/// that walk would spread one reading over a good part of a second. Of up to
/// `TIMED_PASS_ATTEMPTS` passes, the first within `TIMED_PASS_MAX`, else the shortest, is kept.
/// A process gone since the walk counts 0: once reaped, its ticks are in its parent's cutime.
fn timed_ticks(tree: &[(u32, Stat)]) -> (u64, Instant) {
    let pass = || {
        let start = Instant::now();
        let ticks: u64 = tree
            .iter()
            .filter_map(|(pid, _)| stat_of(*pid))
            .map(|stat| stat.own_ticks + stat.children_ticks)
            .sum();
        let width = start.elapsed();
        (width, ticks, start + width / 2)
    };
    let mut best = pass();
    for _ in 1..TIMED_PASS_ATTEMPTS {
        if best.0 <= TIMED_PASS_MAX {
            break;
        }
        let next = pass();
        if next.0 < best.0 {
            best = next;
        }
    }
    (best.1, best.2)
}

fn postmaster_pid(data_dir: &Path) -> Option<u32> {
    let text = fs::read_to_string(data_dir.join("postmaster.pid")).ok()?;
    text.lines().next()?.trim().parse().ok()
}

fn pss_kb(pid: u32) -> u64 {
    fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .ok()
        .and_then(|text| kb_field(&text, "Pss"))
        .unwrap_or(0)
}

fn all_processes() -> impl Iterator<Item = (u32, Stat)> {
    fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| Some((pid, stat_of(pid)?)))
}

fn read_cgroup(dir: &Path) -> Result<Reading> {
    let cpu = fs::read_to_string(dir.join("cpu.stat"))
        .with_context(|| format!("reading {}", dir.join("cpu.stat").display()))?;
    let usage_usec = cpu
        .lines()
        .find_map(|line| line.strip_prefix("usage_usec "))
        .and_then(|value| value.trim().parse::<u64>().ok())
        .context("cpu.stat has no usage_usec")?;
    let cpu_read_at = Instant::now();
    let current: u64 = fs::read_to_string(dir.join("memory.current"))?
        .trim()
        .parse()?;
    let stat = fs::read_to_string(dir.join("memory.stat"))?;
    let inactive_file = stat
        .lines()
        .find_map(|line| line.strip_prefix("inactive_file "))
        .and_then(|value| value.trim().parse::<u64>().ok())
        .unwrap_or(0);
    if usage_usec == 0 && current == 0 {
        bail!("cgroup {} reports nothing", dir.display());
    }
    Ok(Reading {
        cpu_seconds: usage_usec as f64 / 1e6,
        cpu_read_at,
        memory_bytes: current.saturating_sub(inactive_file),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_parsing_survives_spaces_and_parentheses_in_the_name() {
        let text = "4242 (tokio (worker) 1) S 1 4242 4242 0 -1 4194560 100 0 0 0 \
                    250 50 7 3 20 0 5 0 12345 1000000 300 18446744073709551615";
        let stat = parse_stat(text).unwrap();
        assert_eq!(
            stat,
            Stat {
                state: 'S',
                ppid: 1,
                own_ticks: 300,
                children_ticks: 10
            }
        );
        assert!(parse_stat("12 (x) S 1").is_err());
    }

    #[test]
    fn kb_fields_are_found_by_name() {
        let text = "Name:\tx\nVmRSS:\t   2048 kB\nRssAnon:\t 10 kB\n";
        assert_eq!(kb_field(text, "VmRSS"), Some(2048));
        assert_eq!(kb_field(text, "Rss"), None);
    }

    #[test]
    fn a_process_tree_counts_its_forked_children() {
        // sh forks a busy child; the tree's CPU must grow although sh itself only waits (by a
        // margin that holds on a loaded machine: sh alone uses next to nothing).
        let mut shell = std::process::Command::new("sh")
            .args(["-c", "timeout 2 sh -c 'while :; do :; done'; sleep 5"])
            .spawn()
            .unwrap();
        let source = Source::Process(shell.id());
        std::thread::sleep(std::time::Duration::from_millis(200));
        let before = source.read().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(600));
        let during = source.read().unwrap();
        // After the busy child exits, its CPU stays counted (in the parent's cutime).
        std::thread::sleep(std::time::Duration::from_millis(1800));
        let after = source.read().unwrap();
        shell.kill().unwrap();
        shell.wait().unwrap();
        assert!(
            during.cpu_seconds - before.cpu_seconds > 0.05,
            "{before:?} -> {during:?}"
        );
        assert!(
            after.cpu_seconds >= during.cpu_seconds,
            "{during:?} -> {after:?}"
        );
        assert!(during.memory_bytes > 0);
    }

    #[test]
    fn this_process_is_readable_and_uses_cpu() {
        let source = Source::Process(std::process::id());
        let before = source.read().unwrap();
        let mut x = 0u64;
        let start = std::time::Instant::now();
        while start.elapsed() < std::time::Duration::from_millis(300) {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
        }
        let after = source.read().unwrap();
        assert!(
            after.cpu_seconds > before.cpu_seconds,
            "{before:?} -> {after:?}"
        );
        assert!(after.memory_bytes > 1_000_000, "{after:?}");
        assert!(is_alive(std::process::id()));
    }
}
