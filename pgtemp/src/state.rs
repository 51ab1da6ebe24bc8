//! `DIR/pgtemp.state`: what a later `pgtemp` invocation needs to find a cluster again
//! (`key=value` lines, written once by `pgtemp start`).

use std::path::{Path, PathBuf};

use crate::Error;
use crate::user::ServerUser;

pub(crate) const FILE_NAME: &str = "pgtemp.state";

/// What `DIR` holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum State {
    Private {
        port: u16,
        bin_dir: PathBuf,
        user: ServerUser,
    },
    External {
        url: String,
    },
}

impl State {
    pub(crate) fn write(&self, dir: &Path) -> Result<(), Error> {
        let text = match self {
            Self::Private {
                port,
                bin_dir,
                user,
            } => format!(
                "mode=private\nport={port}\nbin_dir={}\nuser={}\n",
                bin_dir.display(),
                user.state_name()
            ),
            Self::External { url } => format!("mode=external\nurl={url}\n"),
        };
        let path = dir.join(FILE_NAME);
        std::fs::write(&path, text).map_err(|err| Error::io("writing", path, err))
    }

    pub(crate) fn read(dir: &Path) -> Result<Self, Error> {
        let path = dir.join(FILE_NAME);
        let text = std::fs::read_to_string(&path).map_err(|err| Error::BadState {
            path: dir.into(),
            reason: format!("cannot read {}: {err}", path.display()),
        })?;
        Self::parse(&text).map_err(|reason| Error::BadState {
            path: dir.into(),
            reason,
        })
    }

    fn parse(text: &str) -> Result<Self, String> {
        let field = |key: &str| -> Result<&str, String> {
            text.lines()
                .find_map(|line| line.strip_prefix(key)?.strip_prefix('='))
                .ok_or_else(|| format!("{FILE_NAME} has no {key}= line"))
        };
        match field("mode")? {
            "private" => Ok(Self::Private {
                port: field("port")?
                    .parse()
                    .map_err(|err| format!("{FILE_NAME}: port is not a port number: {err}"))?,
                bin_dir: PathBuf::from(field("bin_dir")?),
                user: ServerUser::from_state_name(field("user")?)?,
            }),
            "external" => Ok(Self::External {
                url: field("url")?.to_string(),
            }),
            other => Err(format!("{FILE_NAME}: unknown mode {other:?}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_state_round_trips() {
        let state = State::Private {
            port: 54321,
            bin_dir: PathBuf::from("/usr/lib/postgresql/15/bin"),
            user: ServerUser::Current,
        };
        let dir = std::env::temp_dir().join(format!("pgtemp-state-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        state.write(&dir).unwrap();
        let read = State::read(&dir);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(read.unwrap(), state);
    }

    #[test]
    fn external_url_keeps_equals_signs() {
        let parsed =
            State::parse("mode=external\nurl=postgres://u@h/db?sslmode=disable\n").unwrap();
        assert_eq!(
            parsed,
            State::External {
                url: "postgres://u@h/db?sslmode=disable".into()
            }
        );
    }

    #[test]
    fn bad_port_is_a_one_line_error() {
        let err = State::parse("mode=private\nport=x\nbin_dir=/b\nuser=\n").unwrap_err();
        assert!(err.contains("port is not a port number"), "{err}");
    }
}
