//! Checking the manifest's invariants: each query must return no rows. A query that does
//! not run is the manifest's fault and is reported as such, never as a violation.

use sqlx::{Column, PgConnection, Row};

use crate::error::ScenarioError;
use crate::subject::Subject;

/// An invariant that returned rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub invariant: String,
    /// How many rows it returned.
    pub rows: usize,
    /// The first few rows, rendered.
    pub sample: Vec<String>,
}

impl Violation {
    /// "every user has a workspace: 3 rows, e.g. (id=17)".
    pub fn describe(&self) -> String {
        format!(
            "{}: {} row(s), e.g. {}",
            self.invariant,
            self.rows,
            self.sample.join(" ")
        )
    }
}

/// An invariant whose query did not run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unrunnable {
    pub invariant: String,
    /// The index of the invariant in the manifest.
    pub index: usize,
    /// The server's message.
    pub error: String,
}

impl Unrunnable {
    /// "every user has a workspace: does not run: relation \"users\" does not exist".
    pub fn describe(&self) -> String {
        format!("{}: does not run: {}", self.invariant, self.error)
    }
}

/// What running every invariant found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checked {
    pub violations: Vec<Violation>,
    /// Invariants whose query failed. On a database shown to run them (a backup's source),
    /// that is the copy's fault; anywhere else, the manifest's.
    pub unrunnable: Vec<Unrunnable>,
}

/// Runs every invariant of `subject` on `conn` and returns those that do not hold. A
/// query that does not run is a manifest error.
pub async fn check(
    conn: &mut PgConnection,
    subject: &Subject,
) -> Result<Vec<Violation>, ScenarioError> {
    let checked = check_all(conn, subject).await?;
    match checked.unrunnable.into_iter().next() {
        Some(failed) => Err(ScenarioError::Manifest(subject.invalid(
            &format!("invariants[{}].sql", failed.index),
            format!(
                "the query for `{}` fails: {}",
                failed.invariant, failed.error
            ),
        ))),
        None => Ok(checked.violations),
    }
}

/// Runs every invariant of `subject` on `conn`: those that do not hold, and those whose
/// query fails on this database.
pub async fn check_all(
    conn: &mut PgConnection,
    subject: &Subject,
) -> Result<Checked, ScenarioError> {
    let mut checked = Checked::default();
    for (index, invariant) in subject.manifest.invariants.iter().enumerate() {
        // a failed query must not end the session's transaction for the next one
        let rows = match sqlx::query(&invariant.sql).fetch_all(&mut *conn).await {
            Ok(rows) => rows,
            Err(sqlx::Error::Database(db)) => {
                checked.unrunnable.push(Unrunnable {
                    invariant: invariant.name.clone(),
                    index,
                    error: db.message().to_owned(),
                });
                continue;
            }
            Err(other) => {
                return Err(ScenarioError::sql(
                    format!("check invariant `{}`", invariant.name),
                    other,
                ))
            }
        };
        if !rows.is_empty() {
            checked.violations.push(Violation {
                invariant: invariant.name.clone(),
                rows: rows.len(),
                sample: rows.iter().take(3).map(render_row).collect(),
            });
        }
    }
    Ok(checked)
}

/// A row as `(col=value, …)`, text-decoded where possible.
pub fn render_row(row: &sqlx::postgres::PgRow) -> String {
    let cells: Vec<String> = row
        .columns()
        .iter()
        .enumerate()
        .map(|(i, col)| {
            let value = row
                .try_get::<Option<String>, _>(i)
                .map(|v| v.unwrap_or_else(|| "NULL".into()))
                .or_else(|_| {
                    row.try_get::<Option<i64>, _>(i)
                        .map(|v| v.map(|n| n.to_string()).unwrap_or_else(|| "NULL".into()))
                })
                .or_else(|_| {
                    row.try_get::<Option<i32>, _>(i)
                        .map(|v| v.map(|n| n.to_string()).unwrap_or_else(|| "NULL".into()))
                })
                .unwrap_or_else(|_| "…".into());
            format!("{}={value}", col.name())
        })
        .collect();
    format!("({})", cells.join(", "))
}
