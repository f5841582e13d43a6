//! `unused-index`: an index none of the main queries used at scale.
//!
//! # Problem
//! An index that enforces nothing and that no main query reads only costs writes, disk
//! and cache. It may serve a query the manifest does not list: this rule says what the
//! listed workload used, so that either the manifest or the index is reconsidered.
//!
//! # Fix
//! Add the query it serves to `[[queries]]`, or `DROP INDEX CONCURRENTLY name;`.

use super::{index_object, table_name, Finding, LintInput, Rule, Severity};

pub struct UnusedIndex;

impl Rule for UnusedIndex {
    fn id(&self) -> &'static str {
        "unused-index"
    }

    fn title(&self) -> &'static str {
        "every index that enforces nothing is used by some main query (advisory)"
    }

    fn severity(&self) -> Severity {
        Severity::Advisory
    }

    fn needs_workload(&self) -> bool {
        true
    }

    fn check(&self, input: &LintInput) -> Vec<Finding> {
        input
            .catalog
            .tables
            .iter()
            .flat_map(|table| {
                table
                    .indexes
                    .iter()
                    .filter(|i| i.valid && i.constraint.is_none() && !i.unique)
                    .filter(|i| !input.used_indexes.contains(&i.name))
                    .map(move |index| Finding {
                        object: index_object(table, index),
                        message: format!(
                            "index {} on {} ({}) was not used by the {}",
                            index.name,
                            table_name(table),
                            index.keys.join(", "),
                            input.workload
                        ),
                        fix: format!("DROP INDEX CONCURRENTLY {};", index.name),
                    })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{
        catalog, index, lint_errors, lint_ok, objects, table, unique_constraint,
    };
    use super::*;

    #[test]
    fn only_indexes_the_workload_skipped_and_that_enforce_nothing_are_found() {
        let mut users = table("users");
        users.indexes = vec![
            index("users_email_idx", &["email"]),
            index("users_created_at_idx", &["created_at"]),
            unique_constraint("users_stripe_customer_id_key", &["stripe_customer_id"]),
        ];
        let mut input = catalog(vec![users]);
        input.workload = "2 main queries at 1k users".into();
        input.used_indexes.insert("users_email_idx".into());
        assert_eq!(
            lint_errors(&UnusedIndex, &input),
            ["index users_created_at_idx on users (created_at) was not used by the 2 main queries at 1k users | DROP INDEX CONCURRENTLY users_created_at_idx;"]
        );
        assert_eq!(
            objects(&UnusedIndex, &input),
            ["public.users_created_at_idx"]
        );
        input.used_indexes.insert("users_created_at_idx".into());
        lint_ok(&UnusedIndex, &input);
    }
}
