//! `[backup]` and `[restore_drill]`: the subject's own backup tooling and the recovery
//! time it claims.

use std::path::PathBuf;

use serde::Deserialize;

/// How old the newest backup may be when the manifest does not say: a daily schedule,
/// plus slack.
pub const DEFAULT_MAX_AGE_HOURS: f64 = 26.0;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupSection {
    /// A command that writes a backup into `$BACKUP_DIR`.
    pub backup_command: Option<String>,
    /// A command that restores `$BACKUP_FILE`, leaving a safety backup in `$BACKUP_DIR` first.
    pub restore_command: Option<String>,
    /// Where the subject's real backups are, for the backup-age check.
    pub dir: Option<PathBuf>,
    /// How old the newest backup may be (default 26: a daily schedule plus slack).
    pub max_age_hours: Option<f64>,
    /// The retention policy claimed, in days.
    pub retention_days: Option<u32>,
}

impl BackupSection {
    /// How old the newest backup may be.
    pub fn max_age_hours(&self) -> f64 {
        self.max_age_hours.unwrap_or(DEFAULT_MAX_AGE_HOURS)
    }

    pub(super) fn validate(&self) -> Result<(), (String, String)> {
        for (key, command) in [
            ("backup.backup_command", &self.backup_command),
            ("backup.restore_command", &self.restore_command),
        ] {
            if command.as_ref().is_some_and(|c| c.trim().is_empty()) {
                return Err((key.into(), "must not be empty".into()));
            }
        }
        if let Some(hours) = self.max_age_hours {
            if !(hours.is_finite() && hours > 0.0) {
                return Err(("backup.max_age_hours".into(), "must be positive".into()));
            }
        }
        if self.retention_days == Some(0) {
            return Err((
                "backup.retention_days".into(),
                "must be at least 1 day".into(),
            ));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestoreDrillSection {
    /// The claimed recovery time objective.
    pub rto_seconds: f64,
}

impl RestoreDrillSection {
    pub(super) fn validate(&self) -> Result<(), (String, String)> {
        if !(self.rto_seconds.is_finite() && self.rto_seconds > 0.0) {
            return Err((
                "restore_drill.rto_seconds".into(),
                "must be a positive number of seconds".into(),
            ));
        }
        Ok(())
    }
}
