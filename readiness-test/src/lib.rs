//! A fresh PostgreSQL database of your project's migrated schema for each of your own Rust
//! tests, on a real disposable server, handed out from a pool cloned ahead.
//!
//! ```no_run
//! # async fn test() -> Result<(), Box<dyn std::error::Error>> {
//! // the directory holding readiness.toml (and the migrations it names)
//! let db = readiness_test::database(env!("CARGO_MANIFEST_DIR")).await?;
//! sqlx::query("INSERT INTO lists (title) VALUES ('groceries')")
//!     .execute(db.pool())
//!     .await?;
//! # Ok(()) }
//! ```
//!
//! - **One server per test binary**, started on first use: native binaries by default, a
//!   container or an existing server when the environment says so (`READINESS_TEST_BACKEND`,
//!   see [`provider`]); it is torn down when the test binary exits, whether tests passed,
//!   panicked or the run was interrupted (see [`exit`]).
//! - **Migrations run once per schema hash**, into a template database; every test's
//!   database is a copy of it, taken from a few copies made ahead and refilled in the
//!   background (see [`clones`]), so that a handout is a pick, not a copy.
//! - **Datasets**: [`subject`]`(dir).scale("1k").seed(7)` hands out a copy of the migrated
//!   schema holding generated rows, built once per scale and seed.
//! - **Cleanup**: a database is dropped when its [`TestDatabase`] drops; with
//!   `READINESS_KEEP=1`, a test that panics keeps its database, and its server, and prints
//!   how to reach them.

mod clones;
pub mod database;
pub mod error;
pub mod exit;
pub mod provider;
pub mod request;

use std::path::Path;

pub use database::TestDatabase;
pub use error::Error;
pub use provider::Provider;
pub use request::Request;

/// A fresh database holding the migrated schema of the subject in `dir` (a directory with a
/// `readiness.toml`; a relative path is taken from the current directory, which `cargo
/// test` sets to the package's), from the test binary's shared server.
pub async fn database(dir: impl AsRef<Path>) -> Result<TestDatabase, Error> {
    subject(dir).database().await
}

/// A request for a database of the subject in `dir`, to add a dataset to before
/// [`Request::database`].
pub fn subject(dir: impl AsRef<Path>) -> Request {
    Request::new(dir.as_ref())
}
