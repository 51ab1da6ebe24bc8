//! Running the PostgreSQL tools with one-line errors, and handling the postmaster by PID when the
//! tools cannot stop it.

use std::path::Path;
use std::process::Command;

use rustix::process::{Pid, Signal};
use std::time::{Duration, Instant};

use crate::Error;

/// Runs `command` to completion; a failure carries the tool's last output line.
pub(crate) fn run(mut command: Command, what: &str) -> Result<(), Error> {
    let output = command.output().map_err(|err| Error::Command {
        command: what.to_string(),
        detail: format!("could not run it: {err}"),
    })?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    Err(Error::Command {
        command: what.to_string(),
        detail: format!(
            "{} ({})",
            last_line(&format!("{stdout}\n{stderr}")),
            output.status
        ),
    })
}

/// The last non-empty line of `text`, or a note that there was none.
pub(crate) fn last_line(text: &str) -> String {
    text.lines()
        .rev()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or("no output")
        .to_string()
}

/// The postmaster PID recorded in `data/postmaster.pid`, if the file exists and is readable.
pub(crate) fn postmaster_pid(data_dir: &Path) -> Option<u32> {
    std::fs::read_to_string(data_dir.join("postmaster.pid"))
        .ok()?
        .lines()
        .next()?
        .trim()
        .parse()
        .ok()
}

/// Whether `pid` is a live process (zombies count as dead: PID 1 here does not reap orphans).
pub(crate) fn is_alive(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // The state follows the parenthesised command name, which may itself contain spaces.
    let state = stat
        .rfind(')')
        .and_then(|end| stat[end + 1..].split_whitespace().next());
    !matches!(state, Some("Z" | "X") | None)
}

/// Stops the postmaster `pid` by signal: SIGQUIT (immediate shutdown, which also ends its
/// children), then SIGKILL if it is still alive after `grace`. Returns whether it is gone.
pub(crate) fn kill_postmaster(pid: u32, grace: Duration) -> bool {
    signal(pid, Signal::QUIT);
    if wait_until_dead(pid, grace) {
        return true;
    }
    signal(pid, Signal::KILL);
    wait_until_dead(pid, Duration::from_secs(5))
}

fn signal(pid: u32, signal: Signal) {
    // Failure shows up as the process still being alive, which the caller checks.
    if let Some(pid) = i32::try_from(pid).ok().and_then(Pid::from_raw) {
        let _ = rustix::process::kill_process(pid, signal);
    }
}

fn wait_until_dead(pid: u32, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while is_alive(pid) {
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_line_skips_blank_lines() {
        assert_eq!(last_line("first\nsecond\n\n  \n"), "second");
        assert_eq!(last_line(""), "no output");
    }

    #[test]
    fn own_process_is_alive_and_unknown_pid_is_not() {
        assert!(is_alive(std::process::id()));
        assert!(!is_alive(u32::MAX - 1));
    }
}
