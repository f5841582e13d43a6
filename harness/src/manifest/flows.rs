//! `[flows]`: the subject's critical multi-statement operations, as Rust flows bundled
//! with readiness (`builtin`) or as SQL steps any stack can declare (`[[flows.sql]]`).

use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowsSection {
    /// The name of a bundled set of Rust flows, e.g. "instantviz".
    pub builtin: Option<String>,
    #[serde(default)]
    pub sql: Vec<SqlFlow>,
}

/// A flow as SQL steps, run in one transaction, with a fault point between each two steps.
/// `:run` in any statement is replaced by a number unique to each execution.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SqlFlow {
    pub name: String,
    pub steps: Vec<String>,
    /// A query returning one integer: how many of this execution's rows exist.
    pub written: String,
    /// What `written` returns after a complete execution (all or nothing: this, or 0).
    pub complete: i64,
}

impl FlowsSection {
    pub(super) fn validate(&self) -> Result<(), (String, String)> {
        for (i, flow) in self.sql.iter().enumerate() {
            if flow.steps.len() < 2 {
                return Err((
                    format!("flows.sql[{i}].steps"),
                    "a flow needs at least two steps to be all-or-nothing".into(),
                ));
            }
            if flow.complete <= 0 {
                return Err((
                    format!("flows.sql[{i}].complete"),
                    "must be positive".into(),
                ));
            }
        }
        Ok(())
    }
}
