//! Claim `migrations`: schema changes are versioned and can be rolled back, and the
//! models match what the migrations build, and a rollback keeps the data.

mod command_steps;
mod cross_check;
mod data_round_trip;
mod failures;
mod locks_under_load;
mod marks;
mod models_match_migrations;
mod schema_snapshot;
mod unsafe_ddl;
mod up_down_round_trip;
mod walk;

use std::sync::Arc;

use harness::Scenario;

pub use data_round_trip::DataSurvivesEachRoundTrip;
pub use locks_under_load::LocksStayShortUnderLoad;
pub use models_match_migrations::ModelsMatchMigrations;
pub use schema_snapshot::SchemaMatchesSnapshot;
pub use unsafe_ddl::UnsafeDdlNamed;
pub use up_down_round_trip::UpDownRoundTrip;

pub const CLAIM: &harness::run::scenario::ClaimSpec = &crate::claims::MIGRATIONS;

pub fn scenarios() -> Vec<Arc<dyn Scenario>> {
    vec![
        Arc::new(UpDownRoundTrip),
        Arc::new(DataSurvivesEachRoundTrip),
        Arc::new(LocksStayShortUnderLoad),
        Arc::new(ModelsMatchMigrations),
        Arc::new(SchemaMatchesSnapshot),
        Arc::new(UnsafeDdlNamed),
    ]
}
