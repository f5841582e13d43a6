//! The locks each DDL statement takes on which tables (from the documentation of each
//! command), in the modes of [`crate::schema::lock_mode`].

use squawk_syntax::ast::{self, AstNode};
use squawk_syntax::{SyntaxKind, SyntaxNode};

use super::sql;

pub use crate::schema::lock_mode::LockMode;

/// The lock one `ALTER TABLE` action takes on its table (the statement takes the strongest
/// of its actions'), and, for a foreign key, on the table it references.
pub(crate) fn alter_action_lock(action: &ast::AlterTableAction) -> LockMode {
    use ast::AlterTableAction as A;
    match action {
        A::AddConstraint(add) => match add.constraint() {
            Some(ast::Constraint::ForeignKeyConstraint(_)) => LockMode::ShareRowExclusive,
            _ => LockMode::AccessExclusive,
        },
        A::ValidateConstraint(_)
        | A::AttachPartition(_)
        | A::ClusterOn(_)
        | A::SetWithoutCluster(_)
        | A::SetOptions(_)
        | A::ResetOptions(_) => LockMode::ShareUpdateExclusive,
        A::DisableTrigger(_)
        | A::EnableTrigger(_)
        | A::EnableAlwaysTrigger(_)
        | A::EnableReplicaTrigger(_) => LockMode::ShareRowExclusive,
        A::AlterColumn(column) => match column.option() {
            Some(ast::AlterColumnOption::SetStatistics(_))
            | Some(ast::AlterColumnOption::SetOptions(_))
            | Some(ast::AlterColumnOption::ResetOptions(_)) => LockMode::ShareUpdateExclusive,
            _ => LockMode::AccessExclusive,
        },
        _ => LockMode::AccessExclusive,
    }
}

/// Every table lock `stmt` takes, with the table: `CREATE INDEX` a SHARE lock (SHARE
/// UPDATE EXCLUSIVE when CONCURRENTLY), `ALTER TABLE` its strongest action's (and SHARE
/// ROW EXCLUSIVE on a table a new foreign key references), `CREATE TABLE` SHARE ROW
/// EXCLUSIVE on each table it references, `CREATE TRIGGER` SHARE ROW EXCLUSIVE, `DROP
/// TABLE` and `TRUNCATE` ACCESS EXCLUSIVE, `LOCK TABLE` its mode. Other statements take no
/// lock that matters to the application here.
pub(crate) fn statement_locks(stmt: &ast::Stmt) -> Vec<(String, LockMode)> {
    let node = stmt.syntax();
    let mut locks = Vec::new();
    match stmt {
        ast::Stmt::CreateIndex(index) => {
            if let Some(table) = sql::relation(node) {
                let mode = if index.concurrently_token().is_some() {
                    LockMode::ShareUpdateExclusive
                } else {
                    LockMode::Share
                };
                locks.push((table, mode));
            }
        }
        ast::Stmt::AlterTable(alter) => {
            if let Some(table) = sql::relation(node) {
                let mode = alter
                    .actions()
                    .map(|a| alter_action_lock(&a))
                    .max()
                    .unwrap_or(LockMode::AccessExclusive);
                locks.push((table, mode));
            }
            for referenced in referenced_tables(node) {
                locks.push((referenced, LockMode::ShareRowExclusive));
            }
        }
        ast::Stmt::CreateTable(_) => {
            for referenced in referenced_tables(node) {
                locks.push((referenced, LockMode::ShareRowExclusive));
            }
        }
        ast::Stmt::CreateTrigger(_) => {
            if let Some(on) = sql::child(node, SyntaxKind::ON_RELATION)
                .and_then(|on| sql::child(&on, SyntaxKind::RELATION_NAME_REF))
                .and_then(|name| sql::table_name(&name))
            {
                locks.push((on, LockMode::ShareRowExclusive));
            }
        }
        ast::Stmt::DropTable(_) | ast::Stmt::Truncate(_) => {
            for table in node
                .descendants()
                .filter(|c| c.kind() == SyntaxKind::TABLE_NAME_REF)
                .filter_map(|c| sql::table_name(&c))
            {
                locks.push((table, LockMode::AccessExclusive));
            }
        }
        ast::Stmt::Lock(lock) => {
            let mode = lock
                .lock_mode_clause()
                .map(|m| {
                    let words = sql::plain_text(m.syntax()).to_uppercase();
                    let words = words.trim_start_matches("IN").trim_end_matches("MODE");
                    LockMode::from_words(words).unwrap_or(LockMode::AccessExclusive)
                })
                .unwrap_or(LockMode::AccessExclusive);
            for table in node
                .descendants()
                .filter(|c| c.kind() == SyntaxKind::RELATION_NAME_REF)
                .filter_map(|c| sql::table_name(&c))
            {
                locks.push((table, mode));
            }
        }
        _ => {}
    }
    locks
}

