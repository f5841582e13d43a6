//! Claim `monitoring`: slow queries and connections are logged, and the monitoring script
//! shows health, connections, table sizes and backup status — and says so when the
//! database is down.

mod monitor_reports_health;
mod slow_queries_are_logged;

use std::sync::Arc;

use harness::Scenario;

pub use monitor_reports_health::MonitorReportsHealth;
pub use slow_queries_are_logged::SlowQueriesAreLogged;

pub const CLAIM: &harness::run::scenario::ClaimSpec = &crate::claims::MONITORING;

pub fn scenarios() -> Vec<Arc<dyn Scenario>> {
    vec![
        Arc::new(SlowQueriesAreLogged),
        Arc::new(MonitorReportsHealth),
    ]
}
