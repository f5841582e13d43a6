//! Catalog introspection: every user table with its columns, constraints, indexes and
//! triggers, plus sequences, views, functions, types and extensions, read from
//! `pg_catalog` and rendered as stably ordered text for snapshots and diffs.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde::Serialize;
use sqlx::PgConnection;

/// Schemas that belong to PostgreSQL itself.
const SYSTEM_SCHEMAS: &str = "n.nspname NOT IN ('pg_catalog', 'information_schema') \
     AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'";
/// Objects that belong to an extension are the extension's, not the subject's.
const NOT_EXTENSION_MEMBER: &str =
    "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')";

/// Everything the subject defined in one database.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Catalog {
    pub schemas: Vec<String>,
    pub tables: Vec<Table>,
    pub sequences: Vec<Named>,
    pub views: Vec<Named>,
    pub functions: Vec<Named>,
    pub types: Vec<Named>,
    pub extensions: Vec<String>,
}

/// A table and what hangs off it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Table {
    pub schema: String,
    pub name: String,
    pub columns: Vec<Column>,
    pub constraints: Vec<Constraint>,
    pub indexes: Vec<Index>,
    pub triggers: Vec<Named>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Column {
    pub name: String,
    pub data_type: String,
    pub not_null: bool,
    pub default: Option<String>,
    /// "always" or "by default" for identity columns.
    pub identity: Option<String>,
    /// The expression of a generated column.
    pub generated: Option<String>,
    /// The collation, when it is not the type's default.
    pub collation: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConstraintType {
    PrimaryKey,
    Unique,
    Check,
    ForeignKey,
    Exclusion,
    Trigger,
}

impl ConstraintType {
    fn from_code(code: &str) -> ConstraintType {
        match code {
            "p" => ConstraintType::PrimaryKey,
            "u" => ConstraintType::Unique,
            "c" => ConstraintType::Check,
            "f" => ConstraintType::ForeignKey,
            "x" => ConstraintType::Exclusion,
            _ => ConstraintType::Trigger,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ConstraintType::PrimaryKey => "primary key",
            ConstraintType::Unique => "unique",
            ConstraintType::Check => "check",
            ConstraintType::ForeignKey => "foreign key",
            ConstraintType::Exclusion => "exclusion",
            ConstraintType::Trigger => "constraint trigger",
        }
    }
}

/// What a foreign key does when its target row goes away or changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FkAction {
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

impl FkAction {
    fn from_code(code: &str) -> FkAction {
        match code {
            "r" => FkAction::Restrict,
            "c" => FkAction::Cascade,
            "n" => FkAction::SetNull,
            "d" => FkAction::SetDefault,
            _ => FkAction::NoAction,
        }
    }

    /// The action the manifest spells `key` ("cascade", "set_null"…).
    pub fn from_key(key: &str) -> Option<FkAction> {
        [
            FkAction::NoAction,
            FkAction::Restrict,
            FkAction::Cascade,
            FkAction::SetNull,
            FkAction::SetDefault,
        ]
        .into_iter()
        .find(|a| a.key() == key)
    }

    /// The manifest's spelling: "cascade", "set_null"…
    pub fn key(self) -> &'static str {
        match self {
            FkAction::NoAction => "no_action",
            FkAction::Restrict => "restrict",
            FkAction::Cascade => "cascade",
            FkAction::SetNull => "set_null",
            FkAction::SetDefault => "set_default",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ForeignKey {
    /// The referenced table, as `regclass` text (schema-qualified when not on the path).
    pub table: String,
    /// The referenced table as `schema.name`, to look it up with [`Catalog::table`].
    pub target: String,
    pub columns: Vec<String>,
    pub on_delete: FkAction,
    pub on_update: FkAction,
    pub deferrable: bool,
    pub initially_deferred: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Constraint {
    pub name: String,
    pub kind: ConstraintType,
    pub columns: Vec<String>,
    /// `pg_get_constraintdef`, e.g. "CHECK (usage_count >= 0)".
    pub definition: String,
    /// For a CHECK: its boolean expression alone, e.g. "usage_count >= 0".
    pub expression: Option<String>,
    pub foreign: Option<ForeignKey>,
    pub deferrable: bool,
    pub initially_deferred: bool,
    /// False for a constraint added NOT VALID and not validated since: rows from before
    /// it may break it.
    pub validated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Index {
    pub name: String,
    /// Key columns or expressions, in order, with DESC / NULLS FIRST when not the default.
    pub keys: Vec<String>,
    /// INCLUDE columns.
    pub include: Vec<String>,
    pub unique: bool,
    pub primary: bool,
    pub valid: bool,
    pub method: String,
    /// The predicate of a partial index.
    pub predicate: Option<String>,
    /// The constraint this index backs, if any.
    pub constraint: Option<String>,
    /// `pg_get_indexdef`.
    pub definition: String,
}

/// A named object and a text that changes whenever the object does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Named {
    pub name: String,
    pub definition: String,
}

impl Catalog {
    /// Reads the catalog of the database `conn` is connected to, leaving out `ignored`
    /// tables (a migration tool's bookkeeping, by bare table name).
    pub async fn read(conn: &mut PgConnection, ignored: &[String]) -> Result<Catalog, sqlx::Error> {
        let schemas: Vec<String> = sqlx::query_scalar(&format!(
            "SELECT n.nspname::text FROM pg_namespace n WHERE {SYSTEM_SCHEMAS} ORDER BY 1"
        ))
        .fetch_all(&mut *conn)
        .await?;

        let table_rows: Vec<(i64, String, String)> = sqlx::query_as(&format!(
            "SELECT c.oid::int8, n.nspname::text, c.relname::text FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind IN ('r', 'p') AND {SYSTEM_SCHEMAS} AND {NOT_EXTENSION_MEMBER} ORDER BY 2, 3"
        ))
        .fetch_all(&mut *conn)
        .await?;
        let table_rows: Vec<_> = table_rows
            .into_iter()
            .filter(|(_, _, name)| !ignored.contains(name))
            .collect();
        let oids: Vec<i64> = table_rows.iter().map(|(oid, _, _)| *oid).collect();
        // keyed by oid for filling in, kept in (schema, name) order for rendering
        let position: HashMap<i64, usize> =
            oids.iter().enumerate().map(|(i, oid)| (*oid, i)).collect();
        let mut tables: Vec<Table> = table_rows
            .into_iter()
            .map(|(_, schema, name)| Table {
                schema,
                name,
                ..Table::default()
            })
            .collect();
        let table_of = |oid: i64| position.get(&oid).copied();

        type ColumnRow = (
            i64,
            String,
            String,
            bool,
            Option<String>,
            String,
            String,
            Option<String>,
        );
        let columns: Vec<ColumnRow> = sqlx::query_as(
            "SELECT a.attrelid::int8, a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull, \
                    pg_get_expr(d.adbin, d.adrelid), a.attidentity::text, a.attgenerated::text, \
                    CASE WHEN a.attcollation <> t.typcollation THEN \
                         (SELECT quote_ident(co.collname) FROM pg_collation co WHERE co.oid = a.attcollation) END \
             FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid \
             LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
             WHERE a.attrelid::int8 = ANY($1) AND a.attnum > 0 AND NOT a.attisdropped \
             ORDER BY a.attrelid, a.attnum",
        )
        .bind(&oids)
        .fetch_all(&mut *conn)
        .await?;
        for (oid, name, data_type, not_null, default, identity, generated, collation) in columns {
            let (default, generated) = if generated.is_empty() {
                (default, None)
            } else {
                (None, default)
            };
            let identity = match identity.as_str() {
                "a" => Some("always".to_owned()),
                "d" => Some("by default".to_owned()),
                _ => None,
            };
            if let Some(i) = table_of(oid) {
                tables[i].columns.push(Column {
                    name,
                    data_type,
                    not_null,
                    default,
                    identity,
                    generated,
                    collation,
                });
            }
        }

        type ConstraintRow = (
            i64,
            String,
            String,
            String,
            Vec<String>,
            Option<String>,
            Vec<String>,
            String,
            String,
            bool,
            bool,
            bool,
            Option<String>,
            Option<String>,
        );
        // contype 'n' (PostgreSQL 18's NOT NULL constraints) is left out: a column's
        // `not null` already says it, on every version.
        let constraints: Vec<ConstraintRow> = sqlx::query_as(
            "SELECT con.conrelid::int8, con.conname::text, con.contype::text, pg_get_constraintdef(con.oid, true), \
                    ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, o) \
                          JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.o), \
                    CASE WHEN con.confrelid <> 0 THEN con.confrelid::regclass::text END, \
                    ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(n, o) \
                          JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.o), \
                    con.confdeltype::text, con.confupdtype::text, con.condeferrable, con.condeferred, con.convalidated, \
                    CASE WHEN con.contype = 'c' THEN pg_get_expr(con.conbin, con.conrelid, true) END, \
                    (SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                     WHERE c.oid = con.confrelid) \
             FROM pg_constraint con WHERE con.conrelid::int8 = ANY($1) AND con.contype <> 'n' \
             ORDER BY con.conrelid, con.conname",
        )
        .bind(&oids)
        .fetch_all(&mut *conn)
        .await?;
        for (
            oid,
            name,
            code,
            definition,
            columns,
            ftable,
            fcolumns,
            del,
            upd,
            deferrable,
            deferred,
            validated,
            expression,
            target,
        ) in constraints
        {
            let kind = ConstraintType::from_code(&code);
            let foreign = ftable.map(|table| ForeignKey {
                table,
                target: target.unwrap_or_default(),
                columns: fcolumns,
                on_delete: FkAction::from_code(&del),
                on_update: FkAction::from_code(&upd),
                deferrable,
                initially_deferred: deferred,
            });
            if let Some(i) = table_of(oid) {
                tables[i].constraints.push(Constraint {
                    name,
                    kind,
                    columns,
                    definition,
                    expression,
                    foreign,
                    deferrable,
                    initially_deferred: deferred,
                    validated,
                });
            }
        }

        type IndexRow = (
            i64,
            String,
            String,
            bool,
            bool,
            bool,
            String,
            Option<String>,
            Vec<String>,
            Vec<String>,
            Option<String>,
        );
        // indoption bit 0 is DESC, bit 1 NULLS FIRST; only what differs from the default
        // ordering is written out, as CREATE INDEX would be.
        let indexes: Vec<IndexRow> = sqlx::query_as(
            "SELECT i.indrelid::int8, ic.relname::text, pg_get_indexdef(i.indexrelid), i.indisunique, i.indisprimary, \
                    i.indisvalid, am.amname::text, pg_get_expr(i.indpred, i.indrelid, true), \
                    ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true) || \
                                 CASE i.indoption[k - 1]::int & 3 WHEN 1 THEN ' DESC NULLS LAST' WHEN 2 THEN ' NULLS FIRST' \
                                                             WHEN 3 THEN ' DESC' ELSE '' END \
                          FROM generate_series(1, i.indnkeyatts) k ORDER BY k), \
                    ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true) \
                          FROM generate_series(i.indnkeyatts + 1, i.indnatts) k ORDER BY k), \
                    (SELECT con.conname::text FROM pg_constraint con WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid LIMIT 1) \
             FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam \
             WHERE i.indrelid::int8 = ANY($1) ORDER BY i.indrelid, ic.relname",
        )
        .bind(&oids)
        .fetch_all(&mut *conn)
        .await?;
        for (
            oid,
            name,
            definition,
            unique,
            primary,
            valid,
            method,
            predicate,
            keys,
            include,
            constraint,
        ) in indexes
        {
            if let Some(i) = table_of(oid) {
                tables[i].indexes.push(Index {
                    name,
                    keys,
                    include,
                    unique,
                    primary,
                    valid,
                    method,
                    predicate,
                    constraint,
                    definition,
                });
            }
        }

        let triggers: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT tgrelid::int8, tgname::text, pg_get_triggerdef(oid, true) FROM pg_trigger \
             WHERE tgrelid::int8 = ANY($1) AND NOT tgisinternal ORDER BY tgrelid, tgname",
        )
        .bind(&oids)
        .fetch_all(&mut *conn)
        .await?;
        for (oid, name, definition) in triggers {
            if let Some(i) = table_of(oid) {
                tables[i].triggers.push(Named { name, definition });
            }
        }

        let sequences = named(
            conn,
            &format!(
                "SELECT n.nspname || '.' || c.relname, format_type(s.seqtypid, NULL) || \
                        ' increment ' || s.seqincrement || ' start ' || s.seqstart || \
                        coalesce(' owned by ' || (SELECT d.refobjid::regclass::text || '.' || a.attname \
                            FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid \
                            WHERE d.objid = c.oid AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') LIMIT 1), '') \
                 FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE {SYSTEM_SCHEMAS} AND {NOT_EXTENSION_MEMBER} ORDER BY 1"
            ),
        )
        .await?;
        let views = named(
            conn,
            &format!(
                "SELECT n.nspname || '.' || c.relname, \
                        CASE c.relkind WHEN 'm' THEN 'materialized ' ELSE '' END || pg_get_viewdef(c.oid, true) \
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE c.relkind IN ('v', 'm') AND {SYSTEM_SCHEMAS} AND {NOT_EXTENSION_MEMBER} ORDER BY 1"
            ),
        )
        .await?;
        let functions = named(
            conn,
            &format!(
                "SELECT n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')', \
                        'returns ' || pg_get_function_result(p.oid) || ' md5 ' || md5(pg_get_functiondef(p.oid)) \
                 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
                 WHERE p.prokind IN ('f', 'p') AND {SYSTEM_SCHEMAS} \
                   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e') ORDER BY 1"
            ),
        )
        .await?;
        let types = named(
            conn,
            &format!(
                "SELECT n.nspname || '.' || t.typname, CASE t.typtype \
                    WHEN 'e' THEN 'enum (' || (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) \
                                              FROM pg_enum e WHERE e.enumtypid = t.oid) || ')' \
                    WHEN 'd' THEN 'domain over ' || format_type(t.typbasetype, t.typtypmod) || coalesce(' ' || \
                         (SELECT string_agg(pg_get_constraintdef(con.oid, true), ' ' ORDER BY con.conname) \
                          FROM pg_constraint con WHERE con.contypid = t.oid), '') \
                    ELSE 'composite' END \
                 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
                 WHERE (t.typtype IN ('e', 'd') OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')) \
                   AND {SYSTEM_SCHEMAS} \
                   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e') ORDER BY 1"
            ),
        )
        .await?;
        let extensions: Vec<String> = sqlx::query_scalar(
            "SELECT extname || ' ' || extversion FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY 1",
        )
        .fetch_all(&mut *conn)
        .await?;

        Ok(Catalog {
            schemas,
            tables,
            sequences,
            views,
            functions,
            types,
            extensions,
        })
    }

    /// A table by name (`name` or `schema.name`).
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables
            .iter()
            .find(|t| t.name == name || t.qualified_name() == name)
    }

    /// Whether the subject defined nothing at all (an empty `public` schema is nothing).
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
            && self.sequences.is_empty()
            && self.views.is_empty()
            && self.functions.is_empty()
            && self.types.is_empty()
            && self.extensions.is_empty()
            && self.schemas.iter().all(|s| s == "public")
    }

    /// Stable, readable text: one line per object, in a fixed order, each table's columns,
    /// constraints, indexes and triggers indented under it.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for line in self.lines() {
            match line.table {
                Some(_) => {
                    let _ = writeln!(out, "  {}", line.text);
                }
                None => {
                    let _ = writeln!(out, "{}", line.text);
                }
            }
        }
        out
    }

    /// The lines that differ between two catalogs: `- ` only in `self`, `+ ` only in
    /// `other`. A table's lines name their table (`… on public.users`), so that a column
    /// dropped from one of several tables that share it still shows.
    pub fn diff(&self, other: &Catalog) -> Vec<String> {
        let ours: Vec<String> = self.lines().iter().map(Line::qualified).collect();
        let theirs: Vec<String> = other.lines().iter().map(Line::qualified).collect();
        let mut out: Vec<String> = only_in(&ours, &theirs).map(|l| format!("- {l}")).collect();
        out.extend(only_in(&theirs, &ours).map(|l| format!("+ {l}")));
        out
    }

    fn lines(&self) -> Vec<Line> {
        let mut lines = Vec::new();
        let top = |text: String| Line { table: None, text };
        for schema in &self.schemas {
            lines.push(top(format!("schema {schema}")));
        }
        for extension in &self.extensions {
            lines.push(top(format!("extension {extension}")));
        }
        for t in &self.types {
            lines.push(top(format!("type {}: {}", t.name, t.definition)));
        }
        for table in &self.tables {
            let name = table.qualified_name();
            lines.push(top(format!("table {name}")));
            let child = |text: String| Line {
                table: Some(name.clone()),
                text,
            };
            lines.extend(
                table
                    .columns
                    .iter()
                    .map(|c| child(format!("column {}", c.render()))),
            );
            lines.extend(
                table
                    .constraints
                    .iter()
                    .map(|c| child(format!("constraint {}", c.render()))),
            );
            lines.extend(
                table
                    .indexes
                    .iter()
                    .map(|i| child(format!("index {}", i.render()))),
            );
            lines.extend(
                table
                    .triggers
                    .iter()
                    .map(|t| child(format!("trigger {}: {}", t.name, t.definition))),
            );
        }
        for s in &self.sequences {
            lines.push(top(format!("sequence {}: {}", s.name, s.definition)));
        }
        for v in &self.views {
            let definition = v
                .definition
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            lines.push(top(format!("view {}: {definition}", v.name)));
        }
        for f in &self.functions {
            lines.push(top(format!("function {}: {}", f.name, f.definition)));
        }
        lines
    }
}

