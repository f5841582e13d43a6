//! The schema as the constraint scenarios see it: the migrated catalog, the claimed
//! constraints resolved against it (see [`super::resolve`]), the references between
//! tables, and how to generate rows of each table.

use std::collections::BTreeMap;

use harness::checks::integrity::IntegrityRule;
use harness::schema::catalog::{Catalog, FkAction, Table};
use harness::schema::rowgen::{RowSpec, Value};
use harness::subject::manifest::ConstraintKind;
use sqlx::PgConnection;

/// One `[[constraints]]` entry, resolved against the catalog.
#[derive(Debug, Clone)]
pub struct Claimed {
    /// Its position in the manifest, for `constraints[i]` keys.
    pub index: usize,
    pub kind: ConstraintKind,
    /// `schema.name`.
    pub table: String,
    pub columns: Vec<String>,
    /// The name the manifest gives it, if any.
    pub name: Option<String>,
    /// For a foreign key: the referenced table and its key columns.
    pub references: Option<Target>,
    pub on_delete: Option<FkAction>,
    /// For a check: the claimed rule, as SQL.
    pub expression: Option<String>,
    /// For a check: values it must accept and reject, as text for the column's type.
    pub accepts: Vec<Value>,
    pub rejects: Vec<Value>,
    /// How the catalog implements it, if at all.
    pub presence: Presence,
}

/// A referenced table and columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub table: String,
    pub columns: Vec<String>,
}

/// Whether the catalog has what a claim says, found by structure (not only by name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Presence {
    /// Present; the names a rejection may carry (empty for NOT NULL).
    Found(Vec<String>),
    /// Something close is there, but not what is claimed.
    Differs {
        names: Vec<String>,
        why: String,
    },
    Missing(String),
}

/// A reference from `child(columns)` to `parent(parent_columns)`, declared in the catalog,
/// claimed in the manifest, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    pub child: String,
    pub columns: Vec<String>,
    pub parent: String,
    pub parent_columns: Vec<String>,
    /// What deleting a parent row should do: the claimed action, else the declared one.
    pub on_delete: FkAction,
    /// The claim it comes from, if any.
    pub claim: Option<usize>,
    /// Whether the claim states `on_delete` (what the cascade scenario proves).
    pub delete_claimed: bool,
}

/// The catalog, the claims and the references.
#[derive(Debug, Clone)]
pub struct Schema {
    pub catalog: Catalog,
    pub claims: Vec<Claimed>,
    pub edges: Vec<Edge>,
    /// By table, the values of each column that its own checks and domain accept (found
    /// by the server, see [`harness::schema::rowgen::fit`]).
    pub valid: BTreeMap<String, BTreeMap<String, Vec<Value>>>,
}

impl Schema {
    /// A table the claims or the catalog name (`schema.name` or `name`).
    pub fn table(&self, name: &str) -> &Table {
        self.catalog
            .table(name)
            .expect("tables of resolved claims and edges exist")
    }

    /// The claims on `table`.
    pub fn claims_on(&self, table: &str) -> Vec<&Claimed> {
        self.claims.iter().filter(|c| c.table == table).collect()
    }

    /// The references out of `table`.
    pub fn edges_from(&self, table: &str) -> Vec<&Edge> {
        self.edges.iter().filter(|e| e.child == table).collect()
    }

    /// The position of `edge` among the schema's edges.
    pub fn edge_index(&self, edge: &Edge) -> usize {
        self.edges
            .iter()
            .position(|e| e == edge)
            .expect("the edge is the schema's")
    }

    /// How to generate rows of `table`: the catalog's columns, with every column a claim
    /// covers given explicitly (not left to a default), claimed NOT NULL columns never NULL,
    /// and each check's accepted and rejected values among the examples.
    pub fn row_spec(&self, table: &str) -> RowSpec {
        let table_def = self.table(table);
        let mut spec = RowSpec::for_table(table_def, &self.catalog);
        if let Some(valid) = self.valid.get(&table_def.qualified_name()) {
            spec.limit_to(valid);
        }
        for claim in self.claims_on(table) {
            for name in &claim.columns {
                let Ok(column) = spec.column_mut(name) else {
                    continue;
                };
                if column.source != harness::schema::rowgen::Source::Default {
                    column.default_weight = 0;
                }
                if claim.kind == ConstraintKind::NotNull {
                    column.null_weight = 0;
                }
                if claim.kind == ConstraintKind::Check {
                    column.examples.extend(claim.rejects.iter().cloned());
                    column.examples.extend(claim.accepts.iter().cloned());
                }
            }
        }
        spec
    }
}

impl Claimed {
    /// `constraints[i].field`.
    pub fn key(&self, field: &str) -> String {
        format!("constraints[{}].{field}", self.index)
    }

