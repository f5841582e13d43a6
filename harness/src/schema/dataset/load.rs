//! Loading a dataset: each table's `generate` SQL from `[scale]` runs server-side with
//! `:users` and `:seed` filled in, and every other table is generated from the catalog
//! (see [`super::derived`]), all in one transaction, with keys, foreign keys and
//! indexes dropped before and rebuilt after (see [`super::deferred`]). Then identity
//! sequences move past the generated ids, and `VACUUM (FREEZE, ANALYZE)` leaves the tables
//! as a long-running database's would be: statistics gathered, hint bits set, visibility
//! map filled, so that the first query on each clone pays for none of that.

use std::borrow::Cow;
use std::time::{Duration, Instant};

use sqlx::{Connection, Executor, PgConnection};

use super::deferred::{DeferredSchema, NotDeferrable};
use super::derived::{self, DerivedTable, LeftEmpty, Listed, Ordered};
use crate::backend::names::quote_ident;
use crate::error::ScenarioError;
use crate::run::progress;
use crate::schema::catalog::Catalog;
use crate::schema::template::Database;
use crate::subject::manifest::scales::scale_label;
use crate::subject::manifest::{ScaleSection, UnlistedTables};
use crate::subject::Subject;

/// How rows go in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadStrategy {
    /// Keys, foreign keys and indexes dropped before the load and rebuilt after it.
    IndexesAfterLoad,
    /// Everything left in place while rows go in: the baseline the other is measured against.
    InPlace,
}

/// Where rows come from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DataSource {
    /// A table's hand-written `generate` where `[scale]` has one, the catalog elsewhere.
    #[default]
    Manifest,
    /// The catalog for every table, at the manifest's rows per user (to compare the two).
    Catalog,
    /// The catalog for every table of the schema as it stands (part way through the
    /// migrations, where `[scale]`'s tables may not exist yet), at the default fan-out;
    /// tables that already hold rows are kept as they are, and nothing is vacuumed.
    SchemaAsItStands,
}

/// How a load goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadOptions {
    pub strategy: LoadStrategy,
    pub source: DataSource,
}

impl Default for LoadOptions {
    fn default() -> LoadOptions {
        LoadOptions {
            strategy: LoadStrategy::IndexesAfterLoad,
            source: DataSource::Manifest,
        }
    }
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
    /// The tables generated from the catalog rather than by hand-written SQL.
    pub derived: Vec<String>,
    /// Tables that got no rows, each with the reason.
    pub left_empty: Vec<LeftEmpty>,
}

impl LoadReport {
    pub fn total_rows(&self) -> u64 {
        self.rows.iter().map(|(_, n)| n).sum()
    }
}

