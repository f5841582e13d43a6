//! Index lints over the catalog, one rule per file (squawk style): the `snake_case` file,
//! the kebab-case id the scorecard shows, and a doc section per rule with the problem and
//! the fix. Rules that show a query will be slow at scale refute the claim; the others
//! are advisory and reported as evidence.

mod duplicate_index;
mod invalid_index;
mod redundant_index;
mod unindexed_foreign_key;
mod unused_index;

use std::collections::BTreeSet;
use std::sync::Arc;

use harness::schema::catalog::{Catalog, Index, Table};

pub use duplicate_index::DuplicateIndex;
pub use invalid_index::InvalidIndex;
pub use redundant_index::RedundantIndex;
pub use unindexed_foreign_key::UnindexedForeignKey;
pub use unused_index::UnusedIndex;

/// What a finding does to the claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// A query or a cascade reads a whole table: the claim does not hold.
    Refutes,
    /// Costs writes, disk or attention, not read latency: reported, not refuting.
    Advisory,
}

/// One thing a rule found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What it is about, the same from run to run: the index (`public.users_email_idx`) or
    /// the constraint with its table (`public.orders.orders_user_id_fkey`).
    pub object: String,
    /// What is wrong, naming the table, index or constraint.
    pub message: String,
    /// The SQL that fixes it.
    pub fix: String,
}

/// What the rules look at.
#[derive(Debug, Clone, Default)]
pub struct LintInput {
    pub catalog: Catalog,
    /// Indexes the main queries scanned (bare names), when the rule asked for the workload.
    pub used_indexes: BTreeSet<String>,
    /// What the workload was, for messages: "8 main queries at 10k users".
    pub workload: String,
}

/// One lint rule.
pub trait Rule: Send + Sync {
    /// kebab-case, also the scenario's id.
    fn id(&self) -> &'static str;
    /// What the scenario shows when the rule finds nothing.
    fn title(&self) -> &'static str;
    fn severity(&self) -> Severity;
    /// Whether the rule needs the main queries run at scale (`used_indexes`).
    fn needs_workload(&self) -> bool {
        false
    }
    fn check(&self, input: &LintInput) -> Vec<Finding>;
}

/// Every rule, in the order the scorecard lists them.
pub fn all() -> Vec<Arc<dyn Rule>> {
    vec![
        Arc::new(UnindexedForeignKey),
        Arc::new(InvalidIndex),
        Arc::new(DuplicateIndex),
        Arc::new(RedundantIndex),
        Arc::new(UnusedIndex),
    ]
}

/// An index key as a bare column name: `"Email"` → `Email`, `email` → `email`.
fn bare_key(key: &str) -> &str {
    key.strip_prefix('"')
        .and_then(|k| k.strip_suffix('"'))
        .unwrap_or(key)
}

/// The index's key columns as bare names.
fn keys(index: &Index) -> Vec<&str> {
    index.keys.iter().map(|k| bare_key(k)).collect()
}

/// Whether the planner can use `index` for lookups on its leading columns: valid, not
/// partial, and of a method that supports equality lookups.
fn usable_for_lookups(index: &Index) -> bool {
    index.valid && index.predicate.is_none() && matches!(index.method.as_str(), "btree" | "hash")
}

/// A table's name as SQL would write it: bare in `public`, else schema-qualified.
fn table_name(table: &Table) -> String {
    if table.schema == "public" {
        table.name.clone()
    } else {
        format!("{}.{}", table.schema, table.name)
    }
}

/// The index to keep of two that do the same job: a primary key, then a constraint's,
/// then a unique one, then the first by name.
fn keeper_rank(index: &Index) -> (bool, bool, bool, &str) {
    (
        !index.primary,
        index.constraint.is_none(),
        !index.unique,
        index.name.as_str(),
    )
}

/// The SQL that removes an index: dropping its constraint when it backs one. Names are
/// quoted where SQL would fold them (`IDX_9e7d…`, `"User"`).
fn drop_sql(table: &Table, index: &Index) -> String {
    match &index.constraint {
        Some(constraint) => format!(
            "ALTER TABLE {} DROP CONSTRAINT {};",
            table_sql(table),
            ident(constraint)
        ),
        None => format!("DROP INDEX CONCURRENTLY {};", index_sql(table, index)),
    }
}

