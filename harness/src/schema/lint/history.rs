//! What the migrations linted so far built, as far as the rules need it: the tables, their
//! columns' types and NOT NULL, their CHECK constraints (which prove `col IS NOT NULL`,
//! and whether they are validated), and the functions declared STABLE or IMMUTABLE.
//! Each statement updates it after the rules have looked at it.

use std::collections::{BTreeMap, BTreeSet};

use squawk_syntax::ast::{self, AstNode};
use squawk_syntax::{SyntaxKind, SyntaxNode};

use super::sql;
use super::types::SqlType;
use super::volatility;

/// The schema the earlier statements built.
#[derive(Debug, Clone, Default)]
pub struct History {
    pub(crate) tables: BTreeMap<String, Table>,
    pub(crate) non_volatile_functions: BTreeSet<String>,
    /// Tables renamed: the old name and the new.
    pub(crate) renamed: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Table {
    pub columns: BTreeMap<String, Column>,
    /// CHECK constraints by name.
    pub checks: BTreeMap<String, Check>,
}

#[derive(Debug, Clone)]
pub(crate) struct Column {
    pub ty: Option<SqlType>,
    pub not_null: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Check {
    /// The column the check proves not null (`CHECK (col IS NOT NULL)`).
    pub not_null_of: Option<String>,
    pub valid: bool,
}

impl History {
    /// A history that knows only these tables' names (`users`, `app.accounts`).
    pub fn with_tables<'a>(tables: impl IntoIterator<Item = &'a String>) -> History {
        let mut history = History::default();
        for table in tables {
            let key = if table.contains('.') {
                table.clone()
            } else {
                sql::qualify(sql::DEFAULT_SCHEMA, table)
            };
            history.tables.insert(key, Table::default());
        }
        history
    }

    /// The tables built so far, `schema.table`.
    pub fn tables(&self) -> impl Iterator<Item = &str> {
        self.tables.keys().map(String::as_str)
    }

    /// The name a table has after every rename recorded so far.
    pub fn current_name(&self, table: &str) -> String {
        let mut name = table.to_owned();
        // a chain of renames is followed, a cycle (a → b, b → a) stopped
        for _ in 0..=self.renamed.len() {
            match self.renamed.get(&name) {
                Some(next) if next != table => name = next.clone(),
                _ => break,
            }
        }
        name
    }

    pub(crate) fn column(&self, table: &str, column: &str) -> Option<&Column> {
        self.tables.get(table)?.columns.get(column)
    }

    /// Whether a validated CHECK proves `column` of `table` not null, or the column is
    /// NOT NULL already.
    pub(crate) fn proven_not_null(&self, table: &str, column: &str) -> bool {
        let Some(t) = self.tables.get(table) else {
            return false;
        };
        t.columns.get(column).is_some_and(|c| c.not_null)
            || t.checks
                .values()
                .any(|c| c.valid && c.not_null_of.as_deref() == Some(column))
    }

