//! `backends/<name>/backend.toml`: discovery and parsing (the contract in docs/backend-folder.md).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Keys every `backend.toml` must have (SPEC section 4). `dockerfile` is optional: the
/// Dockerfile lives in the backend folder, where docker-compose.yml looks for it.
pub const REQUIRED_KEYS: [&str; 6] = [
    "name",
    "language",
    "framework",
    "build",
    "run",
    "docker_context",
];

/// The environment names of SPEC section 1: all a backend reads, the same for every backend.
pub const SPEC_ENV: [&str; 10] = [
    "DATABASE_URL",
    "DATABASE_HOST",
    "DATABASE_PORT",
    "DATABASE_USER",
    "DATABASE_PASSWORD",
    "DATABASE_NAME",
    "HOST",
    "PORT",
    "DB_POOL_SIZE",
    "WORKERS",
];

/// The folder that is shared code, not a backend, and so has no `backend.toml`.
pub const SHARED_FOLDER: &str = "common";

/// One backend folder as its `backend.toml` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backend {
    /// The folder (`build` and `run` run here).
    pub dir: PathBuf,
    pub name: String,
    pub language: String,
    pub framework: String,
    pub build: String,
    pub run: String,
    /// Relative to the repository root.
    pub docker_context: String,
    /// Relative to `docker_context`; `None` means `<folder>/Dockerfile`.
    pub dockerfile: Option<String>,
}

impl Backend {
    pub fn is_rust(&self) -> bool {
        self.language.eq_ignore_ascii_case("rust")
    }

    /// The Dockerfile's path on disk.
    pub fn dockerfile_path(&self, repo_root: &Path) -> PathBuf {
        match &self.dockerfile {
            Some(dockerfile) => self.context_dir(repo_root).join(dockerfile),
            None => self.dir.join("Dockerfile"),
        }
    }

    /// The Docker build context on disk.
    pub fn context_dir(&self, repo_root: &Path) -> PathBuf {
        repo_root.join(&self.docker_context)
    }
}

/// A `backend.toml` that breaks the contract.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    #[error("{path}: cannot read: {reason}")]
    Read { path: PathBuf, reason: String },
    #[error("{path}: line {line} is not a flat `key = \"value\"` line (no escapes): {text}")]
    NotFlat {
        path: PathBuf,
        line: usize,
        text: String,
    },
    #[error("{path}: not valid TOML: {reason}")]
    Toml { path: PathBuf, reason: String },
    #[error("{path}: missing keys: {}", keys.join(", "))]
    MissingKeys {
        path: PathBuf,
        keys: Vec<&'static str>,
    },
    #[error("{path}: name = {name:?} but the folder is {folder:?}")]
    NameMismatch {
        path: PathBuf,
        name: String,
        folder: String,
    },
}

/// The repository root as seen from this crate (tests run from `conformance/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from(".."), Path::to_path_buf)
}

/// Every folder under `<root>/backends` (sorted), whether or not it has a `backend.toml`.
pub fn backend_folders(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut folders: Vec<PathBuf> = std::fs::read_dir(root.join("backends"))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_dir())
        .collect();
    folders.sort();
    Ok(folders)
}

/// Every `backends/*/backend.toml`, parsed, in folder order; the folder name labels failures.
pub fn discover(root: &Path) -> std::io::Result<Vec<(String, Result<Backend, BackendError>)>> {
    Ok(backend_folders(root)?
        .into_iter()
        .filter(|dir| dir.join("backend.toml").is_file())
        .map(|dir| (folder_name(&dir), load(&dir)))
        .collect())
}