/// A name as SQL must write it to mean exactly it: quoted unless all lowercase.
fn ident(name: &str) -> String {
    let plain = name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if plain {
        name.to_owned()
    } else {
        harness::backend::names::quote_ident(name)
    }
}

/// The table as SQL writes it: bare in `public`, else schema-qualified; quoted as needed.
fn table_sql(table: &Table) -> String {
    if table.schema == "public" {
        ident(&table.name)
    } else {
        format!("{}.{}", ident(&table.schema), ident(&table.name))
    }
}

/// The index as SQL writes it, qualified with its table's schema outside `public`.
fn index_sql(table: &Table, index: &Index) -> String {
    if table.schema == "public" {
        ident(&index.name)
    } else {
        format!("{}.{}", ident(&table.schema), ident(&index.name))
    }
}

/// An index as a finding names it: `schema.index` (index names are unique in a schema).
fn index_object(table: &Table, index: &Index) -> String {
    format!("{}.{}", table.schema, index.name)
}

/// What the index is, in a few words: "UNIQUE constraint users_x_key" or "index users_x_idx".
fn describe(index: &Index) -> String {
    match (&index.constraint, index.primary) {
        (Some(constraint), true) => format!("primary key {constraint}"),
        (Some(constraint), false) => format!("UNIQUE constraint {constraint}"),
        (None, _) if index.unique => format!("unique index {}", index.name),
        (None, _) => format!("index {}", index.name),
    }
}

#[cfg(test)]
mod testing {
    //! Catalogs built by hand, and helpers named for what they assert.

    use harness::schema::catalog::{
        Catalog, Constraint, ConstraintType, FkAction, ForeignKey, Index, Table,
    };

    use super::{Finding, LintInput, Rule};

    pub fn table(name: &str) -> Table {
        Table {
            schema: "public".into(),
            name: name.into(),
            ..Table::default()
        }
    }

    pub fn index(name: &str, keys: &[&str]) -> Index {
        Index {
            name: name.into(),
            keys: keys.iter().map(|k| k.to_string()).collect(),
            include: Vec::new(),
            unique: false,
            primary: false,
            valid: true,
            method: "btree".into(),
            predicate: None,
            constraint: None,
            definition: format!("CREATE INDEX {name} ON t ({})", keys.join(", ")),
        }
    }

    pub fn unique_constraint(name: &str, keys: &[&str]) -> Index {
        Index {
            unique: true,
            constraint: Some(name.into()),
            ..index(name, keys)
        }
    }

    pub fn foreign_key(
        name: &str,
        columns: &[&str],
        target: &str,
        on_delete: FkAction,
    ) -> Constraint {
        Constraint {
            name: name.into(),
            kind: ConstraintType::ForeignKey,
            columns: columns.iter().map(|c| c.to_string()).collect(),
            definition: format!(
                "FOREIGN KEY ({}) REFERENCES {target}(id)",
                columns.join(", ")
            ),
            expression: None,
            deferrable: false,
            initially_deferred: false,
            foreign: Some(ForeignKey {
                table: target.into(),
                target: format!("public.{target}"),
                columns: vec!["id".into()],
                on_delete,
                on_update: FkAction::NoAction,
                deferrable: false,
                initially_deferred: false,
            }),
            validated: true,
        }
    }

    pub fn catalog(tables: Vec<Table>) -> LintInput {
        LintInput {
            catalog: Catalog {
                tables,
                ..Catalog::default()
            },
            ..LintInput::default()
        }
    }

    /// Asserts that the rule finds nothing.
    #[track_caller]
    pub fn lint_ok(rule: &dyn Rule, input: &LintInput) {
        let findings = rule.check(input);
        assert!(findings.is_empty(), "{} found {findings:#?}", rule.id());
    }

    /// What each finding of the rule is about (its id in the evidence, after the rule's).
    pub fn objects(rule: &dyn Rule, input: &LintInput) -> Vec<String> {
        rule.check(input).into_iter().map(|f| f.object).collect()
    }

    /// Asserts that the rule finds something and returns the messages.
    #[track_caller]
    pub fn lint_errors(rule: &dyn Rule, input: &LintInput) -> Vec<String> {
        let findings: Vec<Finding> = rule.check(input);
        assert!(!findings.is_empty(), "{} found nothing", rule.id());
        findings
            .into_iter()
            .map(|f| format!("{} | {}", f.message, f.fix))
            .collect()
    }
}
