//! `invalid-index`: an index PostgreSQL marked invalid.
//!
//! # Problem
//! A `CREATE INDEX CONCURRENTLY` (or `REINDEX CONCURRENTLY`) that failed leaves its index
//! behind, invalid: the planner never uses it, so the query it was made for reads the
//! table, yet every write still pays to maintain it. The schema looks indexed and is not.
//!
//! # Fix
//! `REINDEX INDEX CONCURRENTLY name;`, or drop it and create it again.

use super::{index_object, table_name, Finding, LintInput, Rule, Severity};

pub struct InvalidIndex;

impl Rule for InvalidIndex {
    fn id(&self) -> &'static str {
        "invalid-index"
    }

    fn title(&self) -> &'static str {
        "every index is valid, so the planner can use it"
    }

    fn severity(&self) -> Severity {
        Severity::Refutes
    }

    fn check(&self, input: &LintInput) -> Vec<Finding> {
        input
            .catalog
            .tables
            .iter()
            .flat_map(|table| {
                table.indexes.iter().filter(|i| !i.valid).map(move |index| Finding {
                    object: index_object(table, index),
                    message: format!(
                        "index {} on {} is invalid (a failed concurrent build?): the planner never uses it, every write still maintains it",
                        index.name,
                        table_name(table)
                    ),
                    fix: format!("REINDEX INDEX CONCURRENTLY {};", index.name),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{catalog, index, lint_errors, lint_ok, objects, table};
    use super::*;

    #[test]
    fn an_invalid_index_is_found_and_a_valid_one_is_not() {
        let mut users = table("users");
        users.indexes = vec![index("users_email_idx", &["email"])];
        lint_ok(&InvalidIndex, &catalog(vec![users.clone()]));
        users.indexes[0].valid = false;
        let input = catalog(vec![users]);
        assert_eq!(objects(&InvalidIndex, &input), ["public.users_email_idx"]);
        let errors = lint_errors(&InvalidIndex, &input);
        assert_eq!(
            errors,
            ["index users_email_idx on users is invalid (a failed concurrent build?): the planner never uses it, every write still maintains it | REINDEX INDEX CONCURRENTLY users_email_idx;"]
        );
    }
}
