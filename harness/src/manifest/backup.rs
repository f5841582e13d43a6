//! `[backup]` and `[restore_drill]`: the subject's own backup tooling and the recovery
//! time it claims.

use std::path::PathBuf;

use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupSection {
    /// A command that writes a backup into `$BACKUP_DIR`.
    pub backup_command: Option<String>,
    /// A command that restores `$BACKUP_FILE`, leaving a safety backup first.
    pub restore_command: Option<String>,
    /// Where the subject's real backups are, for the backup-age check.
    pub dir: Option<PathBuf>,
    /// How old the newest backup may be (default 26: a daily schedule plus slack).
    pub max_age_hours: Option<f64>,
    /// The retention policy claimed, in days.
    pub retention_days: Option<u32>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestoreDrillSection {
    /// The claimed recovery time objective.
    pub rto_seconds: f64,
}
