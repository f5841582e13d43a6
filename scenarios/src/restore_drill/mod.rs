//! Claim `restore_drill`: "Documented, tested restore. Recovery Time: < 15 minutes from
//! catastrophic failure." Proven only by a drill that restores a destroyed server's data
//! with the subject's own procedure and measures the recovery time.

pub mod drill;
mod rto_drill;

use std::sync::Arc;

use harness::Scenario;

pub use drill::{Drill, DrillReport};
pub use rto_drill::{RtoDrill, DEFAULT_USERS};

pub const CLAIM: &harness::run::scenario::ClaimSpec = &crate::claims::RESTORE_DRILL;

pub fn scenarios() -> Vec<Arc<dyn Scenario>> {
    vec![Arc::new(RtoDrill::from_env())]
}