    /// What is claimed, in a line: "unique users(stripe_customer_id)".
    pub fn label(&self) -> String {
        let table = self.table.strip_prefix("public.").unwrap_or(&self.table);
        let mut s = format!("{} {table}({})", self.kind.label(), self.columns.join(", "));
        if let Some(expression) = &self.expression {
            s.push_str(&format!(": {expression}"));
        }
        if let Some(target) = &self.references {
            let parent = target
                .table
                .strip_prefix("public.")
                .unwrap_or(&target.table);
            s.push_str(&format!(" → {parent}({})", target.columns.join(", ")));
        }
        if let Some(action) = self.on_delete {
            s.push_str(&format!(" on delete {}", action.sql()));
        }
        s
    }

    /// The rule whose SQLSTATE a violating write must be refused with.
    pub fn rule(&self) -> IntegrityRule {
        match self.kind {
            ConstraintKind::PrimaryKey | ConstraintKind::Unique => IntegrityRule::Unique,
            ConstraintKind::Check => IntegrityRule::Check,
            ConstraintKind::ForeignKey => IntegrityRule::ForeignKey,
            ConstraintKind::NotNull => IntegrityRule::NotNull,
        }
    }

    /// The constraint names a refusal may carry: the claimed name, else what the catalog
    /// has; empty when anything will do (nothing found, or NOT NULL, which names a column).
    pub fn expected_names(&self) -> Vec<String> {
        if self.kind == ConstraintKind::NotNull {
            return Vec::new();
        }
        if let Some(name) = &self.name {
            return vec![name.clone()];
        }
        match &self.presence {
            Presence::Found(names) | Presence::Differs { names, .. } => names.clone(),
            Presence::Missing(_) => Vec::new(),
        }
    }
}

/// Runs statements that return nothing (BEGIN, SAVEPOINT…) through the simple protocol.
pub async fn execute(conn: &mut PgConnection, sql: &str) -> Result<(), sqlx::Error> {
    sqlx::Executor::execute(conn, sql).await.map(|_| ())
}

/// The server's message in a database error, else the error.
pub fn database_message(error: &sqlx::Error) -> String {
    error
        .as_database_error()
        .map(|e| e.message().to_owned())
        .unwrap_or_else(|| error.to_string())
}

#[cfg(test)]
pub(crate) mod tests {
    use harness::schema::catalog::{Column, Constraint, ConstraintType, ForeignKey};

    use super::*;

    pub fn column(name: &str, data_type: &str, not_null: bool) -> Column {
        Column {
            name: name.into(),
            data_type: data_type.into(),
            not_null,
            default: None,
            identity: None,
            generated: None,
            collation: None,
        }
    }

    pub fn constraint(name: &str, kind: ConstraintType, columns: &[&str]) -> Constraint {
        Constraint {
            name: name.into(),
            kind,
            columns: columns.iter().map(|c| c.to_string()).collect(),
            definition: String::new(),
            expression: None,
            foreign: None,
            deferrable: false,
            initially_deferred: false,
            validated: true,
        }
    }

    /// users(id, stripe_customer_id, usage_count) and slides(id, project_id).
    pub fn catalog() -> Catalog {
        let users = Table {
            schema: "public".into(),
            name: "users".into(),
            columns: vec![
                column("id", "bigint", true),
                column("stripe_customer_id", "text", false),
                column("usage_count", "integer", true),
            ],
            constraints: vec![
                constraint("users_pkey", ConstraintType::PrimaryKey, &["id"]),
                constraint(
                    "users_usage_count_check",
                    ConstraintType::Check,
                    &["usage_count"],
                ),
            ],
            ..Table::default()
        };
        let mut fk = constraint(
            "slides_project_id_fkey",
            ConstraintType::ForeignKey,
            &["project_id"],
        );
        fk.foreign = Some(ForeignKey {
            table: "users".into(),
            target: "public.users".into(),
            columns: vec!["id".into()],
            on_delete: FkAction::NoAction,
            on_update: FkAction::NoAction,
            deferrable: false,
            initially_deferred: false,
        });
        let slides = Table {
            schema: "public".into(),
            name: "slides".into(),
            columns: vec![
                column("id", "bigint", true),
                column("project_id", "bigint", false),
            ],
            constraints: vec![
                constraint("slides_pkey", ConstraintType::PrimaryKey, &["id"]),
                fk,
            ],
            ..Table::default()
        };
        Catalog {
            tables: vec![slides, users],
            ..Catalog::default()
        }
    }

    pub fn claim(kind: ConstraintKind, table: &str, columns: &[&str]) -> Claimed {
        Claimed {
            index: 0,
            kind,
            table: format!("public.{table}"),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            name: None,
            references: None,
            on_delete: None,
            expression: None,
            accepts: Vec::new(),
            rejects: Vec::new(),
            presence: Presence::Missing(String::new()),
        }
    }
}