impl LoadReport {
    /// For evidence: which tables were generated from the catalog and which got no rows.
    pub fn describe_sources(&self) -> Option<String> {
        let mut parts = Vec::new();
        if !self.derived.is_empty() {
            parts.push(format!(
                "generated from the catalog: {}",
                self.derived.join(", ")
            ));
        }
        for empty in &self.left_empty {
            parts.push(format!("{} left empty: {}", empty.table, empty.why));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

/// The subject's `[scale]` section, or, without one, every table generated from the
/// catalog at the default scales.
pub fn scale_of(subject: &Subject) -> Result<Cow<'_, ScaleSection>, ScenarioError> {
    Ok(match &subject.manifest.scale {
        Some(scale) => Cow::Borrowed(scale),
        None => Cow::Owned(ScaleSection::generated()),
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
    load_with(db, subject, users, seed, LoadOptions::default()).await
}

/// [`load`] with chosen options.
pub async fn load_with(
    db: &Database,
    subject: &Subject,
    users: u64,
    seed: u64,
    options: LoadOptions,
) -> Result<LoadReport, ScenarioError> {
    load_held_to(db, subject, users, seed, options, None).await
}

/// Rows for the schema as it stands part way through the migrations (in place, tables that
/// hold rows kept) that also meet the rules `head` adds later (see
/// [`Catalog::tightened_by`]), so that the migrations still to come find rows they accept.
pub async fn load_part_way(
    db: &Database,
    subject: &Subject,
    users: u64,
    seed: u64,
    head: &Catalog,
) -> Result<LoadReport, ScenarioError> {
    let options = LoadOptions {
        strategy: LoadStrategy::InPlace,
        source: DataSource::SchemaAsItStands,
    };
    load_held_to(db, subject, users, seed, options, Some(head)).await
}

async fn load_held_to(
    db: &Database,
    subject: &Subject,
    users: u64,
    seed: u64,
    options: LoadOptions,
    later: Option<&Catalog>,
) -> Result<LoadReport, ScenarioError> {
    let strategy = options.strategy;
    let scale = scale_of(subject)?;
    let started = Instant::now();
    let mut conn = db
        .connect_admin()
        .await
        .map_err(|e| ScenarioError::sql("connect to load data", e))?;
    // a small, stable number: keeps generated arithmetic far from bigint overflow
    let seed = seed % 1_000_003;
    let phase = Instant::now();
    let (order, derived, mut left_empty) =
        plan_tables(&mut conn, subject, &scale, options.source, seed, later).await?;
    let task_name = format!("dataset at {} users: load", scale_label(users));
    // none (part way through the migrations): a spinner rather than an empty bar
    let tables_to_fill = Some(order.len() as u64).filter(|n| *n > 0);
    let mut loader = Loader {
        task: progress::begin(&task_name, tables_to_fill),
        subject,
        scale: &scale,
        users,
        seed,
        order,
        derived,
        left_empty: Vec::new(),
        phases: vec![("plan the tables".into(), phase.elapsed())],
    };
    let tables = table_oids(&mut conn, &loader.order).await?;
    let (rows, used, fallback) = match strategy {
        LoadStrategy::InPlace => (loader.in_place(&mut conn).await?, strategy, None),
        LoadStrategy::IndexesAfterLoad => match loader.deferred(&mut conn, &tables).await? {
            Ok(rows) => (rows, strategy, None),
            Err(NotDeferrable(why)) => {
                tracing::info!("loading with indexes in place: {why}");
                let again = format!("{task_name} again, indexes in place");
                loader.task = progress::begin(&again, tables_to_fill);
                let rows = loader.in_place(&mut conn).await?;
                (rows, LoadStrategy::InPlace, Some(why))
            }
        },
    };
    if options.source != DataSource::SchemaAsItStands {
        let phase = Instant::now();
        loader.task.doing("vacuum (freeze, analyze)");
        conn.execute("VACUUM (FREEZE, ANALYZE)")
            .await
            .map_err(|e| ScenarioError::sql("vacuum and analyze the generated data", e))?;
        loader.phases.push(("vacuum".into(), phase.elapsed()));
    }
    let _ = conn.close().await;
    left_empty.append(&mut loader.left_empty);
    for empty in &left_empty {
        tracing::warn!("{} gets no generated rows: {}", empty.table, empty.why);
    }
    Ok(LoadReport {
        users,
        rows,
        elapsed: started.elapsed(),
        strategy: used,
        fallback,
        phases: loader.phases,
        derived: loader.derived.iter().map(|d| d.table.clone()).collect(),
        left_empty,
    })
}

/// The tables to fill in load order, the plans of those generated from the catalog, and
/// the tables that cannot be.
async fn plan_tables(
    conn: &mut PgConnection,
    subject: &Subject,
    scale: &ScaleSection,
    source: DataSource,
    seed: u64,
    later: Option<&Catalog>,
) -> Result<(Vec<Ordered>, Vec<DerivedTable>, Vec<LeftEmpty>), ScenarioError> {
    let bookkeeping = subject.manifest.migrations.bookkeeping_tables();
    let mut catalog = Catalog::read(conn, &bookkeeping)
        .await
        .map_err(|e| ScenarioError::sql("read the catalog to plan the load", e))?;
    if let Some(later) = later {
        catalog = catalog.tightened_by(later);
    }
    let mut listed = Vec::new();
    let listed_tables = match source {
        DataSource::SchemaAsItStands => &[][..],
        _ => &scale.tables[..],
    };
    for (i, table) in listed_tables.iter().enumerate() {
        let relation = crate::backend::names::relation_text(&table.table);
        let qualified: Option<String> = sqlx::query_scalar(
            "SELECT n.nspname || '.' || c.relname FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1)",
        )
        .bind(&relation)
        .fetch_optional(&mut *conn)
        .await
        .map_err(|e| ScenarioError::sql(format!("look up table {}", table.table), e))?;
        let Some(qualified) = qualified else {
            return Err(ScenarioError::Manifest(subject.invalid(
                &format!("scale.tables[{i}].table"),
                format!(
                    "table `{}` does not exist after the migrations",
                    table.table
                ),
            )));
        };
        listed.push(Listed {
            table: qualified,
            per_user: table.per_user,
            hand_written: table.generate.is_some() && source == DataSource::Manifest,
        });
    }
    let with_rows = derived::tables_with_rows(conn, &catalog)
        .await
        .map_err(|e| ScenarioError::sql("count the rows of the migrated tables", e))?;
    let order = derived::load_order(
        &catalog,
        &listed,
        scale.unlisted_tables == UnlistedTables::Generate || source == DataSource::SchemaAsItStands,
        &with_rows,
    );
    let to_derive: Vec<Ordered> = order
        .iter()
        .filter(|o| o.hand_written.is_none())
        .cloned()
        .collect();
    let (derived, left_empty) = derived::plan(conn, &catalog, &to_derive, seed)
        .await
        .map_err(|e| ScenarioError::sql("find values the columns' checks accept", e))?;
    Ok((order, derived, left_empty))
}

struct Loader<'a> {
    subject: &'a Subject,
    scale: &'a ScaleSection,
    users: u64,
    seed: u64,
    order: Vec<Ordered>,
    derived: Vec<DerivedTable>,
    left_empty: Vec<LeftEmpty>,
    phases: Vec<(String, Duration)>,
    /// Tables filled out of those to fill, and the step under way.
    task: progress::Task,
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
        self.task
            .doing(&format!("drop {} keys and indexes", deferred.len()));
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
        if !self.left_empty.is_empty() {
            // a trigger may rely on a key that is dropped (`ON CONFLICT (…)`): the
            // rows are tried again with everything in place
            let refused: Vec<String> = std::mem::take(&mut self.left_empty)
                .into_iter()
                .map(|e| format!("{} ({})", e.table, e.why))
                .collect();
            return Ok(Err(NotDeferrable(format!(
                "with the keys and indexes dropped, the server refused generated rows of {}",
                refused.join("; ")
            ))));
        }
        let phase = Instant::now();
        self.task
            .doing(&format!("rebuild {} keys and indexes", deferred.len()));
        let rebuilt = deferred.rebuild_all(&mut tx).await;
        match rebuilt {
            Err((what, sqlx::Error::Database(db_err))) if !self.derived.is_empty() => {
                // rows generated from the catalog may repeat where a type has too few
                // values for a unique key: in place, the server skips those rows instead
                return Ok(Err(NotDeferrable(format!(
                    "the generated rows break {what}: {}",
                    db_err.message()
                ))));
            }
            Err((what, sqlx::Error::Database(db_err))) => {
                return Err(ScenarioError::Manifest(self.subject.invalid(
                    "scale.tables",
                    format!("the generated rows break {what}: {}", db_err.message()),
                )))
            }
            Err((what, other)) => return Err(ScenarioError::sql(format!("rebuild {what}"), other)),
            Ok(()) => {}
        }
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

    /// Runs each table's generation, in load order: hand-written SQL (whose failure is
    /// the manifest's), or the catalog's (whose failure leaves that table empty, with the
    /// reason, and the rest of the load going on).
    async fn generate(
        &mut self,
        conn: &mut PgConnection,
    ) -> Result<Vec<(String, u64)>, ScenarioError> {
        let mut rows = Vec::new();
        for entry in &self.order {
            let phase = Instant::now();
            let label = entry.table.strip_prefix("public.").unwrap_or(&entry.table);
            self.task.doing(&format!("generate {label}"));
            let written = match entry.hand_written {
                Some(i) => self.hand_written(conn, i).await?,
                None => {
                    let Some(table) = self.derived.iter().find(|d| d.table == entry.table) else {
                        self.task.advance(1);
                        continue; // planned as left empty
                    };
                    match generate_derived(conn, table, self.users, self.seed).await? {
                        Ok(n) => n,
                        Err(why) => {
                            self.left_empty.push(LeftEmpty {
                                table: entry.table.clone(),
                                why,
                            });
                            self.task.advance(1);
                            continue;
                        }
                    }
                }
            };
            self.task.advance(1);
            self.phases
                .push((format!("generate {label}"), phase.elapsed()));
            rows.push((label.to_owned(), written));
        }
        Ok(rows)
    }

    async fn hand_written(&self, conn: &mut PgConnection, i: usize) -> Result<u64, ScenarioError> {
        let table = &self.scale.tables[i];
        let Some(generate) = &table.generate else {
            return Ok(0);
        };
        let sql = generate
            .replace(":users", &self.users.to_string())
            .replace(":seed", &self.seed.to_string());
        let result = conn.execute(sql.as_str()).await.map_err(|e| match e {
            sqlx::Error::Database(db_err) => ScenarioError::Manifest(self.subject.invalid(
                &format!("scale.tables[{i}].generate"),
                format!("generating `{}` fails: {}", table.table, db_err.message()),
            )),
            other => ScenarioError::sql(format!("generate {}", table.table), other),
        })?;
        Ok(result.rows_affected())
    }
}

/// Runs one catalog-generated table's statement inside a savepoint: a refusal by the
/// server leaves the table empty, with the server's words.
async fn generate_derived(
    conn: &mut PgConnection,
    table: &DerivedTable,
    users: u64,
    seed: u64,
) -> Result<Result<u64, String>, ScenarioError> {
    conn.execute("SAVEPOINT readiness_generate")
        .await
        .map_err(|e| ScenarioError::sql("set a savepoint", e))?;
    let sql = table.insert_sql(users, seed);
    match conn.execute(sql.as_str()).await {
        Ok(done) => {
            conn.execute("RELEASE SAVEPOINT readiness_generate")
                .await
                .map_err(|e| ScenarioError::sql("release a savepoint", e))?;
            Ok(Ok(done.rows_affected()))
        }
        Err(sqlx::Error::Database(db_err)) => {
            conn.execute("ROLLBACK TO SAVEPOINT readiness_generate")
                .await
                .map_err(|e| ScenarioError::sql("roll back to a savepoint", e))?;
            tracing::debug!("generating {} failed: {sql}", table.table);
            Ok(Err(format!(
                "the server refused the generated rows: {}",
                db_err.message()
            )))
        }
        Err(other) => Err(ScenarioError::sql(
            format!("generate {}", table.table),
            other,
        )),
    }
}

/// The oids of the tables to load.
async fn table_oids(conn: &mut PgConnection, order: &[Ordered]) -> Result<Vec<i64>, ScenarioError> {
    let mut oids = Vec::new();
    for entry in order {
        let (schema, name) = entry
            .table
            .split_once('.')
            .unwrap_or(("public", &entry.table));
        let oid: Option<i64> = sqlx::query_scalar("SELECT to_regclass($1)::oid::int8")
            .bind(format!("{}.{}", quote_ident(schema), quote_ident(name)))
            .fetch_one(&mut *conn)
            .await
            .map_err(|e| ScenarioError::sql(format!("look up table {}", entry.table), e))?;
        oids.extend(oid);
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
