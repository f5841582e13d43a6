//! Loading a dataset: each table's `generate` SQL from `[scale]` runs server-side with
//! `:users` and `:seed` filled in, all in one transaction, with keys, foreign keys and
//! indexes dropped before and rebuilt after (see [`super::deferred`]). Then identity
//! sequences move past the generated ids, and `VACUUM (FREEZE, ANALYZE)` leaves the tables
//! as a long-running database's would be: statistics gathered, hint bits set, visibility
//! map filled, so that the first query on each clone pays for none of that.

use std::time::{Duration, Instant};

use sqlx::{Connection, Executor, PgConnection};

use super::deferred::{DeferredSchema, NotDeferrable};
use crate::backend::names::quote_ident;
use crate::run::scenario::ScenarioError;
use crate::schema::catalog::Catalog;
use crate::schema::template::Database;
use crate::subject::manifest::ScaleSection;
use crate::subject::Subject;

/// How rows go in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadStrategy {
    /// Keys, foreign keys and indexes dropped before the load and rebuilt after it.
    IndexesAfterLoad,
    /// Everything left in place while rows go in: the baseline the other is measured against.
    InPlace,
}

/// What a load produced.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadReport {
    pub users: u64,
    /// Rows per table, in load order.
    pub rows: Vec<(String, u64)>,
    pub elapsed: Duration,
    /// The strategy used (in place when the indexes could not be deferred).
    pub strategy: LoadStrategy,
    /// Why the indexes were not deferred although that was asked for.
    pub fallback: Option<String>,
    /// Where the time went, in order.
    pub phases: Vec<(String, Duration)>,
}

impl LoadReport {
    pub fn total_rows(&self) -> u64 {
        self.rows.iter().map(|(_, n)| n).sum()
    }
}

/// The subject's `[scale]` section; without one, the scenarios that need data at scale
/// cannot run (NOT PROVEN, with the reason): the section is optional, not a mistake.
pub fn scale_of(subject: &Subject) -> Result<&ScaleSection, ScenarioError> {
    subject.manifest.scale.as_ref().ok_or_else(|| {
        ScenarioError::Other(format!(
            "this scenario needs generated data: {} has no [scale] section saying how to generate it",
            subject.manifest_path.display()
        ))
    })
}

/// Generates `users` users' worth of data into `db` (which must hold the migrated schema),
/// with the indexes built after the rows are in.
pub async fn load(
    db: &Database,
    subject: &Subject,
    users: u64,
    seed: u64,
) -> Result<LoadReport, ScenarioError> {
    load_with(db, subject, users, seed, LoadStrategy::IndexesAfterLoad).await
}

/// [`load`] with a chosen strategy.
pub async fn load_with(
    db: &Database,
    subject: &Subject,
    users: u64,
    seed: u64,
    strategy: LoadStrategy,
) -> Result<LoadReport, ScenarioError> {
    let scale = scale_of(subject)?;
    let started = Instant::now();
    let mut conn = db
        .connect_admin()
        .await
        .map_err(|e| ScenarioError::sql("connect to load data", e))?;
    let mut loader = Loader {
        subject,
        scale,
        users,
        // a small, stable number: keeps generated arithmetic far from bigint overflow
        seed: seed % 1_000_003,
        phases: Vec::new(),
    };
    let tables = table_oids(&mut conn, subject, scale).await?;
    let (rows, used, fallback) = match strategy {
        LoadStrategy::InPlace => (loader.in_place(&mut conn).await?, strategy, None),
        LoadStrategy::IndexesAfterLoad => match loader.deferred(&mut conn, &tables).await? {
            Ok(rows) => (rows, strategy, None),
            Err(NotDeferrable(why)) => {
                tracing::info!("loading with indexes in place: {why}");
                let rows = loader.in_place(&mut conn).await?;
                (rows, LoadStrategy::InPlace, Some(why))
            }
        },
    };
    let phase = Instant::now();
    conn.execute("VACUUM (FREEZE, ANALYZE)")
        .await
        .map_err(|e| ScenarioError::sql("vacuum and analyze the generated data", e))?;
    loader.phases.push(("vacuum".into(), phase.elapsed()));
    let _ = conn.close().await;
    Ok(LoadReport {
        users,
        rows,
        elapsed: started.elapsed(),
        strategy: used,
        fallback,
        phases: loader.phases,
    })
}

struct Loader<'a> {
    subject: &'a Subject,
    scale: &'a ScaleSection,
    users: u64,
    seed: u64,
    phases: Vec<(String, Duration)>,
}

