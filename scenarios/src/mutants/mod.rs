//! Mutants of a subject for `readiness mutate`: copies with exactly one protection removed
//! or broken, each naming the claim whose scenarios must turn red on it.
//!
//! A mutant changes one layer: the migrated schema (SQL applied after the migrations, or
//! one down migration rewritten), one file of a scratch copy of the subject (a config
//! file), or the manifest as loaded (a command wrapped, a flow's transaction removed).

mod apply;
mod config;
mod derive;
mod downs;
mod flows;
mod schema;
mod scripts;
mod weaken;

pub use apply::Applied;
pub use derive::{derive, Derived, NotDerived};

use std::path::PathBuf;

use harness::run::scenario::ClaimSpec;
use harness::schema::migrate::MigrationsMutation;

/// One protection removed.
#[derive(Debug, Clone)]
pub struct Mutant {
    /// What it removes, e.g. `drop unique users(stripe_customer_id)`.
    pub label: String,
    /// Its kind's kebab-case id (one of [`KINDS`]), for `--only`.
    pub kind: &'static str,
    /// The claim whose scenarios must catch it.
    pub claim: &'static ClaimSpec,
    pub change: Change,
}

/// How a mutant differs from the subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The migrations changed (SQL after them, or a down rewritten).
    Migrations(MigrationsMutation),
    /// The subject's file at `path` (relative to its directory) replaced, in a scratch copy.
    File { path: PathBuf, content: String },
    /// The manifest changed as loaded.
    Manifest(ManifestEdit),
}

/// A change to the loaded manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManifestEdit {
    /// One of the subject's commands replaced by `mutated` (most often a wrapper running
    /// `original`, which is kept to read the mutant's evidence as the subject's).
    Command {
        slot: CommandSlot,
        original: String,
        mutated: String,
    },
    /// The SQL flow at this index runs each step on its own.
    SqlFlowWithoutTransaction(usize),
}

/// Which of the manifest's commands a command mutant replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandSlot {
    Backup,
    Restore,
    Monitor,
}

impl CommandSlot {
    /// The manifest key it is written at.
    fn key(self) -> &'static str {
        match self {
            CommandSlot::Backup => "backup_command",
            CommandSlot::Restore => "restore_command",
            CommandSlot::Monitor => "monitoring.command",
        }
    }
}

/// The change of a schema mutant: `sql` applied after the migrations.
fn after_migrations(sql: String) -> Change {
    Change::Migrations(MigrationsMutation::After(sql))
}

impl Mutant {
    /// The mutant as the report names it.
    pub fn report(&self) -> harness::report::mutation::Mutant {
        harness::report::mutation::Mutant {
            label: self.label.clone(),
            kind: self.kind.to_owned(),
            claim: self.claim.id.to_owned(),
            change: self.change.describe(),
            rewrites: match &self.change {
                Change::Manifest(ManifestEdit::Command {
                    original, mutated, ..
                }) => vec![(mutated.clone(), original.clone())],
                _ => Vec::new(),
            },
        }
    }
}

impl Change {
    /// What the mutant does, for the table and report.json: the SQL, the file and its new
    /// text, or the new command.
    pub fn describe(&self) -> String {
        match self {
            Change::Migrations(MigrationsMutation::After(sql)) => sql.clone(),
            Change::Migrations(MigrationsMutation::Down { version, sql }) => {
                format!("down of {version} becomes:\n{sql}")
            }
            Change::File { path, content } => format!("{} becomes:\n{content}", path.display()),
            Change::Manifest(ManifestEdit::Command { slot, mutated, .. }) => {
                format!("{} = {mutated}", slot.key())
            }
            Change::Manifest(ManifestEdit::SqlFlowWithoutTransaction(i)) => {
                format!("flows.sql[{i}] runs each step on its own")
            }
        }
    }
}

/// Every kind of mutant, as `--only` spells it.
pub const KINDS: [&str; 17] = [
    schema::DROP_CONSTRAINT,
    schema::NO_CASCADE,
    weaken::WEAKEN_CHECK,
    schema::DROP_INDEX,
    weaken::REBUILD_INDEX,
    flows::WITHOUT_TRANSACTION,
    downs::EMPTY_DOWN,
    downs::DOWN_DROPS_MORE,
    scripts::BACKUP_TRUNCATED,
    scripts::BACKUP_IGNORES_FAILURE,
    scripts::BACKUP_SKIPS_RETENTION,
    scripts::RESTORE_DOES_NOTHING,
    config::LISTEN_EVERYWHERE,
    config::PORT_ON_EVERY_INTERFACE,
    config::PASSWORD_IN_COMPOSE,
    config::SLOW_LOG_OFF,
    scripts::MONITOR_ALWAYS_HEALTHY,
];
