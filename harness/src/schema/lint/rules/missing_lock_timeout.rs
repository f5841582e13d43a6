//! `missing-lock-timeout`: a migration takes a lock that blocks writes on an existing
//! table with no `lock_timeout` in force. Waiting behind one long transaction on the
//! table, the migration makes every later query on it wait too, however brief its own
//! change. Counted: `SET [SESSION | LOCAL] lock_timeout`, `SELECT set_config('lock_timeout',
//! …)`, earlier in the same migration and not `0`; one finding per table.

use squawk_syntax::ast::{self, AstNode};
use squawk_syntax::SyntaxKind;

use super::super::finding::Finding;
use super::super::linter::Step;
use super::super::lock::LockMode;
use super::super::rule::Rule;
use super::super::sql;

const MESSAGE: &str = "SET lock_timeout (e.g. '5s') first and retry on timeout, so that the migration never queues the table's queries behind a long transaction";

/// The `lock_timeout` in force.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Timeout {
    session: bool,
    /// Set with `SET LOCAL` in this transaction.
    local: Option<u32>,
}

impl Timeout {
    fn in_force(&self, transaction: u32) -> bool {
        self.session || self.local == Some(transaction)
    }
}

/// Records what `stmt` does to the timeout, or the strong locks it takes without one.
pub(crate) fn observe(stmt: &ast::Stmt, locks: &[(String, LockMode)], text: &str, step: &mut Step) {
    if let Some((local, on)) = timeout_change(stmt) {
        match (local, on) {
            (true, true) => step.lock_timeout.local = Some(step.transaction),
            (true, false) => step.lock_timeout.local = None,
            (false, on) => {
                step.lock_timeout.session = on;
                if !on {
                    step.lock_timeout.local = None;
                }
            }
        }
        return;
    }
    if step.lock_timeout.in_force(step.transaction) {
        return;
    }
    for (table, mode) in locks {
        if !mode.blocks_writes() || step.created.contains(table) {
            continue;
        }
        match step.unguarded.iter_mut().find(|(t, _, _)| t == table) {
            Some(entry) => entry.2 = entry.2.max(*mode),
            None => step.unguarded.push((table.clone(), text.to_owned(), *mode)),
        }
    }
}

/// One finding per existing table locked without a timeout, at the first statement that
/// did it, with the strongest lock the migration took on it.
pub(crate) fn finish(step: &Step) -> Vec<Finding> {
    step.unguarded
        .iter()
        .map(|(table, statement, lock)| Finding {
            rule: Rule::MissingLockTimeout,
            table: Some(table.clone()),
            object: None,
            statement: statement.clone(),
            lock: *lock,
            rewrites: false,
            message: MESSAGE.to_owned(),
        })
        .collect()
}

