//! The claims of a production-readiness report as executable scenarios, and the bundled
//! subjects they are proven (and refuted) on.
//!
//! One module per claim, one file per scenario; [`all`] lists every scenario, in the
//! order the scorecard shows them.

pub mod access_control;
pub mod backups;
pub mod claims;
pub mod constraints;
pub mod flows;
pub mod indexes;
pub mod migrations;
pub mod monitoring;
pub mod restore_drill;
pub mod subjects;
pub mod testing;
pub mod transactions;

use std::sync::Arc;

use harness::Scenario;

pub use claims::CLAIMS;

/// Every scenario, grouped by claim.
pub fn all() -> Vec<Arc<dyn Scenario>> {
    let mut scenarios: Vec<Arc<dyn Scenario>> = Vec::new();
    scenarios.extend(indexes::scenarios());
    scenarios.extend(constraints::scenarios());
    scenarios.extend(migrations::scenarios());
    scenarios.extend(access_control::scenarios());
    scenarios.extend(monitoring::scenarios());
    scenarios.extend(backups::scenarios());
    scenarios.extend(restore_drill::scenarios());
    scenarios.extend(transactions::scenarios());
    scenarios
}
