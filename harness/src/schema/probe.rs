//! The manifest's main queries run against a database: prepared once, with parameters
//! drawn from the data, then executed under `EXPLAIN ANALYZE` in a transaction that is
//! rolled back (so that a `DELETE` can be measured again and again), recording the plan,
//! the server's timings, and which tables and indexes the execution scanned — the scans of
//! triggers and foreign-key cascades included, which no plan shows.
//!
//! Every problem with a query's text or parameters is a manifest error naming the query;
//! an expected index the schema lacks is noted for the scenario to judge.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::{Connection, Executor, PgConnection, Row};

use crate::backend::names::quote_literal;
use crate::error::ScenarioError;
use crate::schema::main_queries::MainQueries;
use crate::schema::plan::Explained;
use crate::subject::manifest::Query;
use crate::subject::Subject;

/// A main query prepared on one connection, with its parameters drawn from the data.
#[derive(Debug, Clone)]
pub struct PreparedQuery {
    /// Its position in the manifest's `[[queries]]`.
    pub position: usize,
    pub name: String,
    pub expect_index: Option<String>,
    /// False when the migrated schema has no index named `expect_index`.
    pub expected_index_exists: bool,
    /// The parameters, as SQL literals, in order.
    pub args: Vec<String>,
    /// The server-side prepared statement's name.
    statement: String,
    /// The manifest it comes from, for errors found when it runs (none when derived
    /// from the catalog: then its failure is the harness's, not the user's).
    manifest_path: Option<PathBuf>,
}

/// `PREPARE name AS sql` on `conn`, and the statement's parameter types; the server's
/// refusal (its message) when the statement does not prepare.
pub(crate) async fn prepare_named(
    conn: &mut PgConnection,
    name: &str,
    sql: &str,
) -> Result<Result<Vec<String>, String>, sqlx::Error> {
    if let Err(e) = conn
        .execute(format!("PREPARE {name} AS {sql}").as_str())
        .await
    {
        return match e {
            sqlx::Error::Database(db) => Ok(Err(db.message().to_owned())),
            other => Err(other),
        };
    }
    let types: Vec<String> = sqlx::query_scalar(
        "SELECT coalesce(parameter_types::text[], '{}') FROM pg_prepared_statements WHERE name = $1",
    )
    .bind(name)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Ok(types))
}

/// What one execution scanned, by table or index.
#[derive(Debug, Clone, PartialEq)]
pub struct Scanned {
    /// As `regclass` text.
    pub relation: String,
    /// The table's estimated row count (`reltuples`); for an index, its table's.
    pub table_rows: f64,
    /// Sequential scans of a table; scans of an index.
    pub scans: i64,
}

/// One execution of a main query under `EXPLAIN (ANALYZE, BUFFERS)`.
#[derive(Debug, Clone)]
pub struct Probe {
    pub explained: Explained,
    /// Tables read by sequential scan, triggers and cascades included.
    pub seq_scanned: Vec<Scanned>,
    /// Indexes scanned, triggers and cascades included.
    pub index_scanned: Vec<Scanned>,
}

