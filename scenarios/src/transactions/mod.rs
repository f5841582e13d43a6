//! Claim `transactions`: the critical flows (signup, the Stripe webhook handlers, usage
//! metering, and any SQL or command flow the manifest declares) leave all of their rows or none under
//! every fault, keep acknowledged commits across a crash, survive Stripe's redeliveries,
//! lose no concurrent update, and run on a server whose isolation levels hold.

mod acknowledged_commits_survive_crash;
mod all_or_nothing_across_crash;
mod all_or_nothing_under_faults;
mod case;
mod command_flow;
mod command_races;
mod command_webhooks;
mod delivery;
mod faults;
mod footprint;
mod isolation_levels_hold;
mod matrix;
mod no_lost_updates;
mod random_fault_schedules;
mod rendezvous;
mod rig;
mod sql_flow;
mod units;
mod webhooks_survive_redelivery;

use std::sync::Arc;

use harness::Scenario;

pub use acknowledged_commits_survive_crash::AcknowledgedCommitsSurviveCrash;
pub use all_or_nothing_across_crash::AllOrNothingAcrossCrash;
pub use all_or_nothing_under_faults::AllOrNothingUnderFaults;
pub use isolation_levels_hold::{Check as IsolationCheck, IsolationLevelsHold};
pub use no_lost_updates::NoLostUpdates;
pub use random_fault_schedules::RandomFaultSchedules;
pub use webhooks_survive_redelivery::WebhooksSurviveRedelivery;

pub const CLAIM: &harness::run::scenario::ClaimSpec = &crate::claims::TRANSACTIONS;

pub fn scenarios() -> Vec<Arc<dyn Scenario>> {
    vec![
        Arc::new(AllOrNothingUnderFaults),
        Arc::new(AllOrNothingAcrossCrash),
        Arc::new(AcknowledgedCommitsSurviveCrash),
        Arc::new(WebhooksSurviveRedelivery),
        Arc::new(NoLostUpdates),
        Arc::new(IsolationLevelsHold::default()),
        Arc::new(RandomFaultSchedules),
    ]
}
