//! Checking the manifest's invariants: each query must return no rows. A query that does
//! not run is the manifest's fault and is reported as such, never as a violation.

use sqlx::{Column, PgConnection, Row};

use crate::scenario::ScenarioError;
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

/// Runs every invariant of `subject` on `conn` and returns those that do not hold.
pub async fn check(
    conn: &mut PgConnection,
    subject: &Subject,
) -> Result<Vec<Violation>, ScenarioError> {
    let mut violations = Vec::new();
    for (i, invariant) in subject.manifest.invariants.iter().enumerate() {
        let rows = sqlx::query(&invariant.sql)
            .fetch_all(&mut *conn)
            .await
            .map_err(|e| match e {
                sqlx::Error::Database(db) => ScenarioError::Manifest(subject.invalid(
                    &format!("invariants[{i}].sql"),
                    format!("the query for `{}` fails: {}", invariant.name, db.message()),
                )),
                other => ScenarioError::sql(format!("check invariant `{}`", invariant.name), other),
            })?;
        if !rows.is_empty() {
            violations.push(Violation {
                invariant: invariant.name.clone(),
                rows: rows.len(),
                sample: rows.iter().take(3).map(render_row).collect(),
            });
        }
    }
    Ok(violations)
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
