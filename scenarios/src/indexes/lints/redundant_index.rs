//! `redundant-index`: a btree index whose columns are the leading columns of another.
//!
//! # Problem
//! A btree on (a, b) answers every lookup and ordering a btree on (a) does, so the shorter
//! index only costs writes and cache — unless it enforces uniqueness, which this rule
//! leaves alone.
//!
//! # Fix
//! `DROP INDEX CONCURRENTLY name;` once the longer index is in place.

use super::{
    describe, index_object, index_sql, keys, table_name, Finding, LintInput, Rule, Severity,
};

pub struct RedundantIndex;

impl Rule for RedundantIndex {
    fn id(&self) -> &'static str {
        "redundant-index"
    }

    fn title(&self) -> &'static str {
        "no btree index is a prefix of another (advisory: costs writes, not reads)"
    }

    fn severity(&self) -> Severity {
        Severity::Advisory
    }

    fn check(&self, input: &LintInput) -> Vec<Finding> {
        let mut findings = Vec::new();
        for table in &input.catalog.tables {
            let btrees: Vec<_> = table
                .indexes
                .iter()
                .filter(|i| i.valid && i.method == "btree")
                .collect();
            for short in btrees
                .iter()
                .filter(|i| !i.unique && i.constraint.is_none())
            {
                let short_keys = keys(short);
                let longer = btrees.iter().find(|long| {
                    let long_keys = keys(long);
                    long.name != short.name
                        && long.predicate == short.predicate
                        && long_keys.len() > short_keys.len()
                        && long_keys[..short_keys.len()] == short_keys[..]
                });
                if let Some(long) = longer {
                    findings.push(Finding {
                        object: index_object(table, short),
                        message: format!(
                            "index {} on {} ({}) is a prefix of {} ({}): the longer one serves its lookups",
                            short.name,
                            table_name(table),
                            short.keys.join(", "),
                            describe(long),
                            long.keys.join(", ")
                        ),
                        fix: format!("DROP INDEX CONCURRENTLY {};", index_sql(table, short)),
                    });
                }
            }
        }
        findings
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{
        catalog, index, lint_errors, lint_ok, objects, table, unique_constraint,
    };
    use super::*;

    #[test]
    fn a_prefix_of_a_longer_btree_is_redundant() {
        let mut workspaces = table("workspaces");
        workspaces.indexes = vec![
            index("workspaces_owner_id_idx", &["owner_id"]),
            index(
                "workspaces_owner_id_created_at_idx",
                &["owner_id", "created_at"],
            ),
        ];
        let input = catalog(vec![workspaces]);
        assert_eq!(
            objects(&RedundantIndex, &input),
            ["public.workspaces_owner_id_idx"]
        );
        assert_eq!(
            lint_errors(&RedundantIndex, &input),
            ["index workspaces_owner_id_idx on workspaces (owner_id) is a prefix of index workspaces_owner_id_created_at_idx (owner_id, created_at): the longer one serves its lookups | DROP INDEX CONCURRENTLY workspaces_owner_id_idx;"]
        );
    }

    #[test]
    fn unique_prefixes_and_equal_or_reordered_keys_are_not_redundant() {
        let mut t = table("t");
        t.indexes = vec![
            unique_constraint("t_a_key", &["a"]),
            index("t_a_b_idx", &["a", "b"]),
            index("t_b_idx", &["b"]),
            index("t_c_b_idx", &["c", "b"]),
            index("t_a_b_copy", &["a", "b"]),
        ];
        lint_ok(&RedundantIndex, &catalog(vec![t]));
    }
}
