//! Related rows written in one transaction, for a subject that declares no flow to write
//! with: a row of the table most others reference, and a row of each table that
//! references it (their other references pointing at rows already there). A backup is a
//! consistent snapshot exactly when every such family in the restored copy is whole or
//! absent.

use std::collections::BTreeMap;

use sqlx::{Executor, PgConnection};

use super::{fit, RowSpec, Value};
use crate::backend::names::quote_ident;
use crate::schema::catalog::{Catalog, ConstraintType, Table};

/// How a family is written.
#[derive(Debug, Clone)]
pub struct Family {
    parent: Member,
    children: Vec<Member>,
}

/// One table's row in a family.
#[derive(Debug, Clone)]
struct Member {
    spec: RowSpec,
    /// The qualified, quoted table, for reading rows back.
    table_sql: String,
    /// The primary key, read back from each row.
    key: Vec<String>,
    key_types: Vec<String>,
    /// Columns set from the family's parent row: (own column, parent's column).
    from_parent: Vec<(String, String)>,
    /// Columns set from rows already in the database.
    fixed: Vec<(String, Value)>,
    /// Columns the family's parent row must read back (for `from_parent`).
    returning: Vec<String>,
}

/// The rows one family wrote, by table: the primary key of each.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    pub rows: Vec<(String, Vec<Value>)>,
}

impl Family {
    /// Plans families for the database `conn` is connected to, described by `catalog`:
    /// `None` when no table with a primary key is referenced by another one whose rows
    /// can be written (every reference they need but the family's own pointing at a row
    /// already there).
    pub async fn plan(
        conn: &mut PgConnection,
        catalog: &Catalog,
        seed: u64,
    ) -> Result<Option<Family>, sqlx::Error> {
        let referenced = |t: &Table| {
            catalog
                .tables
                .iter()
                .flat_map(|c| c.constraints_of(ConstraintType::ForeignKey))
                .filter(|fk| {
                    fk.foreign
                        .as_ref()
                        .is_some_and(|f| f.target == t.qualified_name())
                })
                .count()
        };
        let mut parents: Vec<&Table> = catalog
            .tables
            .iter()
            .filter(|t| t.partition_of.is_none() && t.primary_key().is_some() && referenced(t) > 0)
            .collect();
        parents.sort_by_key(|t| (std::cmp::Reverse(referenced(t)), t.qualified_name()));
        for parent in parents {
            let Some(fixed) = existing_links(conn, catalog, parent, None).await? else {
                continue;
            };
            let mut children = Vec::new();
            for table in &catalog.tables {
                // a partition's rows go in through its partitioned table
                if table.qualified_name() == parent.qualified_name()
                    || table.primary_key().is_none()
                    || table.partition_of.is_some()
                {
                    continue;
                }
                let Some((link, target)) = table
                    .constraints_of(ConstraintType::ForeignKey)
                    .filter_map(|fk| fk.foreign.as_ref().map(|f| (fk, f)))
                    .find(|(_, f)| f.target == parent.qualified_name())
                else {
                    continue;
                };
                let Some(others) = existing_links(conn, catalog, table, Some(&link.name)).await?
                else {
                    continue;
                };
                let from_parent = link
                    .columns
                    .iter()
                    .cloned()
                    .zip(target.columns.iter().cloned())
                    .collect();
                children.push(member(conn, catalog, table, from_parent, others, seed).await?);
            }
            if children.is_empty() {
                continue;
            }
            let mut parent = member(conn, catalog, parent, Vec::new(), fixed, seed).await?;
            for child in &children {
                for (_, column) in &child.from_parent {
                    if !parent.returning.contains(column) {
                        parent.returning.push(column.clone());
                    }
                }
            }
            return Ok(Some(Family { parent, children }));
        }
        Ok(None)
    }

    /// The tables a family writes to, parent first.
    pub fn tables(&self) -> Vec<&str> {
        std::iter::once(&self.parent)
            .chain(&self.children)
            .map(|m| m.spec.table.as_str())
            .collect()
    }

    /// Writes family number `n` on `conn` (in the caller's transaction): the parent row,
    /// and each child row its table accepts.
    pub async fn write(&self, conn: &mut PgConnection, n: u64) -> Result<Written, sqlx::Error> {
        let mut written = Written::default();
        let parent_row = self.parent.row(n, &BTreeMap::new());
        let returned = parent_row.insert(conn, &self.parent.returning).await?;
        let parent_values: BTreeMap<String, Value> = self
            .parent
            .returning
            .iter()
            .cloned()
            .zip(returned.iter().cloned())
            .collect();
        written.rows.push((
            self.parent.table_sql.clone(),
            returned[..self.parent.key.len()].to_vec(),
        ));
        // a child row its table refuses (a key the plain values cannot keep distinct, a
        // rule across columns) is left out of this family, not the family out of the run
        for child in &self.children {
            let row = child.row(n, &parent_values);
            conn.execute("SAVEPOINT family_child").await?;
            match row.insert(conn, &child.key).await {
                Ok(key) => {
                    conn.execute("RELEASE SAVEPOINT family_child").await?;
                    written.rows.push((child.table_sql.clone(), key));
                }
                Err(sqlx::Error::Database(_)) => {
                    conn.execute("ROLLBACK TO SAVEPOINT family_child").await?;
                }
                Err(e) => return Err(e),
            }
        }
        Ok(written)
    }

