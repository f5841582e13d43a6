//! The schema as the constraint scenarios see it: the migrated catalog, the manifest's
//! claimed constraints resolved against it (a claim naming a table or column that does
//! not exist is a manifest error, not a refutation), and the graph of references between
//! tables, claimed or declared.

use std::collections::BTreeMap;

use harness::catalog::{Catalog, ConstraintType, FkAction, Table};
use harness::integrity::IntegrityRule;
use harness::manifest::{ConstraintKind, ExpectedConstraint};
use harness::rowgen::{RowSpec, Value};
use harness::scenario::{Context, ScenarioError};
use harness::subject::Subject;
use harness::template::Database;
use sqlx::{Connection, PgConnection};

use super::rules;

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
    /// by the server, see [`harness::rowgen::fit`]).
    pub valid: BTreeMap<String, BTreeMap<String, Vec<Value>>>,
}

/// A scenario's migrated database and the schema read from it.
pub struct Prepared {
    pub db: Database,
    pub schema: Schema,
}

/// A fresh migrated database for the scenario, with its schema read and the manifest's
/// claims resolved and checked against it.
pub async fn prepare(ctx: &Context, label: &str) -> Result<Prepared, ScenarioError> {
    let db = ctx.migrated_database(label).await?;
    let migrations = ctx.migrations().await?;
    let mut conn = db
        .connect_admin()
        .await
        .map_err(|e| ScenarioError::sql("connect to the scenario database", e))?;
    let catalog = Catalog::read(&mut conn, migrations.bookkeeping_tables())
        .await
        .map_err(|e| ScenarioError::sql("read the catalog", e))?;
    let mut schema = Schema::resolve(ctx.subject(), catalog)?;
    schema.find_valid_values(&mut conn, ctx.seed()).await?;
    schema.resolve_examples(&mut conn, ctx.subject()).await?;
    let _ = conn.close().await;
    Ok(Prepared { db, schema })
}