impl PreparedQuery {
    /// Prepares the main query at `position` on `conn` and draws its parameters from the
    /// data there.
    pub async fn prepare(
        conn: &mut PgConnection,
        subject: &Subject,
        main: &MainQueries,
        position: usize,
    ) -> Result<PreparedQuery, ScenarioError> {
        static STATEMENTS: AtomicU64 = AtomicU64::new(0);
        let query: &Query = &main.queries[position];
        let key = |leaf: &str| format!("queries[{position}].{leaf}");
        let invalid = |leaf: &str, message: String| {
            if main.is_manifests(position) {
                ScenarioError::Manifest(subject.invalid(&key(leaf), message))
            } else {
                ScenarioError::Other(format!("{}: {message}", main.source_of(position)))
            }
        };
        // a claimed index the schema lacks is the claim's failure, not the manifest's:
        // the query still runs, and the scenario says so
        let expected_index_exists = match &query.expect_index {
            Some(index) => sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM pg_class WHERE oid = to_regclass($1) AND relkind IN ('i', 'I'))",
            )
            .bind(crate::backend::names::relation_text(index))
            .fetch_one(&mut *conn)
            .await
            .map_err(|e| ScenarioError::sql("look up an expected index", e))?,
            None => true,
        };
        let statement = format!(
            "readiness_q{position}_{}",
            STATEMENTS.fetch_add(1, Ordering::Relaxed)
        );
        let types = prepare_named(conn, &statement, &query.sql)
            .await
            .map_err(|e| ScenarioError::sql(format!("prepare query `{}`", query.name), e))?
            .map_err(|message| {
                invalid(
                    "sql",
                    format!("query `{}` does not prepare: {message}", query.name),
                )
            })?;
        if types.len() != query.params.len() {
            return Err(invalid(
                "params",
                format!(
                    "query `{}` takes {} parameter(s) but `params` gives {}",
                    query.name,
                    types.len(),
                    query.params.len()
                ),
            ));
        }
        let mut args = Vec::with_capacity(types.len());
        for (j, (param, type_name)) in query.params.iter().zip(&types).enumerate() {
            let leaf = format!("params[{j}]");
            let drawn: Option<Option<String>> =
                sqlx::query_scalar(&format!("SELECT v::text FROM ({param}) AS p(v) LIMIT 1"))
                    .persistent(false)
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(|e| match e {
                        sqlx::Error::Database(db) => invalid(
                            &leaf,
                            format!(
                                "parameter ${} of query `{}` does not run: {}",
                                j + 1,
                                query.name,
                                db.message()
                            ),
                        ),
                        other => ScenarioError::sql("draw a query parameter", other),
                    })?;
            let Some(Some(value)) = drawn else {
                return Err(invalid(
                    &leaf,
                    format!(
                        "parameter ${} of query `{}` finds no value in the generated data",
                        j + 1,
                        query.name
                    ),
                ));
            };
            let literal = quote_literal(&value);
            sqlx::query(&format!("SELECT {literal}::{type_name}"))
                .persistent(false)
                .execute(&mut *conn)
                .await
                .map_err(|e| match e {
                    sqlx::Error::Database(db) => invalid(
                        &leaf,
                        format!(
                            "parameter ${} of query `{}` is {literal}, which does not match its type {type_name}: {}",
                            j + 1,
                            query.name,
                            db.message()
                        ),
                    ),
                    other => ScenarioError::sql("check a query parameter", other),
                })?;
            args.push(literal);
        }
        Ok(PreparedQuery {
            position,
            name: query.name.clone(),
            expect_index: query.expect_index.clone(),
            expected_index_exists,
            args,
            statement,
            manifest_path: main
                .is_manifests(position)
                .then(|| subject.manifest_path.clone()),
        })
    }

    /// Every main query, prepared on `conn`.
    pub async fn prepare_all(
        conn: &mut PgConnection,
        subject: &Subject,
        main: &MainQueries,
    ) -> Result<Vec<PreparedQuery>, ScenarioError> {
        let mut prepared = Vec::new();
        for position in 0..main.queries.len() {
            prepared.push(PreparedQuery::prepare(conn, subject, main, position).await?);
        }
        Ok(prepared)
    }

    /// "$1 = 'user1000@example.com'", for evidence.
    pub fn describe_args(&self) -> String {
        self.args
            .iter()
            .enumerate()
            .map(|(i, a)| format!("${} = {a}", i + 1))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `EXECUTE` with the drawn parameters.
    pub fn execute_sql(&self) -> String {
        if self.args.is_empty() {
            format!("EXECUTE {}", self.statement)
        } else {
            format!("EXECUTE {}({})", self.statement, self.args.join(", "))
        }
    }

    /// One execution under `EXPLAIN (ANALYZE, BUFFERS)`, rolled back, with what it scanned.
    pub async fn probe(&self, conn: &mut PgConnection) -> Result<Probe, ScenarioError> {
        let mut tx = conn
            .begin()
            .await
            .map_err(|e| ScenarioError::sql("begin a probe", e))?;
        let before = scan_counts(&mut tx).await?;
        let explained = self
            .explain(&mut tx, "ANALYZE, BUFFERS, FORMAT JSON")
            .await?;
        let after = scan_counts(&mut tx).await?;
        tx.rollback()
            .await
            .map_err(|e| ScenarioError::sql("roll back a probe", e))?;
        let mut seq_scanned = Vec::new();
        let mut index_scanned = Vec::new();
        for (relation, counts) in after {
            let scans = counts.scans - before.get(&relation).map_or(0, |b| b.scans);
            if scans <= 0 {
                continue;
            }
            let scanned = Scanned {
                relation,
                table_rows: counts.table_rows,
                scans,
            };
            if counts.is_index {
                index_scanned.push(scanned);
            } else {
                seq_scanned.push(scanned);
            }
        }
        Ok(Probe {
            explained,
            seq_scanned,
            index_scanned,
        })
    }

    /// The server's planning plus execution time of one execution, in milliseconds,
    /// measured without per-node timing (which would slow the query down), rolled back.
    pub async fn server_ms(&self, conn: &mut PgConnection) -> Result<f64, ScenarioError> {
        let mut tx = conn
            .begin()
            .await
            .map_err(|e| ScenarioError::sql("begin a timed run", e))?;
        let explained = self
            .explain(&mut tx, "ANALYZE, TIMING OFF, FORMAT JSON")
            .await?;
        tx.rollback()
            .await
            .map_err(|e| ScenarioError::sql("roll back a timed run", e))?;
        Ok(explained.server_ms())
    }

    /// One execution with the client's view of the time: for benches.
    pub async fn execute(&self, conn: &mut PgConnection) -> Result<u64, sqlx::Error> {
        sqlx::query(&self.execute_sql())
            .persistent(false)
            .execute(conn)
            .await
            .map(|r| r.rows_affected())
    }

    async fn explain(
        &self,
        conn: &mut PgConnection,
        options: &str,
    ) -> Result<Explained, ScenarioError> {
        let sql = format!("EXPLAIN ({options}) {}", self.execute_sql());
        let row = sqlx::query(&sql)
            .persistent(false)
            .fetch_one(&mut *conn)
            .await
            .map_err(|e| match (e, &self.manifest_path) {
                (sqlx::Error::Database(db), Some(manifest_path)) => {
                    ScenarioError::Manifest(crate::subject::manifest::invalid_key(
                        manifest_path,
                        &format!("queries[{}].sql", self.position),
                        format!("query `{}` fails: {}", self.name, db.message()),
                    ))
                }
                (sqlx::Error::Database(db), None) => ScenarioError::Other(format!(
                    "query `{}`, derived from the catalog, fails: {}",
                    self.name,
                    db.message()
                )),
                (other, _) => ScenarioError::sql(format!("run query `{}`", self.name), other),
            })?;
        let value: serde_json::Value = row
            .try_get(0)
            .map_err(|e| ScenarioError::sql(format!("read the plan of `{}`", self.name), e))?;
        Explained::from_json(&value)
            .map_err(|e| ScenarioError::failed(format!("read the plan of `{}`", self.name), e))
    }
}

struct Counts {
    is_index: bool,
    table_rows: f64,
    scans: i64,
}

/// This transaction's scan counters for every user table and index.
async fn scan_counts(conn: &mut PgConnection) -> Result<BTreeMap<String, Counts>, ScenarioError> {
    let rows: Vec<(String, bool, f64, i64)> = sqlx::query_as(
        "SELECT c.oid::regclass::text, c.relkind IN ('i', 'I'), \
                greatest(coalesce(t.reltuples, c.reltuples), 0)::float8, pg_stat_get_xact_numscans(c.oid) \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_index i ON i.indexrelid = c.oid LEFT JOIN pg_class t ON t.oid = i.indrelid \
         WHERE c.relkind IN ('r', 'p', 'm', 'i', 'I') \
           AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(|e| ScenarioError::sql("read scan counters", e))?;
    Ok(rows
        .into_iter()
        .map(|(relation, is_index, table_rows, scans)| {
            (
                relation,
                Counts {
                    is_index,
                    table_rows,
                    scans,
                },
            )
        })
        .collect())
}
