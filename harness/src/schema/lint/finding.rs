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
            statement: "CREATE INDEX users_name_idx ON users (name)".into(),
            lock: LockMode::Share,
            rewrites: false,
            message: "use CREATE INDEX CONCURRENTLY in its own migration".into(),
        };
        assert_eq!(
            finding.line(),
            "index-without-concurrently on public.users — CREATE INDEX users_name_idx ON users (name) takes a SHARE lock (blocks writes); use CREATE INDEX CONCURRENTLY in its own migration"
        );
    }
}
