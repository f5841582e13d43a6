//! Generated rows for any table, driven by its column types in the catalog: a proptest
//! strategy per supported type (`types`), values its checks and domain accept found by
//! the server ([`fit`]), and rows carried as text that the server casts (`$1::integer`),
//! so that one code path inserts a row of any shape.

pub mod family;
pub mod fit;
mod shrink;
mod types;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::{SBoxedStrategy, Union};
use sqlx::postgres::PgRow;
use sqlx::PgConnection;

use crate::backend::names::{quote_ident, quote_literal};
use crate::schema::catalog::{Catalog, Column, Table, TypeInfo};
use shrink::PlainFirst;
pub use types::SqlType;

/// Where a column's value comes from in a generated row.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// Always left out, for its default (identity and generated columns).
    Default,
    /// Anything of the column's type, and the examples often.
    Domain,
    /// Only one of these (e.g. values a rule is known to accept).
    OneOf(Vec<Value>),
}

/// One column of a [`RowSpec`].
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnSpec {
    pub name: String,
    /// As `format_type` writes it; the cast applied to every value.
    pub data_type: String,
    pub sql_type: Option<SqlType>,
    pub source: Source,
    /// Relative weight of NULL among the choices (0: never NULL).
    pub null_weight: u32,
    /// Relative weight of leaving the column out for its default (0: never).
    pub default_weight: u32,
    /// Values to try often, e.g. the ones a claimed rule accepts and rejects.
    pub examples: Vec<Value>,
    /// The column's default expression, when it has one that can be evaluated freely.
    pub default_expression: Option<String>,
    /// Whether a unique key or index covers it: plain values must then differ by row.
    pub distinct: bool,
}

/// A value in a generated row.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Value {
    /// The column is left out of the INSERT: it gets its default.
    Default,
    Null,
    /// Text the server casts to the column's type.
    Text(String),
}

impl Value {
    pub fn text(value: impl Into<String>) -> Value {
        Value::Text(value.into())
    }

    /// The value as a bind parameter: `None` for NULL (and for DEFAULT, never bound).
    pub fn as_param(&self) -> Option<String> {
        match self {
            Value::Text(t) => Some(t.clone()),
            Value::Null | Value::Default => None,
        }
    }
}

/// How to generate rows for one table.
#[derive(Debug, Clone, PartialEq)]
pub struct RowSpec {
    /// `schema.name`, for messages.
    pub table: String,
    /// The quoted, qualified name used in SQL.
    pub table_sql: String,
    pub columns: Vec<ColumnSpec>,
}

/// One cell of a [`Row`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cell {
    pub column: String,
    pub data_type: String,
    pub value: Value,
}

/// A generated row, ready to insert.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Row {
    pub table: String,
    pub table_sql: String,
    pub cells: Vec<Cell>,
}

/// Why rows cannot be generated for a table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RowGenError {
    #[error("generate values of type `{data_type}` for {table}.{column}, which may be neither NULL nor left to a default")]
    Unsupported {
        table: String,
        column: String,
        data_type: String,
    },
    #[error("find column `{column}` in {table}")]
    NoSuchColumn { table: String, column: String },
}

impl ColumnSpec {
    /// A column as the catalog describes it: identity and generated columns left to their
    /// default, NULL allowed where the column allows it, DEFAULT where it has one — or where
    /// a BEFORE INSERT trigger of the table (`filled_by_trigger`) may fill a column the
    /// generator has no values for. `types` resolves the subject's own types.
    pub fn from_catalog(
        column: &Column,
        types: &BTreeMap<String, TypeInfo>,
        filled_by_trigger: bool,
    ) -> ColumnSpec {
        let always_default = column.identity.is_some() || column.generated.is_some();
        // evaluating nextval() would advance a sequence: such defaults are not evaluated
        let default_expression = column.default.clone().filter(|d| !d.contains("nextval("));
        let sql_type = SqlType::resolve(&column.data_type, types);
        let left_to_trigger = filled_by_trigger && !column.has_default() && sql_type.is_none();
        ColumnSpec {
            name: column.name.clone(),
            data_type: column.data_type.clone(),
            sql_type,
            source: if always_default {
                Source::Default
            } else {
                Source::Domain
            },
            null_weight: u32::from(!column.not_null),
            default_weight: u32::from(column.has_default() || left_to_trigger),
            examples: Vec::new(),
            default_expression,
            distinct: false,
        }
    }