    /// How many of the rows `written` holds are in the database `conn` is connected to.
    pub async fn present(
        &self,
        conn: &mut PgConnection,
        written: &Written,
    ) -> Result<usize, sqlx::Error> {
        let mut present = 0;
        for (table_sql, key) in &written.rows {
            let member = std::iter::once(&self.parent)
                .chain(&self.children)
                .find(|m| &m.table_sql == table_sql)
                .expect("a family writes only its own tables");
            let conditions: Vec<String> = member
                .key
                .iter()
                .zip(&member.key_types)
                .enumerate()
                .map(|(i, (c, t))| format!("{} = ${}::{t}", quote_ident(c), i + 1))
                .collect();
            let sql = format!(
                "SELECT EXISTS (SELECT 1 FROM {table_sql} WHERE {})",
                conditions.join(" AND ")
            );
            let mut query = sqlx::query_scalar::<_, bool>(&sql);
            for value in key {
                query = query.bind(value.as_param());
            }
            if query.fetch_one(&mut *conn).await? {
                present += 1;
            }
        }
        Ok(present)
    }
}

impl Member {
    /// Row `n`: plain values, far from the ones datasets and other runs use, its
    /// references set.
    fn row(&self, n: u64, parent: &BTreeMap<String, Value>) -> super::Row {
        let mut row = self
            .spec
            .canonical(10_000_000 + n)
            .unwrap_or_else(|_| self.spec.nulls());
        for (column, value) in &self.fixed {
            row.set(column, value.clone());
        }
        for (column, from) in &self.from_parent {
            row.set(column, parent.get(from).cloned().unwrap_or(Value::Null));
        }
        row
    }
}

async fn member(
    conn: &mut PgConnection,
    catalog: &Catalog,
    table: &Table,
    from_parent: Vec<(String, String)>,
    fixed: Vec<(String, Value)>,
    seed: u64,
) -> Result<Member, sqlx::Error> {
    let mut spec = RowSpec::for_table(table, catalog);
    spec.limit_to(&fit::valid_values(conn, catalog, table, seed).await?);
    let key: Vec<String> = table.primary_key().unwrap_or_default().to_vec();
    let key_types = key
        .iter()
        .map(|c| {
            table
                .column(c)
                .map_or("text".to_owned(), |c| c.data_type.clone())
        })
        .collect();
    Ok(Member {
        table_sql: format!(
            "{}.{}",
            quote_ident(&table.schema),
            quote_ident(&table.name)
        ),
        returning: key.clone(),
        key,
        key_types,
        spec,
        from_parent,
        fixed,
    })
}

/// Values for `table`'s references (all but the one named `except`) from rows already in
/// the database; `None` when one that may not be NULL has no row to point at.
async fn existing_links(
    conn: &mut PgConnection,
    catalog: &Catalog,
    table: &Table,
    except: Option<&str>,
) -> Result<Option<Vec<(String, Value)>>, sqlx::Error> {
    let mut fixed = Vec::new();
    for fk in table.constraints_of(ConstraintType::ForeignKey) {
        let Some(foreign) = fk
            .foreign
            .as_ref()
            .filter(|_| Some(fk.name.as_str()) != except)
        else {
            continue;
        };
        let required = fk
            .columns
            .iter()
            .any(|c| table.column(c).is_some_and(|c| c.not_null));
        match existing_key(conn, catalog, &foreign.target, &foreign.columns).await? {
            Some(values) => fixed.extend(fk.columns.iter().cloned().zip(values)),
            None if required => return Ok(None),
            None => {}
        }
    }
    Ok(Some(fixed))
}

/// A key of some row already in `table` (`schema.name`), the columns `columns`.
async fn existing_key(
    conn: &mut PgConnection,
    catalog: &Catalog,
    table: &str,
    columns: &[String],
) -> Result<Option<Vec<Value>>, sqlx::Error> {
    let Some(target) = catalog.table(table) else {
        return Ok(None);
    };
    let selected: Vec<String> = columns
        .iter()
        .map(|c| format!("{}::text", quote_ident(c)))
        .collect();
    let sql = format!(
        "SELECT ARRAY[{}] FROM {}.{} LIMIT 1",
        selected.join(", "),
        quote_ident(&target.schema),
        quote_ident(&target.name)
    );
    let row: Option<Vec<Option<String>>> = sqlx::query_scalar(&sql).fetch_optional(conn).await?;
    Ok(row.map(|values| {
        values
            .into_iter()
            .map(|v| v.map(Value::Text).unwrap_or(Value::Null))
            .collect()
    }))
}
