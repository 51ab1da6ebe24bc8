//! Finding the PostgreSQL server binaries: `PATH` first, then the highest
//! `/usr/lib/postgresql/<major>/bin` (Debian's layout, where nothing is on `PATH`).

use std::path::{Path, PathBuf};

use crate::Error;

const DEBIAN_ROOT: &str = "/usr/lib/postgresql";

/// The directory holding `initdb` and `pg_ctl` (symlinks resolved, so `initdb` finds `postgres`).
pub(crate) fn find_bin_dir() -> Result<PathBuf, Error> {
    let on_path = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .unwrap_or_default();
    on_path
        .iter()
        .find_map(|dir| resolve(dir))
        .or_else(|| highest_versioned(Path::new(DEBIAN_ROOT)))
        .ok_or(Error::BinariesNotFound)
}

/// `dir` when both tools are there, as the directory `initdb` really lives in.
fn resolve(dir: &Path) -> Option<PathBuf> {
    if !dir.join("pg_ctl").is_file() {
        return None;
    }
    let initdb = std::fs::canonicalize(dir.join("initdb")).ok()?;
    let real_dir = initdb.parent()?.to_path_buf();
    real_dir.join("pg_ctl").is_file().then_some(real_dir)
}

/// The `<root>/<major>/bin` with the highest numeric major version that has both tools.
fn highest_versioned(root: &Path) -> Option<PathBuf> {
    let mut versions: Vec<(Vec<u32>, PathBuf)> = std::fs::read_dir(root)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let version = name
                .split('.')
                .map(str::parse)
                .collect::<Result<Vec<u32>, _>>()
                .ok()?;
            Some((version, entry.path().join("bin")))
        })
        .collect();
    versions.sort();
    versions
        .into_iter()
        .rev()
        .find_map(|(_, bin)| resolve(&bin))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_bin(dir: &Path) {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("initdb"), "").unwrap();
        std::fs::write(dir.join("pg_ctl"), "").unwrap();
    }

    #[test]
    fn picks_the_highest_numeric_version_not_the_last_in_text_order() {
        let root = std::env::temp_dir().join(format!("pgtemp-bin-test-{}", std::process::id()));
        fake_bin(&root.join("9.6/bin"));
        fake_bin(&root.join("15/bin"));
        fake_bin(&root.join("16/bin"));
        std::fs::create_dir_all(root.join("17/bin")).unwrap();
        let found = highest_versioned(&root);
        std::fs::remove_dir_all(&root).unwrap();
        assert_eq!(found, Some(root.join("16/bin")));
    }

    #[test]
    fn a_directory_without_both_tools_is_not_used() {
        let root = std::env::temp_dir().join(format!("pgtemp-bin-test2-{}", std::process::id()));
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(root.join("pg_ctl"), "").unwrap();
        let found = resolve(&root);
        std::fs::remove_dir_all(&root).unwrap();
        assert_eq!(found, None);
    }
}
