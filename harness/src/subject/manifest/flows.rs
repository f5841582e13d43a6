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

/// A flow as SQL steps, run in one transaction, with a fault point after each step (the
/// last one just before COMMIT). `:run` in any statement is replaced by a number unique
/// to each execution.
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
        let mut names = std::collections::HashSet::new();
        for (i, flow) in self.sql.iter().enumerate() {
            if flow.name.trim().is_empty() {
                return Err((format!("flows.sql[{i}].name"), "must not be empty".into()));
            }
            if !names.insert(flow.name.as_str()) {
                return Err((
                    format!("flows.sql[{i}].name"),
                    format!("`{}` is used twice", flow.name),
                ));
            }
            if !flow.written.contains(":run") {
                return Err((
                    format!("flows.sql[{i}].written"),
                    "must mention `:run`, to count only one execution's rows".into(),
                ));
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn flow(name: &str, written: &str) -> SqlFlow {
        SqlFlow {
            name: name.into(),
            steps: vec!["SELECT 1".into(), "SELECT 2".into()],
            written: written.into(),
            complete: 2,
        }
    }

    #[test]
    fn sql_flows_must_count_their_own_rows_and_have_distinct_names() {
        let ok = FlowsSection {
            builtin: None,
            sql: vec![flow("a", "SELECT :run"), flow("b", "SELECT :run")],
        };
        assert!(ok.validate().is_ok());
        let unscoped = FlowsSection {
            builtin: None,
            sql: vec![flow("a", "SELECT count(*) FROM t")],
        };
        assert_eq!(
            unscoped.validate().unwrap_err().0,
            "flows.sql[0].written".to_owned()
        );
        let twice = FlowsSection {
            builtin: None,
            sql: vec![flow("a", "SELECT :run"), flow("a", "SELECT :run")],
        };
        assert_eq!(
            twice.validate().unwrap_err().0,
            "flows.sql[1].name".to_owned()
        );
    }
}
