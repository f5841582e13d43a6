//! `pg_dump`, judged by its exit status and never by the file it leaves (it leaves partial
//! output behind on a full disk): it writes `<name>.partial`, which becomes the backup, with
//! its checksum manifest beside it, only when pg_dump succeeded. A failed dump's partial
//! output is removed. An existing file is never overwritten.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{checksums, process, BackupError, RestoreOptions};
use crate::backend::{ConnInfo, PgTools};

/// How long one pg_dump may run.
const DUMP_DEADLINE: Duration = Duration::from_secs(3600);

/// pg_dump's archive formats that pg_restore reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum DumpFormat {
    /// `-Fc`: one file.
    Custom,
    /// `-Fd -j N`: a directory, one file per table, dumped by `jobs` workers sharing one
    /// snapshot.
    Directory { jobs: u32 },
}

/// How to dump.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct DumpOptions {
    pub format: DumpFormat,
    /// `-Z`: None for pg_dump's default compression, `Some(0)` for none.
    pub compression: Option<u32>,
}

impl DumpOptions {
    pub fn custom() -> DumpOptions {
        DumpOptions {
            format: DumpFormat::Custom,
            compression: None,
        }
    }

    pub fn directory(jobs: u32) -> DumpOptions {
        DumpOptions {
            format: DumpFormat::Directory { jobs: jobs.max(1) },
            compression: None,
        }
    }

    /// The same, with `-Z<level>`.
    pub fn compression(self, level: u32) -> DumpOptions {
        DumpOptions {
            compression: Some(level),
            ..self
        }
    }

    /// "custom format, default compression", "directory format (-j 2), -Z0".
    pub fn describe(&self) -> String {
        let format = match self.format {
            DumpFormat::Custom => "custom format".to_owned(),
            DumpFormat::Directory { jobs } => format!("directory format (-j {jobs})"),
        };
        let compression = match self.compression {
            None => "default compression".to_owned(),
            Some(level) => format!("-Z{level}"),
        };
        format!("{format}, {compression}")
    }

    /// How such a backup is restored by the tools that made it: a custom archive serially,
    /// in its table of contents' order (`pg_restore -d` with no flags, as restore scripts
    /// mostly run it), a directory with as many jobs as dumped it. A serial restore's order is
    /// fixed, so a restore that depends on table order fails the same way on every run; in
    /// parallel, whether it fails would depend on which worker finished first.
    pub fn restore_options(&self) -> RestoreOptions {
        match self.format {
            DumpFormat::Custom => RestoreOptions::default(),
            DumpFormat::Directory { jobs } => RestoreOptions::jobs(jobs),
        }
    }

    /// The file name extension that says what the backup is.
    pub fn extension(&self) -> &'static str {
        match self.format {
            DumpFormat::Custom => "dump",
            DumpFormat::Directory { .. } => "dir",
        }
    }

    fn args(&self) -> Vec<String> {
        let mut args = match self.format {
            DumpFormat::Custom => vec!["--format=custom".to_owned()],
            DumpFormat::Directory { jobs } => {
                vec!["--format=directory".to_owned(), format!("--jobs={jobs}")]
            }
        };
        if let Some(level) = self.compression {
            args.push(format!("--compress={level}"));
        }
        args
    }
}

/// A backup that pg_dump finished, with its checksum manifest beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct Backup {
    pub path: PathBuf,
    pub manifest: PathBuf,
    pub options: DumpOptions,
    /// The archive's size on disk (every file of a directory-format dump).
    pub bytes: u64,
    pub dump_time: Duration,
    pub checksum_time: Duration,
}