    /// Records what `stmt` builds, renames or drops. Returns the table it creates, if any.
    pub(crate) fn apply(&mut self, stmt: &ast::Stmt) -> Option<String> {
        let node = stmt.syntax();
        match stmt {
            ast::Stmt::CreateTable(_) | ast::Stmt::CreateTableAs(_) => {
                let name = sql::child(node, SyntaxKind::TABLE_NAME)?;
                let key = sql::table_name(&name)?;
                if sql::has(node, SyntaxKind::IF_NOT_EXISTS) && self.tables.contains_key(&key) {
                    return None;
                }
                self.tables.insert(key.clone(), table_of(node));
                Some(key)
            }
            // a materialized view holds rows and indexes like a table
            ast::Stmt::CreateMaterializedView(_) => {
                let key = sql::table_name(&sql::child(node, SyntaxKind::VIEW)?)?;
                if sql::has(node, SyntaxKind::IF_NOT_EXISTS) && self.tables.contains_key(&key) {
                    return None;
                }
                self.tables.insert(key.clone(), Table::default());
                Some(key)
            }
            ast::Stmt::SelectInto(_) => {
                let into = node
                    .descendants()
                    .find(|n| n.kind() == SyntaxKind::INTO_CLAUSE)?;
                let key = sql::table_name(&sql::child(&into, SyntaxKind::TABLE_NAME)?)?;
                self.tables.insert(key.clone(), Table::default());
                Some(key)
            }
            ast::Stmt::AlterTable(alter) => {
                let key = sql::relation(node)?;
                for action in alter.actions() {
                    self.alter(&key, &action);
                }
                None
            }
            ast::Stmt::DropTable(_) => {
                for table in node
                    .children()
                    .filter(|c| c.kind() == SyntaxKind::TABLE_NAME_REF)
                    .filter_map(|c| sql::table_name(&c))
                {
                    self.tables.remove(&table);
                }
                None
            }
            ast::Stmt::CreateFunction(_) => {
                if volatility::declares_non_volatile(node) {
                    if let Some(name) =
                        sql::child(node, SyntaxKind::FUNCTION_NAME).and_then(|n| sql::last_name(&n))
                    {
                        self.non_volatile_functions.insert(name);
                    }
                }
                None
            }
            _ => None,
        }
    }

