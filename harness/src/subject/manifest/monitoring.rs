//! `[monitoring]`: the subject's health-monitoring command.

use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonitoringSection {
    /// A command that reports the database's health, connections, table sizes and backup
    /// status, and exits non-zero when the database is unhealthy.
    pub command: Option<String>,
}
