//! Claim `migrations`: schema changes are versioned and can be rolled back, and the
//! models match what the migrations build.

mod command_steps;
mod failures;
mod models_match_migrations;
mod up_down_round_trip;

use std::sync::Arc;

use harness::Scenario;

pub use models_match_migrations::ModelsMatchMigrations;
pub use up_down_round_trip::UpDownRoundTrip;

pub const CLAIM: &harness::run::scenario::ClaimSpec = &crate::claims::MIGRATIONS;

pub fn scenarios() -> Vec<Arc<dyn Scenario>> {
    vec![Arc::new(UpDownRoundTrip), Arc::new(ModelsMatchMigrations)]
}