    fn strategy(&self, table: &str) -> Result<SBoxedStrategy<Value>, RowGenError> {
        if self.source == Source::Default {
            return Ok(Just(Value::Default).sboxed());
        }
        // the order matters: proptest shrinks towards earlier choices
        let mut choices: Vec<(u32, SBoxedStrategy<Value>)> = Vec::new();
        if self.default_weight > 0 {
            choices.push((self.default_weight, Just(Value::Default).sboxed()));
        }
        if self.null_weight > 0 {
            choices.push((self.null_weight, Just(Value::Null).sboxed()));
        }
        match &self.source {
            Source::OneOf(values) if !values.is_empty() => {
                choices.push((6, select(values.clone()).sboxed()));
            }
            Source::OneOf(_) | Source::Default => {}
            Source::Domain => {
                if !self.examples.is_empty() {
                    choices.push((3, select(self.examples.clone()).sboxed()));
                }
                if let Some(sql_type) = &self.sql_type {
                    choices.push((4, sql_type.strategy().prop_map(Value::Text).sboxed()));
                }
            }
        }
        if choices.is_empty() {
            return Err(RowGenError::Unsupported {
                table: table.to_owned(),
                column: self.name.clone(),
                data_type: self.data_type.clone(),
            });
        }
        let union = Union::new_weighted(choices).sboxed();
        let plain = if self.default_weight > 0 {
            Some(Value::Default)
        } else if self.null_weight > 0 {
            Some(Value::Null)
        } else {
            None
        };
        Ok(match plain {
            Some(plain) => PlainFirst {
                plain,
                inner: union,
            }
            .sboxed(),
            None => union,
        })
    }

    /// A value of the column for key number `n`, never NULL or DEFAULT: one of the values it
    /// is limited to (made distinct), else a plain value of its type.
    pub fn key_value(&self, n: u64) -> Option<Value> {
        match &self.source {
            Source::OneOf(values) if !values.is_empty() => Some(self.one_of(values, n)),
            _ => self.sql_type.as_ref().map(|t| Value::Text(t.canonical(n))),
        }
    }

    /// Value `n` of `values`, cycling; for a column that must hold distinct values, a text
    /// value's first run of digits is replaced by `n` once the list runs out
    /// (`r0@example.com` → `r17@example.com`), which keeps the shape its rules accept.
    fn one_of(&self, values: &[Value], n: u64) -> Value {
        let value = values[n as usize % values.len()].clone();
        let vary = self.distinct
            && (n as usize) >= values.len()
            && self.sql_type.as_ref().is_some_and(SqlType::is_text);
        match value {
            Value::Text(text) if vary => Value::Text(with_number(&text, n)),
            other => other,
        }
    }

    /// The plain value for row `n`: the default if there is one (and it does not repeat in
    /// a unique key), else one of the values
    /// it may take (when it is limited to some), else NULL if allowed, else a distinct
    /// value of the type, else the first example.
    fn canonical(&self, table: &str, n: u64, ordinal: u64) -> Result<Value, RowGenError> {
        // a constant default (Rails' `email DEFAULT ''`) in a unique key would repeat
        let default_repeats = self.distinct
            && self.default_expression.as_deref().is_some_and(|d| {
                ![
                    "gen_random_uuid",
                    "uuid_generate",
                    "random()",
                    "clock_timestamp",
                ]
                .iter()
                .any(|f| d.contains(f))
            });
        if self.source == Source::Default || (self.default_weight > 0 && !default_repeats) {
            return Ok(Value::Default);
        }
        match &self.source {
            Source::OneOf(values) if !values.is_empty() => Ok(self.one_of(values, n)),
            _ if self.null_weight > 0 => Ok(Value::Null),
            _ => match (&self.sql_type, self.examples.first()) {
                // later columns get later values, so that `ends_at > starts_at` or `max >=
                // min` between two plain columns holds as their order usually means
                (Some(sql_type), _) => Ok(Value::Text(sql_type.canonical(n * 64 + ordinal))),
                (None, Some(example)) => Ok(example.clone()),
                (None, None) => Err(RowGenError::Unsupported {
                    table: table.to_owned(),
                    column: self.name.clone(),
                    data_type: self.data_type.clone(),
                }),
            },
        }
    }
}

