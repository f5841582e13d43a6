//! The tables of the schema as it stands, as a lock trace needs them: each one's oid and
//! indexes (to tell which table a lock is on), its rows, its relfilenode (to tell a
//! rewrite), and a column a no-op `UPDATE … SET c = c` may set.

use std::collections::BTreeMap;

use sqlx::PgConnection;

use crate::backend::names::quote_ident;
use crate::schema::catalog::{is_bookkeeping, SYSTEM_SCHEMAS};

/// One table of the subject's schema (partitions and the migration tool's own tables
/// left out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TracedTable {
    pub oid: u32,
    pub schema: String,
    pub name: String,
    pub rows: u64,
    /// Zero for a partitioned table, which has no storage of its own.
    pub relfilenode: u32,
    /// Its indexes' oids: a lock on one of them is a lock on the table's queries.
    pub indexes: Vec<u32>,
    /// The first column that is neither generated nor an identity `ALWAYS`: what the
    /// workload's no-op update sets (none when there is no such column).
    pub settable: Option<String>,
}

impl TracedTable {
    /// `users`, or `billing.invoices` outside `public`.
    pub fn display_name(&self) -> String {
        if self.schema == "public" {
            self.name.clone()
        } else {
            format!("{}.{}", self.schema, self.name)
        }
    }

    /// The name quoted for SQL.
    pub fn sql_name(&self) -> String {
        format!("{}.{}", quote_ident(&self.schema), quote_ident(&self.name))
    }
}

/// Every table of the schema `conn` is connected to, with its rows counted; `bookkeeping`
/// names the migration tool's tables as `[migrations] bookkeeping_tables` does.
pub async fn list(
    conn: &mut PgConnection,
    bookkeeping: &[String],
) -> Result<Vec<TracedTable>, sqlx::Error> {
    type Row = (
        i64,
        String,
        String,
        i64,
        Vec<i64>,
        Option<String>,
        Vec<String>,
    );
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT c.oid::int8, n.nspname::text, c.relname::text, c.relfilenode::int8, \
                ARRAY(SELECT i.indexrelid::int8 FROM pg_index i WHERE i.indrelid = c.oid), \
                (SELECT a.attname::text FROM pg_attribute a \
                 WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped \
                   AND a.attidentity <> 'a' AND a.attgenerated = '' ORDER BY a.attnum LIMIT 1), \
                ARRAY(SELECT a.attname::text FROM pg_attribute a \
                      WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum) \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND {SYSTEM_SCHEMAS} \
           AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e') \
         ORDER BY 2, 3"
    ))
    .persistent(false)
    .fetch_all(&mut *conn)
    .await?;
    let mut tables = Vec::with_capacity(rows.len());
    for (oid, schema, name, relfilenode, indexes, settable, columns) in rows {
        if bookkeeping
            .iter()
            .any(|b| is_bookkeeping(b, &name, &columns))
        {
            continue;
        }
        let mut table = TracedTable {
            oid: oid as u32,
            schema,
            name,
            rows: 0,
            relfilenode: relfilenode as u32,
            indexes: indexes.into_iter().map(|i| i as u32).collect(),
            settable,
        };
        let rows: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {}", table.sql_name()))
            .persistent(false)
            .fetch_one(&mut *conn)
            .await?;
        table.rows = rows.max(0) as u64;
        tables.push(table);
    }
    Ok(tables)
}

/// The relfilenode of each of `oids` that still exists.
pub async fn relfilenodes(
    conn: &mut PgConnection,
    oids: &[u32],
) -> Result<BTreeMap<u32, u32>, sqlx::Error> {
    let oids: Vec<i64> = oids.iter().map(|o| i64::from(*o)).collect();
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT oid::int8, relfilenode::int8 FROM pg_class WHERE oid::int8 = ANY($1)",
    )
    .bind(&oids)
    .persistent(false)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(oid, node)| (oid as u32, node as u32))
        .collect())
}
