//! `pg_restore`, after the backup's checksum manifest has been verified, stopping at the
//! first error and judged by its exit status; and `pg_restore --list`, which reads only an
//! archive's table of contents (and so accepts truncated and damaged archives).

use std::path::Path;
use std::time::{Duration, Instant};

use super::checksums::{self, Verified};
use super::{process, BackupError};
use crate::backend::{ConnInfo, PgTools};

/// How long one pg_restore may run.
const RESTORE_DEADLINE: Duration = Duration::from_secs(3600);
/// Reading an archive's table of contents is quick, however large the archive.
const LIST_DEADLINE: Duration = Duration::from_secs(120);

/// How to restore.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RestoreOptions {
    /// `--jobs`: parallel workers (custom and directory formats).
    pub jobs: u32,
    verify_checksums: bool,
}

impl Default for RestoreOptions {
    fn default() -> Self {
        RestoreOptions {
            jobs: 1,
            verify_checksums: true,
        }
    }
}

impl RestoreOptions {
    pub fn jobs(jobs: u32) -> RestoreOptions {
        RestoreOptions {
            jobs: jobs.max(1),
            ..RestoreOptions::default()
        }
    }

    /// Skips the checksum check: only for showing what slips through without it.
    pub fn without_checksum_check(self) -> RestoreOptions {
        RestoreOptions {
            verify_checksums: false,
            ..self
        }
    }
}

/// A finished restore.
#[derive(Debug, Clone, PartialEq)]
pub struct Restored {
    /// What the checksum check covered (None when it was skipped).
    pub verified: Option<Verified>,
    pub verify_time: Duration,
    pub restore_time: Duration,
}

/// Restores `backup` into the database `target` names, which should be empty.
pub async fn restore(
    tools: &PgTools,
    backup: &Path,
    target: &ConnInfo,
    options: RestoreOptions,
) -> Result<Restored, BackupError> {
    let started = Instant::now();
    let verified = if options.verify_checksums {
        let path = backup.to_owned();
        let result = tokio::task::spawn_blocking(move || checksums::verify(&path))
            .await
            .map_err(|e| BackupError::io("verify the backup", std::io::Error::other(e)))?;
        Some(result?)
    } else {
        None
    };
    let verify_time = started.elapsed();

    let what = format!("restore {} into {}", backup.display(), target.database);
    let mut cmd = tokio::process::Command::new(tools.program("pg_restore"));
    cmd.arg("--exit-on-error")
        .arg(format!("--dbname={}", target.database))
        .envs(target.env());
    if options.jobs > 1 {
        cmd.arg(format!("--jobs={}", options.jobs));
    }
    cmd.arg(backup);
    let started = Instant::now();
    let finished = process::run(cmd, "pg_restore", &what, RESTORE_DEADLINE).await?;
    if !finished.success() {
        if let Some(detail) = not_an_archive(&finished.output) {
            return Err(BackupError::NotAnArchive {
                path: backup.to_owned(),
                detail,
            });
        }
        return Err(finished.into_error(what, None));
    }
    Ok(Restored {
        verified,
        verify_time,
        restore_time: started.elapsed(),
    })
}

/// The number of entries in the archive's table of contents, as `pg_restore --list` reads
/// them.
pub async fn list(tools: &PgTools, backup: &Path) -> Result<usize, BackupError> {
    let what = format!("list {}", backup.display());
    let mut cmd = tokio::process::Command::new(tools.program("pg_restore"));
    cmd.arg("--list").arg(backup);
    let finished = process::run(cmd, "pg_restore --list", &what, LIST_DEADLINE).await?;
    if !finished.success() {
        if let Some(detail) = not_an_archive(&finished.stderr) {
            return Err(BackupError::NotAnArchive {
                path: backup.to_owned(),
                detail,
            });
        }
        return Err(finished.into_error(what, None));
    }
    Ok(finished
        .stdout
        .lines()
        .filter(|l| !l.starts_with(';') && !l.trim().is_empty())
        .count())
}

/// pg_restore's own words when its input is no archive at all.
fn not_an_archive(output: &str) -> Option<String> {
    const SIGNS: [&str; 4] = [
        "does not appear to be a valid archive",
        "input file is too short",
        "did not find magic string",
        "unsupported version",
    ];
    SIGNS
        .iter()
        .any(|sign| output.contains(sign))
        .then(|| output.to_owned())
}
