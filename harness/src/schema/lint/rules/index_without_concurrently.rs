//! `index-without-concurrently`: `CREATE INDEX` without `CONCURRENTLY` on a table the
//! migration did not create holds a SHARE lock, which blocks every write, for the whole
//! build.

use squawk_syntax::ast::{self, AstNode};

use super::super::finding::Finding;
use super::super::rule::Rule;
use super::super::sql;
use super::Cx;

pub(crate) fn check(stmt: &ast::Stmt, cx: &Cx, out: &mut Vec<Finding>) {
    let ast::Stmt::CreateIndex(index) = stmt else {
        return;
    };
    if index.concurrently_token().is_some() {
        return;
    }
    let Some(table) = sql::relation(index.syntax()) else {
        return;
    };
    if !cx.existing(&table) {
        return;
    }
    let mut finding = cx.finding(
        Rule::IndexWithoutConcurrently,
        &table,
        false,
        "use CREATE INDEX CONCURRENTLY in its own migration (it cannot run inside a transaction)",
    );
    finding.object = sql::object_name(index.syntax());
    out.push(finding);
}

#[cfg(test)]
mod tests {
    use super::super::testing::{lint_errors, lint_names, lint_ok, SETUP};
    use super::*;

    const RULE: Rule = Rule::IndexWithoutConcurrently;

    #[test]
    fn an_index_on_an_existing_table_without_concurrently_is_named() {
        let lines = lint_errors(SETUP, "CREATE INDEX users_name_idx ON users (name);", RULE);
        assert_eq!(
            lines,
            ["index-without-concurrently on public.users — CREATE INDEX users_name_idx ON users (name) takes a SHARE lock (blocks writes); use CREATE INDEX CONCURRENTLY in its own migration (it cannot run inside a transaction)"]
        );
        lint_errors(
            SETUP,
            "CREATE UNIQUE INDEX IF NOT EXISTS users_email_key ON ONLY public.users USING btree (lower(email));",
            RULE,
        );
    }

    #[test]
    fn concurrently_is_not_named() {
        lint_ok(
            SETUP,
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS users_name_idx ON users (name);",
            RULE,
        );
    }

    #[test]
    fn an_index_on_a_table_created_in_the_same_migration_is_not_named() {
        lint_ok(
            SETUP,
            "CREATE TABLE notes (id int, body text); CREATE INDEX notes_body_idx ON notes (body);",
            RULE,
        );
        lint_ok(
            SETUP,
            "CREATE TABLE \"Note\" (id int); CREATE INDEX \"Note_id_idx\" ON \"Note\" (id);",
            RULE,
        );
        lint_ok(
            SETUP,
            "CREATE MATERIALIZED VIEW stats AS SELECT count(*) AS n FROM users WITH NO DATA; CREATE UNIQUE INDEX stats_n_idx ON stats (n);",
            RULE,
        );
    }

    #[test]
    fn a_table_created_by_an_earlier_migration_is_existing() {
        let findings = lint_names("CREATE INDEX i ON app.accounts (id);", &["app.accounts"]);
        assert_eq!(
            findings[0].id(),
            "index-without-concurrently app.accounts i"
        );
        assert_eq!(findings[0].rule, RULE);
        assert_eq!(findings[0].table.as_deref(), Some("app.accounts"));
        assert_eq!(findings[0].lock.name(), "SHARE");
    }
}