/// `Some((local, on))` when `stmt` sets or resets `lock_timeout`.
fn timeout_change(stmt: &ast::Stmt) -> Option<(bool, bool)> {
    let node = stmt.syntax();
    match stmt {
        ast::Stmt::Set(_) => {
            let local = node
                .descendants()
                .any(|n| n.kind() == SyntaxKind::LOCAL_SCOPE);
            let config = node
                .descendants()
                .find(|n| n.kind() == SyntaxKind::SET_CONFIG)?;
            let parameter = sql::child(&config, SyntaxKind::CONFIG_PARAMETER_REF)?;
            if sql::last_name(&parameter)? != "lock_timeout" {
                return None;
            }
            let value = config
                .children()
                .filter(|c| c.kind() != SyntaxKind::CONFIG_PARAMETER_REF)
                .map(|c| sql::plain_text(&c))
                .collect::<Vec<_>>()
                .join(" ");
            let value = value
                .trim_start_matches('=')
                .trim()
                .trim_start_matches("TO ")
                .trim_start_matches("to ")
                .trim();
            Some((local, is_on(value)))
        }
        ast::Stmt::Reset(_) => {
            let target = sql::plain_text(node).to_ascii_lowercase();
            (target.contains("lock_timeout") || target.contains(" all")).then_some((false, false))
        }
        ast::Stmt::Select(_) => {
            let call = node.descendants().find(|n| {
                n.kind() == SyntaxKind::CALL_EXPR
                    && n.first_child()
                        .and_then(|name| sql::last_name(&name))
                        .is_some_and(|name| name == "set_config")
            })?;
            let args: Vec<String> = call
                .descendants()
                .filter(|n| n.kind() == SyntaxKind::ARG)
                .map(|a| sql::literal_value(&a))
                .collect();
            match args.as_slice() {
                [name, value, local] if name.eq_ignore_ascii_case("lock_timeout") => {
                    Some((local.eq_ignore_ascii_case("true"), is_on(value)))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// Whether a `lock_timeout` value turns the timeout on (`0` and `DEFAULT` turn it off).
fn is_on(value: &str) -> bool {
    let value = value.trim().trim_matches('\'').trim();
    if value.eq_ignore_ascii_case("default") || value.is_empty() {
        return false;
    }
    let digits: String = value.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse::<u64>().map_or(true, |n| n > 0)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{lint_errors, lint_ok, SETUP};
    use super::*;

    const RULE: Rule = Rule::MissingLockTimeout;

    #[test]
    fn a_strong_lock_without_a_timeout_is_named_once_per_table() {
        let lines = lint_errors(
            SETUP,
            "ALTER TABLE users ADD COLUMN bio text; ALTER TABLE users ADD COLUMN nick text;",
            RULE,
        );
        assert_eq!(lines.len(), 1, "{lines:#?}");
        assert!(
            lines[0].starts_with("missing-lock-timeout on public.users — ALTER TABLE users ADD COLUMN bio text takes an ACCESS EXCLUSIVE lock"),
            "{}",
            lines[0]
        );
    }

    #[test]
    fn set_lock_timeout_first_suppresses_it() {
        for set in [
            "SET lock_timeout = '5s';",
            "SET lock_timeout TO 5000;",
            "SET LOCAL lock_timeout = '2s';",
            "SELECT set_config('lock_timeout', '3s', false);",
        ] {
            lint_ok(
                SETUP,
                &format!("{set} ALTER TABLE users ADD COLUMN bio text;"),
                RULE,
            );
        }
    }

    #[test]
    fn a_timeout_set_too_late_or_to_zero_does_not_count() {
        lint_errors(
            SETUP,
            "ALTER TABLE users ADD COLUMN bio text; SET lock_timeout = '5s';",
            RULE,
        );
        lint_errors(
            SETUP,
            "SET lock_timeout = 0; ALTER TABLE users ADD COLUMN bio text;",
            RULE,
        );
        lint_errors(
            SETUP,
            "BEGIN; SET LOCAL lock_timeout = '5s'; COMMIT; ALTER TABLE users ADD COLUMN bio text;",
            RULE,
        );
    }

    #[test]
    fn weak_locks_and_new_tables_need_no_timeout() {
        lint_ok(
            SETUP,
            "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);",
            RULE,
        );
        lint_ok(
            SETUP,
            "CREATE TABLE notes (id int); ALTER TABLE notes ADD COLUMN body text; CREATE INDEX notes_body_idx ON notes (body);",
            RULE,
        );
        lint_ok(SETUP, "ALTER TABLE users VALIDATE CONSTRAINT c;", RULE);
    }

    #[test]
    fn a_new_table_referencing_an_existing_one_locks_it() {
        let lines = lint_errors(
            SETUP,
            "CREATE TABLE notes (id int, user_id bigint REFERENCES users (id));",
            RULE,
        );
        assert!(
            lines[0].contains("on public.users — CREATE TABLE notes"),
            "{lines:#?}"
        );
        assert!(lines[0].contains("SHARE ROW EXCLUSIVE"), "{lines:#?}");
    }
}
