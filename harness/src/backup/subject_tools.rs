//! The subject's own backup and restore commands (`[backup]` in the manifest), run through
//! `sh -c` in the subject directory with `DATABASE_URL`, the `PG*` variables, `BACKUP_DIR`
//! (and `BACKUP_FILE` for a restore) exported, and the server's client tools first on
//! `PATH`. What a command wrote is found by listing `BACKUP_DIR` before and after it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::process::{self, Finished};
use super::{age, BackupError};
use crate::backend::{ConnInfo, PgTools};
use crate::process::command::SubjectCommand;
use crate::subject::Subject;

/// How long one of the subject's commands may run.
const COMMAND_DEADLINE: Duration = Duration::from_secs(3600);

/// The subject's backup tooling.
#[derive(Debug, Clone)]
pub struct SubjectTools {
    pub backup_command: String,
    pub restore_command: String,
    workdir: PathBuf,
    tools: Option<PgTools>,
}

/// One run of a subject command.
#[derive(Debug, Clone)]
pub struct CommandRun {
    pub command: String,
    pub finished: Finished,
    /// Entries of `BACKUP_DIR` that were not there before, sorted.
    pub new_entries: Vec<PathBuf>,
}

impl CommandRun {
    pub fn success(&self) -> bool {
        self.finished.success()
    }

    /// The new entry that is a backup (not a checksum, log or partial file); the largest
    /// when there are several.
    pub fn backup(&self) -> Option<PathBuf> {
        self.new_entries
            .iter()
            .filter(|p| age::is_backup(p))
            .max_by_key(|p| super::dump::size_on_disk(p).unwrap_or(0))
            .cloned()
    }

    /// "`cmd` exited with 1 after 0.4 s: …", with the tail of its output.
    pub fn describe(&self) -> String {
        let output = if self.finished.output.is_empty() {
            String::new()
        } else {
            format!(": {}", self.finished.output)
        };
        format!(
            "`{}` {} after {:.1} s{output}",
            self.command,
            self.finished.describe_status(),
            self.finished.elapsed.as_secs_f64()
        )
    }
}

impl SubjectTools {
    /// The subject's backup and restore commands, when its manifest names both.
    pub fn of(subject: &Subject, tools: Option<PgTools>) -> Option<SubjectTools> {
        let section = subject.manifest.backup.as_ref()?;
        Some(SubjectTools {
            backup_command: section.backup_command.clone()?,
            restore_command: section.restore_command.clone()?,
            workdir: subject.dir.clone(),
            tools,
        })
    }

    /// Runs the backup command against `source`, writing into `backup_dir`.
    pub async fn backup(
        &self,
        source: &ConnInfo,
        backup_dir: &Path,
    ) -> Result<CommandRun, BackupError> {
        self.run(&self.backup_command, source, backup_dir, None)
            .await
    }

    /// Runs the restore command: `backup_file` into `target`, with `backup_dir` for the
    /// safety backup it takes first.
    pub async fn restore(
        &self,
        target: &ConnInfo,
        backup_file: &Path,
        backup_dir: &Path,
    ) -> Result<CommandRun, BackupError> {
        self.run(&self.restore_command, target, backup_dir, Some(backup_file))
            .await
    }

    /// Runs `command` with `target`'s environment and `BACKUP_DIR` (and `BACKUP_FILE`).
    async fn run(
        &self,
        command: &str,
        target: &ConnInfo,
        backup_dir: &Path,
        backup_file: Option<&Path>,
    ) -> Result<CommandRun, BackupError> {
        let before = entries(backup_dir)?;
        let mut cmd = SubjectCommand::new(command, &self.workdir)
            .with_database(target.env())
            .with_programs_first(self.tools.as_ref().map(|t| t.bin_dir.clone()))
            .with_env("BACKUP_DIR", backup_dir.display().to_string())
            .with_deadline(COMMAND_DEADLINE);
        if let Some(file) = backup_file {
            cmd = cmd.with_env("BACKUP_FILE", file.display().to_string());
        }
        let ran = cmd.run().await.map_err(|source| BackupError::Spawn {
            program: command.to_owned(),
            source,
        })?;
        let finished =
            process::finished(ran, command, &format!("run `{command}`"), COMMAND_DEADLINE)?;
        let after = entries(backup_dir)?;
        Ok(CommandRun {
            command: command.to_owned(),
            finished,
            new_entries: after.difference(&before).cloned().collect(),
        })
    }
}

/// The entries directly in `dir`.
pub fn entries(dir: &Path) -> Result<BTreeSet<PathBuf>, BackupError> {
    let listing = std::fs::read_dir(dir).map_err(|e| BackupError::BadDirectory {
        path: dir.to_owned(),
        why: e.to_string(),
    })?;
    Ok(listing.flatten().map(|e| e.path()).collect())
}