/// Dumps the database `source` names into `path` (which must not exist), then writes the
/// checksum manifest beside it.
pub async fn dump(
    tools: &PgTools,
    source: &ConnInfo,
    path: &Path,
    options: DumpOptions,
) -> Result<Backup, BackupError> {
    let what = format!("back up {}", source.database);
    let parent = usable_parent(path)?;
    let manifest = checksums::manifest_path(path);
    let partial = with_suffix(path, ".partial");
    for taken in [path, manifest.as_path(), partial.as_path()] {
        if taken.exists() {
            return Err(BackupError::WouldOverwrite(taken.to_owned()));
        }
    }

    let program = tools.program("pg_dump");
    let mut cmd = tokio::process::Command::new(&program);
    cmd.args(options.args())
        .arg(format!("--file={}", partial.display()))
        .arg(format!("--dbname={}", source.database))
        .envs(source.env());
    let started = Instant::now();
    let finished = process::run(cmd, "pg_dump", &what, DUMP_DEADLINE).await;
    let dump_time = started.elapsed();
    let finished = match finished {
        Ok(f) => f,
        Err(e) => {
            remove_partial(&partial);
            return Err(e);
        }
    };
    if !finished.success() {
        let left = size_on_disk(&partial);
        remove_partial(&partial);
        return Err(finished.into_error(what, left));
    }

    let started = Instant::now();
    let name = path
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let digest_from = partial.clone();
    let computed = tokio::task::spawn_blocking(move || checksums::compute(&digest_from, &name))
        .await
        .map_err(|e| BackupError::io("checksum the backup", std::io::Error::other(e)))?;
    let (entries, bytes) = match computed {
        Ok(c) => c,
        Err(e) => {
            remove_partial(&partial);
            return Err(BackupError::io(
                format!("checksum {}", partial.display()),
                e,
            ));
        }
    };
    // the manifest first: a backup without one is refused at restore time, never trusted
    if let Err(e) = checksums::write_manifest(&manifest, &entries) {
        remove_partial(&partial);
        return Err(e);
    }
    if let Err(e) = std::fs::rename(&partial, path) {
        remove_partial(&partial);
        let _ = std::fs::remove_file(&manifest);
        return Err(BackupError::io(
            format!("move the finished dump to {}", path.display()),
            e,
        ));
    }
    sync_dir(&parent);
    Ok(Backup {
        path: path.to_owned(),
        manifest,
        options,
        bytes,
        dump_time,
        checksum_time: started.elapsed(),
    })
}

/// The directory `path` goes into, when it exists and is writable.
fn usable_parent(path: &Path) -> Result<PathBuf, BackupError> {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_owned();
    let bad = |why: &str| BackupError::BadDirectory {
        path: parent.clone(),
        why: why.to_owned(),
    };
    match std::fs::metadata(&parent) {
        Err(_) => return Err(bad("it does not exist")),
        Ok(m) if !m.is_dir() => return Err(bad("it is not a directory")),
        Ok(_) => {}
    }
    if nix::unistd::access(&parent, nix::unistd::AccessFlags::W_OK).is_err() {
        return Err(bad("it is not writable"));
    }
    // root may write anywhere but a read-only filesystem
    if let Ok(stat) = nix::sys::statvfs::statvfs(&parent) {
        if stat.flags().contains(nix::sys::statvfs::FsFlags::ST_RDONLY) {
            return Err(bad("it is on a read-only filesystem"));
        }
    }
    Ok(parent)
}

/// `path` with `suffix` appended to its file name.
pub(crate) fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

/// Bytes under `path` (a file or a directory), if it exists.
pub fn size_on_disk(path: &Path) -> Option<u64> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if meta.is_dir() {
        let mut total = 0;
        for entry in std::fs::read_dir(path).ok()?.flatten() {
            total += size_on_disk(&entry.path()).unwrap_or(0);
        }
        Some(total)
    } else {
        Some(meta.len())
    }
}

/// Removes this call's own partial output.
fn remove_partial(partial: &Path) {
    if partial.is_dir() {
        let _ = std::fs::remove_dir_all(partial);
    } else {
        let _ = std::fs::remove_file(partial);
    }
}

fn sync_dir(dir: &Path) {
    if let Ok(handle) = std::fs::File::open(dir) {
        let _ = handle.sync_all();
    }
}
