//! `set-not-null-without-check`: `ALTER COLUMN … SET NOT NULL` on an existing table reads
//! every row under ACCESS EXCLUSIVE, unless a validated `CHECK (col IS NOT NULL)` already
//! proves it (PostgreSQL 12+ then skips the scan) or the column is NOT NULL already.

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
        let ast::AlterTableAction::AlterColumn(alter) = action else {
            continue;
        };
        let Some(ast::AlterColumnOption::SetNotNull(_)) = alter.option() else {
            continue;
        };
        let Some(column) = alter
            .column_name_ref()
            .and_then(|n| sql::last_name(n.syntax()))
        else {
            continue;
        };
        if cx.history.proven_not_null(&table, &column) {
            continue;
        }
        out.push(cx.action_finding(
            &alter,
            Rule::SetNotNullWithoutCheck,
            &table,
            false,
            format!("add CHECK ({column} IS NOT NULL) NOT VALID, VALIDATE it in a later migration, then SET NOT NULL (the scan is skipped) and drop the CHECK"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{lint_errors, lint_ok, SETUP};
    use super::*;

    const RULE: Rule = Rule::SetNotNullWithoutCheck;

    #[test]
    fn set_not_null_without_a_validated_check_is_named() {
        let lines = lint_errors(
            SETUP,
            "ALTER TABLE users ALTER COLUMN name SET NOT NULL;",
            RULE,
        );
        assert!(
            lines[0].contains("takes an ACCESS EXCLUSIVE lock (blocks reads and writes); add CHECK (name IS NOT NULL) NOT VALID"),
            "{lines:#?}"
        );
        // a check that is still NOT VALID proves nothing
        lint_errors(
            &format!("{SETUP} ALTER TABLE users ADD CONSTRAINT users_name_nn CHECK (name IS NOT NULL) NOT VALID;"),
            "ALTER TABLE users ALTER COLUMN name SET NOT NULL;",
            RULE,
        );
    }

    #[test]
    fn a_check_validated_in_an_earlier_migration_proves_it() {
        let setup = format!(
            "{SETUP} ALTER TABLE users ADD CONSTRAINT users_name_nn CHECK (name IS NOT NULL) NOT VALID; COMMIT; ALTER TABLE users VALIDATE CONSTRAINT users_name_nn;"
        );
        lint_ok(
            &setup,
            "ALTER TABLE users ALTER COLUMN name SET NOT NULL;",
            RULE,
        );
    }

    #[test]
    fn an_already_not_null_column_or_a_new_table_is_not_named() {
        lint_ok(
            SETUP,
            "ALTER TABLE users ALTER COLUMN id SET NOT NULL;",
            RULE,
        );
        lint_ok(
            SETUP,
            "CREATE TABLE notes (body text); ALTER TABLE notes ALTER COLUMN body SET NOT NULL;",
            RULE,
        );
    }
}