/// One rendered line, and the table it belongs to.
struct Line {
    table: Option<String>,
    text: String,
}

impl Line {
    fn qualified(&self) -> String {
        match &self.table {
            Some(table) => format!("{} on {table}", self.text),
            None => self.text.clone(),
        }
    }
}

/// The lines of `ours` that `theirs` lacks, counting repeats.
fn only_in<'a>(ours: &'a [String], theirs: &'a [String]) -> impl Iterator<Item = &'a String> {
    let mut left: HashMap<&str, usize> = HashMap::new();
    for line in theirs {
        *left.entry(line.as_str()).or_default() += 1;
    }
    ours.iter()
        .filter(move |line| match left.get_mut(line.as_str()) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        })
}

impl Table {
    /// `schema.name`.
    pub fn qualified_name(&self) -> String {
        format!("{}.{}", self.schema, self.name)
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The primary key's columns, if it has one.
    pub fn primary_key(&self) -> Option<&[String]> {
        self.constraints
            .iter()
            .find(|c| c.kind == ConstraintType::PrimaryKey)
            .map(|c| c.columns.as_slice())
    }

    /// Constraints of one kind.
    pub fn constraints_of(&self, kind: ConstraintType) -> impl Iterator<Item = &Constraint> {
        self.constraints.iter().filter(move |c| c.kind == kind)
    }
}

impl Column {
    /// Whether an INSERT that leaves the column out gets a value other than NULL.
    pub fn has_default(&self) -> bool {
        self.default.is_some() || self.identity.is_some() || self.generated.is_some()
    }

