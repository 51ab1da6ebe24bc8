//! Building and running one backend as `backend.toml` says: `build` and `run` through `sh -c` in
//! the backend folder, the server in its own process group with HOST, PORT and DATABASE_URL, its
//! output in a log file, and the whole group killed if it outlives its [`Running`] value.

use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use rustix::process::{Pid, Signal};
use tokio::process::{Child, Command};

use crate::backend::{Backend, SPEC_ENV};
use crate::client::{Client, Request};

/// Bound on one `build` command (a cold release build of a Rust backend with fat LTO is slow).
pub const BUILD_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// Bound on start-up: `GET /health` must answer 200 within this.
pub const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

/// Runs the backend's `build` command; its output goes to `log`.
pub async fn build(backend: &Backend, log: &Path) -> Result<Duration, String> {
    let started = Instant::now();
    let output = log_file(log)?;
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(&backend.build)
        .current_dir(&backend.dir)
        .stdin(Stdio::null())
        .stdout(output.try_clone().map_err(|err| err.to_string())?)
        .stderr(output)
        .kill_on_drop(true)
        .spawn()
        .map_err(|err| format!("cannot run build `{}`: {err}", backend.build))?;
    let status = tokio::time::timeout(BUILD_TIMEOUT, child.wait())
        .await
        .map_err(|_| format!("build `{}` took over {BUILD_TIMEOUT:?}", backend.build))?
        .map_err(|err| format!("waiting for build `{}`: {err}", backend.build))?;
    if status.success() {
        Ok(started.elapsed())
    } else {
        Err(format!(
            "build `{}` failed ({status}): {}",
            backend.build,
            last_lines(log, 1)
        ))
    }
}

/// A backend server this process started.
#[derive(Debug)]
pub struct Running {
    child: Child,
    pid: u32,
    port: u16,
    log: PathBuf,
    exit: Option<ExitStatus>,
}

impl Running {
    /// Starts `run` as `sh -c 'exec <run>'` (so the server itself is the process that gets
    /// SIGTERM) on a free port of 127.0.0.1 with `database_url`, and waits for `GET /health` 200.
    pub async fn start(backend: &Backend, database_url: &str, log: &Path) -> Result<Self, String> {
        let port = free_port()?;
        let output = log_file(log)?;
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(format!("exec {}", backend.run))
            .current_dir(&backend.dir)
            .stdin(Stdio::null())
            .stdout(output.try_clone().map_err(|err| err.to_string())?)
            .stderr(output)
            .process_group(0)
            .kill_on_drop(true);
        // Names not set below are removed, so the caller's environment cannot leak in.
        for name in SPEC_ENV {
            command.env_remove(name);
        }
        command
            .env("HOST", "127.0.0.1")
            .env("PORT", port.to_string())
            .env("DATABASE_URL", database_url);
        let child = command
            .spawn()
            .map_err(|err| format!("cannot run `{}`: {err}", backend.run))?;
        let pid = child
            .id()
            .ok_or_else(|| format!("`{}` exited at once", backend.run))?;
        let mut running = Self {
            child,
            pid,
            port,
            log: log.to_path_buf(),
            exit: None,
        };
        running.wait_healthy().await?;
        Ok(running)
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Sends SIGTERM to the server process.
    pub fn sigterm(&self) -> Result<(), String> {
        let pid = server_pid(self.pid).ok_or("invalid pid")?;
        rustix::process::kill_process(pid, Signal::TERM)
            .map_err(|err| format!("cannot send SIGTERM to {}: {err}", self.pid))
    }

    /// Waits up to `limit` for the server to exit.
    pub async fn wait_exit(&mut self, limit: Duration) -> Result<ExitStatus, String> {
        if let Some(status) = self.exit {
            return Ok(status);
        }
        let status = tokio::time::timeout(limit, self.child.wait())
            .await
            .map_err(|_| format!("still running {limit:?} after SIGTERM"))?
            .map_err(|err| format!("waiting for the server: {err}"))?;
        self.exit = Some(status);
        Ok(status)
    }

    /// The last `n` lines of the server's output, joined into one line.
    pub fn log_tail(&self, n: usize) -> String {
        last_lines(&self.log, n)
    }

    async fn wait_healthy(&mut self) -> Result<(), String> {
        let client = Client::new(&self.url()).map_err(|err| err.to_string())?;
        let request = Request::get("/health");
        let started = Instant::now();
        let mut last = String::from("no answer");
        while started.elapsed() < STARTUP_TIMEOUT {
            if let Some(status) = self.child.try_wait().map_err(|err| err.to_string())? {
                self.exit = Some(status);
                return Err(format!(
                    "exited during start-up ({status}): {}",
                    self.log_tail(3)
                ));
            }
            match client.send_within(&request, Duration::from_secs(2)).await {
                Ok(response) if response.status == 200 => return Ok(()),
                Ok(response) => last = response.summary(),
                Err(err) => last = err.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!(
            "GET /health not 200 within {STARTUP_TIMEOUT:?} (last: {last}); log: {}",
            self.log_tail(3)
        ))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if self.exit.is_some() {
            return;
        }
        // The whole group, so a server that forked workers leaves none behind.
        if let Some(group) = server_pid(self.pid) {
            let _ = rustix::process::kill_process_group(group, Signal::KILL);
        }
    }
}

/// The server's pid (also its process group id: it leads its own group).
fn server_pid(pid: u32) -> Option<Pid> {
    i32::try_from(pid).ok().and_then(Pid::from_raw)
}

/// A port nobody listens on right now (the OS picks it).
pub fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|err| format!("no free port on 127.0.0.1: {err}"))
}

fn log_file(path: &Path) -> Result<std::fs::File, String> {
    std::fs::File::create(path).map_err(|err| format!("cannot create {}: {err}", path.display()))
}

/// The last `n` non-empty lines of the file at `path`, joined with " | ".
fn last_lines(path: &Path, n: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut lines: Vec<&str> = text
        .lines()
        .rev()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .take(n)
        .collect();
    lines.reverse();
    if lines.is_empty() {
        "no output".into()
    } else {
        lines.join(" | ")
    }
}
