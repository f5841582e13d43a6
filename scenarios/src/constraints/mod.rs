//! Claim `constraints`: the database enforces the rules even if the application has bugs.
//! Every claimed constraint must exist, refuse generated rows that break it (and accept
//! those that keep it), hold under concurrent writers, and cascade deletes as claimed.

mod cascades;
mod check_then_insert_under_race;
mod constraints_reject_generated_violations;
mod expected_constraints_exist;
mod fixtures;
mod key_race;
mod prepare;
mod presence;
mod race;
pub(crate) mod resolve;
mod rules;
pub(crate) mod schema;
mod unique_keys_under_race;

use std::sync::Arc;

use harness::Scenario;

pub use cascades::CascadesRemoveDescendants;
pub use check_then_insert_under_race::CheckThenInsertUnderRace;
pub use constraints_reject_generated_violations::ConstraintsRejectGeneratedViolations;
pub use expected_constraints_exist::ExpectedConstraintsExist;
pub use unique_keys_under_race::UniqueKeysUnderRace;

pub const CLAIM: &harness::run::scenario::ClaimSpec = &crate::claims::CONSTRAINTS;

pub fn scenarios() -> Vec<Arc<dyn Scenario>> {
    vec![
        Arc::new(ExpectedConstraintsExist),
        Arc::new(ConstraintsRejectGeneratedViolations),
        Arc::new(CascadesRemoveDescendants),
        Arc::new(UniqueKeysUnderRace),
        Arc::new(CheckThenInsertUnderRace),
    ]
}
