//! Claim `transactions`: the critical flows (signup, the Stripe webhook handlers, usage
//! metering, and any SQL flow the manifest declares) leave all of their rows or none under
//! every fault, keep acknowledged commits across a crash, survive Stripe's redeliveries,
//! lose no concurrent update, and run on a server whose isolation levels hold.

mod all_or_nothing_across_crash;
mod all_or_nothing_under_faults;
mod case;
mod faults;
mod footprint;
mod matrix;
mod rig;
mod sql_flow;
mod units;

use std::sync::Arc;

use harness::Scenario;

pub use all_or_nothing_across_crash::AllOrNothingAcrossCrash;
pub use all_or_nothing_under_faults::AllOrNothingUnderFaults;

pub const CLAIM: &str = "transactions";

pub fn scenarios() -> Vec<Arc<dyn Scenario>> {
    vec![
        Arc::new(AllOrNothingUnderFaults),
        Arc::new(AllOrNothingAcrossCrash),
    ]
}
