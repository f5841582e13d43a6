//! The rules, one per file, each looking at one statement with what the linter knows at
//! that point ([`Cx`]): the tables built before this migration and in it, the locks the
//! statement takes, the transaction it runs in.

mod add_column_not_null_without_default;
mod add_column_volatile_default;
mod column_type_rewrite;
mod constraint_without_not_valid;
mod drop_column;
mod index_without_concurrently;
pub(crate) mod missing_lock_timeout;
mod rename_in_use;
mod set_not_null_without_check;
mod unique_without_index;
mod validate_in_same_transaction;

use squawk_syntax::ast;

use super::finding::Finding;
use super::history::History;
use super::linter::Step;
use super::lock::LockMode;
use super::rule::Rule;

/// What a rule sees of one statement.
pub(crate) struct Cx<'a> {
    pub history: &'a History,
    pub step: &'a Step,
    /// The statement as a finding shows it.
    pub text: &'a str,
    /// The locks the statement takes, by table.
    pub locks: &'a [(String, LockMode)],
}

impl Cx<'_> {
    /// Whether `table` was there before this migration (it was not created in it): the
    /// application may be using it, and it may hold rows.
    pub fn existing(&self, table: &str) -> bool {
        !self.step.created.contains(table)
    }

    /// The strongest lock the statement takes on `table`.
    pub fn lock_on(&self, table: &str) -> LockMode {
        self.locks
            .iter()
            .filter(|(t, _)| t == table)
            .map(|(_, m)| *m)
            .max()
            .unwrap_or(LockMode::AccessExclusive)
    }

    pub fn finding(
        &self,
        rule: Rule,
        table: &str,
        rewrites: bool,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            rule,
            table: Some(table.to_owned()),
            object: None,
            statement: self.text.to_owned(),
            lock: self.lock_on(table),
            rewrites,
            message: message.into(),
        }
    }

    /// A finding on one action of an `ALTER TABLE`, quoting that action.
    pub fn action_finding(
        &self,
        action: &impl squawk_syntax::ast::AstNode,
        rule: Rule,
        table: &str,
        rewrites: bool,
        message: impl Into<String>,
    ) -> Finding {
        let mut finding = self.finding(rule, table, rewrites, message);
        finding.statement = super::sql::action_text(action.syntax());
        finding.object = super::sql::object_name(action.syntax());
        finding
    }

    /// The table an `ALTER TABLE` changes and its actions, when the table existed before
    /// this migration.
    pub fn altered_existing(
        &self,
        stmt: &ast::Stmt,
    ) -> Option<(String, Vec<ast::AlterTableAction>)> {
        let ast::Stmt::AlterTable(alter) = stmt else {
            return None;
        };
        let table = super::sql::relation(squawk_syntax::ast::AstNode::syntax(alter))?;
        self.existing(&table)
            .then(|| (table, alter.actions().collect()))
    }
}

/// Every rule's findings on `stmt` (the lock-timeout rule reports at the end of the
/// migration, from [`missing_lock_timeout`]).
pub(crate) fn check(stmt: &ast::Stmt, cx: &Cx, out: &mut Vec<Finding>) {
    index_without_concurrently::check(stmt, cx, out);
    add_column_volatile_default::check(stmt, cx, out);
    add_column_not_null_without_default::check(stmt, cx, out);
    constraint_without_not_valid::check(stmt, cx, out);
    validate_in_same_transaction::check(stmt, cx, out);
    set_not_null_without_check::check(stmt, cx, out);
    column_type_rewrite::check(stmt, cx, out);
    unique_without_index::check(stmt, cx, out);
    rename_in_use::check(stmt, cx, out);
    drop_column::check(stmt, cx, out);
}

/// Test helpers: the findings of one migration on tables that exist before it.
#[cfg(test)]
pub(crate) mod testing {
    use std::collections::BTreeSet;

    use super::super::{lint, Finding, Rule};

    /// The findings of `rule` when `sql` runs as one migration over a database that has
    /// `users`, `accounts` and `orders` (with the columns `setup` creates).
    pub fn findings(setup: &str, sql: &str, rule: Rule) -> Vec<Finding> {
        let mut linter = super::super::Linter::new();
        let _ = linter.lint_migration(setup);
        linter
            .lint_migration(sql)
            .findings
            .into_iter()
            .filter(|f| f.rule == rule)
            .collect()
    }

    /// Asserts `rule` finds nothing in `sql`.
    #[track_caller]
    pub fn lint_ok(setup: &str, sql: &str, rule: Rule) {
        let found = findings(setup, sql, rule);
        assert!(
            found.is_empty(),
            "{rule} found in {sql}: {:#?}",
            found.iter().map(Finding::line).collect::<Vec<_>>()
        );
    }

    /// The lines of `rule`'s findings in `sql`, asserting there is at least one.
    #[track_caller]
    pub fn lint_errors(setup: &str, sql: &str, rule: Rule) -> Vec<String> {
        let found = findings(setup, sql, rule);
        assert!(!found.is_empty(), "{rule} finds nothing in {sql}");
        found.iter().map(Finding::line).collect()
    }

    /// `lint` over tables known only by name.
    pub fn lint_names(sql: &str, tables: &[&str]) -> Vec<Finding> {
        let tables: BTreeSet<String> = tables.iter().map(|t| t.to_string()).collect();
        lint(sql, &tables)
    }

    /// The tables most rule tests start from.
    pub const SETUP: &str = "
        CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100), name text, age int);
        CREATE TABLE accounts (id bigint PRIMARY KEY, user_id bigint);
        CREATE TABLE orders (id bigint PRIMARY KEY, total numeric(10,2));
    ";
}
