//! Names of everything the harness creates: one prefix, one run id, and the guard that
//! refuses to drop anything that does not carry the prefix.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

use rand::Rng;

/// Every database, role and container the harness creates starts with this.
pub const PREFIX: &str = "readiness_";

/// PostgreSQL truncates identifiers longer than this many bytes.
const MAX_IDENTIFIER: usize = 63;

/// This process's run id: eight hex digits, distinct between concurrent runs.
pub fn run_id() -> &'static str {
    static RUN_ID: OnceLock<String> = OnceLock::new();
    RUN_ID.get_or_init(|| format!("{:08x}", rand::thread_rng().gen::<u32>()))
}

/// A fresh database name for this run: `readiness_<run>_<n>_<label>`.
pub fn database_name(label: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let head = format!("{PREFIX}{}_{n}_", run_id());
    let room = MAX_IDENTIFIER - head.len();
    let label: String = sanitize(label).chars().take(room).collect();
    format!("{head}{label}")
}

/// The name of the template database for content with the given hash, in this run.
pub fn template_name(hash: &str) -> String {
    let short: String = hash.chars().take(16).collect();
    format!("{PREFIX}{}_tpl_{short}", run_id())
}

/// Lowercase ASCII letters, digits and underscores only.
pub fn sanitize(label: &str) -> String {
    label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// The error returned when asked to drop something the harness did not name.
#[derive(Debug, thiserror::Error)]
#[error("refused to drop database `{0}`: only databases whose names start with `{PREFIX}` are the harness's own")]
pub struct NotOurs(pub String);

/// Succeeds only for names the harness could have created.
pub fn ensure_ours(name: &str) -> Result<(), NotOurs> {
    if name.starts_with(PREFIX) && name.len() > PREFIX.len() {
        Ok(())
    } else {
        Err(NotOurs(name.to_owned()))
    }
}

/// Quotes an identifier for SQL.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A table or index name as a manifest writes it (`users`, `User`, `reporting.daily`,
/// `"Order"`), as text `to_regclass` reads the way the name was meant: a part that is not
/// all lowercase (Prisma's `User`, `createdAt`) is quoted, since unquoted SQL would fold it.
pub fn relation_text(name: &str) -> String {
    if name.contains('"') {
        return name.to_owned();
    }
    name.split('.')
        .map(|part| {
            let plain = part
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if plain {
                part.to_owned()
            } else {
                quote_ident(part)
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// Quotes a string literal for SQL.
pub fn quote_literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relation_names_keep_their_case() {
        assert_eq!(relation_text("users"), "users");
        assert_eq!(relation_text("User"), "\"User\"");
        assert_eq!(
            relation_text("reporting.DailyTotals"),
            "reporting.\"DailyTotals\""
        );
        assert_eq!(relation_text("\"Order\""), "\"Order\"");
    }

    #[test]
    fn database_names_fit_postgres_and_carry_the_prefix() {
        let name = database_name(&"a very long label with Spaces & symbols ".repeat(5));
        assert!(name.len() <= MAX_IDENTIFIER, "{name}");
        assert!(ensure_ours(&name).is_ok());
        assert!(name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'));
    }

    #[test]
    fn foreign_names_are_refused() {
        for name in [
            "postgres",
            "app_production",
            "readiness_",
            "Readiness_x",
            "template1",
        ] {
            assert!(ensure_ours(name).is_err(), "{name} must be refused");
        }
    }
}
