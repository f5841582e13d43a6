//! The checks every restored copy must pass: the same contents, sequences and catalog as
//! its source's fingerprint (catalogs compared by meaning), every invariant, pg_amcheck, and
//! the app role reading every table.

use std::time::{Duration, Instant};

use sqlx::Connection;

use super::amcheck::{self, AmcheckReport};
use super::fingerprint::{Differences, Fingerprint};
use crate::checks::invariants::{self, Violation};
use crate::error::ScenarioError;
use crate::schema::template::Database;
use crate::subject::Subject;
use crate::Evidence;

/// A database's fingerprint.
pub async fn fingerprint(db: &Database) -> Result<Fingerprint, ScenarioError> {
    let mut conn = db
        .connect_admin()
        .await
        .map_err(|e| ScenarioError::sql(format!("connect to {}", db.name()), e))?;
    let print = Fingerprint::read(&mut conn)
        .await
        .map_err(|e| ScenarioError::sql(format!("fingerprint {}", db.name()), e))?;
    let _ = conn.close().await;
    Ok(print)
}

/// How the database `db` differs from `expected` (its fingerprint, catalogs compared by
/// meaning: see [`Fingerprint::compare`]).
pub async fn differences(
    expected: &Fingerprint,
    db: &Database,
) -> Result<Differences, ScenarioError> {
    let print = fingerprint(db).await?;
    let mut conn = db
        .connect_admin()
        .await
        .map_err(|e| ScenarioError::sql(format!("connect to {}", db.name()), e))?;
    let differences = expected
        .compare(&print, &mut conn)
        .await
        .map_err(|e| ScenarioError::sql("compare catalogs", e));
    let _ = conn.close().await;
    differences
}

/// What a restored copy was checked for, and what was found.
#[derive(Debug, Clone)]
pub struct RestoredCheck {
    pub differences: Differences,
    pub violations: Vec<Violation>,
    /// Invariants the source already broke, not judged on the copy.
    pub broken_on_source: Vec<String>,
    /// Invariants that ran on the source but do not run on the copy (a table missing…).
    pub unrunnable: Vec<invariants::Unrunnable>,
    /// pg_amcheck's report, or why it could not run.
    pub amcheck: Result<AmcheckReport, String>,
    /// Whether the application role can read every table.
    pub ready: Result<(), String>,
    pub rows: u64,
    pub elapsed: Duration,
}

impl RestoredCheck {
    /// What is wrong with the copy; empty when it matches its source and is sound.
    pub fn problems(&self) -> Vec<String> {
        let mut problems: Vec<String> = self.differences.details.clone();
        problems.extend(
            self.violations
                .iter()
                .map(|v| format!("invariant {}", v.describe())),
        );
        problems.extend(self.unrunnable.iter().map(|u| {
            format!(
                "invariant {} on the restored copy (it runs on the source)",
                u.describe()
            )
        }));
        if let Ok(report) = &self.amcheck {
            problems.extend(report.corruption.iter().map(|c| format!("pg_amcheck: {c}")));
        }
        if let Err(why) = &self.ready {
            problems.push(format!("not ready: {why}"));
        }
        problems
    }

    /// Why the copy could not be fully checked, when it could not.
    pub fn unchecked(&self) -> Option<String> {
        self.amcheck
            .as_ref()
            .err()
            .map(|why| format!("pg_amcheck could not run: {why}"))
    }

