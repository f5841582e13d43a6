//! The newest backup in a directory and how old it is: a backup schedule that silently
//! stopped is the usual way backups fail.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::retention::{self, Clock};
use super::{checksums, BackupError};

/// The most recently written backup of a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewestBackup {
    pub path: PathBuf,
    pub modified: SystemTime,
    pub age: Duration,
}

/// Whether a directory entry is a backup, not a checksum manifest, a log, a partial
/// write, a hidden file or a symlink (`latest.dump` points at a backup; it is not one).
pub fn is_backup(path: &Path) -> bool {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let link = path.symlink_metadata().is_ok_and(|m| m.is_symlink());
    !(link
        || name.starts_with('.')
        || checksums::is_manifest(path)
        || [".md5", ".log", ".partial", ".tmp"]
            .iter()
            .any(|suffix| name.ends_with(suffix)))
}

/// The newest backup directly in `dir` (files and directory-format dumps), by modification
/// time; `None` when there is none. A directory that is missing or unreadable is an error.
pub fn newest_backup(dir: &Path, clock: &dyn Clock) -> Result<Option<NewestBackup>, BackupError> {
    let bad = |why: String| BackupError::BadDirectory {
        path: dir.to_owned(),
        why,
    };
    match std::fs::metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(bad("it does not exist".into()))
        }
        Err(e) => return Err(bad(e.to_string())),
        Ok(m) if !m.is_dir() => return Err(bad("it is not a directory".into())),
        Ok(_) => {}
    }
    let entries = std::fs::read_dir(dir).map_err(|e| bad(format!("it cannot be read: {e}")))?;
    let now = clock.now();
    let mut newest: Option<NewestBackup> = None;
    for entry in entries.flatten() {
        let path = entry.path();
        if !is_backup(&path) {
            continue;
        }
        let Ok(modified) = entry.metadata().and_then(|m| m.modified()) else {
            continue;
        };
        if newest.as_ref().is_none_or(|n| modified > n.modified) {
            newest = Some(NewestBackup {
                age: retention::age(now, modified),
                path,
                modified,
            });
        }
    }
    Ok(newest)
}

/// Whether this process may write into `dir` (root too: a read-only filesystem counts).
pub fn writable(dir: &Path) -> bool {
    use nix::sys::statvfs::{statvfs, FsFlags};
    nix::unistd::access(dir, nix::unistd::AccessFlags::W_OK).is_ok()
        && !statvfs(dir).is_ok_and(|s| s.flags().contains(FsFlags::ST_RDONLY))
}

/// Sets the modification time of `path` (a file or a directory) to `age` before `now`.
pub fn backdate(path: &Path, now: SystemTime, age: Duration) -> std::io::Result<()> {
    let when = now - age;
    let handle = std::fs::File::open(path)?;
    handle.set_times(
        std::fs::FileTimes::new()
            .set_accessed(when)
            .set_modified(when),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backup::retention::{FixedClock, DAY};

    #[test]
    fn the_newest_backup_is_found_and_sidecars_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let now = SystemTime::now();
        for (name, days) in [("a.dump", 3), ("b.dump", 1), ("c.dump", 9)] {
            let path = dir.path().join(name);
            std::fs::write(&path, b"x").unwrap();
            backdate(&path, now, DAY * days).unwrap();
        }
        std::fs::write(dir.path().join("c.dump.sha256"), b"fresh").unwrap();
        let newest = newest_backup(dir.path(), &FixedClock(now))
            .unwrap()
            .unwrap();
        assert_eq!(newest.path.file_name().unwrap(), "b.dump");
        assert_eq!(newest.age.as_secs() / 3600, 24);
    }

    #[test]
    fn an_empty_directory_has_no_newest_backup_and_a_missing_one_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            newest_backup(dir.path(), &FixedClock(SystemTime::now())).unwrap(),
            None
        );
        let missing = dir.path().join("nope");
        let err = newest_backup(&missing, &FixedClock(SystemTime::now())).unwrap_err();
        assert!(err.to_string().contains("does not exist"), "{err}");
    }
}
