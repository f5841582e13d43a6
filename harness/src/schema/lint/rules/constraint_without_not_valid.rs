//! `constraint-without-not-valid`: a CHECK or FOREIGN KEY added to an existing table
//! without `NOT VALID` reads every row under the statement's lock (ACCESS EXCLUSIVE for a
//! CHECK, SHARE ROW EXCLUSIVE on both tables for a foreign key). So does a new column's
//! own `REFERENCES` or `CHECK`. Added `NOT VALID`, the constraint holds for new rows at
//! once, and `VALIDATE CONSTRAINT` later reads the table under SHARE UPDATE EXCLUSIVE,
//! which lets reads and writes go on.

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
        match action {
            ast::AlterTableAction::AddConstraint(add) => {
                let Some(constraint) = add.constraint() else {
                    continue;
                };
                let kind = match constraint {
                    ast::Constraint::CheckConstraint(_) => "CHECK",
                    ast::Constraint::ForeignKeyConstraint(_) => "FOREIGN KEY",
                    _ => continue,
                };
                if constraint.is_not_valid() {
                    continue;
                }
                out.push(cx.action_finding(
                    &add,
                    Rule::ConstraintWithoutNotValid,
                    &table,
                    false,
                    format!(
                        "add the {kind} NOT VALID, then VALIDATE CONSTRAINT in a later migration"
                    ),
                ));
            }
            ast::AlterTableAction::AddColumn(add) => {
                let kind = add.syntax().children().find_map(|c| match c.kind() {
                    SyntaxKind::REFERENCES_CONSTRAINT => Some("FOREIGN KEY"),
                    SyntaxKind::CHECK_CONSTRAINT => Some("CHECK"),
                    _ => None,
                });
                if let Some(kind) = kind {
                    out.push(cx.action_finding(
                    &add,
                        Rule::ConstraintWithoutNotValid,
                        &table,
                        false,
                        format!("add the column alone, then ADD CONSTRAINT … {kind} … NOT VALID, and VALIDATE CONSTRAINT in a later migration"),
                    ));
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{lint_errors, lint_ok, SETUP};
    use super::*;

    const RULE: Rule = Rule::ConstraintWithoutNotValid;

    #[test]
    fn a_validated_check_or_foreign_key_on_an_existing_table_is_named() {
        let lines = lint_errors(
            SETUP,
            "ALTER TABLE users ADD CONSTRAINT users_age_check CHECK (age >= 0);",
            RULE,
        );
        assert!(
            lines[0].contains(
                "takes an ACCESS EXCLUSIVE lock (blocks reads and writes); add the CHECK NOT VALID"
            ),
            "{lines:#?}"
        );
        let lines = lint_errors(
            SETUP,
            "ALTER TABLE accounts ADD CONSTRAINT accounts_user_fk FOREIGN KEY (user_id) REFERENCES users (id);",
            RULE,
        );
        assert!(
            lines[0].contains("takes a SHARE ROW EXCLUSIVE lock (blocks writes)"),
            "{lines:#?}"
        );
        lint_errors(
            SETUP,
            "ALTER TABLE orders ADD COLUMN user_id bigint REFERENCES users (id);",
            RULE,
        );
    }

    #[test]
    fn not_valid_then_validate_in_a_later_migration_is_not_named() {
        lint_ok(
            SETUP,
            "ALTER TABLE users ADD CONSTRAINT users_age_check CHECK (age >= 0) NOT VALID;",
            RULE,
        );
        lint_ok(
            &format!("{SETUP} ALTER TABLE accounts ADD CONSTRAINT f FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;"),
            "ALTER TABLE accounts VALIDATE CONSTRAINT f;",
            RULE,
        );
    }

    #[test]
    fn constraints_on_a_new_table_are_not_named() {
        lint_ok(
            SETUP,
            "CREATE TABLE notes (id int, user_id bigint); ALTER TABLE notes ADD CONSTRAINT f FOREIGN KEY (user_id) REFERENCES users (id);",
            RULE,
        );
    }
}
