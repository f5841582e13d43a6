//! `unique-without-index`: `ADD PRIMARY KEY`, `ADD UNIQUE` or `ADD EXCLUDE` on an existing
//! table (or a new column declared `UNIQUE` / `PRIMARY KEY`) builds its index under
//! ACCESS EXCLUSIVE: reads and writes wait for the whole build. Built first with
//! `CREATE UNIQUE INDEX CONCURRENTLY`, the index becomes the constraint with `USING INDEX`
//! in a moment.

use squawk_syntax::ast::{self, AstNode};
use squawk_syntax::SyntaxKind;

use super::super::finding::Finding;
use super::super::rule::Rule;
use super::Cx;

pub(crate) fn check(stmt: &ast::Stmt, cx: &Cx, out: &mut Vec<Finding>) {
    let Some((table, actions)) = cx.altered_existing(stmt) else {
        return;
    };
    for action in actions {
        let kind = match &action {
            ast::AlterTableAction::AddConstraint(add) => match add.constraint() {
                Some(ast::Constraint::PrimaryKeyConstraint(pk)) if pk.using_index().is_none() => {
                    Some("PRIMARY KEY")
                }
                Some(ast::Constraint::UniqueConstraint(unique))
                    if unique.using_index().is_none() =>
                {
                    Some("UNIQUE")
                }
                Some(ast::Constraint::ExcludeConstraint(_)) => Some("EXCLUDE"),
                _ => None,
            },
            ast::AlterTableAction::AddColumn(add) => {
                add.syntax().children().find_map(|c| match c.kind() {
                    SyntaxKind::PRIMARY_KEY_CONSTRAINT => Some("PRIMARY KEY"),
                    SyntaxKind::UNIQUE_CONSTRAINT => Some("UNIQUE"),
                    _ => None,
                })
            }
            _ => None,
        };
        let Some(kind) = kind else {
            continue;
        };
        let fix = if kind == "EXCLUDE" {
            "an EXCLUDE constraint cannot use an existing index: add it while the table is small, or enforce the rule another way".to_owned()
        } else {
            format!("CREATE UNIQUE INDEX CONCURRENTLY first (its own migration), then ADD CONSTRAINT … {kind} USING INDEX")
        };
        out.push(cx.action_finding(&action, Rule::UniqueWithoutIndex, &table, false, fix));
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{lint_errors, lint_ok, SETUP};
    use super::*;

    const RULE: Rule = Rule::UniqueWithoutIndex;

    #[test]
    fn a_unique_constraint_built_under_the_lock_is_named() {
        let lines = lint_errors(
            SETUP,
            "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);",
            RULE,
        );
        assert!(
            lines[0].contains("CREATE UNIQUE INDEX CONCURRENTLY first"),
            "{lines:#?}"
        );
        lint_errors(
            SETUP,
            "ALTER TABLE accounts ADD PRIMARY KEY (id, user_id);",
            RULE,
        );
        lint_errors(
            SETUP,
            "ALTER TABLE users ADD COLUMN handle text UNIQUE;",
            RULE,
        );
    }

    #[test]
    fn using_index_or_a_new_table_is_not_named() {
        lint_ok(
            SETUP,
            "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx;",
            RULE,
        );
        lint_ok(
            SETUP,
            "CREATE TABLE notes (id int); ALTER TABLE notes ADD PRIMARY KEY (id);",
            RULE,
        );
    }
}
