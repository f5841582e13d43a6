//! Where a database stands in its migration history, for stacks whose tools step one
//! migration at a time by command: the schema, the rows the migration tool keeps for itself
//! (`alembic_version`), and a digest of every other table's rows (a migration may only
//! write data). Two databases at the same position agree on all three.

use sqlx::PgConnection;

use crate::schema::catalog::{is_bookkeeping, Catalog, SYSTEM_SCHEMAS};

#[derive(Debug, Clone)]
pub struct Position {
    pub catalog: Catalog,
    /// Each bookkeeping row as "table: (row)", sorted.
    pub bookkeeping: Vec<String>,
    /// Every other table's row count and md5 of its rows.
    data: Vec<(String, i64, String)>,
}

impl Position {
    /// Reads the position of the database `conn` is connected to; `bookkeeping` names the
    /// migration tool's tables as `[migrations] bookkeeping_tables` does.
    pub async fn read(
        conn: &mut PgConnection,
        bookkeeping: &[String],
    ) -> Result<Position, sqlx::Error> {
        let catalog = Catalog::read(conn, bookkeeping).await?;
        let tables: Vec<(String, String, Vec<String>)> = sqlx::query_as(&format!(
            "SELECT format('%I.%I', n.nspname, c.relname), c.relname::text, \
                    ARRAY(SELECT a.attname::text FROM pg_attribute a \
                          WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum) \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind IN ('r', 'p') AND {SYSTEM_SCHEMAS} ORDER BY 1"
        ))
        .fetch_all(&mut *conn)
        .await?;
        let mut kept = Vec::new();
        let mut data = Vec::new();
        for (qualified, name, columns) in tables {
            let rows_of = format!("FROM ONLY {qualified} t");
            if bookkeeping
                .iter()
                .any(|b| is_bookkeeping(b, &name, &columns))
            {
                let rows: Vec<String> =
                    sqlx::query_scalar(&format!("SELECT t::text {rows_of} ORDER BY 1"))
                        .fetch_all(&mut *conn)
                        .await?;
                kept.extend(rows.into_iter().map(|row| format!("{name}: {row}")));
            } else {
                let (count, digest): (i64, Option<String>) = sqlx::query_as(&format!(
                    "SELECT count(*), md5(string_agg(t::text, E'\\n' ORDER BY t::text)) {rows_of}"
                ))
                .fetch_one(&mut *conn)
                .await?;
                data.push((qualified, count, digest.unwrap_or_default()));
            }
        }
        kept.sort();
        Ok(Position {
            catalog,
            bookkeeping: kept,
            data,
        })
    }

    /// Whether both databases stand at the same point of the history.
    pub fn same(&self, other: &Position) -> bool {
        self.bookkeeping == other.bookkeeping
            && self.data == other.data
            && self.catalog.diff(&other.catalog).is_empty()
    }

    /// Whether this database has reached `head`, reached on another database: the same
    /// schema, and as many rows in each table. Rows are counted, not compared: tools that
    /// stamp each record with the time it was applied (Flyway, goose) never write the same
    /// row twice, and neither does seed data with a `now()` in it.
    pub fn reached(&self, head: &Position) -> bool {
        let counts = |p: &Position| -> Vec<(String, i64)> {
            p.data.iter().map(|(t, n, _)| (t.clone(), *n)).collect()
        };
        self.bookkeeping.len() == head.bookkeeping.len()
            && counts(self) == counts(head)
            && self.catalog.diff(&head.catalog).is_empty()
    }

    /// [`Position::reached`] for a database that holds rows of its own: the same schema
    /// and as many of the tool's records, whatever the other tables hold.
    pub fn reached_with_rows(&self, head: &Position) -> bool {
        self.bookkeeping.len() == head.bookkeeping.len()
            && self.catalog.diff(&head.catalog).is_empty()
    }

    /// What the migration tool recorded since `before`: the step's name, as far as the tool
    /// says it ("alembic_version: (0003_invoices)").
    pub fn recorded_since(&self, before: &Position) -> Vec<String> {
        self.bookkeeping
            .iter()
            .filter(|row| !before.bookkeeping.contains(row))
            .cloned()
            .collect()
    }

    /// How the tool's records differ from `expected`'s (`- ` expected only, `+ ` found
    /// only).
    pub fn bookkeeping_diff(&self, expected: &Position) -> Vec<String> {
        let mut out: Vec<String> = expected
            .bookkeeping
            .iter()
            .filter(|row| !self.bookkeeping.contains(row))
            .map(|row| format!("- {row}"))
            .collect();
        out.extend(
            self.bookkeeping
                .iter()
                .filter(|row| !expected.bookkeeping.contains(row))
                .map(|row| format!("+ {row}")),
        );
        out
    }
}