impl RowSpec {
    /// Every column of `table`, from the catalog.
    pub fn for_table(table: &Table, catalog: &Catalog) -> RowSpec {
        let filled_by_trigger = catalog.fills_on_insert(table);
        RowSpec {
            table: table.qualified_name(),
            table_sql: format!(
                "{}.{}",
                quote_ident(&table.schema),
                quote_ident(&table.name)
            ),
            columns: table
                .columns
                .iter()
                .map(|c| {
                    let mut spec =
                        ColumnSpec::from_catalog(c, &catalog.type_info, filled_by_trigger);
                    spec.distinct = table.is_in_unique_key(&c.name);
                    spec
                })
                .collect(),
        }
    }

    pub fn column(&self, name: &str) -> Option<&ColumnSpec> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Limits each column that has values in `valid` (what its own checks and its domain
    /// accept, see [`fit`]) to those values, where nothing else decides them yet.
    pub fn limit_to(&mut self, valid: &BTreeMap<String, Vec<Value>>) {
        for column in &mut self.columns {
            match valid.get(&column.name) {
                Some(values) if column.source == Source::Domain && !values.is_empty() => {
                    column.source = Source::OneOf(values.clone());
                }
                _ => {}
            }
        }
    }

    /// The column named `name`, to change how it is generated.
    pub fn column_mut(&mut self, name: &str) -> Result<&mut ColumnSpec, RowGenError> {
        let table = self.table.clone();
        self.columns
            .iter_mut()
            .find(|c| c.name == name)
            .ok_or(RowGenError::NoSuchColumn {
                table,
                column: name.to_owned(),
            })
    }

    /// Rows of this table, one value per column.
    pub fn strategy(&self) -> Result<SBoxedStrategy<Row>, RowGenError> {
        let cells: Vec<SBoxedStrategy<Value>> = self
            .columns
            .iter()
            .map(|c| c.strategy(&self.table))
            .collect::<Result<_, _>>()?;
        let shape = self.empty_row();
        Ok(cells
            .prop_map(move |values| {
                let mut row = shape.clone();
                for (cell, value) in row.cells.iter_mut().zip(values) {
                    cell.value = value;
                }
                row
            })
            .sboxed())
    }

    /// A plain row, distinct for each `n` in the columns it must fill.
    pub fn canonical(&self, n: u64) -> Result<Row, RowGenError> {
        let mut row = self.empty_row();
        for (ordinal, (cell, column)) in row.cells.iter_mut().zip(&self.columns).enumerate() {
            cell.value = column.canonical(&self.table, n, ordinal as u64)?;
        }
        Ok(row)
    }

    /// A row with NULL in every column.
    pub fn nulls(&self) -> Row {
        let mut row = self.empty_row();
        row.cells.iter_mut().for_each(|c| c.value = Value::Null);
        row
    }

    fn empty_row(&self) -> Row {
        Row {
            table: self.table.clone(),
            table_sql: self.table_sql.clone(),
            cells: self
                .columns
                .iter()
                .map(|c| Cell {
                    column: c.name.clone(),
                    data_type: c.data_type.clone(),
                    value: Value::Default,
                })
                .collect(),
        }
    }
}

impl Row {
    pub fn get(&self, column: &str) -> Option<&Value> {
        self.cells
            .iter()
            .find(|c| c.column == column)
            .map(|c| &c.value)
    }

    /// Sets a column's value; returns false when the row has no such column.
    pub fn set(&mut self, column: &str, value: Value) -> bool {
        match self.cells.iter_mut().find(|c| c.column == column) {
            Some(cell) => {
                cell.value = value;
                true
            }
            None => false,
        }
    }

