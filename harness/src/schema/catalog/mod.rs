//! Catalog introspection: every user table with its columns, constraints, indexes and
//! triggers, plus sequences, views, functions, types and extensions, read from
//! `pg_catalog` (`read`), rendered as stably ordered text for snapshots and diffs
//! (`render`), and compared where PostgreSQL's deparsed text is not stable ([`reparse`]).

mod read;
mod render;
pub mod reparse;
mod tighten;
mod types;

use std::collections::BTreeMap;

use serde::Serialize;

pub(crate) use read::{is_bookkeeping, SYSTEM_SCHEMAS};
pub use types::{TypeInfo, TypeKind};

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
    /// What each column type is (enum labels, a domain's base type, an array's element…),
    /// by `format_type` text: what a row generator needs, not part of the rendered text.
    #[serde(skip)]
    pub type_info: BTreeMap<String, TypeInfo>,
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
    /// For a partition, the partitioned table it belongs to (`schema.name`): rows go in
    /// through that one.
    pub partition_of: Option<String>,
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

    /// The type under `data_type`'s domains (itself when it is no domain).
    pub fn base_type<'a>(&'a self, data_type: &'a str) -> &'a str {
        let mut at = data_type;
        for _ in 0..16 {
            match self.type_info.get(at).map(|t| &t.kind) {
                Some(TypeKind::Domain { base, .. }) => at = base,
                _ => break,
            }
        }
        at
    }

    /// The check constraints of `data_type`'s domains, by name, outermost first.
    pub fn domain_checks(&self, data_type: &str) -> Vec<String> {
        let mut found = Vec::new();
        let mut at = data_type;
        for _ in 0..16 {
            match self.type_info.get(at).map(|t| &t.kind) {
                Some(TypeKind::Domain { base, checks, .. }) => {
                    found.extend(checks.iter().cloned());
                    at = base;
                }
                _ => break,
            }
        }
        found
    }

    /// Whether a table has a BEFORE INSERT row trigger, which may fill columns an INSERT
    /// leaves out.
    pub fn fills_on_insert(&self, table: &Table) -> bool {
        table.triggers.iter().any(|t| {
            let definition = t.definition.to_ascii_uppercase();
            definition.contains(" BEFORE INSERT") && definition.contains("FOR EACH ROW")
        })
    }
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

    /// Whether `columns` are exactly the primary key, a unique constraint or the keys of a
    /// unique index without a predicate: a reference through them is one-to-one.
    pub fn is_unique_key(&self, columns: &[String]) -> bool {
        let same = |keys: &[String]| {
            keys.len() == columns.len()
                && keys
                    .iter()
                    .all(|k| columns.iter().any(|c| k.trim_matches('"') == c))
        };
        self.constraints
            .iter()
            .filter(|c| matches!(c.kind, ConstraintType::PrimaryKey | ConstraintType::Unique))
            .any(|c| same(&c.columns))
            || self
                .indexes
                .iter()
                .any(|i| i.unique && i.predicate.is_none() && same(&i.keys))
    }

    /// Whether `column` is in the primary key, a unique constraint or a unique index.
    pub fn is_in_unique_key(&self, column: &str) -> bool {
        self.constraints
            .iter()
            .filter(|c| matches!(c.kind, ConstraintType::PrimaryKey | ConstraintType::Unique))
            .any(|c| c.columns.iter().any(|k| k == column))
            || self.indexes.iter().filter(|i| i.unique).any(|i| {
                i.keys.iter().any(|k| {
                    k.trim_matches('"') == column || k.split_whitespace().next() == Some(column)
                })
            })
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
