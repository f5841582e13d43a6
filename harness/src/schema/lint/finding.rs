//! A finding: which rule, on which table, the statement, the lock it takes, whether it
//! rewrites the table, and what to do instead; rendered as one line.

use super::lock::LockMode;
use super::rule::Rule;

/// One unsafe statement, named before anything runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: Rule,
    /// `schema.table` as the catalog spells it (`public.users`, `public.User`).
    pub table: Option<String>,
    /// What on the table the statement is about, as the catalog spells it: the index it
    /// builds, the constraint it adds, the column it changes; `None` when it names none.
    pub object: Option<String>,
    /// The statement on one line, cut to about 100 characters.
    pub statement: String,
    /// The strongest lock the statement takes on `table`.
    pub lock: LockMode,
    /// Whether the statement rewrites the table (and its indexes).
    pub rewrites: bool,
    /// What to do instead.
    pub message: String,
}

impl Finding {
    /// What the finding is about, the same from run to run: the rule, the table and the
    /// object on it (`index-without-concurrently public.users users_email_idx`), as much of
    /// them as it names. Never the statement's wording or a size.
    pub fn id(&self) -> String {
        let mut id = self.rule.to_string();
        for part in [&self.table, &self.object].into_iter().flatten() {
            id.push(' ');
            id.push_str(part);
        }
        id
    }

    /// `index-without-concurrently on public.users — CREATE INDEX users_name_idx ON users
    /// (name) takes a SHARE lock (blocks writes); use CREATE INDEX CONCURRENTLY in its own
    /// migration`.
    pub fn line(&self) -> String {
        let on = self
            .table
            .as_deref()
            .map(|t| format!(" on {t}"))
            .unwrap_or_default();
        let rewrite = if self.rewrites {
            " and rewrites the table"
        } else {
            ""
        };
        format!(
            "{}{on} — {} takes {} {} lock ({}){rewrite}; {}",
            self.rule,
            self.statement,
            article(self.lock),
            self.lock,
            self.lock.blocks(),
            self.message
        )
    }
}

fn article(lock: LockMode) -> &'static str {
    match lock {
        LockMode::AccessShare | LockMode::AccessExclusive | LockMode::Exclusive => "an",
        _ => "a",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finding_reads_as_one_line() {
        let finding = Finding {
            rule: Rule::IndexWithoutConcurrently,
            table: Some("public.users".into()),
            object: Some("users_name_idx".into()),
            statement: "CREATE INDEX users_name_idx ON users (name)".into(),
            lock: LockMode::Share,
            rewrites: false,
            message: "use CREATE INDEX CONCURRENTLY in its own migration".into(),
        };
        assert_eq!(
            finding.id(),
            "index-without-concurrently public.users users_name_idx"
        );
        assert_eq!(
            Finding {
                object: None,
                ..finding.clone()
            }
            .id(),
            "index-without-concurrently public.users"
        );
        assert_eq!(
            finding.line(),
            "index-without-concurrently on public.users — CREATE INDEX users_name_idx ON users (name) takes a SHARE lock (blocks writes); use CREATE INDEX CONCURRENTLY in its own migration"
        );
    }
}