/// Parses `<dir>/backend.toml`.
pub fn load(dir: &Path) -> Result<Backend, BackendError> {
    let path = dir.join("backend.toml");
    let text = std::fs::read_to_string(&path).map_err(|err| BackendError::Read {
        path: path.clone(),
        reason: err.to_string(),
    })?;
    check_flat(&path, &text)?;
    let table: BTreeMap<String, toml::Value> =
        toml::from_str(&text).map_err(|err| BackendError::Toml {
            path: path.clone(),
            reason: err.message().to_string(),
        })?;
    let get = |key: &str| {
        table
            .get(key)
            .and_then(toml::Value::as_str)
            .map(str::to_string)
    };
    let missing: Vec<&'static str> = REQUIRED_KEYS
        .into_iter()
        .filter(|key| get(key).is_none_or(|value| value.trim().is_empty()))
        .collect();
    if !missing.is_empty() {
        return Err(BackendError::MissingKeys {
            path,
            keys: missing,
        });
    }
    let value = |key: &str| get(key).unwrap_or_default();
    let backend = Backend {
        dir: dir.to_path_buf(),
        name: value("name"),
        language: value("language"),
        framework: value("framework"),
        build: value("build"),
        run: value("run"),
        docker_context: value("docker_context"),
        dockerfile: get("dockerfile"),
    };
    let folder = folder_name(dir);
    if backend.name != folder {
        return Err(BackendError::NameMismatch {
            path,
            name: backend.name,
            folder,
        });
    }
    Ok(backend)
}

/// The contract says the file is also read by the shell: one `key = "value"` per line.
fn check_flat(path: &Path, text: &str) -> Result<(), BackendError> {
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let flat = trimmed.split_once('=').is_some_and(|(key, value)| {
            let key = key.trim();
            let value = strip_comment(value.trim());
            !key.is_empty()
                && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && value.len() >= 2
                && value.starts_with('"')
                && value.ends_with('"')
                && !value[1..value.len() - 1].contains(['"', '\\'])
        });
        if !flat {
            return Err(BackendError::NotFlat {
                path: path.to_path_buf(),
                line: index + 1,
                text: trimmed.to_string(),
            });
        }
    }
    Ok(())
}

/// `"value"   # comment` → `"value"`.
fn strip_comment(value: &str) -> &str {
    match value.get(1..).and_then(|rest| rest.find('"')) {
        Some(end) => value[..end + 2].trim_end(),
        None => value,
    }
}

fn folder_name(dir: &Path) -> String {
    dir.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, text: &str) -> Result<Backend, BackendError> {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("backend.toml"), text).unwrap();
        load(dir)
    }

    const GOOD: &str = r#"name = "demo"                      # folder name
language = "Rust"
framework = "demo 1"
build = "cargo build --release --bin backend-demo"
run = "../../target/release/backend-demo"
docker_context = "."
dockerfile = "backends/demo/Dockerfile"
"#;

    #[test]
    fn a_complete_file_parses_and_an_incomplete_one_names_the_keys() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("demo");
        let backend = write(&dir, GOOD).unwrap();
        assert_eq!(backend.run, "../../target/release/backend-demo");
        assert!(backend.is_rust());

        let err = write(&dir, "name = \"demo\"\nbuild = \"true\"\n").unwrap_err();
        assert!(
            err.to_string()
                .ends_with("missing keys: language, framework, run, docker_context"),
            "{err}"
        );
    }

    #[test]
    fn name_must_match_the_folder_and_lines_must_be_flat() {
        let root = tempfile::tempdir().unwrap();
        let err = write(&root.path().join("other"), GOOD).unwrap_err();
        assert!(matches!(err, BackendError::NameMismatch { .. }), "{err}");
        let escaped = GOOD.replace("\"Rust\"", "\"Ru\\\"st\"");
        let err = write(&root.path().join("demo"), &escaped).unwrap_err();
        assert!(
            matches!(err, BackendError::NotFlat { line: 2, .. }),
            "{err}"
        );
        let multiline = GOOD.replace("language = \"Rust\"", "language = '''Rust'''");
        assert!(write(&root.path().join("demo"), &multiline).is_err());
    }
}
