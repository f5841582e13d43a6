//! Claim `monitoring`: slow queries and connections are logged, the monitoring script
//! shows health, connections, table sizes and backup status — and says so when the
//! database is down — and so does the app's health endpoint.

mod app_health;
mod monitor_reports_health;
mod slow_queries_are_logged;

use std::sync::Arc;

use harness::Scenario;

pub use app_health::AppHealthFollowsTheDatabase;
pub use monitor_reports_health::MonitorReportsHealth;
pub use slow_queries_are_logged::SlowQueriesAreLogged;

pub const CLAIM: &harness::run::scenario::ClaimSpec = &crate::claims::MONITORING;

pub fn scenarios() -> Vec<Arc<dyn Scenario>> {
    vec![
        Arc::new(SlowQueriesAreLogged),
        Arc::new(MonitorReportsHealth),
        Arc::new(AppHealthFollowsTheDatabase),
    ]
}
