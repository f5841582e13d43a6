//! Why a test could not get its database: each variant names the subject directory or
//! the setting at fault (the harness's errors boxed: they are large).

use std::path::PathBuf;

use harness::backend::BackendError;
use harness::error::ScenarioError;
use harness::schema::migrate::MigrateError;
use harness::schema::template::TemplateError;
use harness::subject::SubjectError;

/// Why a test could not get its database.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("failed to get a PostgreSQL server for the tests: {0}")]
    Backend(#[source] Box<BackendError>),
    #[error("failed to load the subject in {}: {source}", dir.display())]
    Subject {
        dir: PathBuf,
        #[source]
        source: Box<SubjectError>,
    },
    #[error("failed to read the migrations of {}: {source}", dir.display())]
    Migrations {
        dir: PathBuf,
        #[source]
        source: Box<MigrateError>,
    },
    #[error("failed to build the migrated template of {}: {source}", dir.display())]
    Template {
        dir: PathBuf,
        #[source]
        source: Box<TemplateError>,
    },
    #[error("failed to build the {scale} dataset (seed {seed}) of {}: {source}", dir.display())]
    Dataset {
        dir: PathBuf,
        scale: String,
        seed: u64,
        #[source]
        source: Box<ScenarioError>,
    },
    #[error("failed to copy template {template} into a test database: {source}")]
    Clone {
        template: String,
        #[source]
        source: Box<TemplateError>,
    },
    #[error("invalid dataset scale `{0}` (expected a number of users such as 500, 1k or 10k)")]
    Scale(String),
    #[error("invalid {variable}=`{value}`: {why}")]
    Setting {
        variable: &'static str,
        value: String,
        why: String,
    },
    #[error("failed to start the test database provider's runtime: {0}")]
    Runtime(#[source] std::io::Error),
    #[error("the test database provider is shutting down: nothing new is handed out")]
    ShuttingDown,
}
