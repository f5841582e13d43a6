//! `pg_amcheck` over a database's own tables and btree indexes (heap checks, and every
//! heap tuple found in its indexes), installing the `amcheck` extension for the check
//! when it is missing and removing it afterwards, so that the database is left as found.

use std::time::{Duration, Instant};

use sqlx::{Connection, Executor, PgConnection};

use super::{process, BackupError};
use crate::backend::{ConnInfo, PgTools};

/// How long one check may run.
const AMCHECK_DEADLINE: Duration = Duration::from_secs(3600);

/// What pg_amcheck looked at and found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmcheckReport {
    /// The database's own tables and btree indexes checked (TOAST relations aside).
    pub tables: usize,
    pub indexes: usize,
    /// TOAST tables and their indexes checked along with them.
    pub toast: usize,
    /// pg_amcheck's corruption reports, one per line; empty when none was found.
    pub corruption: Vec<String>,
    pub elapsed: Duration,
}

impl AmcheckReport {
    pub fn is_clean(&self) -> bool {
        self.corruption.is_empty()
    }

    /// "6 tables and 11 btree indexes (and 12 TOAST relations), no corruption".
    pub fn describe(&self) -> String {
        let verdict = if self.is_clean() {
            "no corruption".to_owned()
        } else {
            format!("{} corruption report(s)", self.corruption.len())
        };
        format!(
            "{} tables and {} btree indexes (and {} TOAST relations), {verdict}",
            self.tables, self.indexes, self.toast
        )
    }
}

/// Checks every table and btree index of the database `db` names (system catalogs aside).
pub async fn check(tools: &PgTools, db: &ConnInfo) -> Result<AmcheckReport, BackupError> {
    let what = format!("check {} with pg_amcheck", db.database);
    let mut conn = PgConnection::connect_with(&db.options())
        .await
        .map_err(|e| BackupError::sql(format!("connect to {}", db.database), e))?;
    let had_extension: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'amcheck')")
            .fetch_one(&mut conn)
            .await
            .map_err(|e| BackupError::sql("look for the amcheck extension", e))?;

    let mut cmd = tokio::process::Command::new(tools.program("pg_amcheck"));
    cmd.args([
        "--install-missing",
        "--heapallindexed",
        "--parent-check",
        "--exclude-schema=pg_catalog",
        "--exclude-schema=information_schema",
        "--verbose",
    ])
    .arg(format!("--maintenance-db={}", db.database))
    .arg(format!("--database={}", db.database))
    .envs(db.env());
    let started = Instant::now();
    let finished = process::run(cmd, "pg_amcheck", &what, AMCHECK_DEADLINE).await;
    let elapsed = started.elapsed();

    if !had_extension {
        let _ = conn.execute("DROP EXTENSION IF EXISTS amcheck").await;
    }
    let _ = conn.close().await;
    let finished = finished?;

    let checked = |kind: &str, toast: bool| {
        finished
            .stderr
            .lines()
            .filter(|l| l.contains(&format!("checking {kind}")))
            .filter(|l| l.contains(".pg_toast.") == toast)
            .count()
    };
    let (tables, indexes) = (checked("heap table", false), checked("btree index", false));
    let toast = checked("heap table", true) + checked("btree index", true);
    // exit 2: corruption found; any other failure means the check did not run
    match finished.status.code() {
        Some(0) => Ok(AmcheckReport {
            tables,
            indexes,
            toast,
            corruption: Vec::new(),
            elapsed,
        }),
        Some(2) => Ok(AmcheckReport {
            tables,
            indexes,
            toast,
            corruption: finished
                .stdout
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
            elapsed,
        }),
        _ => Err(finished.into_error(what, None)),
    }
}
