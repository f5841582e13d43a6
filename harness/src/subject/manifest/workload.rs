//! `[workload]`: what the application really runs, for main queries taken from it.

use std::path::PathBuf;

use serde::Deserialize;

/// How many of a snapshot's most frequent statements become main queries by default.
pub const DEFAULT_TOP_STATEMENTS: usize = 20;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkloadSection {
    /// A `pg_stat_statements` snapshot: CSV with a header naming `query` and `calls`.
    pub pg_stat_statements: Option<PathBuf>,
    /// How many of its most frequent statements to run (default 20).
    pub top: Option<usize>,
}

impl WorkloadSection {
    pub(super) fn validate(&self) -> Result<(), (String, String)> {
        if self.top == Some(0) {
            return Err(("workload.top".into(), "must be at least 1".into()));
        }
        if self.top.is_some() && self.pg_stat_statements.is_none() {
            return Err((
                "workload.top".into(),
                "goes with `pg_stat_statements`, the snapshot it counts in".into(),
            ));
        }
        Ok(())
    }

    pub fn top(&self) -> usize {
        self.top.unwrap_or(DEFAULT_TOP_STATEMENTS)
    }
}