/// The tables a statement's foreign keys reference (table constraints and column
/// `REFERENCES`), other than the statement's own table.
pub(crate) fn referenced_tables(node: &SyntaxNode) -> Vec<String> {
    let own = sql::relation(node).or_else(|| {
        sql::child(node, SyntaxKind::TABLE_NAME).and_then(|name| sql::table_name(&name))
    });
    let mut tables: Vec<String> = Vec::new();
    for constraint in node.descendants().filter(|c| {
        matches!(
            c.kind(),
            SyntaxKind::FOREIGN_KEY_CONSTRAINT | SyntaxKind::REFERENCES_CONSTRAINT
        )
    }) {
        if let Some(table) = sql::child(&constraint, SyntaxKind::TABLE_NAME_REF)
            .and_then(|name| sql::table_name(&name))
        {
            if Some(&table) != own.as_ref() && !tables.contains(&table) {
                tables.push(table);
            }
        }
    }
    tables
}

#[cfg(test)]
mod tests {
    use super::*;

    fn locks(sql: &str) -> Vec<(String, &'static str)> {
        super::super::sql::parse(sql)
            .statements
            .iter()
            .flat_map(statement_locks)
            .map(|(t, m)| (t, m.name()))
            .collect()
    }

    #[test]
    fn each_statement_takes_its_documented_lock() {
        assert_eq!(
            locks("CREATE INDEX i ON users (email)"),
            [("public.users".to_owned(), "SHARE")]
        );
        assert_eq!(
            locks("CREATE INDEX CONCURRENTLY i ON users (email)"),
            [("public.users".to_owned(), "SHARE UPDATE EXCLUSIVE")]
        );
        assert_eq!(
            locks("ALTER TABLE a ADD CONSTRAINT f FOREIGN KEY (b_id) REFERENCES b (id) NOT VALID"),
            [
                ("public.a".to_owned(), "SHARE ROW EXCLUSIVE"),
                ("public.b".to_owned(), "SHARE ROW EXCLUSIVE")
            ]
        );
        assert_eq!(
            locks("ALTER TABLE a VALIDATE CONSTRAINT f"),
            [("public.a".to_owned(), "SHARE UPDATE EXCLUSIVE")]
        );
        assert_eq!(
            locks("ALTER TABLE a ADD COLUMN c int, VALIDATE CONSTRAINT f"),
            [("public.a".to_owned(), "ACCESS EXCLUSIVE")]
        );
        assert_eq!(
            locks("CREATE TABLE c (id int, a_id int REFERENCES a (id))"),
            [("public.a".to_owned(), "SHARE ROW EXCLUSIVE")]
        );
        assert_eq!(
            locks("LOCK TABLE a IN SHARE MODE"),
            [("public.a".to_owned(), "SHARE")]
        );
        assert_eq!(
            locks("CREATE TRIGGER t BEFORE UPDATE ON app.a FOR EACH ROW EXECUTE FUNCTION f()"),
            [("app.a".to_owned(), "SHARE ROW EXCLUSIVE")]
        );
    }

    #[test]
    fn strength_follows_the_documented_conflicts() {
        assert_eq!(
            LockMode::from_pg("ShareRowExclusiveLock"),
            Some(LockMode::ShareRowExclusive)
        );
        assert!(LockMode::Share.blocks_writes());
        assert!(!LockMode::ShareUpdateExclusive.blocks_writes());
        assert_eq!(
            LockMode::AccessExclusive.blocks(),
            "blocks reads and writes"
        );
    }
}
