//! Claim `migrations`: schema changes are versioned and can be rolled back.

mod command_steps;
mod failures;
mod up_down_round_trip;

use std::sync::Arc;

use harness::Scenario;

pub use up_down_round_trip::UpDownRoundTrip;

pub const CLAIM: &harness::run::scenario::ClaimSpec = &crate::claims::MIGRATIONS;

pub fn scenarios() -> Vec<Arc<dyn Scenario>> {
    vec![Arc::new(UpDownRoundTrip)]
}
