//! The plan tree of one `EXPLAIN (FORMAT JSON)`: node by node, with what an `ANALYZE`
//! adds (timings, the time spent in each trigger, foreign-key cascades included).

use std::collections::BTreeSet;

use serde::Deserialize;

/// The JSON did not have the shape PostgreSQL gives it.
#[derive(Debug, thiserror::Error)]
#[error("failed to read the plan: {0}")]
pub struct PlanError(String);

/// One plan node. Fields PostgreSQL does not print for a node type are `None` or empty.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PlanNode {
    #[serde(rename = "Node Type")]
    pub node_type: String,
    #[serde(rename = "Parallel Aware", default)]
    pub parallel_aware: bool,
    #[serde(rename = "Relation Name")]
    pub relation: Option<String>,
    #[serde(rename = "Alias")]
    pub alias: Option<String>,
    #[serde(rename = "Index Name")]
    pub index: Option<String>,
    #[serde(rename = "Scan Direction")]
    pub scan_direction: Option<String>,
    /// "Delete", "Update"… on a ModifyTable node.
    #[serde(rename = "Operation")]
    pub operation: Option<String>,
    /// "Hashed", "Sorted", "Plain" on an Aggregate node.
    #[serde(rename = "Strategy")]
    pub strategy: Option<String>,
    #[serde(rename = "Join Type")]
    pub join_type: Option<String>,
    #[serde(rename = "Index Cond")]
    pub index_cond: Option<String>,
    #[serde(rename = "Recheck Cond")]
    pub recheck_cond: Option<String>,
    #[serde(rename = "Filter")]
    pub filter: Option<String>,
    #[serde(rename = "Sort Key", default)]
    pub sort_key: Vec<String>,
    #[serde(rename = "Actual Rows")]
    pub actual_rows: Option<f64>,
    #[serde(rename = "Actual Loops")]
    pub actual_loops: Option<f64>,
    #[serde(rename = "Plans", default)]
    pub children: Vec<PlanNode>,
}

/// Time spent in one trigger: for a foreign key, the cascade or check it runs.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TriggerTime {
    /// Internal triggers carry an oid in their name: not stable across databases.
    #[serde(rename = "Trigger Name")]
    pub name: String,
    #[serde(rename = "Constraint Name")]
    pub constraint: Option<String>,
    #[serde(rename = "Relation")]
    pub relation: Option<String>,
    #[serde(rename = "Time")]
    pub time_ms: Option<f64>,
    #[serde(rename = "Calls", default)]
    pub calls: u64,
}

/// A whole EXPLAIN result.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Explained {
    #[serde(rename = "Plan")]
    pub root: PlanNode,
    #[serde(rename = "Planning Time")]
    pub planning_ms: Option<f64>,
    #[serde(rename = "Execution Time")]
    pub execution_ms: Option<f64>,
    #[serde(rename = "Triggers", default)]
    pub triggers: Vec<TriggerTime>,
}

impl Explained {
    /// Reads the `[ {"Plan": …} ]` value EXPLAIN (FORMAT JSON) returns.
    pub fn from_json(value: &serde_json::Value) -> Result<Explained, PlanError> {
        let first = match value {
            serde_json::Value::Array(items) => items
                .first()
                .ok_or_else(|| PlanError("an empty plan list".into()))?,
            other => other,
        };
        Explained::deserialize(first).map_err(|e| PlanError(e.to_string()))
    }

    /// Planning plus execution time as the server measured it, in milliseconds (zero
    /// for what EXPLAIN did not report).
    pub fn server_ms(&self) -> f64 {
        self.planning_ms.unwrap_or(0.0) + self.execution_ms.unwrap_or(0.0)
    }
}

impl PlanNode {
    /// This node and every node under it, depth first.
    pub fn walk(&self) -> Vec<&PlanNode> {
        let mut out = vec![self];
        for child in &self.children {
            out.extend(child.walk());
        }
        out
    }

    /// The indexes any node of the tree scans.
    pub fn indexes(&self) -> BTreeSet<&str> {
        self.walk()
            .into_iter()
            .filter_map(|n| n.index.as_deref())
            .collect()
    }

    /// Whether some node of the tree scans `index`.
    pub fn uses_index(&self, index: &str) -> bool {
        self.indexes().contains(index)
    }

    /// Whether this node reads a whole table.
    pub fn is_seq_scan(&self) -> bool {
        self.node_type == "Seq Scan"
    }

    /// The sequential scans in the tree.
    pub fn seq_scans(&self) -> Vec<&PlanNode> {
        self.walk()
            .into_iter()
            .filter(|n| n.is_seq_scan())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DELETE_WITH_CASCADES: &str = r#"[{"Plan": {"Node Type": "ModifyTable", "Operation": "Delete",
        "Parallel Aware": false, "Relation Name": "users", "Alias": "users", "Total Cost": 8.31,
        "Actual Rows": 0, "Actual Loops": 1, "Shared Hit Blocks": 7,
        "Plans": [{"Node Type": "Index Scan", "Parent Relationship": "Outer", "Parallel Aware": false,
                   "Scan Direction": "Forward", "Index Name": "users_pkey", "Relation Name": "users",
                   "Alias": "users", "Actual Rows": 1, "Actual Loops": 1, "Index Cond": "(id = 500)"}]},
        "Planning Time": 1.032,
        "Triggers": [{"Trigger Name": "RI_ConstraintTrigger_a_16586", "Constraint Name": "projects_workspace_id_fkey",
                      "Relation": "workspaces", "Time": 88.259, "Calls": 2}],
        "Execution Time": 91.296}]"#;

    const SEQ_SCAN_UNDER_SORT: &str = r#"[{"Plan": {"Node Type": "Limit", "Plans": [
        {"Node Type": "Sort", "Sort Key": ["workspaces.created_at DESC"], "Plans": [
          {"Node Type": "Seq Scan", "Relation Name": "workspaces", "Filter": "(owner_id = 7)"}]}]},
        "Planning Time": 0.1, "Execution Time": 3.5}]"#;

    fn explained(text: &str) -> Explained {
        Explained::from_json(&serde_json::from_str(text).unwrap()).unwrap()
    }

    #[test]
    fn index_scans_and_cascade_triggers_are_read() {
        let plan = explained(DELETE_WITH_CASCADES);
        assert!(plan.root.uses_index("users_pkey"));
        assert!(plan.root.seq_scans().is_empty());
        assert_eq!(plan.triggers.len(), 1);
        assert_eq!(
            plan.triggers[0].constraint.as_deref(),
            Some("projects_workspace_id_fkey")
        );
        assert_eq!(plan.triggers[0].calls, 2);
        assert!((plan.server_ms() - 92.328).abs() < 1e-9);
    }

    #[test]
    fn sequential_scans_are_found_at_any_depth() {
        let plan = explained(SEQ_SCAN_UNDER_SORT);
        let scans = plan.root.seq_scans();
        assert_eq!(scans.len(), 1);
        assert_eq!(scans[0].relation.as_deref(), Some("workspaces"));
        assert!(plan.root.indexes().is_empty());
    }

    #[test]
    fn a_plan_of_the_wrong_shape_is_an_error() {
        let err = Explained::from_json(&serde_json::json!([{"Planning Time": 1}])).unwrap_err();
        assert!(
            err.to_string().starts_with("failed to read the plan"),
            "{err}"
        );
        assert!(Explained::from_json(&serde_json::json!([])).is_err());
    }
}