impl Loader<'_> {
    /// Drops what can be rebuilt, generates, rebuilds, and checks that the schema is
    /// exactly what it was; anything short of that rolls back and says why.
    async fn deferred(
        &mut self,
        conn: &mut PgConnection,
        tables: &[i64],
    ) -> Result<Result<Vec<(String, u64)>, NotDeferrable>, ScenarioError> {
        let mut tx = conn
            .begin()
            .await
            .map_err(|e| ScenarioError::sql("begin the load", e))?;
        tx.execute("SET LOCAL maintenance_work_mem = '512MB'")
            .await
            .map_err(|e| ScenarioError::sql("raise maintenance_work_mem", e))?;
        let before = Catalog::read(&mut tx, &[])
            .await
            .map_err(|e| ScenarioError::sql("read the catalog before the load", e))?;
        let deferred = match DeferredSchema::read(&mut tx, tables)
            .await
            .map_err(|e| ScenarioError::sql("read the keys and indexes to defer", e))?
        {
            Ok(deferred) => deferred,
            Err(why) => return Ok(Err(why)),
        };
        let phase = Instant::now();
        if let Err(e) = deferred.drop_all(&mut tx).await {
            return Ok(Err(NotDeferrable(format!(
                "dropping the keys and indexes fails: {e}"
            ))));
        }
        self.phases.push((
            format!("drop {} keys and indexes", deferred.len()),
            phase.elapsed(),
        ));
        let rows = self.generate(&mut tx).await?;
        let phase = Instant::now();
        deferred
            .rebuild_all(&mut tx)
            .await
            .map_err(|(what, e)| match e {
                sqlx::Error::Database(db_err) => ScenarioError::Manifest(self.subject.invalid(
                    "scale.tables",
                    format!("the generated rows break {what}: {}", db_err.message()),
                )),
                other => ScenarioError::sql(format!("rebuild {what}"), other),
            })?;
        self.phases.push((
            format!("rebuild {} keys and indexes", deferred.len()),
            phase.elapsed(),
        ));
        let after = Catalog::read(&mut tx, &[])
            .await
            .map_err(|e| ScenarioError::sql("read the catalog after the load", e))?;
        let diff = crate::schema::catalog::reparse::align(&mut tx, &before, &after)
            .await
            .map_err(|e| ScenarioError::sql("compare the catalog before and after the load", e))?
            .diff();
        if !diff.is_empty() {
            return Ok(Err(NotDeferrable(format!(
                "rebuilding changed the schema: {}",
                diff.join("; ")
            ))));
        }
        advance_sequences(&mut tx).await?;
        tx.commit()
            .await
            .map_err(|e| ScenarioError::sql("commit the load", e))?;
        Ok(Ok(rows))
    }

    async fn in_place(
        &mut self,
        conn: &mut PgConnection,
    ) -> Result<Vec<(String, u64)>, ScenarioError> {
        let mut tx = conn
            .begin()
            .await
            .map_err(|e| ScenarioError::sql("begin the load", e))?;
        let rows = self.generate(&mut tx).await?;
        advance_sequences(&mut tx).await?;
        tx.commit()
            .await
            .map_err(|e| ScenarioError::sql("commit the load", e))?;
        Ok(rows)
    }

    /// Runs each table's generation SQL, in load order.
    async fn generate(
        &mut self,
        conn: &mut PgConnection,
    ) -> Result<Vec<(String, u64)>, ScenarioError> {
        let mut rows = Vec::new();
        for (i, table) in self.scale.tables.iter().enumerate() {
            let Some(generate) = &table.generate else {
                continue;
            };
            let sql = generate
                .replace(":users", &self.users.to_string())
                .replace(":seed", &self.seed.to_string());
            let phase = Instant::now();
            let result = conn.execute(sql.as_str()).await.map_err(|e| match e {
                sqlx::Error::Database(db_err) => ScenarioError::Manifest(self.subject.invalid(
                    &format!("scale.tables[{i}].generate"),
                    format!("generating `{}` fails: {}", table.table, db_err.message()),
                )),
                other => ScenarioError::sql(format!("generate {}", table.table), other),
            })?;
            self.phases
                .push((format!("generate {}", table.table), phase.elapsed()));
            rows.push((table.table.clone(), result.rows_affected()));
        }
        Ok(rows)
    }
}

/// The oids of the `[scale]` tables; a table that does not exist is the manifest's fault.
async fn table_oids(
    conn: &mut PgConnection,
    subject: &Subject,
    scale: &ScaleSection,
) -> Result<Vec<i64>, ScenarioError> {
    let mut oids = Vec::new();
    for (i, table) in scale.tables.iter().enumerate() {
        let oid: Option<i64> = sqlx::query_scalar("SELECT to_regclass($1)::oid::int8")
            .bind(crate::backend::names::relation_text(&table.table))
            .fetch_one(&mut *conn)
            .await
            .map_err(|e| ScenarioError::sql(format!("look up table {}", table.table), e))?;
        match oid {
            Some(oid) => oids.push(oid),
            None => {
                return Err(ScenarioError::Manifest(subject.invalid(
                    &format!("scale.tables[{i}].table"),
                    format!(
                        "table `{}` does not exist after the migrations",
                        table.table
                    ),
                )))
            }
        }
    }
    Ok(oids)
}

/// Moves every identity or serial sequence past the largest id the generator wrote, so
/// that the application's own inserts do not collide with generated rows.
async fn advance_sequences(conn: &mut PgConnection) -> Result<(), ScenarioError> {
    let owned: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), a.attname::text, \
                pg_get_serial_sequence(quote_ident(n.nspname) || '.' || quote_ident(c.relname), a.attname) \
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped \
           AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
           AND pg_get_serial_sequence(quote_ident(n.nspname) || '.' || quote_ident(c.relname), a.attname) IS NOT NULL",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(|e| ScenarioError::sql("find identity sequences", e))?;
    for (table, column, sequence) in owned {
        let sql = format!(
            "SELECT setval('{sequence}', greatest((SELECT max({col}) FROM {table}), 1))",
            col = quote_ident(&column)
        );
        conn.execute(sql.as_str())
            .await
            .map_err(|e| ScenarioError::sql(format!("advance {sequence}"), e))?;
    }
    Ok(())
}
