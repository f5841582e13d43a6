//! Unsafe DDL named statically, before anything runs: statements of a migration that lock
//! a table the application is using for long (an index built without CONCURRENTLY, a
//! constraint validated under the lock, a rewrite), that fail or break running code on a
//! table with rows, or that take a strong lock with no `lock_timeout`. SQL is read with
//! squawk's parser (`squawk-syntax`); the rules are this crate's own, one per file under
//! [`rules`], each with its lock mode and whether it rewrites, so that findings can be
//! weighed by row counts ([`weigh`]) and checked against a lock trace of the real run.
//!
//! A table is *existing* when the migration did not create it: a [`Linter`] run over a
//! history from its first migration knows which tables earlier migrations built.

mod finding;
mod history;
mod linter;
mod lock;
mod rule;
mod rules;
mod sql;
mod types;
mod volatility;
mod weigh;

use std::collections::BTreeSet;

pub use finding::Finding;
pub use linter::{Lint, Linter};
pub use lock::LockMode;
pub use rule::{Effect, Rule};
pub use sql::{qualify, DEFAULT_SCHEMA};
pub use types::SqlType;
pub use weigh::{weigh, weigh_tagged, Grade, Weighed, MAJOR_ROWS};

/// The findings of one migration's SQL run over a database holding `existing_tables`
/// (`schema.table`, or `table` in `public`). Tables neither there nor created by the
/// migration are taken to exist too.
pub fn lint(sql: &str, existing_tables: &BTreeSet<String>) -> Vec<Finding> {
    Linter::with_existing_tables(existing_tables)
        .lint_migration(sql)
        .findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_history_is_linted_step_by_step() {
        let mut linter = Linter::new();
        let first = linter.lint_migration(
            "CREATE TABLE users (id bigint PRIMARY KEY, email text);
             CREATE INDEX users_email_idx ON users (email);",
        );
        assert!(first.findings.is_empty(), "{:#?}", first.findings);
        let second = linter.lint_migration("CREATE INDEX users_id_email_idx ON users (id, email);");
        let rules: Vec<&str> = second.findings.iter().map(|f| f.rule.id()).collect();
        assert_eq!(
            rules,
            ["index-without-concurrently", "missing-lock-timeout"]
        );
        assert_eq!(linter.tables().collect::<Vec<_>>(), ["public.users"]);
        let _ = linter.lint_migration("ALTER TABLE users RENAME TO people;");
        let _ = linter.lint_migration("ALTER TABLE people RENAME TO members;");
        assert_eq!(linter.current_name("public.users"), "public.members");
        assert_eq!(linter.current_name("public.other"), "public.other");
    }

    #[test]
    fn captured_statements_are_linted_as_one_migration() {
        let mut linter = Linter::with_existing_tables(&[String::from("users")]);
        let lint = linter.lint_statements(&[
            "SET lock_timeout = '5s'",
            "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();",
        ]);
        let rules: Vec<&str> = lint.findings.iter().map(|f| f.rule.id()).collect();
        assert_eq!(rules, ["add-column-volatile-default"]);
        assert!(lint.findings[0].rewrites);
        assert_eq!(lint.findings[0].lock, LockMode::AccessExclusive);
    }

    #[test]
    fn a_finding_is_named_by_its_rule_table_and_object_not_its_wording() {
        let mut linter = Linter::new();
        let _ = linter.lint_migration(rules::testing::SETUP);
        let lint = linter.lint_migration(
            "ALTER TABLE users ADD CONSTRAINT users_age_check CHECK (age > 0);
             ALTER TABLE users ADD COLUMN token text NOT NULL;
             ALTER TABLE users ALTER COLUMN age TYPE bigint;
             ALTER TABLE users ALTER COLUMN email SET NOT NULL;
             ALTER TABLE users RENAME COLUMN name TO full_name;
             ALTER TABLE users VALIDATE CONSTRAINT users_age_check;
             ALTER TABLE accounts ADD CONSTRAINT accounts_user_key UNIQUE (user_id);
             CREATE INDEX  users_email_idx  ON users (email);
             CREATE INDEX ON orders ((total * 2));
             ALTER TABLE orders DROP COLUMN total;",
        );
        let mut ids: Vec<String> = lint.findings.iter().map(Finding::id).collect();
        ids.sort();
        assert_eq!(
            ids,
            [
                "add-column-not-null-without-default public.users token",
                "column-type-rewrite public.users age",
                "constraint-without-not-valid public.users users_age_check",
                "drop-column public.orders total",
                "index-without-concurrently public.orders",
                "index-without-concurrently public.users users_email_idx",
                "missing-lock-timeout public.accounts",
                "missing-lock-timeout public.orders",
                "missing-lock-timeout public.users",
                "rename-in-use public.users name",
                "set-not-null-without-check public.users email",
                "unique-without-index public.accounts accounts_user_key",
            ]
        );
    }

    #[test]
    fn what_the_parser_cannot_read_is_reported_not_guessed() {
        let lint = Linter::new().lint_migration("CREATE INDEX ON;");
        assert!(!lint.parse_errors.is_empty());
    }
}