    fn alter(&mut self, key: &str, action: &ast::AlterTableAction) {
        use ast::AlterTableAction as A;
        if let A::TableRenameTo(rename) = action {
            let new = rename
                .table_name()
                .and_then(|n| sql::last_name(n.syntax()))
                .map(|name| rename_in_schema(key, &name));
            if let Some(new) = new {
                if let Some(table) = self.tables.remove(key) {
                    self.tables.insert(new.clone(), table);
                }
                self.renamed.insert(key.to_owned(), new);
            }
            return;
        }
        let table = self.tables.entry(key.to_owned()).or_default();
        match action {
            A::AddColumn(add) => {
                if let Some(name) = add.column_name().and_then(|n| sql::last_name(n.syntax())) {
                    table.columns.insert(name.clone(), column_of(add.syntax()));
                    add_checks(table, add.syntax(), Some(&name));
                }
            }
            A::AddConstraint(add) => add_checks(table, add.syntax(), None),
            A::ValidateConstraint(validate) => {
                if let Some(name) = validate
                    .constraint_name_ref()
                    .and_then(|n| sql::last_name(n.syntax()))
                {
                    if let Some(check) = table.checks.get_mut(&name) {
                        check.valid = true;
                    }
                }
            }
            A::DropConstraint(drop) => {
                if let Some(name) = drop
                    .syntax()
                    .children()
                    .find(|c| c.kind() == SyntaxKind::NAME_REF)
                    .and_then(|n| sql::last_name(&n))
                {
                    table.checks.remove(&name);
                }
            }
            A::DropColumn(drop) => {
                if let Some(name) = drop
                    .column_name_ref()
                    .and_then(|n| sql::last_name(n.syntax()))
                {
                    table.columns.remove(&name);
                }
            }
            A::RenameColumn(rename) => {
                let old = rename
                    .column_name_ref()
                    .and_then(|n| sql::last_name(n.syntax()));
                let new = rename
                    .column_name()
                    .and_then(|n| sql::last_name(n.syntax()));
                if let (Some(old), Some(new)) = (old, new) {
                    if let Some(column) = table.columns.remove(&old) {
                        table.columns.insert(new, column);
                    }
                }
            }
            A::AlterColumn(alter) => {
                let Some(name) = alter
                    .column_name_ref()
                    .and_then(|n| sql::last_name(n.syntax()))
                else {
                    return;
                };
                let column = table.columns.entry(name).or_insert(Column {
                    ty: None,
                    not_null: false,
                });
                match alter.option() {
                    Some(ast::AlterColumnOption::SetType(set)) => {
                        column.ty = set.ty().map(|t| SqlType::of(t.syntax()));
                    }
                    Some(ast::AlterColumnOption::SetNotNull(_)) => column.not_null = true,
                    Some(ast::AlterColumnOption::DropNotNull(_)) => column.not_null = false,
                    _ => {}
                }
            }
            _ => {}
        }
    }
}

/// `schema.new` for a table `schema.old` renamed to `new`.
fn rename_in_schema(key: &str, new: &str) -> String {
    match key.split_once('.') {
        Some((schema, _)) => sql::qualify(schema, new),
        None => sql::qualify(sql::DEFAULT_SCHEMA, new),
    }
}

/// A table as `CREATE TABLE` defines it.
fn table_of(create: &SyntaxNode) -> Table {
    let mut table = Table::default();
    let Some(args) = sql::child(create, SyntaxKind::TABLE_ARG_LIST) else {
        return table;
    };
    for arg in args.children() {
        if arg.kind() == SyntaxKind::COLUMN {
            if let Some(name) =
                sql::child(&arg, SyntaxKind::COLUMN_NAME).and_then(|n| sql::last_name(&n))
            {
                table.columns.insert(name.clone(), column_of(&arg));
                add_checks(&mut table, &arg, Some(&name));
            }
        } else {
            add_checks(&mut table, &arg, None);
        }
    }
    // a PRIMARY KEY (a, b) table constraint makes its columns NOT NULL
    for pk in args
        .children()
        .filter(|c| c.kind() == SyntaxKind::PRIMARY_KEY_CONSTRAINT)
    {
        for column in pk
            .descendants()
            .filter(|c| c.kind() == SyntaxKind::COLUMN_NAME_REF || c.kind() == SyntaxKind::NAME_REF)
            .filter_map(|c| sql::last_name(&c))
        {
            if let Some(c) = table.columns.get_mut(&column) {
                c.not_null = true;
            }
        }
    }
    table
}

/// A column as its definition (`CREATE TABLE` or `ADD COLUMN`) gives it.
pub(crate) fn column_of(definition: &SyntaxNode) -> Column {
    let ty = definition
        .children()
        .find(|c| ast::Type::can_cast(c.kind()))
        .map(|t| SqlType::of(&t));
    let not_null = definition.children().any(|c| {
        matches!(
            c.kind(),
            SyntaxKind::NOT_NULL_CONSTRAINT | SyntaxKind::PRIMARY_KEY_CONSTRAINT
        )
    });
    Column { ty, not_null }
}

/// Records the CHECK constraints under `node` (a table constraint, a column definition,
/// an `ADD CONSTRAINT`); `column` is the column a column constraint belongs to.
fn add_checks(table: &mut Table, node: &SyntaxNode, column: Option<&str>) {
    let checks = std::iter::once(node.clone())
        .chain(node.children())
        .filter(|c| c.kind() == SyntaxKind::CHECK_CONSTRAINT);
    for check in checks {
        let Some(check) = ast::CheckConstraint::cast(check) else {
            continue;
        };
        let name = check
            .constraint_name_clause()
            .and_then(|c| c.syntax().children().last())
            .and_then(|n| sql::last_name(&n))
            .unwrap_or_else(|| format!("<unnamed check on {}>", column.unwrap_or("table")));
        let valid = !ast::Constraint::CheckConstraint(check.clone()).is_not_valid();
        let not_null_of = check.expr().and_then(|e| not_null_column(e.syntax()));
        table.checks.insert(name, Check { not_null_of, valid });
    }
}

/// The column of an `col IS NOT NULL` expression.
pub(crate) fn not_null_column(expr: &SyntaxNode) -> Option<String> {
    let text = sql::plain_text(expr);
    let text = text.trim_start_matches('(').trim_end_matches(')');
    let words: Vec<&str> = text.split_whitespace().collect();
    match words.as_slice() {
        [column, is, not, null]
            if is.eq_ignore_ascii_case("is")
                && not.eq_ignore_ascii_case("not")
                && null.eq_ignore_ascii_case("null") =>
        {
            Some(sql::identifier(column))
        }
        _ => None,
    }
}
