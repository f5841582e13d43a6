//! `validate-in-same-transaction`: `VALIDATE CONSTRAINT` in the transaction that added
//! the constraint `NOT VALID`. The ADD's lock (ACCESS EXCLUSIVE for a CHECK, SHARE ROW
//! EXCLUSIVE for a foreign key) is held until the transaction ends, so the validation
//! reads the table under it: NOT VALID bought nothing. A migration is one transaction
//! unless it commits on its own.

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
        let ast::AlterTableAction::ValidateConstraint(validate) = action else {
            continue;
        };
        let Some(name) = validate
            .constraint_name_ref()
            .and_then(|n| sql::last_name(n.syntax()))
        else {
            continue;
        };
        let Some((transaction, lock)) = cx.step.not_valid.get(&(table.clone(), name.clone()))
        else {
            continue;
        };
        if *transaction != cx.step.transaction {
            continue;
        }
        let mut finding = cx.action_finding(
            &validate,
            Rule::ValidateInSameTransaction,
            &table,
            false,
            format!("{name} was added NOT VALID in this same transaction, whose {lock} lock is still held while the table is read: VALIDATE CONSTRAINT in a later migration"),
        );
        finding.lock = *lock;
        out.push(finding);
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{lint_errors, lint_ok, SETUP};
    use super::*;

    const RULE: Rule = Rule::ValidateInSameTransaction;

    #[test]
    fn not_valid_then_validate_in_one_transaction_is_named() {
        let lines = lint_errors(
            SETUP,
            "ALTER TABLE users ADD CONSTRAINT c CHECK (age >= 0) NOT VALID; ALTER TABLE users VALIDATE CONSTRAINT c;",
            RULE,
        );
        assert!(
            lines[0].contains("VALIDATE CONSTRAINT c takes an ACCESS EXCLUSIVE lock"),
            "{lines:#?}"
        );
    }

    #[test]
    fn a_commit_between_or_a_later_migration_is_not_named() {
        lint_ok(
            SETUP,
            "ALTER TABLE users ADD CONSTRAINT c CHECK (age >= 0) NOT VALID; COMMIT; BEGIN; ALTER TABLE users VALIDATE CONSTRAINT c;",
            RULE,
        );
        lint_ok(
            &format!("{SETUP} ALTER TABLE users ADD CONSTRAINT c CHECK (age >= 0) NOT VALID;"),
            "ALTER TABLE users VALIDATE CONSTRAINT c;",
            RULE,
        );
    }
}
