//! `add-column-not-null-without-default`: `ADD COLUMN … NOT NULL` (or `PRIMARY KEY`)
//! with no default on an existing table fails as soon as the table has a row: there is no
//! value to give the existing rows.

use squawk_syntax::ast::{self, AstNode};
use squawk_syntax::{SyntaxKind, SyntaxNode};

use super::super::finding::Finding;
use super::super::rule::Rule;
use super::super::sql;
use super::super::types::SqlType;
use super::Cx;

const FIX: &str = "fails once the table has a row: add it nullable (or with a constant DEFAULT), backfill, then add CHECK (… IS NOT NULL) NOT VALID, VALIDATE it, and SET NOT NULL";

pub(crate) fn check(stmt: &ast::Stmt, cx: &Cx, out: &mut Vec<Finding>) {
    let Some((table, actions)) = cx.altered_existing(stmt) else {
        return;
    };
    for action in actions {
        let ast::AlterTableAction::AddColumn(add) = action else {
            continue;
        };
        if required_without_value(add.syntax()) {
            out.push(cx.action_finding(
                &add,
                Rule::AddColumnNotNullWithoutDefault,
                &table,
                false,
                FIX,
            ));
        }
    }
}

/// NOT NULL with nothing to fill the existing rows: no default (or `DEFAULT NULL`), not
/// generated, not serial.
fn required_without_value(add: &SyntaxNode) -> bool {
    let kinds: Vec<SyntaxKind> = add.children().map(|c| c.kind()).collect();
    let required = kinds.iter().any(|k| {
        matches!(
            k,
            SyntaxKind::NOT_NULL_CONSTRAINT | SyntaxKind::PRIMARY_KEY_CONSTRAINT
        )
    });
    let filled = add.children().any(|c| match c.kind() {
        SyntaxKind::GENERATED_CONSTRAINT => true,
        SyntaxKind::DEFAULT_CONSTRAINT => !sql::plain_text(&c)
            .to_ascii_uppercase()
            .ends_with("DEFAULT NULL"),
        _ => false,
    });
    let serial = add
        .children()
        .find(|c| ast::Type::can_cast(c.kind()))
        .is_some_and(|t| SqlType::of(&t).base.starts_with("serial"));
    required && !filled && !serial
}

#[cfg(test)]
mod tests {
    use super::super::testing::{lint_errors, lint_ok, SETUP};
    use super::*;

    const RULE: Rule = Rule::AddColumnNotNullWithoutDefault;

    #[test]
    fn not_null_without_a_default_on_an_existing_table_is_named() {
        let lines = lint_errors(
            SETUP,
            "ALTER TABLE users ADD COLUMN tz text NOT NULL;",
            RULE,
        );
        assert!(
            lines[0].contains("fails once the table has a row"),
            "{lines:#?}"
        );
        lint_errors(
            SETUP,
            "ALTER TABLE users ADD COLUMN tz text NOT NULL DEFAULT NULL;",
            RULE,
        );
    }

    #[test]
    fn a_default_a_nullable_column_or_a_new_table_is_not_named() {
        lint_ok(
            SETUP,
            "ALTER TABLE users ADD COLUMN tz text NOT NULL DEFAULT 'UTC';",
            RULE,
        );
        lint_ok(SETUP, "ALTER TABLE users ADD COLUMN tz text;", RULE);
        lint_ok(
            SETUP,
            "ALTER TABLE users ADD COLUMN n bigserial NOT NULL;",
            RULE,
        );
        lint_ok(
            SETUP,
            "CREATE TABLE notes (id int); ALTER TABLE notes ADD COLUMN body text NOT NULL;",
            RULE,
        );
    }
}