impl Schema {
    /// Resolves every `[[constraints]]` entry: its table, columns and referenced table must
    /// exist; then finds how the catalog implements it.
    pub fn resolve(subject: &Subject, catalog: Catalog) -> Result<Schema, ScenarioError> {
        let invalid =
            |key: String, message: String| ScenarioError::Manifest(subject.invalid(&key, message));
        let table_names = || {
            catalog
                .tables
                .iter()
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut claims = Vec::new();
        for (index, expected) in subject.manifest.constraints.iter().enumerate() {
            let key = |field: &str| format!("constraints[{index}].{field}");
            let table = catalog.table(&expected.table).ok_or_else(|| {
                invalid(
                    key("table"),
                    format!(
                        "table `{}` does not exist in the migrated database (it has: {})",
                        expected.table,
                        table_names()
                    ),
                )
            })?;
            for column in &expected.columns {
                if table.column(column).is_none() {
                    return Err(invalid(
                        key("columns"),
                        format!(
                            "column `{column}` does not exist in table `{}`",
                            table.qualified_name()
                        ),
                    ));
                }
            }
            let references = match &expected.references {
                None => None,
                Some(name) => {
                    let target = catalog.table(name).ok_or_else(|| {
                        invalid(
                            key("references"),
                            format!(
                                "table `{name}` does not exist in the migrated database (it has: {})",
                                table_names()
                            ),
                        )
                    })?;
                    Some(
                        reference_target(table, expected, target)
                            .map_err(|m| invalid(key("references"), m))?,
                    )
                }
            };
            let has_examples = !expected.accepts.is_empty() || !expected.rejects.is_empty();
            if has_examples && expected.columns.len() != 1 {
                return Err(invalid(
                    key("accepts"),
                    "`accepts` and `rejects` give values of one column: name exactly one in `columns`".into(),
                ));
            }
            let mut claim = Claimed {
                index,
                kind: expected.kind,
                table: table.qualified_name(),
                columns: expected.columns.clone(),
                name: expected.name.clone(),
                references,
                on_delete: expected.on_delete.as_deref().and_then(FkAction::from_key),
                expression: expected.expression.clone(),
                accepts: Vec::new(),
                rejects: Vec::new(),
                presence: Presence::Missing(String::new()),
            };
            claim.presence = presence(&catalog, table, &claim);
            claims.push(claim);
        }
        let edges = edges(&catalog, &claims);
        Ok(Schema {
            catalog,
            claims,
            edges,
            valid: BTreeMap::new(),
        })
    }

    /// Asks the server which values each table's checked and domain-typed columns accept.
    async fn find_valid_values(
        &mut self,
        conn: &mut PgConnection,
        seed: u64,
    ) -> Result<(), ScenarioError> {
        for table in &self.catalog.tables {
            let valid = harness::rowgen::fit::valid_values(conn, &self.catalog, table, seed)
                .await
                .map_err(|e| {
                    ScenarioError::sql(
                        format!(
                            "find values the checks of {} accept",
                            table.qualified_name()
                        ),
                        e,
                    )
                })?;
            if !valid.is_empty() {
                self.valid.insert(table.qualified_name(), valid);
            }
        }
        Ok(())
    }

    /// Turns each check's `accepts` and `rejects` SQL literals into values of the column's
    /// type, and checks that the claimed expression runs and agrees with them.
    async fn resolve_examples(
        &mut self,
        conn: &mut PgConnection,
        subject: &Subject,
    ) -> Result<(), ScenarioError> {
        for i in 0..self.claims.len() {
            if self.claims[i].kind != ConstraintKind::Check {
                continue;
            }
            let expected: &ExpectedConstraint = &subject.manifest.constraints[i];
            let claim = &self.claims[i];
            let table = self.table(&claim.table);
            let column = table.column(&claim.columns[0]).expect("resolved");
            let mut accepts = Vec::new();
            let mut rejects = Vec::new();
            for (field, literals, into) in [
                ("accepts", &expected.accepts, &mut accepts),
                ("rejects", &expected.rejects, &mut rejects),
            ] {
                // a value the column's domain refuses is still a value of the claim's
                let data_type = self.catalog.base_type(&column.data_type).to_owned();
                for (j, literal) in literals.iter().enumerate() {
                    let sql = format!("SELECT (({literal})::{data_type})::text");
                    let text: Option<String> = sqlx::query_scalar(&sql)
                        .fetch_one(&mut *conn)
                        .await
                        .map_err(|e| {
                            ScenarioError::Manifest(subject.invalid(
                                &format!("constraints[{i}].{field}[{j}]"),
                                format!(
                                    "`{literal}` is not a value of type {data_type}: {}",
                                    database_message(&e)
                                ),
                            ))
                        })?;
                    into.push(text.map(Value::Text).unwrap_or(Value::Null));
                }
            }
            let spec = self.row_spec(&claim.table);
            let base = spec.canonical(0).unwrap_or_else(|_| spec.nulls());
            let check = |value: &Value| {
                let mut row = base.clone();
                row.set(&claim.columns[0], value.clone());
                row
            };
            let key = format!("constraints[{i}].expression");
            let probe = check(&Value::Null);
            rules::claim_holds(conn, self, claim, &probe)
                .await
                .map_err(|e| {
                    ScenarioError::Manifest(subject.invalid(
                        &key,
                        format!("the expression does not run: {}", database_message(&e)),
                    ))
                })?;
            for (field, values, wanted) in
                [("accepts", &accepts, true), ("rejects", &rejects, false)]
            {
                for (j, value) in values.iter().enumerate() {
                    let holds = rules::claim_holds(conn, self, claim, &check(value))
                        .await
                        .map_err(|e| ScenarioError::sql("evaluate a claimed check", e))?;
                    if holds != wanted {
                        return Err(ScenarioError::Manifest(subject.invalid(
                            &format!("constraints[{i}].{field}[{j}]"),
                            format!(
                                "`{}` {} the claimed expression `{}`",
                                expected_literal(expected, field, j),
                                if wanted {
                                    "does not satisfy"
                                } else {
                                    "satisfies"
                                },
                                claim.expression.as_deref().unwrap_or_default()
                            ),
                        )));
                    }
                }
            }
            self.claims[i].accepts = accepts;
            self.claims[i].rejects = rejects;
        }
        Ok(())
    }

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
                if column.source != harness::rowgen::Source::Default {
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

/// The referenced columns: the declared foreign key's if there is one, else the
/// referenced table's primary key.
fn reference_target(
    table: &Table,
    expected: &ExpectedConstraint,
    target: &Table,
) -> Result<Target, String> {
    let declared = table
        .constraints_of(ConstraintType::ForeignKey)
        .filter_map(|c| c.foreign.as_ref().map(|f| (c, f)))
        .find(|(c, f)| c.columns == expected.columns && f.target == target.qualified_name());
    let columns = match declared {
        Some((_, fk)) => fk.columns.clone(),
        None => target
            .primary_key()
            .ok_or_else(|| {
                format!(
                    "table `{}` has no primary key for `{}` to reference",
                    target.qualified_name(),
                    expected.columns.join(", ")
                )
            })?
            .to_vec(),
    };
    if columns.len() != expected.columns.len() {
        return Err(format!(
            "`{}` cannot reference `{}({})`: {} column(s) against {}",
            expected.columns.join(", "),
            target.qualified_name(),
            columns.join(", "),
            expected.columns.len(),
            columns.len()
        ));
    }
    Ok(Target {
        table: target.qualified_name(),
        columns,
    })
}

fn same_set(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.contains(x))
}

/// How the catalog implements `claim`.
fn presence(catalog: &Catalog, table: &Table, claim: &Claimed) -> Presence {
    let named = |names: Vec<String>, why_missing: String| -> Presence {
        match &claim.name {
            Some(name) if !names.contains(name) && !names.is_empty() => Presence::Differs {
                why: format!("it is named {}, not {name}", names.join(", ")),
                names,
            },
            _ if names.is_empty() => Presence::Missing(why_missing),
            _ => Presence::Found(names),
        }
    };
    let where_ = format!("{}({})", table.name, claim.columns.join(", "));
    match claim.kind {
        ConstraintKind::NotNull => {
            let nullable: Vec<&str> = claim
                .columns
                .iter()
                .filter(|c| table.column(c).is_some_and(|c| !c.not_null))
                .map(String::as_str)
                .collect();
            if nullable.is_empty() {
                Presence::Found(Vec::new())
            } else {
                Presence::Missing(format!(
                    "{}.{} accepts NULL",
                    table.name,
                    nullable.join(", ")
                ))
            }
        }
        ConstraintKind::PrimaryKey | ConstraintKind::Unique => {
            let wanted: &[ConstraintType] = if claim.kind == ConstraintKind::PrimaryKey {
                &[ConstraintType::PrimaryKey]
            } else {
                &[ConstraintType::Unique, ConstraintType::PrimaryKey]
            };
            let mut names: Vec<String> = table
                .constraints
                .iter()
                .filter(|c| wanted.contains(&c.kind) && same_set(&c.columns, &claim.columns))
                .map(|c| c.name.clone())
                .collect();
            let mut partial = Vec::new();
            if claim.kind == ConstraintKind::Unique {
                for index in table
                    .indexes
                    .iter()
                    .filter(|i| i.unique && i.constraint.is_none())
                {
                    let keys: Vec<String> = index.keys.iter().map(|k| key_column(k)).collect();
                    if !same_set(&keys, &claim.columns) {
                        continue;
                    }
                    match (&index.predicate, index.valid) {
                        (None, true) => names.push(index.name.clone()),
                        (Some(p), _) => partial.push(format!("{} only where {p}", index.name)),
                        (None, false) => partial.push(format!("{} is INVALID", index.name)),
                    }
                }
            }
            if names.is_empty() && !partial.is_empty() {
                return Presence::Differs {
                    names: Vec::new(),
                    why: format!(
                        "no {} on {where_}: unique index {}",
                        claim.kind.label(),
                        partial.join("; ")
                    ),
                };
            }
            named(
                names,
                format!(
                    "no {} constraint or unique index on {where_}",
                    claim.kind.label()
                ),
            )
        }
        ConstraintKind::Check => {
            let checks: Vec<&harness::catalog::Constraint> = table
                .constraints_of(ConstraintType::Check)
                .filter(|c| same_set(&c.columns, &claim.columns))
                .collect();
            let mut names: Vec<String> = checks.iter().map(|c| c.name.clone()).collect();
            // a check on one column may be its type's: a domain's CHECK
            if let [column] = claim.columns.as_slice() {
                if let Some(column) = table.column(column) {
                    names.extend(catalog.domain_checks(&column.data_type));
                }
            }
            if let Some(unvalidated) = checks.iter().find(|c| !c.validated) {
                return Presence::Differs {
                    names,
                    why: format!(
                        "{} is NOT VALID: rows from before it are unchecked",
                        unvalidated.name
                    ),
                };
            }
            named(names, format!("no check constraint on {where_}"))
        }
        ConstraintKind::ForeignKey => {
            let target = claim
                .references
                .as_ref()
                .expect("a foreign key claim has its target");
            let found: Vec<&harness::catalog::Constraint> = table
                .constraints_of(ConstraintType::ForeignKey)
                .filter(|c| {
                    c.columns == claim.columns
                        && c.foreign.as_ref().is_some_and(|f| {
                            catalog
                                .table(&f.target)
                                .map(Table::qualified_name)
                                .as_deref()
                                == Some(target.table.as_str())
                        })
                })
                .collect();
            let names: Vec<String> = found.iter().map(|c| c.name.clone()).collect();
            if let (Some(action), Some(fk)) = (claim.on_delete, found.first()) {
                let declared = fk.foreign.as_ref().expect("a foreign key").on_delete;
                if declared != action {
                    return Presence::Differs {
                        why: format!(
                            "{} is ON DELETE {}, not ON DELETE {}",
                            fk.name,
                            declared.sql().to_uppercase(),
                            action.sql().to_uppercase()
                        ),
                        names,
                    };
                }
            }
            if let Some(unvalidated) = found.iter().find(|c| !c.validated) {
                return Presence::Differs {
                    why: format!(
                        "{} is NOT VALID: rows from before it are unchecked",
                        unvalidated.name
                    ),
                    names,
                };
            }
            let parent = target
                .table
                .strip_prefix("public.")
                .unwrap_or(&target.table);
            named(names, format!("no foreign key from {where_} to {parent}"))
        }
    }
}

/// An index key as a column name: `email DESC` → `email`.
fn key_column(key: &str) -> String {
    key.split_whitespace()
        .next()
        .unwrap_or(key)
        .trim_matches('"')
        .to_owned()
}

/// Every reference: the catalog's foreign keys, and the claimed ones it lacks.
fn edges(catalog: &Catalog, claims: &[Claimed]) -> Vec<Edge> {
    let mut edges = Vec::new();
    // a partition's references are its partitioned table's: rows go in through that one
    for table in catalog.tables.iter().filter(|t| t.partition_of.is_none()) {
        for fk in table.constraints_of(ConstraintType::ForeignKey) {
            let Some(foreign) = &fk.foreign else { continue };
            let Some(parent) = catalog.table(&foreign.target) else {
                continue;
            };
            edges.push(Edge {
                child: table.qualified_name(),
                columns: fk.columns.clone(),
                parent: parent.qualified_name(),
                parent_columns: foreign.columns.clone(),
                on_delete: foreign.on_delete,
                claim: None,
                delete_claimed: false,
            });
        }
    }
    for claim in claims
        .iter()
        .filter(|c| c.kind == ConstraintKind::ForeignKey)
    {
        let target = claim
            .references
            .as_ref()
            .expect("a foreign key claim has its target");
        let existing = edges.iter_mut().find(|e| {
            e.child == claim.table && e.columns == claim.columns && e.parent == target.table
        });
        match existing {
            Some(edge) => {
                edge.claim = Some(claim.index);
                if let Some(action) = claim.on_delete {
                    edge.on_delete = action;
                    edge.delete_claimed = true;
                }
            }
            None => edges.push(Edge {
                child: claim.table.clone(),
                columns: claim.columns.clone(),
                parent: target.table.clone(),
                parent_columns: target.columns.clone(),
                on_delete: claim.on_delete.unwrap_or(FkAction::NoAction),
                claim: Some(claim.index),
                delete_claimed: claim.on_delete.is_some(),
            }),
        }
    }
    edges
}

fn expected_literal(expected: &ExpectedConstraint, field: &str, j: usize) -> String {
    let list = if field == "accepts" {
        &expected.accepts
    } else {
        &expected.rejects
    };
    list.get(j).cloned().unwrap_or_default()
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
pub(super) mod tests {
    use harness::catalog::{Column, Constraint, ForeignKey, Index};

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

    fn presence_of(catalog: &Catalog, claim: &Claimed) -> Presence {
        let table = catalog.table(&claim.table).unwrap();
        presence(catalog, table, claim)
    }

    #[test]
    fn a_unique_index_counts_as_a_unique_constraint_but_a_partial_one_does_not() {
        let mut catalog = catalog();
        let wanted = claim(ConstraintKind::Unique, "users", &["stripe_customer_id"]);
        assert!(matches!(
            presence_of(&catalog, &wanted),
            Presence::Missing(_)
        ));
        let index = Index {
            name: "users_customer_idx".into(),
            keys: vec!["stripe_customer_id".into()],
            include: vec![],
            unique: true,
            primary: false,
            valid: true,
            method: "btree".into(),
            predicate: Some("(usage_count > 0)".into()),
            constraint: None,
            definition: String::new(),
        };
        catalog.tables[1].indexes.push(index.clone());
        assert!(
            matches!(presence_of(&catalog, &wanted), Presence::Differs { ref why, .. } if why.contains("only where (usage_count > 0)"))
        );
        catalog.tables[1].indexes[0].predicate = None;
        assert_eq!(
            presence_of(&catalog, &wanted),
            Presence::Found(vec!["users_customer_idx".into()])
        );
    }

    #[test]
    fn a_foreign_key_with_another_delete_action_differs() {
        let catalog = catalog();
        let mut wanted = claim(ConstraintKind::ForeignKey, "slides", &["project_id"]);
        wanted.references = Some(Target {
            table: "public.users".into(),
            columns: vec!["id".into()],
        });
        assert_eq!(
            presence_of(&catalog, &wanted),
            Presence::Found(vec!["slides_project_id_fkey".into()])
        );
        wanted.on_delete = Some(FkAction::Cascade);
        assert_eq!(
            presence_of(&catalog, &wanted),
            Presence::Differs {
                names: vec!["slides_project_id_fkey".into()],
                why: "slides_project_id_fkey is ON DELETE NO ACTION, not ON DELETE CASCADE".into()
            }
        );
    }

    #[test]
    fn checks_and_not_null_are_found_by_their_columns() {
        let catalog = catalog();
        let mut check = claim(ConstraintKind::Check, "users", &["usage_count"]);
        assert_eq!(
            presence_of(&catalog, &check),
            Presence::Found(vec!["users_usage_count_check".into()])
        );
        check.name = Some("usage_is_positive".into());
        assert!(matches!(
            presence_of(&catalog, &check),
            Presence::Differs { .. }
        ));
        let not_null = claim(ConstraintKind::NotNull, "users", &["stripe_customer_id"]);
        assert_eq!(
            presence_of(&catalog, &not_null),
            Presence::Missing("users.stripe_customer_id accepts NULL".into())
        );
    }

    #[test]
    fn claimed_references_missing_from_the_catalog_become_edges() {
        let catalog = catalog();
        let mut wanted = claim(ConstraintKind::ForeignKey, "users", &["stripe_customer_id"]);
        wanted.references = Some(Target {
            table: "public.slides".into(),
            columns: vec!["id".into()],
        });
        wanted.on_delete = Some(FkAction::Cascade);
        let edges = edges(&catalog, &[wanted]);
        assert_eq!(edges.len(), 2, "the declared one and the claimed one");
        let claimed = edges.iter().find(|e| e.child == "public.users").unwrap();
        assert!(claimed.delete_claimed && claimed.on_delete == FkAction::Cascade);
        let declared = edges.iter().find(|e| e.child == "public.slides").unwrap();
        assert_eq!(declared.on_delete, FkAction::NoAction);
        assert_eq!(declared.claim, None);
    }
}
