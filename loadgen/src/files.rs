//! Where a run's files go and how they are written: `--csv PREFIX` names the four Locust files
//! (`PREFIX_stats.csv`, ...) and the folder of PREFIX also receives `timeseries.csv` and
//! `summary.json`. Every file is written to `NAME.tmp` in the same folder and renamed into
//! place, so a reader never sees half a file.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// An output file that could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write output file '{path}': {source}")]
pub struct OutputError {
    pub path: String,
    pub source: io::Error,
}

/// The paths of a run's files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputPaths {
    prefix: PathBuf,
    dir: PathBuf,
}

impl OutputPaths {
    pub fn new(prefix: &Path) -> OutputPaths {
        let dir = match prefix.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        OutputPaths {
            prefix: prefix.to_path_buf(),
            dir,
        }
    }

    fn with_suffix(&self, suffix: &str) -> PathBuf {
        let mut name = self.prefix.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    }

    pub fn stats(&self) -> PathBuf {
        self.with_suffix("_stats.csv")
    }

    pub fn history(&self) -> PathBuf {
        self.with_suffix("_stats_history.csv")
    }

    pub fn failures(&self) -> PathBuf {
        self.with_suffix("_failures.csv")
    }

    pub fn exceptions(&self) -> PathBuf {
        self.with_suffix("_exceptions.csv")
    }

    pub fn timeseries(&self) -> PathBuf {
        self.dir.join("timeseries.csv")
    }

    pub fn summary(&self) -> PathBuf {
        self.dir.join("summary.json")
    }

    /// Creates the output folder if needed.
    pub fn prepare(&self) -> Result<(), OutputError> {
        fs::create_dir_all(&self.dir).map_err(|source| OutputError {
            path: self.dir.display().to_string(),
            source,
        })
    }
}

/// Writes a file through a temporary name and a rename.
pub fn write_atomic(
    path: &Path,
    fill: impl FnOnce(&mut Vec<u8>) -> io::Result<()>,
) -> Result<(), OutputError> {
    let err = |source| OutputError {
        path: path.display().to_string(),
        source,
    };
    let mut bytes = Vec::new();
    fill(&mut bytes).map_err(err)?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let result = fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(&bytes))
        .and_then(|()| fs::rename(&tmp, path));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_the_prefix() {
        let p = OutputPaths::new(Path::new("results/axum/db_test/benchmark"));
        assert_eq!(
            p.stats(),
            Path::new("results/axum/db_test/benchmark_stats.csv")
        );
        assert_eq!(
            p.history(),
            Path::new("results/axum/db_test/benchmark_stats_history.csv")
        );
        assert_eq!(p.summary(), Path::new("results/axum/db_test/summary.json"));
        assert_eq!(
            OutputPaths::new(Path::new("bench")).timeseries(),
            Path::new("./timeseries.csv")
        );
    }

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.csv");
        write_atomic(&path, |b| b.write_all(b"one")).unwrap();
        write_atomic(&path, |b| b.write_all(b"two")).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "two");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        assert!(write_atomic(&dir.path().join("missing/x.csv"), |b| b.write_all(b"x")).is_err());
    }
}
