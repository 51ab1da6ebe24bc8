//! One private PostgreSQL cluster in one directory: create, start, stop, start again on the same
//! port, and remove (always, on drop).
//!
//! Layout of the directory: `data/` (PGDATA), `sock/` (the Unix socket, so nothing needs
//! `/var/run/postgresql`), `postgres.log` and `pgtemp.state` (see `state.rs`).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use crate::Error;
use crate::binaries::find_bin_dir;
use crate::process::{is_alive, kill_postmaster, last_line, postmaster_pid, run};
use crate::state::State;
use crate::user::ServerUser;

/// How often a start is retried on a new port when another process took the free port first.
const PORT_ATTEMPTS: u32 = 5;
/// pg_ctl's own bound for start and stop (`-t`); a cold CI machine can be slow.
const PG_CTL_TIMEOUT_S: &str = "60";

/// A private cluster. Dropping it stops the server and deletes its directory.
#[derive(Debug)]
pub struct Cluster {
    dir: PathBuf,
    port: u16,
    bin_dir: PathBuf,
    user: ServerUser,
    /// Cleared by [`Cluster::detach`] (the CLI's `start` leaves the cluster running).
    remove_on_drop: bool,
}

impl Cluster {
    /// Starts a cluster in a new directory under the system temp dir.
    pub fn start() -> Result<Self, Error> {
        Self::start_in(&new_temp_dir()?)
    }

    /// Starts a cluster in `dir`, which must not exist or be empty. On error nothing is left
    /// behind (the directory is removed).
    pub fn start_in(dir: &Path) -> Result<Self, Error> {
        if dir.to_string_lossy().contains('\'') {
            return Err(Error::UnsupportedPath(dir.into()));
        }
        let user = ServerUser::detect()?;
        let bin_dir = find_bin_dir()?;
        create_empty_dir(dir)?;
        let dir = std::fs::canonicalize(dir).map_err(|err| Error::io("resolving", dir, err))?;
        // From here on the value exists, so every early return removes what was created.
        let mut cluster = Self {
            dir,
            port: 0,
            bin_dir,
            user,
            remove_on_drop: true,
        };
        cluster.init()?;
        cluster.start_on_free_port()?;
        State::Private {
            port: cluster.port,
            bin_dir: cluster.bin_dir.clone(),
            user: cluster.user.clone(),
        }
        .write(&cluster.dir)?;
        Ok(cluster)
    }

    /// A handle on the cluster recorded in `dir` by an earlier [`Cluster::start_in`] in another
    /// process (`pgtemp start`). Dropping this handle leaves the cluster alone; call
    /// [`Cluster::remove`] to remove it.
    pub fn open(dir: &Path) -> Result<Self, Error> {
        match State::read(dir)? {
            State::External { .. } => Err(Error::External(dir.into())),
            State::Private {
                port,
                bin_dir,
                user,
            } => Ok(Self {
                dir: dir.into(),
                port,
                bin_dir,
                user,
                remove_on_drop: false,
            }),
        }
    }

    /// `postgres://postgres@127.0.0.1:<port>/postgres` (trust authentication, loopback only).
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The directory holding everything of this cluster.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether the postmaster is alive.
    pub fn is_running(&self) -> bool {
        postmaster_pid(&self.data_dir()).is_some_and(is_alive)
    }

    /// Stops the server (fast shutdown: clients are disconnected) and keeps the data. Doing so
    /// when it is already stopped is not an error.
    pub fn stop_server(&self) -> Result<(), Error> {
        let Some(pid) = postmaster_pid(&self.data_dir()) else {
            return Ok(());
        };
        let stopped = self.pg_ctl(
            &["-m", "fast", "-w", "-t", PG_CTL_TIMEOUT_S, "stop"],
            "pg_ctl stop",
        );
        match stopped {
            Ok(()) => Ok(()),
            Err(_) if !is_alive(pid) => Ok(()),
            Err(err) if kill_postmaster(pid, Duration::from_secs(5)) => {
                eprintln!("pgtemp: {err}; killed postmaster {pid} instead");
                Ok(())
            }
            Err(err) => Err(err),
        }
    }

    /// Starts the server again on the same port with the same data; returns once it accepts
    /// connections.
    pub fn start_server(&self) -> Result<(), Error> {
        self.pg_ctl_start()
    }

    /// Leaves the cluster running and its directory in place (for `pgtemp start`); a later
    /// [`Cluster::open`] of the returned directory finds it again.
    pub fn detach(mut self) -> PathBuf {
        self.remove_on_drop = false;
        self.dir.clone()
    }

