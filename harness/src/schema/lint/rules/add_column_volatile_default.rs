//! `add-column-volatile-default`: `ADD COLUMN` on an existing table whose value must be
//! computed for every row (a volatile default such as `gen_random_uuid()`, a serial or
//! identity column, a stored generated column) rewrites the table under ACCESS
//! EXCLUSIVE. A constant or stable default (`DEFAULT now()`, `DEFAULT 'free'`) is stored
//! once in the catalog since PostgreSQL 11 and is not named.

use squawk_syntax::ast::{self, AstNode};
use squawk_syntax::{SyntaxKind, SyntaxNode};

use super::super::finding::Finding;
use super::super::rule::Rule;
use super::super::types::SqlType;
use super::super::{sql, volatility};
use super::Cx;

const FIX: &str =
    "add the column without it, SET DEFAULT for new rows, and backfill existing rows in batches";

pub(crate) fn check(stmt: &ast::Stmt, cx: &Cx, out: &mut Vec<Finding>) {
    let Some((table, actions)) = cx.altered_existing(stmt) else {
        return;
    };
    for action in actions {
        let ast::AlterTableAction::AddColumn(add) = action else {
            continue;
        };
        if let Some(why) = rewriting_value(add.syntax(), cx) {
            out.push(cx.action_finding(
                &add,
                Rule::AddColumnVolatileDefault,
                &table,
                true,
                format!("{why} is computed for every existing row: {FIX}"),
            ));
        }
    }
}

/// Why the new column's value must be written into every row, if it must.
fn rewriting_value(add: &SyntaxNode, cx: &Cx) -> Option<String> {
    let column = sql::child(add, SyntaxKind::COLUMN_NAME)
        .and_then(|n| sql::last_name(&n))
        .unwrap_or_default();
    if let Some(ty) = add.children().find(|c| ast::Type::can_cast(c.kind())) {
        let ty = SqlType::of(&ty);
        if ty.base.starts_with("serial") {
            return Some(format!("{column}'s serial value (a volatile nextval())"));
        }
    }
    for constraint in add.children() {
        match constraint.kind() {
            SyntaxKind::GENERATED_CONSTRAINT => {
                let stored = constraint
                    .descendants()
                    .any(|n| n.kind() == SyntaxKind::GENERATED_STORED);
                return Some(if stored {
                    format!("{column}'s stored generated value")
                } else {
                    format!("{column}'s identity value")
                });
            }
            SyntaxKind::DEFAULT_CONSTRAINT => {
                let function =
                    volatility::volatile_call(&constraint, &cx.history.non_volatile_functions)?;
                return Some(format!(
                    "{column}'s default {function}() (volatile unless declared STABLE or IMMUTABLE)"
                ));
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::testing::{lint_errors, lint_ok, SETUP};
    use super::*;

    const RULE: Rule = Rule::AddColumnVolatileDefault;

    #[test]
    fn a_volatile_default_rewrites_the_table() {
        let lines = lint_errors(
            SETUP,
            "ALTER TABLE users ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid();",
            RULE,
        );
        assert!(
            lines[0].contains("takes an ACCESS EXCLUSIVE lock (blocks reads and writes) and rewrites the table; token's default gen_random_uuid()"),
            "{lines:#?}"
        );
        for default in ["random()", "clock_timestamp()", "uuid_generate_v4()"] {
            lint_errors(
                SETUP,
                &format!("ALTER TABLE users ADD COLUMN x float DEFAULT {default};"),
                RULE,
            );
        }
    }

    #[test]
    fn serial_identity_and_stored_generated_columns_rewrite_the_table() {
        lint_errors(SETUP, "ALTER TABLE users ADD COLUMN n bigserial;", RULE);
        lint_errors(
            SETUP,
            "ALTER TABLE users ADD COLUMN n int GENERATED ALWAYS AS IDENTITY;",
            RULE,
        );
        lint_errors(
            SETUP,
            "ALTER TABLE users ADD COLUMN n int GENERATED ALWAYS AS (age + 1) STORED;",
            RULE,
        );
    }

    #[test]
    fn constant_and_stable_defaults_are_not_named() {
        for default in [
            "now()",
            "CURRENT_TIMESTAMP",
            "'free'",
            "0",
            "'{}'::jsonb",
            "false",
        ] {
            lint_ok(
                SETUP,
                &format!("ALTER TABLE users ADD COLUMN x text NOT NULL DEFAULT {default};"),
                RULE,
            );
        }
    }

    #[test]
    fn a_function_the_migrations_declared_immutable_is_not_volatile() {
        lint_ok(
            &format!("{SETUP} CREATE FUNCTION zero() RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT 0 $$;"),
            "ALTER TABLE users ADD COLUMN x int DEFAULT zero();",
            RULE,
        );
    }

    #[test]
    fn a_new_table_is_not_named() {
        lint_ok(
            SETUP,
            "CREATE TABLE notes (id int); ALTER TABLE notes ADD COLUMN token uuid DEFAULT gen_random_uuid();",
            RULE,
        );
    }
}
