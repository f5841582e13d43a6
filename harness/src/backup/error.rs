//! What can go wrong with a backup, a restore or a check, each naming the file, program or
//! command at fault.

use std::path::PathBuf;

/// A backup, restore or check that did not do its job.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("failed to find PostgreSQL client tools (pg_dump, pg_restore) for this server")]
    NoTools,
    #[error("failed to start `{program}`: {source}")]
    Spawn {
        program: String,
        source: std::io::Error,
    },
    /// The program ran and said no. `partial_bytes` is what a failed dump left on disk
    /// before the harness removed it: proof that a file's existence proves nothing.
    #[error("failed to {what}: `{program}` {status}: {output}{}", partial_note(.partial_bytes))]
    Failed {
        what: String,
        program: String,
        status: String,
        output: String,
        partial_bytes: Option<u64>,
    },
    #[error("failed to {what}: `{program}` ran past {seconds} s and was stopped")]
    TimedOut {
        what: String,
        program: String,
        seconds: u64,
    },
    #[error("failed to write {}: it exists, and an existing backup is never overwritten", .0.display())]
    WouldOverwrite(PathBuf),
    #[error("failed to use backup directory {}: {why}", path.display())]
    BadDirectory { path: PathBuf, why: String },
    #[error("failed to restore {}: it is not a pg_dump archive ({detail})", path.display())]
    NotAnArchive { path: PathBuf, detail: String },
    #[error(transparent)]
    Integrity(#[from] IntegrityError),
    #[error("failed to {what}: {source}")]
    Io {
        what: String,
        source: std::io::Error,
    },
    #[error("failed to {what}: {source}")]
    Sql { what: String, source: sqlx::Error },
}

fn partial_note(partial_bytes: &Option<u64>) -> String {
    match partial_bytes {
        Some(bytes) => format!(" (it had written {bytes} bytes of partial output, removed)"),
        None => String::new(),
    }
}

impl BackupError {
    pub(crate) fn io(what: impl Into<String>, source: std::io::Error) -> BackupError {
        BackupError::Io {
            what: what.into(),
            source,
        }
    }

    pub(crate) fn sql(what: impl Into<String>, source: sqlx::Error) -> BackupError {
        BackupError::Sql {
            what: what.into(),
            source,
        }
    }
}

/// A backup that does not match the checksum manifest written beside it.
#[derive(Debug, thiserror::Error)]
pub enum IntegrityError {
    #[error("failed to verify {}: there is no checksum manifest {} beside it", backup.display(), manifest.display())]
    NoManifest { backup: PathBuf, manifest: PathBuf },
    #[error("failed to verify {}: its checksum manifest {} is unreadable: {why}", backup.display(), manifest.display())]
    BadManifest {
        backup: PathBuf,
        manifest: PathBuf,
        why: String,
    },
    #[error("failed to verify {}: {}", backup.display(), problems.join("; "))]
    Mismatch {
        backup: PathBuf,
        problems: Vec<String>,
    },
}

impl From<BackupError> for crate::error::ScenarioError {
    fn from(error: BackupError) -> Self {
        crate::error::ScenarioError::Layer(Box::new(error))
    }
}
