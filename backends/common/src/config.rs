//! Configuration from the environment: the names of SPEC section 1, the same for every backend.
//!
//! Parsing takes a lookup function rather than reading `std::env` directly, so every rule is
//! testable without touching the process environment. A bad value is a [`ConfigError`] whose
//! `Display` is one line naming the variable and what was expected; binaries exit with code 2.

use std::net::IpAddr;
use std::str::FromStr;

use sqlx::postgres::PgConnectOptions;

/// Database connections for the whole process when `DB_POOL_SIZE` is not set.
pub const DEFAULT_POOL_SIZE: u32 = 20;
/// Listening port when `PORT` is not set.
pub const DEFAULT_PORT: u16 = 8000;
/// PostgreSQL port when `DATABASE_PORT` is not set.
pub const DEFAULT_DATABASE_PORT: u16 = 5432;

/// Everything a backend reads from its environment.
#[derive(Debug, Clone)]
pub struct Config {
    pub database: PgConnectOptions,
    pub host: IpAddr,
    pub port: u16,
    /// Database connections for the whole process (frameworks with one pool per worker split it).
    pub pool_size: u32,
    /// Request-handling threads.
    pub workers: usize,
}

/// A missing or malformed environment variable.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error(
        "DATABASE_URL is not set (nor DATABASE_HOST, DATABASE_USER and DATABASE_NAME): \
         expected e.g. postgres://user:password@host:5432/db"
    )]
    MissingDatabase,
    #[error("{name} is not set: expected {expected} (or set DATABASE_URL)")]
    Missing {
        name: &'static str,
        expected: &'static str,
    },
    #[error("{name}={value:?} is malformed: expected {expected}")]
    Malformed {
        name: &'static str,
        value: String,
        expected: &'static str,
    },
}

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup`; an empty value counts as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|value| !value.is_empty());
        Ok(Self {
            database: database_options(&get)?,
            host: parse(&get, "HOST", "an IP address such as 0.0.0.0 or 127.0.0.1")?
                .unwrap_or(IpAddr::from([0, 0, 0, 0])),
            port: parse(&get, "PORT", "a port number 0-65535")?.unwrap_or(DEFAULT_PORT),
            pool_size: positive(&get, "DB_POOL_SIZE")?.unwrap_or(DEFAULT_POOL_SIZE),
            workers: positive(&get, "WORKERS")?.unwrap_or_else(available_cpus),
        })
    }
}

/// CPUs this process may run on: honours `taskset` affinity and cgroup CPU quotas (Docker `--cpus`).
pub fn available_cpus() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

fn database_options(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<PgConnectOptions, ConfigError> {
    if let Some(url) = get("DATABASE_URL") {
        return parse_database_url(&url).ok_or_else(|| ConfigError::Malformed {
            name: "DATABASE_URL",
            value: redact_password(&url),
            expected: "a URL like postgres://user:password@host:5432/db",
        });
    }
    let Some(host) = get("DATABASE_HOST") else {
        return Err(ConfigError::MissingDatabase);
    };
    let required = |name: &'static str, expected: &'static str| {
        get(name).ok_or(ConfigError::Missing { name, expected })
    };
    let user = required("DATABASE_USER", "the database user name")?;
    let database = required("DATABASE_NAME", "the database name")?;
    let port =
        parse(get, "DATABASE_PORT", "a port number 1-65535")?.unwrap_or(DEFAULT_DATABASE_PORT);
    let mut options = PgConnectOptions::new_without_pgpass()
        .host(&host)
        .port(port)
        .username(&user)
        .database(&database);
    if let Some(password) = get("DATABASE_PASSWORD") {
        options = options.password(&password);
    }
    Ok(options)
}

/// Options from a `postgres://` or `postgresql://` URL; `None` for anything else.
pub fn parse_database_url(url: &str) -> Option<PgConnectOptions> {
    let scheme = url.split_once("://")?.0;
    if !matches!(scheme, "postgres" | "postgresql") {
        return None;
    }
    PgConnectOptions::from_str(url).ok()
}

fn parse<T: FromStr>(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    expected: &'static str,
) -> Result<Option<T>, ConfigError> {
    get(name)
        .map(|value| {
            value.trim().parse().map_err(|_| ConfigError::Malformed {
                name,
                value,
                expected,
            })
        })
        .transpose()
}

