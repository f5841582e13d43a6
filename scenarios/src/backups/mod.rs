//! Claim `backups`: "Backups working and tested": automated backups, a restore script with
//! safety checks, a test that backups work, 30-day retention.
//!
//! Two things are proven apart. The harness's own pg_dump and pg_restore, with a checksum
//! manifest beside every backup, show that this database *can* be backed up and restored
//! exactly, and that the harness catches every fault it injects (`pg-dump-round-trip`, and
//! the harness half of each fault scenario). The subject's own tooling (`[backup]` in the
//! manifest) must show that *its* backups work: `own-scripts-round-trip`,
//! `retention-policy`, and the subject half of each fault scenario. A subject without
//! backup commands ("NO BACKUPS") is refuted: no backup configured.

mod backup_target_full;
mod corrupted_backup_refused;
mod own_scripts_round_trip;
mod pg_dump_round_trip;
mod retention_policy;
mod server_killed_mid_backup;
mod writers;
mod writes_during_backup;

use std::sync::Arc;

use harness::Scenario;

/// Users' worth of data the backup scenarios work with: the point is the round trip, not
/// the volume (the restore drill is about volume).
pub const USERS: u64 = 1_000;

pub use backup_target_full::BackupTargetFull;
pub use corrupted_backup_refused::CorruptedBackupRefused;
pub use own_scripts_round_trip::OwnScriptsRoundTrip;
pub use pg_dump_round_trip::PgDumpRoundTrip;
pub use retention_policy::RetentionPolicyHolds;
pub use server_killed_mid_backup::ServerKilledMidBackup;
pub use writes_during_backup::WritesDuringBackup;

pub const CLAIM: &harness::run::scenario::ClaimSpec = &crate::claims::BACKUPS;

pub fn scenarios() -> Vec<Arc<dyn Scenario>> {
    vec![
        Arc::new(PgDumpRoundTrip),
        Arc::new(OwnScriptsRoundTrip),
        Arc::new(RetentionPolicyHolds),
        Arc::new(BackupTargetFull),
        Arc::new(CorruptedBackupRefused),
        Arc::new(ServerKilledMidBackup),
        Arc::new(WritesDuringBackup),
    ]
}
