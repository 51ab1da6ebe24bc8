//! Which OS user the server runs as: the current one, or `postgres` when we are root (PostgreSQL
//! refuses to run as root). Also builds the commands that run as that user.

use std::path::Path;
use std::process::Command;

use crate::Error;

const SERVER_USER: &str = "postgres";

/// The user that owns the cluster files and runs the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ServerUser {
    /// Not root: run the tools directly.
    Current,
    /// Root: run the tools through `runuser -u postgres --`.
    Postgres { uid: u32, gid: u32 },
}

impl ServerUser {
    pub(crate) fn detect() -> Result<Self, Error> {
        if !rustix::process::geteuid().is_root() {
            return Ok(Self::Current);
        }
        let (uid, gid) = lookup(SERVER_USER)?;
        Ok(Self::Postgres { uid, gid })
    }

    /// The name stored in the state file (`""` for the current user).
    pub(crate) fn state_name(&self) -> &'static str {
        match self {
            Self::Current => "",
            Self::Postgres { .. } => SERVER_USER,
        }
    }

    pub(crate) fn from_state_name(name: &str) -> Result<Self, String> {
        match name {
            "" => Ok(Self::Current),
            SERVER_USER => lookup(SERVER_USER)
                .map(|(uid, gid)| Self::Postgres { uid, gid })
                .map_err(|err| err.to_string()),
            other => Err(format!("unknown server user {other:?}")),
        }
    }

    /// A command running `program` as this user, with `cwd` as working directory (the caller's
    /// directory may not be readable by `postgres`, which makes initdb complain).
    pub(crate) fn command(&self, program: &Path, cwd: &Path) -> Command {
        let mut command = match self {
            Self::Current => Command::new(program),
            Self::Postgres { .. } => {
                let mut command = Command::new("runuser");
                command.args(["-u", SERVER_USER, "--"]).arg(program);
                command
            }
        };
        command.current_dir(cwd);
        command
    }

    /// Gives `path` to this user so the server can write there.
    pub(crate) fn take_ownership(&self, path: &Path) -> Result<(), Error> {
        match self {
            Self::Current => Ok(()),
            Self::Postgres { uid, gid } => std::os::unix::fs::chown(path, Some(*uid), Some(*gid))
                .map_err(|err| Error::io("giving to the postgres user", path, err)),
        }
    }
}

/// uid and gid of `name` from the passwd database (`getent` also covers NSS sources).
fn lookup(name: &str) -> Result<(u32, u32), Error> {
    let output = Command::new("getent")
        .args(["passwd", name])
        .output()
        .map_err(|err| Error::NoPostgresUser(format!("running getent: {err}")))?;
    let line = String::from_utf8_lossy(&output.stdout);
    let fields: Vec<&str> = line.trim().split(':').collect();
    match (fields.get(2), fields.get(3)) {
        (Some(uid), Some(gid)) if output.status.success() => uid
            .parse()
            .ok()
            .zip(gid.parse().ok())
            .ok_or_else(|| Error::NoPostgresUser(format!("malformed passwd entry {line:?}"))),
        _ => Err(Error::NoPostgresUser(format!("no user named {name:?}"))),
    }
}
