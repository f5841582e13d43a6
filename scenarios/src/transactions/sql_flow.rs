//! Running a manifest's SQL flow: BEGIN, each step (with `:run` replaced) followed by its
//! fault point, COMMIT; and counting the rows one execution left.

use harness::run::scenario::ScenarioError;
use harness::subject::manifest::SqlFlow;
use harness::subject::Subject;
use sqlx::{Executor, PgConnection, Row};

use super::faults::Injector;

/// The statement with `:run` replaced by `run`.
pub fn bind_run(sql: &str, run: i64) -> String {
    sql.replace(":run", &run.to_string())
}

/// Runs the flow in one transaction (each step on its own for a `readiness mutate` mutant
/// without it); returns the error that stopped it, if any.
pub async fn run(
    conn: &mut PgConnection,
    flow: &SqlFlow,
    run: i64,
    injector: &mut Injector<'_>,
) -> Result<(), String> {
    let transaction = !flow.without_transaction;
    if transaction {
        conn.execute("BEGIN").await.map_err(|e| e.to_string())?;
    }
    for (i, step) in flow.steps.iter().enumerate() {
        let statement = bind_run(step, run);
        conn.execute(statement.as_str())
            .await
            .map_err(|e| format!("step {}: {e}", i + 1))?;
        injector.at_point(i as u32 + 1, conn).await?;
    }
    if transaction {
        conn.execute("COMMIT")
            .await
            .map_err(|e| format!("COMMIT: {e}"))?;
    }
    Ok(())
}

/// How many of execution `run`'s rows exist (the flow's `written` query).
pub async fn written(
    conn: &mut PgConnection,
    subject: &Subject,
    index: usize,
    run: i64,
) -> Result<i64, ScenarioError> {
    let flow = &subject.manifest.flows.sql[index];
    let key = format!("flows.sql[{index}].written");
    count(conn, subject, &key, &flow.written, run, &flow.name).await
}

/// Runs the manifest's `query` (at `key`) for execution `run` of flow `name`: the one
/// integer it returns.
pub async fn count(
    conn: &mut PgConnection,
    subject: &Subject,
    key: &str,
    query: &str,
    run: i64,
    name: &str,
) -> Result<i64, ScenarioError> {
    let row = sqlx::query(&bind_run(query, run))
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(db) => ScenarioError::Manifest(
                subject.invalid(key, format!("the query fails: {}", db.message())),
            ),
            sqlx::Error::RowNotFound => {
                ScenarioError::Manifest(subject.invalid(key, "the query returns no row"))
            }
            other => ScenarioError::sql(format!("count the rows of `{name}`"), other),
        })?;
    row.try_get::<i64, _>(0)
        .or_else(|_| row.try_get::<i32, _>(0).map(i64::from))
        .map_err(|_| {
            ScenarioError::Manifest(
                subject.invalid(key, "must return one integer (bigint or integer)"),
            )
        })
}