    fn render(&self) -> String {
        let mut s = format!("{} {}", self.name, self.data_type);
        if let Some(c) = &self.collation {
            let _ = write!(s, " collate {c}");
        }
        if self.not_null {
            s.push_str(" not null");
        }
        if let Some(d) = &self.default {
            let _ = write!(s, " default {d}");
        }
        if let Some(i) = &self.identity {
            let _ = write!(s, " generated {i} as identity");
        }
        if let Some(g) = &self.generated {
            let _ = write!(s, " generated always as {g} stored");
        }
        s
    }
}

impl FkAction {
    /// As SQL writes it, lowercase: "cascade", "set null"…
    pub fn sql(self) -> &'static str {
        match self {
            FkAction::NoAction => "no action",
            FkAction::Restrict => "restrict",
            FkAction::Cascade => "cascade",
            FkAction::SetNull => "set null",
            FkAction::SetDefault => "set default",
        }
    }
}

impl Constraint {
    fn render(&self) -> String {
        let mut s = format!(
            "{} {} ({})",
            self.name,
            self.kind.label(),
            self.columns.join(", ")
        );
        match (&self.foreign, &self.expression) {
            (Some(fk), _) => {
                let _ = write!(
                    s,
                    " references {} ({}) on delete {} on update {}",
                    fk.table,
                    fk.columns.join(", "),
                    fk.on_delete.sql(),
                    fk.on_update.sql()
                );
            }
            (None, Some(expression)) => {
                let _ = write!(s, ": {expression}");
            }
            (None, None) => match self.kind {
                ConstraintType::PrimaryKey | ConstraintType::Unique => {
                    if self.definition.contains("NULLS NOT DISTINCT") {
                        s.push_str(" nulls not distinct");
                    }
                }
                _ => {
                    let _ = write!(s, ": {}", self.definition);
                }
            },
        }
        if self.deferrable {
            s.push_str(if self.initially_deferred {
                " deferrable initially deferred"
            } else {
                " deferrable"
            });
        }
        if !self.validated {
            s.push_str(" (not valid)");
        }
        s
    }
}