fn positive<T: FromStr + PartialOrd + From<u8>>(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
) -> Result<Option<T>, ConfigError> {
    const EXPECTED: &str = "a whole number of at least 1";
    match parse::<T>(get, name, EXPECTED)? {
        Some(n) if n < T::from(1) => Err(ConfigError::Malformed {
            name,
            value: get(name).unwrap_or_default(),
            expected: EXPECTED,
        }),
        parsed => Ok(parsed),
    }
}

/// Keeps a password out of error messages: `postgres://u:secret@h/db` becomes `postgres://u:***@h/db`.
fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((credentials, host)) = rest.rsplit_once('@') else {
        return url.to_owned();
    };
    match credentials.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::from_lookup(|name| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        })
    }

    const URL: (&str, &str) = ("DATABASE_URL", "postgres://bench:pw@127.0.0.1:5433/notes");

    #[test]
    fn defaults_apply_when_only_the_database_is_given() {
        let config = config(&[URL]).unwrap();
        assert_eq!(config.host, IpAddr::from([0, 0, 0, 0]));
        assert_eq!(config.port, 8000);
        assert_eq!(config.pool_size, DEFAULT_POOL_SIZE);
        assert_eq!(config.workers, available_cpus());
        assert_eq!(config.database.get_port(), 5433);
        assert_eq!(config.database.get_database(), Some("notes"));
    }

    #[test]
    fn every_knob_is_read() {
        let config = config(&[
            URL,
            ("HOST", "127.0.0.1"),
            ("PORT", "9001"),
            ("DB_POOL_SIZE", "7"),
            ("WORKERS", "3"),
        ])
        .unwrap();
        assert_eq!(config.host, IpAddr::from([127, 0, 0, 1]));
        assert_eq!(
            (config.port, config.pool_size, config.workers),
            (9001, 7, 3)
        );
    }

    #[test]
    fn database_parts_build_the_connection() {
        let config = config(&[
            ("DATABASE_HOST", "db"),
            ("DATABASE_USER", "postgres"),
            ("DATABASE_NAME", "notes"),
            ("DATABASE_PASSWORD", "secret"),
        ])
        .unwrap();
        assert_eq!(config.database.get_host(), "db");
        assert_eq!(config.database.get_port(), DEFAULT_DATABASE_PORT);
        assert_eq!(config.database.get_username(), "postgres");
        assert_eq!(config.database.get_database(), Some("notes"));
    }

    #[test]
    fn missing_database_is_an_error_naming_the_variables() {
        let err = config(&[]).unwrap_err();
        assert_eq!(err, ConfigError::MissingDatabase);
        assert!(err.to_string().contains("DATABASE_URL"));
        let err = config(&[("DATABASE_HOST", "db"), ("DATABASE_USER", "u")]).unwrap_err();
        assert!(
            err.to_string().starts_with("DATABASE_NAME is not set"),
            "{err}"
        );
    }

    #[test]
    fn malformed_values_name_variable_value_and_expectation() {
        for (name, value) in [
            ("PORT", "eighty"),
            ("PORT", "70000"),
            ("HOST", "not an ip"),
            ("DB_POOL_SIZE", "0"),
            ("DB_POOL_SIZE", "-3"),
            ("WORKERS", "lots"),
            ("WORKERS", "0"),
        ] {
            let err = config(&[URL, (name, value)]).unwrap_err().to_string();
            assert!(
                err.starts_with(&format!("{name}={value:?} is malformed: expected ")),
                "{err}"
            );
            assert!(!err.contains('\n'));
        }
    }

    #[test]
    fn malformed_url_error_hides_the_password() {
        let err = config(&[("DATABASE_URL", "mysql://root@h/db")]).unwrap_err();
        assert!(err.to_string().starts_with("DATABASE_URL="), "{err}");
        let err = config(&[("DATABASE_URL", "postgres://u:hunter2@h:notaport/db")])
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("DATABASE_URL="), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn empty_values_count_as_unset() {
        let config = config(&[URL, ("PORT", ""), ("WORKERS", "")]).unwrap();
        assert_eq!(config.port, DEFAULT_PORT);
    }
}