    /// Adds what was checked to `evidence`.
    pub fn record(&self, evidence: &mut Evidence, label: &str) {
        let tables = if self.differences.tables.is_empty() {
            "none".to_owned()
        } else {
            crate::report::summarised(&self.differences.tables)
        };
        evidence.push_observation(
            format!("{label}: fingerprint"),
            format!("{} rows; tables that differ: {tables}", self.rows),
        );
        if !self.differences.reworded.is_empty() {
            evidence.push_observation(
                format!("{label}: expressions printed differently, same meaning"),
                format!(
                    "{} catalog line(s) PostgreSQL prints differently after a dump and restore, identical once parsed again (e.g. {})",
                    self.differences.reworded.len(),
                    self.differences.reworded[0]
                ),
            );
        }
        let mut invariants = match (self.violations.len(), self.unrunnable.len()) {
            (0, 0) if !self.broken_on_source.is_empty() => "the others hold".to_owned(),
            (0, 0) => "all hold".to_owned(),
            (failing, 0) => format!("{failing} fail"),
            (failing, unrunnable) => {
                format!("{failing} fail, {unrunnable} do not run on the copy")
            }
        };
        if !self.broken_on_source.is_empty() {
            invariants.push_str(&format!(
                " (not judged, already broken by the generated source: {})",
                self.broken_on_source.join("; ")
            ));
        }
        evidence.push_observation(format!("{label}: invariants"), invariants);
        evidence.push_observation(
            format!("{label}: pg_amcheck"),
            match &self.amcheck {
                Ok(report) => report.describe(),
                Err(why) => format!("could not run: {why}"),
            },
        );
        evidence.push_observation(
            format!("{label}: app role"),
            match &self.ready {
                Ok(()) => "granted as on the source, connects and reads every table".to_owned(),
                Err(why) => why.clone(),
            },
        );
    }
}

/// Checks a restored copy against its source's fingerprint: same contents, sequences and
/// catalog; every invariant; pg_amcheck; the app role can read every table.
pub async fn check_restored(
    subject: &Subject,
    expected: &Fingerprint,
    restored: &Database,
) -> Result<RestoredCheck, ScenarioError> {
    let started = Instant::now();
    let print = fingerprint(restored).await?;
    let mut conn = restored
        .connect_admin()
        .await
        .map_err(|e| ScenarioError::sql("connect to the restored copy", e))?;
    let differences = expected
        .compare(&print, &mut conn)
        .await
        .map_err(|e| ScenarioError::sql("compare the restored catalog with the source's", e))?;
    let checked = invariants::check_all(&mut conn, subject).await?;
    let (inherited, violations): (Vec<Violation>, Vec<Violation>) = checked
        .violations
        .into_iter()
        .partition(|v| expected.broken_on_source.contains(&v.invariant));
    let _ = conn.close().await;
    let amcheck = match restored.server().tools() {
        Some(tools) => amcheck::check(&tools, &restored.admin())
            .await
            .map_err(|e| e.to_string()),
        None => Err("no client tools for this server".into()),
    };
    let ready = app_reads_every_table(restored, &print).await;
    Ok(RestoredCheck {
        differences,
        violations,
        broken_on_source: inherited.into_iter().map(|v| v.invariant).collect(),
        unrunnable: checked.unrunnable,
        amcheck,
        ready,
        rows: print.total_rows(),
        elapsed: started.elapsed(),
    })
}

/// The application role, granted its rights as on the source (the harness's own grants,
/// which a backup need not carry), connects and reads one row of every table.
async fn app_reads_every_table(db: &Database, print: &Fingerprint) -> Result<(), String> {
    crate::schema::template::grant_app_role(db)
        .await
        .map_err(|e| format!("the app role could not be granted its rights: {e}"))?;
    let mut conn = db
        .connect_app()
        .await
        .map_err(|e| format!("the app role cannot connect: {e}"))?;
    for table in print.tables.keys() {
        let (schema, name) = table.split_once('.').unwrap_or(("public", table));
        let sql = format!(
            "SELECT 1 FROM {}.{} LIMIT 1",
            crate::backend::names::quote_ident(schema),
            crate::backend::names::quote_ident(name)
        );
        if let Err(e) = sqlx::query(&sql).fetch_optional(&mut conn).await {
            let _ = conn.close().await;
            return Err(format!("the app role cannot read {table}: {e}"));
        }
    }
    let _ = conn.close().await;
    Ok(())
}
