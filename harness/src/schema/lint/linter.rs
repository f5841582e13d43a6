//! The linter: walks a migration's statements in order, lets each rule look at each one
//! with what the earlier statements built, then records what the statement changed. One
//! `Linter` goes through a whole history, so a table created by an earlier migration is
//! an existing table in a later one.

use std::collections::{BTreeMap, BTreeSet};

use squawk_syntax::ast::{self, AstNode};

use super::finding::Finding;
use super::history::History;
use super::lock::{self, LockMode};
use super::rules::{self, missing_lock_timeout, Cx};
use super::sql;

/// What one migration's linting found.
#[derive(Debug, Clone, Default)]
pub struct Lint {
    pub findings: Vec<Finding>,
    /// What the parser could not read (a statement it does not know is skipped).
    pub parse_errors: Vec<String>,
}

/// Lints migrations one after the other, remembering what each built.
#[derive(Debug, Clone, Default)]
pub struct Linter {
    history: History,
}

/// What the linter knows inside the migration it is reading.
#[derive(Debug, Default)]
pub(crate) struct Step {
    /// Tables created in this migration: nobody else uses them yet.
    pub created: BTreeSet<String>,
    /// The transaction the statement runs in: a migration is one transaction until an
    /// explicit COMMIT or ROLLBACK starts the next.
    pub transaction: u32,
    pub lock_timeout: missing_lock_timeout::Timeout,
    /// Constraints added NOT VALID in this migration: the transaction and the lock taken.
    pub not_valid: BTreeMap<(String, String), (u32, LockMode)>,
    /// Locks that block writes, taken on existing tables with no lock_timeout in force:
    /// the table, the first such statement, and the strongest lock.
    pub unguarded: Vec<(String, String, LockMode)>,
}

impl Linter {
    /// A linter that knows no table yet: run it over a history from its first migration.
    pub fn new() -> Linter {
        Linter::default()
    }

    /// A linter for migrations that run over a database holding these tables
    /// (`schema.table`, or `table` in `public`).
    pub fn with_existing_tables<'a>(tables: impl IntoIterator<Item = &'a String>) -> Linter {
        Linter {
            history: History::with_tables(tables),
        }
    }

    /// The tables the migrations linted so far leave.
    pub fn tables(&self) -> impl Iterator<Item = &str> {
        self.history.tables()
    }

    /// The name `table` (as a finding names it) has after the migrations linted so far:
    /// a table renamed by a later migration is found under its new name.
    pub fn current_name(&self, table: &str) -> String {
        self.history.current_name(table)
    }

    /// Lints one migration (its up SQL) and remembers what it builds.
    pub fn lint_migration(&mut self, sql: &str) -> Lint {
        let parsed = sql::parse(sql);
        let mut step = Step::default();
        let mut findings = Vec::new();
        for stmt in &parsed.statements {
            self.statement(stmt, &mut step, &mut findings);
        }
        findings.extend(missing_lock_timeout::finish(&step));
        Lint {
            findings,
            parse_errors: parsed.errors,
        }
    }

    /// Lints statements captured as they ran (on the wire, from a log) as one migration.
    pub fn lint_statements<S: AsRef<str>>(&mut self, statements: &[S]) -> Lint {
        let sql: Vec<&str> = statements
            .iter()
            .map(|s| s.as_ref().trim().trim_end_matches(';'))
            .collect();
        self.lint_migration(&(sql.join(";\n") + ";"))
    }

    fn statement(&mut self, stmt: &ast::Stmt, step: &mut Step, findings: &mut Vec<Finding>) {
        let text = sql::short_text(stmt.syntax());
        let locks = lock::statement_locks(stmt);
        let cx = Cx {
            history: &self.history,
            step,
            text: &text,
            locks: &locks,
        };
        rules::check(stmt, &cx, findings);

        missing_lock_timeout::observe(stmt, &locks, &text, step);
        record_not_valid(stmt, &locks, step);
        if matches!(stmt, ast::Stmt::Commit(_) | ast::Stmt::Rollback(_)) {
            step.transaction += 1;
        }
        if let Some(created) = self.history.apply(stmt) {
            step.created.insert(created);
        }
        if let ast::Stmt::AlterTable(alter) = stmt {
            // a table created in this migration and renamed is still new
            for action in alter.actions() {
                if let ast::AlterTableAction::TableRenameTo(rename) = action {
                    let old = sql::relation(stmt.syntax());
                    let new = rename.table_name().and_then(|n| sql::last_name(n.syntax()));
                    if let (Some(old), Some(new)) = (old, new) {
                        if step.created.remove(&old) {
                            let schema = old.split_once('.').map_or(sql::DEFAULT_SCHEMA, |s| s.0);
                            step.created.insert(sql::qualify(schema, &new));
                        }
                    }
                }
            }
        }
    }
}

/// Remembers the constraints `stmt` adds NOT VALID to an existing table, for
/// `validate-in-same-transaction`.
fn record_not_valid(stmt: &ast::Stmt, locks: &[(String, LockMode)], step: &mut Step) {
    let ast::Stmt::AlterTable(alter) = stmt else {
        return;
    };
    let Some(table) = sql::relation(stmt.syntax()) else {
        return;
    };
    if step.created.contains(&table) {
        return;
    }
    let lock = locks
        .iter()
        .filter(|(t, _)| *t == table)
        .map(|(_, m)| *m)
        .max()
        .unwrap_or(LockMode::AccessExclusive);
    for action in alter.actions() {
        let ast::AlterTableAction::AddConstraint(add) = action else {
            continue;
        };
        let Some(constraint) = add.constraint() else {
            continue;
        };
        if !constraint.is_not_valid() {
            continue;
        }
        if let Some(name) = constraint_name(&constraint) {
            step.not_valid
                .insert((table.clone(), name), (step.transaction, lock));
        }
    }
}

/// The name a constraint is given (`CONSTRAINT name …`).
pub(crate) fn constraint_name(constraint: &ast::Constraint) -> Option<String> {
    constraint
        .syntax()
        .children()
        .find(|c| c.kind() == squawk_syntax::SyntaxKind::CONSTRAINT_NAME_CLAUSE)
        .and_then(|clause| clause.children().last())
        .and_then(|name| sql::last_name(&name))
}