    /// Stops the server and deletes the directory, reporting what went wrong (dropping does the
    /// same but can only print the error).
    pub fn remove(mut self) -> Result<(), Error> {
        self.remove_on_drop = false;
        self.teardown()
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn init(&self) -> Result<(), Error> {
        self.user.take_ownership(&self.dir)?;
        let sock = self.dir.join("sock");
        std::fs::create_dir(&sock).map_err(|err| Error::io("creating", &sock, err))?;
        self.user.take_ownership(&sock)?;
        let mut initdb = self.user.command(&self.bin_dir.join("initdb"), &self.dir);
        initdb
            .arg("-D")
            .arg(self.data_dir())
            .args(["-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale"])
            // Skips only initdb's one-off fsync of the new files; the server keeps fsync on.
            .arg("--no-sync");
        run(initdb, "initdb")
    }

    fn start_on_free_port(&mut self) -> Result<(), Error> {
        let mut last_log = String::new();
        for _ in 0..PORT_ATTEMPTS {
            self.port = free_port()?;
            match self.pg_ctl_start() {
                Ok(()) => return Ok(()),
                Err(err) => {
                    let log =
                        std::fs::read_to_string(self.dir.join("postgres.log")).unwrap_or_default();
                    if !log.contains("could not bind") {
                        return Err(err);
                    }
                    last_log = last_line(&log);
                }
            }
        }
        Err(Error::NoFreePort {
            attempts: PORT_ATTEMPTS,
            last_log,
        })
    }

    fn pg_ctl_start(&self) -> Result<(), Error> {
        let options = format!(
            "-p {} -k '{}' -c listen_addresses=127.0.0.1",
            self.port,
            self.dir.join("sock").display()
        );
        let log = self.dir.join("postgres.log");
        let mut args = vec!["-w", "-t", PG_CTL_TIMEOUT_S, "-o", &options, "-l"];
        let log_text = log.to_string_lossy();
        args.push(&log_text);
        args.push("start");
        self.pg_ctl(&args, "pg_ctl start").map_err(|err| match err {
            Error::Command { command, detail } => Error::Command {
                command,
                detail: format!(
                    "{detail}; server log: {}",
                    last_line(&std::fs::read_to_string(&log).unwrap_or_default())
                ),
            },
            other => other,
        })
    }

    fn pg_ctl(&self, args: &[&str], what: &str) -> Result<(), Error> {
        let mut command = self.user.command(&self.bin_dir.join("pg_ctl"), &self.dir);
        command.arg("-D").arg(self.data_dir()).args(args);
        run(command, what)
    }

    fn teardown(&self) -> Result<(), Error> {
        let stopped = self.stop_server();
        let removed = match std::fs::remove_dir_all(&self.dir) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                Err(Error::io("removing", &self.dir, err))
            }
            _ => Ok(()),
        };
        stopped.and(removed)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.remove_on_drop
            && let Err(err) = self.teardown()
        {
            eprintln!("pgtemp: removing cluster {}: {err}", self.dir.display());
        }
    }
}

/// Creates `dir` (and its parents) unless it exists; refuses one that is not empty, so nothing
/// of the caller's is ever deleted with the cluster.
pub(crate) fn create_empty_dir(dir: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(dir).map_err(|err| Error::io("creating", dir, err))?;
    let mut entries = std::fs::read_dir(dir).map_err(|err| Error::io("reading", dir, err))?;
    match entries.next() {
        None => Ok(()),
        Some(_) => Err(Error::DirNotEmpty(dir.into())),
    }
}

/// A port nobody listens on right now (the OS picks it; a race with another process is handled
/// by retrying the start).
fn free_port() -> Result<u16, Error> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .map_err(|err| Error::io("binding a probe socket on", "127.0.0.1:0", err))?;
    listener
        .local_addr()
        .map(|addr| addr.port())
        .map_err(|err| Error::io("reading the address of", "127.0.0.1:0", err))
}

/// A fresh, uniquely named directory under the system temp dir.
fn new_temp_dir() -> Result<PathBuf, Error> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let base = std::env::temp_dir();
    loop {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.subsec_nanos())
            .unwrap_or(0);
        let name = format!(
            "pgtemp-{}-{}-{nanos:08x}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let dir = base.join(name);
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(err) => return Err(Error::io("creating", dir, err)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn killing_the_postmaster_by_pid_stops_the_cluster() {
        let cluster = Cluster::start().expect("cluster starts");
        let pid = postmaster_pid(&cluster.data_dir()).expect("postmaster.pid written");
        assert!(cluster.is_running());
        assert!(
            kill_postmaster(pid, Duration::from_secs(5)),
            "postmaster {pid} survived"
        );
        assert!(!cluster.is_running());
        let dir = cluster.dir().to_path_buf();
        drop(cluster);
        assert!(!dir.exists(), "{} left behind", dir.display());
    }

    #[test]
    fn a_non_empty_directory_is_refused_and_kept() {
        let dir = new_temp_dir().unwrap();
        std::fs::write(dir.join("precious"), "data").unwrap();
        let err = Cluster::start_in(&dir).unwrap_err();
        let kept = dir.join("precious").exists();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(matches!(err, Error::DirNotEmpty(_)), "{err}");
        assert!(kept, "pgtemp deleted a file it did not create");
    }
}
