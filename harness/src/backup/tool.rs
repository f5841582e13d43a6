//! The backup tool a scenario exercises: the subject's own backup and restore commands, or
//! the harness's pg_dump and pg_restore (checksummed) when it names none, each run with what
//! it reported and how long it took.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::subject_tools::CommandRun;
use super::{BackupError, DumpOptions, RestoreOptions, SubjectTools};
use crate::backend::native::scratch::ScratchDir;
use crate::backend::{ConnInfo, PgTools};
use crate::error::ScenarioError;
use crate::subject::Subject;
use crate::Server;

/// Parallel workers for the harness's own directory-format dumps and restores.
pub const JOBS: u32 = 2;

/// Why the subject's own tooling cannot be exercised, when it cannot.
pub fn tooling_gap(subject: &Subject) -> Option<String> {
    let section = subject.manifest.backup.as_ref();
    let backup = section.and_then(|b| b.backup_command.as_ref());
    let restore = section.and_then(|b| b.restore_command.as_ref());
    match (backup, restore) {
        (None, _) => Some(
            "no backup configured: the manifest names no backup command (backup.backup_command)"
                .into(),
        ),
        (Some(_), None) => Some(
            "no restore configured: the manifest names a backup command but no restore command (backup.restore_command), so no backup was ever shown to restore"
                .into(),
        ),
        (Some(_), Some(_)) => None,
    }
}

/// The client tools for `server`, or the error that says there are none.
pub fn tools_of(server: &dyn Server) -> Result<PgTools, ScenarioError> {
    server
        .tools()
        .ok_or(ScenarioError::from(BackupError::NoTools))
}

/// The backup tool a scenario exercises.
#[derive(Debug, Clone)]
pub enum Tool {
    /// The subject's backup and restore commands.
    Subject(SubjectTools),
    /// The harness's pg_dump and pg_restore, checksummed.
    BuiltIn {
        tools: PgTools,
        options: DumpOptions,
    },
}

/// What a backup attempt produced and reported.
#[derive(Debug, Clone)]
pub struct BackupRun {
    /// The backup, when there is one (a subject command's new file even when it failed).
    pub file: Option<PathBuf>,
    /// Ok when the tool reported success, else what it reported.
    pub reported: Result<(), String>,
    pub elapsed: Duration,
}

/// What a restore attempt reported.
#[derive(Debug, Clone)]
pub struct RestoreRun {
    pub reported: Result<(), String>,
    pub elapsed: Duration,
}

impl Tool {
    /// The harness's own tool, dumping in custom format.
    pub fn built_in(tools: PgTools) -> Tool {
        Tool::BuiltIn {
            tools,
            options: DumpOptions::custom(),
        }
    }

    /// The tools a fault is tried on: the harness's own (to show that the harness catches
    /// it), then the subject's commands when its manifest names them (to show whether the
    /// subject does).
    pub fn all_for(subject: &Subject, builtin: Tool) -> Vec<Tool> {
        let tools = match &builtin {
            Tool::BuiltIn { tools, .. } => Some(tools.clone()),
            Tool::Subject(_) => None,
        };
        let mut all = vec![builtin];
        all.extend(SubjectTools::of(subject, tools).map(Tool::Subject));
        all
    }

    /// Which tools a fault was tried on, for a summary.
    pub fn tried(tools: &[Tool]) -> String {
        if tools.iter().any(|t| matches!(t, Tool::Subject(_))) {
            "the harness's pg_dump and the subject's own commands".into()
        } else {
            "the harness's pg_dump (the subject names no backup commands to try)".into()
        }
    }

    /// A short name for labels: "harness" or "subject".
    pub fn short(&self) -> &'static str {
        match self {
            Tool::Subject(_) => "subject",
            Tool::BuiltIn { .. } => "harness",
        }
    }

    /// For the evidence: which tool ran.
    pub fn describe(&self) -> String {
        match self {
            Tool::Subject(own) => format!(
                "the subject's `{}` / `{}`",
                own.backup_command, own.restore_command
            ),
            Tool::BuiltIn { options, .. } => format!(
                "the harness's pg_dump ({}, sha256 manifest) and pg_restore",
                options.describe()
            ),
        }
    }

    /// Backs up the database `source` names into `dir`.
    pub async fn backup(
        &self,
        source: &ConnInfo,
        dir: &Path,
        label: &str,
    ) -> Result<BackupRun, ScenarioError> {
        let started = Instant::now();
        match self {
            Tool::Subject(own) => {
                let run = own.backup(source, dir).await?;
                Ok(BackupRun {
                    file: run.backup(),
                    reported: reported(&run),
                    elapsed: started.elapsed(),
                })
            }
            Tool::BuiltIn { tools, options } => {
                let path = dir.join(format!("readiness_{label}.{}", options.extension()));
                match super::dump(tools, source, &path, *options).await {
                    Ok(made) => Ok(BackupRun {
                        file: Some(made.path),
                        reported: Ok(()),
                        elapsed: started.elapsed(),
                    }),
                    Err(e) => Ok(BackupRun {
                        file: None,
                        reported: Err(refusal(e)?),
                        elapsed: started.elapsed(),
                    }),
                }
            }
        }
    }

    /// Restores `file` into the database `target` names. A subject's restore gets a
    /// backup directory of its own for its safety backup (removed afterwards): a script
    /// that names backups by the second must not overwrite the file it restores.
    pub async fn restore(
        &self,
        file: &Path,
        target: &ConnInfo,
    ) -> Result<RestoreRun, ScenarioError> {
        let started = Instant::now();
        match self {
            Tool::Subject(own) => {
                let safety_dir = backup_dir()?;
                let run = own.restore(target, file, safety_dir.path()).await?;
                Ok(RestoreRun {
                    reported: reported(&run),
                    elapsed: started.elapsed(),
                })
            }
            Tool::BuiltIn { tools, .. } => {
                let result = super::restore(tools, file, target, RestoreOptions::jobs(JOBS)).await;
                Ok(RestoreRun {
                    reported: match result {
                        Ok(_) => Ok(()),
                        Err(e) => Err(refusal(e)?),
                    },
                    elapsed: started.elapsed(),
                })
            }
        }
    }
}

fn reported(run: &CommandRun) -> Result<(), String> {
    if run.success() {
        Ok(())
    } else {
        Err(run.describe())
    }
}

/// A backup error that is the tool's verdict (it refused, failed, or found damage) as text;
/// an error of the harness itself (it could not run the tool) stays an error.
pub fn refusal(error: BackupError) -> Result<String, ScenarioError> {
    match error {
        BackupError::Spawn { .. }
        | BackupError::Io { .. }
        | BackupError::Sql { .. }
        | BackupError::NoTools => Err(error.into()),
        other => Ok(other.to_string()),
    }
}

/// A directory for one scenario's backups, removed afterwards.
pub fn backup_dir() -> Result<ScratchDir, ScenarioError> {
    ScratchDir::create("backups", None)
        .map_err(|e| ScenarioError::failed("create a backup directory", e))
}
