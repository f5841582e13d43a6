//! The claims of a production-readiness report as executable scenarios, and the bundled
//! subjects they are proven (and refuted) on.
//!
//! One module per claim, one file per scenario; [`all`] lists every scenario, in the
//! order the scorecard shows them.

pub mod claims;
pub mod flows;
pub mod migrations;
pub mod subjects;
pub mod testing;
pub mod transactions;

use std::sync::Arc;

use harness::Scenario;

pub use claims::CLAIMS;

/// Every scenario, grouped by claim.
pub fn all() -> Vec<Arc<dyn Scenario>> {
    let mut scenarios: Vec<Arc<dyn Scenario>> = Vec::new();
    scenarios.extend(migrations::scenarios());
    scenarios.extend(transactions::scenarios());
    scenarios
}
