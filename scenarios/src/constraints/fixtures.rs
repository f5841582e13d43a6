//! Plain rows that generated ones stand on: tables ordered so that every referenced row
//! comes first, plain (canonical) rows that keep the claims, and parent rows for every
//! reference out of the tables under test, with the keys they got.

use std::collections::{BTreeSet, HashMap};

use harness::run::scenario::ScenarioError;
use harness::schema::rowgen::{Row, RowGenError, Value};
use harness::subject::manifest::ConstraintKind;
use sqlx::PgConnection;

use super::rules;
use super::schema::Schema;

/// The tables that `tables` reference, directly or through others (not `tables`
/// themselves, unless one references another).
pub fn ancestors(schema: &Schema, tables: &[String]) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut todo: Vec<String> = tables.to_vec();
    while let Some(table) = todo.pop() {
        for edge in schema.edges_from(&table) {
            if found.insert(edge.parent.clone()) {
                todo.push(edge.parent.clone());
            }
        }
    }
    found
}

/// `tables` with every referenced table before the tables that reference it; a reference
/// of a table to itself is ignored. A cycle between tables is an error.
pub fn reference_order(
    schema: &Schema,
    tables: &BTreeSet<String>,
) -> Result<Vec<String>, ScenarioError> {
    let mut placed: Vec<String> = Vec::new();
    let mut left: Vec<&String> = tables.iter().collect();
    while !left.is_empty() {
        let ready: Vec<&String> = left
            .iter()
            .copied()
            .filter(|t| {
                schema.edges_from(t).iter().all(|e| {
                    e.parent == **t || !tables.contains(&e.parent) || placed.contains(&e.parent)
                })
            })
            .collect();
        if ready.is_empty() {
            return Err(ScenarioError::Other(format!(
                "generate rows: the references between {} form a cycle",
                left.iter()
                    .map(|t| t.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        left.retain(|t| !ready.contains(t));
        placed.extend(ready.into_iter().cloned());
    }
    Ok(placed)
}

/// The columns to read back from a new row of `table`: its primary key and every column
/// something references.
pub fn key_columns(schema: &Schema, table: &str) -> Vec<String> {
    let mut columns: Vec<String> = schema
        .table(table)
        .primary_key()
        .map(<[String]>::to_vec)
        .unwrap_or_default();
    for edge in schema.edges.iter().filter(|e| e.parent == table) {
        for column in &edge.parent_columns {
            if !columns.contains(column) {
                columns.push(column.clone());
            }
        }
    }
    columns
}

/// Keys of parent rows, by the schema's index of the edge that references them.
pub type ParentKeys = HashMap<usize, Vec<Value>>;

/// The plain row number `n` of `table`, its references set from `parent_keys` (NULL
/// where it has none), every claimed check kept.
pub async fn plain_row(
    conn: &mut PgConnection,
    schema: &Schema,
    table: &str,
    n: u64,
    parent_keys: &ParentKeys,
) -> Result<Row, PlainRowError> {
    let mut row = schema.row_spec(table).canonical(n)?;
    for edge in schema.edges_from(table) {
        let key = parent_keys.get(&schema.edge_index(edge));
        for (i, column) in edge.columns.iter().enumerate() {
            let value = key.map_or(Value::Null, |k| k[i].clone());
            row.set(column, value);
        }
    }
    // a plain value may break a claimed check (say `x < 0`): take an accepted one instead
    for claim in schema.claims_on(table) {
        if claim.kind != ConstraintKind::Check || claim.accepts.is_empty() {
            continue;
        }
        if !matches!(row.get(&claim.columns[0]), Some(Value::Text(_))) {
            continue;
        }
        if !rules::claim_holds(conn, schema, claim, &row).await? {
            let accepted = claim.accepts[n as usize % claim.accepts.len()].clone();
            row.set(&claim.columns[0], accepted);
        }
    }
    Ok(row)
}

/// Inserts [`plain_row`] and returns the `returning` columns as text.
pub async fn insert_plain(
    conn: &mut PgConnection,
    schema: &Schema,
    table: &str,
    n: u64,
    parent_keys: &ParentKeys,
    returning: &[String],
) -> Result<Vec<Value>, PlainRowError> {
    let row = plain_row(conn, schema, table, n, parent_keys).await?;
    row.insert(conn, returning)
        .await
        .map_err(|source| PlainRowError::Insert {
            row: row.display_sql(),
            source,
        })
}

/// Why a plain row could not be inserted.
#[derive(Debug, thiserror::Error)]
pub enum PlainRowError {
    #[error(transparent)]
    Generate(#[from] RowGenError),
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
    #[error("{row}: {source}")]
    Insert { row: String, source: sqlx::Error },
}

impl PlainRowError {
    /// The database's refusal, when the row was refused.
    pub fn refusal(&self) -> Option<&sqlx::Error> {
        match self {
            PlainRowError::Sql(e) | PlainRowError::Insert { source: e, .. } => Some(e),
            PlainRowError::Generate(_) => None,
        }
    }

    pub fn into_scenario_error(self, table: &str) -> ScenarioError {
        match self {
            PlainRowError::Generate(e) => ScenarioError::Other(format!("failed to {e}")),
            PlainRowError::Sql(e) => {
                ScenarioError::sql(format!("insert a plain row into {table}"), e)
            }
            PlainRowError::Insert { row, source } => {
                ScenarioError::sql(format!("insert a plain row into {table} ({row})"), source)
            }
        }
    }
}

/// The columns read back from an inserted row, and their values.
type KeyedRow = (Vec<String>, Vec<Value>);

/// Committed parent rows for the references out of some tables, by edge.
#[derive(Debug, Default)]
pub struct Parents {
    keys: HashMap<usize, Vec<Vec<Value>>>,
}

impl Parents {
    /// Inserts `per_table` plain rows into every table that `tables` reference, directly or
    /// not, parents first.
    pub async fn insert(
        conn: &mut PgConnection,
        schema: &Schema,
        tables: &[String],
        per_table: u64,
    ) -> Result<Parents, ScenarioError> {
        Parents::insert_numbered(conn, schema, tables, per_table, 0).await
    }

    /// [`Parents::insert`], the plain rows numbered from `first` (so that rows made by
    /// several calls stay distinct).
    pub async fn insert_numbered(
        conn: &mut PgConnection,
        schema: &Schema,
        tables: &[String],
        per_table: u64,
        first: u64,
    ) -> Result<Parents, ScenarioError> {
        let order = reference_order(schema, &ancestors(schema, tables))?;
        let mut rows: HashMap<String, Vec<KeyedRow>> = HashMap::new();
        let mut n = first;
        for table in &order {
            let returning = key_columns(schema, table);
            // as many rows as any table has references to this one, so that each can
            // point at a different row (a transfer from one account to another)
            let wanted = schema
                .catalog
                .tables
                .iter()
                .map(|t| {
                    schema
                        .edges_from(&t.qualified_name())
                        .iter()
                        .filter(|e| &e.parent == table)
                        .count() as u64
                })
                .max()
                .unwrap_or(0)
                .max(per_table);

            for k in 0..wanted {
                let mut parent_keys = ParentKeys::new();
                let mut seen: HashMap<&str, usize> = HashMap::new();
                for edge in schema.edges_from(table) {
                    let nth = seen.entry(edge.parent.as_str()).or_insert(0);
                    let shift = *nth;
                    *nth += 1;
                    if let Some(parents) = rows.get(&edge.parent) {
                        let (columns, values) = &parents[(k as usize + shift) % parents.len()];
                        parent_keys.insert(
                            schema.edge_index(edge),
                            pick(columns, values, &edge.parent_columns),
                        );
                    }
                }
                let values = insert_plain(conn, schema, table, n, &parent_keys, &returning)
                    .await
                    .map_err(|e| e.into_scenario_error(table))?;
                n += 1;
                rows.entry(table.clone())
                    .or_default()
                    .push((returning.clone(), values));
            }
        }
        let mut keys = HashMap::new();
        for (i, edge) in schema.edges.iter().enumerate() {
            if let Some(parents) = rows.get(&edge.parent) {
                let list: Vec<Vec<Value>> = parents
                    .iter()
                    .map(|(columns, values)| pick(columns, values, &edge.parent_columns))
                    .collect();
                keys.insert(i, list);
            }
        }
        // a one-to-one reference (its columns unique in the child) needs parents no child
        // row holds yet: rows of the parent made for it alone
        for (i, edge) in schema.edges.iter().enumerate() {
            let one_to_one = schema.table(&edge.child).is_unique_key(&edge.columns);
            if !one_to_one || !rows.contains_key(&edge.parent) {
                continue;
            }
            let returning = key_columns(schema, &edge.parent);
            let mut fresh = Vec::new();
            // two at least: rows raced together each need a parent of their own
            for _ in 0..per_table.max(2) {
                let mut parent_keys = ParentKeys::new();
                for up in schema.edges_from(&edge.parent) {
                    if let Some(above) = rows.get(&up.parent) {
                        let (columns, values) = &above[n as usize % above.len()];
                        parent_keys.insert(
                            schema.edge_index(up),
                            pick(columns, values, &up.parent_columns),
                        );
                    }
                }
                let values = insert_plain(conn, schema, &edge.parent, n, &parent_keys, &returning)
                    .await
                    .map_err(|e| e.into_scenario_error(&edge.parent))?;
                n += 1;
                fresh.push(pick(&returning, &values, &edge.parent_columns));
            }
            keys.insert(i, fresh);
        }
        Ok(Parents { keys })
    }

    /// A parent key for every edge out of `table`: the `offset`-th parent's (0: the first),
    /// and where several edges reach the same table (a transfer's from and to account) a
    /// different one for each, as a rule such as `from_id <> to_id` may ask. Two rows raced
    /// together take offsets 0 and 1, so that a one-to-one reference (a subscription per
    /// organization) does not refuse the second row for a key other than the raced one.
    pub fn keys_from(&self, schema: &Schema, table: &str, offset: usize) -> ParentKeys {
        let mut seen: HashMap<String, usize> = HashMap::new();
        schema
            .edges_from(table)
            .into_iter()
            .filter_map(|edge| {
                let i = schema.edge_index(edge);
                let nth = seen.entry(edge.parent.clone()).or_insert(offset);
                let keys = self.keys(i);
                let key = keys.get(*nth % keys.len().max(1)).cloned();
                *nth += 1;
                key.map(|k| (i, k))
            })
            .collect()
    }

    /// The parent keys available to edge number `edge` of the schema.
    pub fn keys(&self, edge: usize) -> &[Vec<Value>] {
        self.keys.get(&edge).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// The values of `wanted` among `columns`.
pub fn pick(columns: &[String], values: &[Value], wanted: &[String]) -> Vec<Value> {
    wanted
        .iter()
        .map(|w| {
            columns
                .iter()
                .position(|c| c == w)
                .map_or(Value::Null, |i| values[i].clone())
        })
        .collect()
}
