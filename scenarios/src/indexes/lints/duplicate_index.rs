//! `duplicate-index`: two indexes on the same columns of the same table.
//!
//! # Problem
//! Same method, same key columns in the same order, same predicate: the planner picks one
//! and the other only costs — every insert and update writes both, and both take disk
//! and cache. The usual case is a plain index next to a UNIQUE constraint, whose own
//! index already serves every lookup the plain one could.
//!
//! # Fix
//! Drop the one that enforces nothing: `DROP INDEX CONCURRENTLY name;`.

use super::{
    describe, drop_sql, index_object, keeper_rank, table_name, Finding, LintInput, Rule, Severity,
};

pub struct DuplicateIndex;

impl Rule for DuplicateIndex {
    fn id(&self) -> &'static str {
        "duplicate-index"
    }

    fn title(&self) -> &'static str {
        "no two indexes cover the same columns (advisory: costs writes, not reads)"
    }

    fn severity(&self) -> Severity {
        Severity::Advisory
    }

    fn check(&self, input: &LintInput) -> Vec<Finding> {
        let mut findings = Vec::new();
        for table in &input.catalog.tables {
            let mut indexes: Vec<_> = table.indexes.iter().filter(|i| i.valid).collect();
            indexes.sort_by_key(|i| keeper_rank(i));
            let mut reported = Vec::new();
            for (i, keep) in indexes.iter().enumerate() {
                if reported.contains(&keep.name) {
                    continue;
                }
                for other in &indexes[i + 1..] {
                    let same = other.method == keep.method
                        && other.keys == keep.keys
                        && other.predicate == keep.predicate;
                    if !same || reported.contains(&other.name) {
                        continue;
                    }
                    reported.push(other.name.clone());
                    findings.push(Finding {
                        object: index_object(table, other),
                        message: format!(
                            "{} on {} duplicates {}: both on ({}); every write maintains both",
                            describe(other),
                            table_name(table),
                            describe(keep),
                            keep.keys.join(", ")
                        ),
                        fix: drop_sql(table, other),
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
    fn a_plain_index_beside_a_unique_constraint_is_the_duplicate() {
        let mut users = table("users");
        users.indexes = vec![
            index("users_stripe_customer_id_idx", &["stripe_customer_id"]),
            unique_constraint("users_stripe_customer_id_key", &["stripe_customer_id"]),
        ];
        assert_eq!(
            lint_errors(&DuplicateIndex, &catalog(vec![users])),
            ["index users_stripe_customer_id_idx on users duplicates UNIQUE constraint users_stripe_customer_id_key: both on (stripe_customer_id); every write maintains both | DROP INDEX CONCURRENTLY users_stripe_customer_id_idx;"]
        );
    }

    #[test]
    fn different_order_predicate_or_method_is_no_duplicate() {
        let mut slides = table("slides");
        let mut partial = index("b", &["project_id", "slide_number"]);
        partial.predicate = Some("(slide_number > 1)".into());
        let mut hash = index("c", &["project_id", "slide_number"]);
        hash.method = "hash".into();
        slides.indexes = vec![
            index("a", &["project_id", "slide_number"]),
            partial,
            hash,
            index("d", &["slide_number", "project_id"]),
        ];
        lint_ok(&DuplicateIndex, &catalog(vec![slides]));
    }

    #[test]
    fn three_copies_are_two_findings() {
        let mut t = table("t");
        t.indexes = vec![index("a", &["x"]), index("b", &["x"]), index("c", &["x"])];
        let input = catalog(vec![t]);
        // the copies to drop, each named once
        assert_eq!(objects(&DuplicateIndex, &input), ["public.b", "public.c"]);
        let errors = lint_errors(&DuplicateIndex, &input);
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            errors[0].starts_with("index b on t duplicates index a"),
            "{errors:?}"
        );
    }
}
