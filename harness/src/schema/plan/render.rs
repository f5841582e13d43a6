//! A plan rendered like EXPLAIN's text format but without costs, row counts, timings or
//! buffers, and with internal trigger names (which carry oids) replaced by their
//! constraint: what stays the same from run to run, for snapshots and evidence.

use std::fmt::Write as _;

use super::tree::{Explained, PlanNode};

/// The plan's shape: node, index, relation, conditions and sort keys, then the triggers
/// that fired (foreign-key cascades and checks), by constraint.
pub fn render_redacted(explained: &Explained) -> String {
    let mut out = String::new();
    node(&mut out, &explained.root, 0);
    for trigger in &explained.triggers {
        let name = trigger.constraint.as_deref().map_or_else(
            || format!("trigger {}", trigger.name),
            |c| format!("constraint {c}"),
        );
        let _ = writeln!(
            out,
            "Trigger for {name} on {}: calls={}",
            trigger.relation.as_deref().unwrap_or("?"),
            trigger.calls
        );
    }
    out
}

/// One line for a node, as EXPLAIN's text format titles it.
pub fn title(node: &PlanNode) -> String {
    let mut title = match (&node.operation, node.node_type.as_str()) {
        (Some(operation), "ModifyTable") => operation.clone(),
        (_, "Aggregate") => match node.strategy.as_deref() {
            Some("Hashed") => "HashAggregate".into(),
            Some("Sorted") => "GroupAggregate".into(),
            Some("Mixed") => "MixedAggregate".into(),
            _ => "Aggregate".into(),
        },
        (_, kind) => kind.to_owned(),
    };
    if node.parallel_aware {
        title.insert_str(0, "Parallel ");
    }
    if node.scan_direction.as_deref() == Some("Backward") {
        title.push_str(" Backward");
    }
    if let Some(join) = &node.join_type {
        if join != "Inner" {
            let _ = write!(title, " ({join})");
        }
    }
    if let Some(index) = &node.index {
        let _ = write!(title, " using {index}");
    }
    if let Some(relation) = &node.relation {
        let _ = write!(title, " on {relation}");
        if let Some(alias) = node.alias.as_ref().filter(|a| *a != relation) {
            let _ = write!(title, " {alias}");
        }
    }
    title
}

fn node(out: &mut String, node_: &PlanNode, depth: usize) {
    let indent = "  ".repeat(depth);
    let arrow = if depth == 0 { "" } else { "-> " };
    let _ = writeln!(out, "{indent}{arrow}{}", title(node_));
    let detail = "  ".repeat(depth + if depth == 0 { 1 } else { 2 });
    for (label, value) in [
        ("Index Cond", &node_.index_cond),
        ("Recheck Cond", &node_.recheck_cond),
        ("Filter", &node_.filter),
    ] {
        if let Some(value) = value {
            let _ = writeln!(out, "{detail}{label}: {value}");
        }
    }
    if !node_.sort_key.is_empty() {
        let _ = writeln!(out, "{detail}Sort Key: {}", node_.sort_key.join(", "));
    }
    for child in &node_.children {
        self::node(out, child, depth + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendering_keeps_the_shape_and_drops_the_numbers() {
        let value = serde_json::json!([{
            "Plan": {"Node Type": "Limit", "Total Cost": 9.5, "Actual Rows": 20, "Plans": [
                {"Node Type": "Index Scan", "Scan Direction": "Backward",
                 "Index Name": "workspaces_owner_id_created_at_idx", "Relation Name": "workspaces",
                 "Alias": "workspaces", "Index Cond": "(owner_id = 7)", "Actual Rows": 2,
                 "Shared Hit Blocks": 4}]},
            "Planning Time": 0.2,
            "Triggers": [{"Trigger Name": "RI_ConstraintTrigger_a_1", "Constraint Name": "w_fkey",
                          "Relation": "users", "Time": 1.5, "Calls": 1}],
            "Execution Time": 0.05}]);
        let text = render_redacted(&Explained::from_json(&value).unwrap());
        assert_eq!(
            text,
            "Limit\n  -> Index Scan Backward using workspaces_owner_id_created_at_idx on workspaces\n      Index Cond: (owner_id = 7)\nTrigger for constraint w_fkey on users: calls=1\n"
        );
    }
}