impl Index {
    fn render(&self) -> String {
        let mut flags = Vec::new();
        if self.primary {
            flags.push("primary".to_owned());
        } else if self.unique {
            flags.push("unique".to_owned());
        }
        flags.push(self.method.clone());
        let mut s = format!(
            "{} {} ({})",
            self.name,
            flags.join(" "),
            self.keys.join(", ")
        );
        if !self.include.is_empty() {
            let _ = write!(s, " include ({})", self.include.join(", "));
        }
        if let Some(p) = &self.predicate {
            let _ = write!(s, " where {p}");
        }
        if let Some(c) = &self.constraint {
            let _ = write!(s, " backs {c}");
        }
        if !self.valid {
            s.push_str(" INVALID");
        }
        s
    }
}

async fn named(conn: &mut PgConnection, sql: &str) -> Result<Vec<Named>, sqlx::Error> {
    let rows: Vec<(String, String)> = sqlx::query_as(sql).fetch_all(conn).await?;
    Ok(rows
        .into_iter()
        .map(|(name, definition)| Named { name, definition })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(name: &str) -> Column {
        Column {
            name: name.into(),
            data_type: "timestamp with time zone".into(),
            not_null: true,
            default: Some("now()".into()),
            identity: None,
            generated: None,
            collation: None,
        }
    }

    fn table(name: &str, columns: &[&str]) -> Table {
        Table {
            schema: "public".into(),
            name: name.into(),
            columns: columns.iter().map(|c| column(c)).collect(),
            ..Table::default()
        }
    }

    #[test]
    fn a_column_dropped_from_one_of_two_tables_shows_in_the_diff() {
        let before = Catalog {
            tables: vec![table("a", &["created_at"]), table("b", &["created_at"])],
            ..Catalog::default()
        };
        let after = Catalog {
            tables: vec![table("a", &["created_at"]), table("b", &[])],
            ..Catalog::default()
        };
        assert_eq!(
            before.diff(&after),
            vec!["- column created_at timestamp with time zone not null default now() on public.b"]
        );
        assert!(before.diff(&before).is_empty());
    }

    #[test]
    fn foreign_keys_render_both_actions() {
        let fk = Constraint {
            name: "w_owner_fkey".into(),
            kind: ConstraintType::ForeignKey,
            columns: vec!["owner_id".into()],
            definition: "FOREIGN KEY (owner_id) REFERENCES users(id) ON DELETE CASCADE".into(),
            expression: None,
            foreign: Some(ForeignKey {
                table: "users".into(),
                target: "public.users".into(),
                columns: vec!["id".into()],
                on_delete: FkAction::Cascade,
                on_update: FkAction::NoAction,
                deferrable: true,
                initially_deferred: true,
            }),
            deferrable: true,
            initially_deferred: true,
            validated: false,
        };
        assert_eq!(
            fk.render(),
            "w_owner_fkey foreign key (owner_id) references users (id) on delete cascade \
             on update no action deferrable initially deferred (not valid)"
        );
    }
}