    /// `INSERT … VALUES ($1::type, …) RETURNING …` and its parameters; DEFAULT cells are
    /// left out. `returning` columns come back as text.
    pub fn insert_sql(&self, returning: &[String]) -> (String, Vec<Option<String>>) {
        let given: Vec<&Cell> = self
            .cells
            .iter()
            .filter(|c| c.value != Value::Default)
            .collect();
        let mut sql = format!("INSERT INTO {}", self.table_sql);
        if given.is_empty() {
            sql.push_str(" DEFAULT VALUES");
        } else {
            let columns: Vec<String> = given.iter().map(|c| quote_ident(&c.column)).collect();
            let values: Vec<String> = given
                .iter()
                .enumerate()
                .map(|(i, c)| format!("${}::{}", i + 1, c.data_type))
                .collect();
            let _ = write!(
                sql,
                " ({}) VALUES ({})",
                columns.join(", "),
                values.join(", ")
            );
        }
        if !returning.is_empty() {
            let returned: Vec<String> = returning
                .iter()
                .map(|c| format!("{}::text", quote_ident(c)))
                .collect();
            let _ = write!(sql, " RETURNING {}", returned.join(", "));
        }
        (sql, given.iter().map(|c| c.value.as_param()).collect())
    }

    /// The INSERT with its values written in, for evidence.
    pub fn display_sql(&self) -> String {
        let given: Vec<&Cell> = self
            .cells
            .iter()
            .filter(|c| c.value != Value::Default)
            .collect();
        if given.is_empty() {
            return format!("INSERT INTO {} DEFAULT VALUES", self.table);
        }
        let columns: Vec<&str> = given.iter().map(|c| c.column.as_str()).collect();
        let values: Vec<String> = given.iter().map(|c| display_value(c)).collect();
        format!(
            "INSERT INTO {} ({}) VALUES ({})",
            self.table,
            columns.join(", "),
            values.join(", ")
        )
    }

