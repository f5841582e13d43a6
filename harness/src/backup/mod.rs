//! Backups that are judged, not trusted: `pg_dump` / `pg_restore` wrappers that go by exit
//! status, a sha256 checksum manifest beside every backup (verified before any restore), a
//! fingerprint of a database's contents to compare a restored copy with its source,
//! `pg_amcheck`, the retention policy with a controllable clock, the subject's own backup
//! commands, the faults (a full disk, a damaged archive) the scenarios inject, and what
//! the backup scenarios and the restore drill share: the tool under test, a source to
//! destroy, a fresh target, and the checks on every restored copy.

pub mod age;
pub mod amcheck;
pub mod checksums;
pub mod corrupt;
pub mod dating;
pub mod dump;
mod error;
pub mod fingerprint;
pub mod process;
pub mod restore;
pub mod restored;
pub mod retention;
pub mod small_fs;
pub mod source;
pub mod subject_tools;
pub mod tool;

pub use dump::{dump, Backup, DumpFormat, DumpOptions};
pub use error::{BackupError, IntegrityError};
pub use fingerprint::Fingerprint;
pub use restore::{restore, RestoreOptions, Restored};
pub use retention::{Clock, FixedClock, RetentionPolicy, SystemClock};
pub use subject_tools::SubjectTools;
