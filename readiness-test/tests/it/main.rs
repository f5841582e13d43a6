//! readiness-test's integration tests: handouts on a real server, and the teardown at
//! exit, panic and interrupt, observed from outside a child test process.

mod handout;
mod teardown;

use std::path::PathBuf;

/// The subject these tests take databases of.
pub fn subject_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/it/subject")
}