    /// Inserts the row; the `returning` columns come back as text.
    pub async fn insert(
        &self,
        conn: &mut PgConnection,
        returning: &[String],
    ) -> Result<Vec<Value>, sqlx::Error> {
        use sqlx::Row as _;
        let (sql, params) = self.insert_sql(returning);
        let mut query = sqlx::query(&sql);
        for param in params {
            query = query.bind(param);
        }
        if returning.is_empty() {
            query.execute(conn).await?;
            return Ok(Vec::new());
        }
        let row: PgRow = query.fetch_one(conn).await?;
        (0..returning.len())
            .map(|i| {
                row.try_get::<Option<String>, _>(i)
                    .map(|v| v.map(Value::Text).unwrap_or(Value::Null))
            })
            .collect()
    }
}

/// `text` with its first run of digits replaced by `n` (`n` appended when it has none).
fn with_number(text: &str, n: u64) -> String {
    match text.find(|c: char| c.is_ascii_digit()) {
        Some(start) => {
            let end = text[start..]
                .find(|c: char| !c.is_ascii_digit())
                .map_or(text.len(), |e| start + e);
            format!("{}{n}{}", &text[..start], &text[end..])
        }
        None => format!("{text}{n}"),
    }
}

/// A cell as SQL: numbers bare, text quoted, other types quoted and cast.
fn display_value(cell: &Cell) -> String {
    match &cell.value {
        Value::Default => "DEFAULT".into(),
        Value::Null => "NULL".into(),
        Value::Text(text) => match SqlType::parse(&cell.data_type) {
            Some(t) if t.is_numeric() => text.clone(),
            Some(SqlType::Text { .. }) => quote_literal(text),
            _ => format!("{}::{}", quote_literal(text), cell.data_type),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{TestRng, TestRunner};

    fn runner() -> TestRunner {
        TestRunner::new_with_rng(
            proptest::test_runner::Config::default(),
            TestRng::deterministic_rng(proptest::test_runner::RngAlgorithm::ChaCha),
        )
    }

    fn samples<T: std::fmt::Debug>(strategy: &SBoxedStrategy<T>, n: usize) -> Vec<T> {
        let mut runner = runner();
        (0..n)
            .map(|_| strategy.new_tree(&mut runner).unwrap().current())
            .collect()
    }

    fn column(name: &str, data_type: &str, not_null: bool, default: Option<&str>) -> Column {
        Column {
            name: name.into(),
            data_type: data_type.into(),
            not_null,
            default: default.map(str::to_owned),
            identity: None,
            generated: None,
            collation: None,
        }
    }

    fn users() -> Table {
        let mut id = column("id", "bigint", true, None);
        id.identity = Some("by default".into());
        Table {
            schema: "public".into(),
            name: "users".into(),
            columns: vec![
                id,
                column("email", "text", true, None),
                column("nickname", "character varying(3)", false, None),
                column("usage_count", "integer", true, Some("0")),
                column("tags", "text[]", false, None),
            ],
            ..Table::default()
        }
    }

    #[test]
    fn format_type_text_parses_to_generator_types() {
        assert_eq!(SqlType::parse("integer"), Some(SqlType::Integer));
        assert_eq!(
            SqlType::parse("character varying(40)"),
            Some(SqlType::Text {
                max_chars: Some(40)
            })
        );
        assert_eq!(
            SqlType::parse("character"),
            Some(SqlType::Text { max_chars: Some(1) })
        );
        assert_eq!(
            SqlType::parse("numeric(10,2)"),
            Some(SqlType::Numeric {
                precision: Some(10),
                scale: 2
            })
        );
        assert_eq!(
            SqlType::parse("timestamp with time zone"),
            Some(SqlType::TimestampTz)
        );
        assert_eq!(
            SqlType::parse("text[]"),
            Some(SqlType::Array(Box::new(SqlType::Text { max_chars: None })))
        );
        assert_eq!(
            SqlType::parse("timestamp(3) without time zone"),
            Some(SqlType::Timestamp)
        );
        assert_eq!(SqlType::parse("my_enum"), None);
    }

    #[test]
    fn generated_values_parse_as_their_type() {
        for v in samples(&SqlType::Integer.strategy(), 200) {
            v.parse::<i32>().unwrap();
        }
        assert!(samples(&SqlType::Integer.strategy(), 200)
            .iter()
            .any(|v| v.starts_with('-')));
        for v in samples(&SqlType::SmallInt.strategy(), 100) {
            v.parse::<i16>().unwrap();
        }
        for v in samples(&SqlType::Text { max_chars: Some(3) }.strategy(), 200) {
            assert!(v.chars().count() <= 3 && !v.contains('\0'), "{v:?}");
        }
        for v in samples(
            &SqlType::Numeric {
                precision: Some(5),
                scale: 2,
            }
            .strategy(),
            200,
        ) {
            let (whole, fraction) = v.split_once('.').unwrap();
            assert!(
                whole.trim_start_matches('-').len() <= 3 && fraction.len() == 2,
                "{v}"
            );
        }
        for v in samples(&SqlType::Uuid.strategy(), 20) {
            assert_eq!(v.len(), 36);
            assert_eq!(v.matches('-').count(), 4);
        }
        for v in samples(&SqlType::TimestampTz.strategy(), 50) {
            chrono::DateTime::parse_from_str(&format!("{v}00"), "%Y-%m-%d %H:%M:%S%z").unwrap();
        }
        for v in samples(&SqlType::Jsonb.strategy(), 50) {
            serde_json::from_str::<serde_json::Value>(&v).unwrap();
        }
    }

    #[test]
    fn rows_respect_not_null_defaults_and_identity() {
        let spec = RowSpec::for_table(&users(), &Catalog::default());
        let rows = samples(&spec.strategy().unwrap(), 300);
        for row in &rows {
            assert_eq!(row.get("id"), Some(&Value::Default), "identity is left out");
            assert!(matches!(row.get("email"), Some(Value::Text(_))), "{row:?}");
            assert_ne!(row.get("usage_count"), Some(&Value::Null));
            assert!(
                matches!(row.get("tags"), Some(Value::Null | Value::Text(_))),
                "an array of text: {row:?}"
            );
        }
        assert!(rows.iter().any(|r| r.get("nickname") == Some(&Value::Null)));
        assert!(rows
            .iter()
            .any(|r| matches!(r.get("nickname"), Some(Value::Text(_)))));
        assert!(rows
            .iter()
            .any(|r| r.get("usage_count") == Some(&Value::Default)));
    }

    #[test]
    fn examples_and_one_of_sources_are_used() {
        let mut spec = RowSpec::for_table(&users(), &Catalog::default());
        spec.column_mut("usage_count").unwrap().examples = vec![Value::text("-100")];
        spec.column_mut("email").unwrap().source =
            Source::OneOf(vec![Value::text("a@x"), Value::text("b@x")]);
        let rows = samples(&spec.strategy().unwrap(), 200);
        assert!(rows
            .iter()
            .any(|r| r.get("usage_count") == Some(&Value::text("-100"))));
        assert!(rows.iter().all(|r| matches!(
            r.get("email"),
            Some(Value::Text(e)) if e == "a@x" || e == "b@x"
        )));
    }

    #[test]
    fn columns_shrink_to_null_or_default_first() {
        let spec = RowSpec::for_table(&users(), &Catalog::default());
        let mut runner = runner();
        let mut tree = spec.strategy().unwrap().new_tree(&mut runner).unwrap();
        // "fails" while the nickname is not NULL: shrinking must keep it, drop the rest
        let fails = |row: &Row| row.get("nickname") != Some(&Value::Null);
        while !fails(&tree.current()) {
            tree = spec.strategy().unwrap().new_tree(&mut runner).unwrap();
        }
        for _ in 0..1000 {
            if !tree.simplify() {
                break;
            }
            if !fails(&tree.current()) && !tree.complicate() {
                break;
            }
        }
        let row = tree.current();
        assert!(fails(&row), "{row:?}");
        assert_eq!(row.get("usage_count"), Some(&Value::Default), "{row:?}");
        assert!(
            matches!(row.get("email"), Some(Value::Text(_))),
            "not null stays a value"
        );
    }

    #[test]
    fn a_required_column_of_an_unknown_type_is_an_error() {
        let mut table = users();
        table.columns.push(column("mood", "mood_enum", true, None));
        let err = RowSpec::for_table(&table, &Catalog::default())
            .strategy()
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "generate values of type `mood_enum` for public.users.mood, which may be neither NULL nor left to a default"
        );
    }

    #[test]
    fn canonical_rows_differ_where_they_must_be_filled() {
        let spec = RowSpec::for_table(&users(), &Catalog::default());
        let (a, b) = (spec.canonical(0).unwrap(), spec.canonical(1).unwrap());
        assert_ne!(a.get("email"), b.get("email"));
        assert_eq!(a.get("usage_count"), Some(&Value::Default));
        assert_eq!(a.get("nickname"), Some(&Value::Null));
        assert_eq!(
            SqlType::Text { max_chars: Some(2) }.canonical(123),
            "23",
            "truncated to fit"
        );
    }

    #[test]
    fn insert_sql_casts_every_value_and_leaves_defaults_out() {
        let mut row = RowSpec::for_table(&users(), &Catalog::default())
            .canonical(0)
            .unwrap();
        row.set("usage_count", Value::text("-100"));
        row.set("nickname", Value::text("o'b"));
        let (sql, params) = row.insert_sql(&["id".into()]);
        assert_eq!(
            sql,
            "INSERT INTO \"public\".\"users\" (\"email\", \"nickname\", \"usage_count\", \"tags\") \
             VALUES ($1::text, $2::character varying(3), $3::integer, $4::text[]) RETURNING \"id\"::text"
        );
        assert_eq!(
            params,
            vec![
                Some("r1".into()),
                Some("o'b".into()),
                Some("-100".into()),
                None
            ]
        );
        assert_eq!(
            row.display_sql(),
            "INSERT INTO public.users (email, nickname, usage_count, tags) VALUES ('r1', 'o''b', -100, NULL)"
        );
    }
}
