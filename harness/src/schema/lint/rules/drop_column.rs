//! `drop-column`: dropping a column of an existing table takes ACCESS EXCLUSIVE only for a
//! moment (no rewrite), but application code still reading the column fails, and an ORM
//! that lists columns it loaded at boot fails on every insert, until it restarts.

use squawk_syntax::ast::{self, AstNode};

use super::super::finding::Finding;
use super::super::rule::Rule;
use super::super::sql;
use super::Cx;

pub(crate) fn check(stmt: &ast::Stmt, cx: &Cx, out: &mut Vec<Finding>) {
    let Some((table, actions)) = cx.altered_existing(stmt) else {
        return;
    };
    for action in actions {
        let ast::AlterTableAction::DropColumn(drop) = action else {
            continue;
        };
        let column = drop
            .column_name_ref()
            .and_then(|n| sql::last_name(n.syntax()))
            .unwrap_or_default();
        out.push(cx.action_finding(
            &drop,
            Rule::DropColumn,
            &table,
            false,
            format!("deploy code that no longer reads or writes {column} first (an ORM's ignored columns), then drop it"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{lint_errors, lint_ok, SETUP};
    use super::*;

    const RULE: Rule = Rule::DropColumn;

    #[test]
    fn dropping_a_column_of_an_existing_table_is_named() {
        let lines = lint_errors(SETUP, "ALTER TABLE users DROP COLUMN IF EXISTS age;", RULE);
        assert!(
            lines[0].contains("no longer reads or writes age"),
            "{lines:#?}"
        );
    }

    #[test]
    fn dropping_a_column_of_a_new_table_is_not_named() {
        lint_ok(
            SETUP,
            "CREATE TABLE notes (a int, b int); ALTER TABLE notes DROP COLUMN b;",
            RULE,
        );
    }
}
