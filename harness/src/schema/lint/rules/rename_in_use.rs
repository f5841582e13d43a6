//! `rename-in-use`: renaming an existing table or column takes ACCESS EXCLUSIVE only for a
//! moment, but the application code still running during the deploy uses the old name,
//! and fails until the new code is out.

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
        let what = match &action {
            ast::AlterTableAction::TableRenameTo(_) => format!("the table {table}"),
            ast::AlterTableAction::RenameColumn(rename) => {
                let Some(column) = rename
                    .column_name_ref()
                    .and_then(|n| sql::last_name(n.syntax()))
                else {
                    continue;
                };
                format!("the column {column}")
            }
            _ => continue,
        };
        out.push(cx.action_finding(
            &action,
            Rule::RenameInUse,
            &table,
            false,
            format!("code still running uses {what} by its old name: add the new one (or a view), deploy code that uses it, then drop the old one"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{lint_errors, lint_ok, SETUP};
    use super::*;

    const RULE: Rule = Rule::RenameInUse;

    #[test]
    fn renaming_an_existing_table_or_column_is_named() {
        let lines = lint_errors(
            SETUP,
            "ALTER TABLE users RENAME COLUMN name TO full_name;",
            RULE,
        );
        assert!(
            lines[0].contains("uses the column name by its old name"),
            "{lines:#?}"
        );
        lint_errors(SETUP, "ALTER TABLE users RENAME TO people;", RULE);
    }

    #[test]
    fn renaming_in_a_new_table_is_not_named() {
        lint_ok(
            SETUP,
            "CREATE TABLE notes (body text); ALTER TABLE notes RENAME COLUMN body TO text; ALTER TABLE notes RENAME TO memos; CREATE INDEX memos_text_idx ON memos (text);",
            RULE,
        );
    }
}
