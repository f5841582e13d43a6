//! Writes that run while a backup does: the subject's signup flow (or its first SQL flow,
//! or, for a subject that declares none, a family of related generated rows) in a loop on
//! a few connections, each execution wrapped in one transaction of its own so that every
//! commit keeps every invariant; whatever a restored copy violates is then the backup's
//! doing, not the application's. Each commit leaves a receipt, so that the restored copy
//! can be shown to hold every SQL-flow run and every family whole or not at all.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use harness::process::wait::Patience;
use harness::run::scenario::ScenarioError;
use harness::schema::rowgen::family::{Family, Written};
use harness::schema::template::Database;
use harness::subject::manifest::SqlFlow;
use harness::subject::Subject;
use sqlx::{Connection, Executor, PgConnection};

use crate::flows::{self, AppFlows, NoFaults, Signup};

/// What the writers do.
#[derive(Clone)]
enum Write {
    Builtin(Arc<dyn AppFlows>),
    Sql(SqlFlow),
    Generated(Arc<Family>),
}

/// What one committed write left, to find it again in a restored copy.
#[derive(Debug, Clone)]
pub enum Receipt {
    /// A bundled flow's commit: the invariants judge it.
    Builtin,
    /// An SQL flow's run number.
    Sql(u64),
    /// The rows a generated family wrote.
    Family(Written),
}

/// Writers running in the background.
pub struct Writers {
    stop: Arc<AtomicBool>,
    committed: Arc<AtomicU64>,
    failed: Arc<AtomicU64>,
    first_error: Arc<Mutex<Option<String>>>,
    receipts: Arc<Mutex<Vec<Receipt>>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    pub flow: String,
    write: Write,
}

/// What the writers did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriterReport {
    pub committed: u64,
    pub failed: u64,
    pub first_error: Option<String>,
}

/// What the writers wrote, to check a restored copy against.
pub struct Receipts {
    write: Write,
    receipts: Vec<Receipt>,
}

impl Writers {
    /// Starts `connections` writers on `db` (app role); `None` when the subject has no flow
    /// to write with and its schema no family of related rows (no table referenced by another).
    pub async fn start(
        db: &Database,
        subject: &Subject,
        bookkeeping: &[String],
        seed: u64,
        connections: usize,
    ) -> Result<Option<Writers>, ScenarioError> {
        let flows = &subject.manifest.flows;
        let (write, flow) = match (
            flows.builtin.as_deref().and_then(flows::builtin),
            flows.sql.first(),
        ) {
            (Some(app), _) => (Write::Builtin(app), "signup (bundled flow)".to_owned()),
            (None, Some(sql)) => (Write::Sql(sql.clone()), format!("{} (SQL flow)", sql.name)),
            (None, None) => match generated(db, bookkeeping, seed).await? {
                Some(family) => {
                    let flow = format!(
                        "generated rows of {} in one transaction (the subject declares no flow)",
                        family.tables().join(", ")
                    );
                    (Write::Generated(Arc::new(family)), flow)
                }
                None => return Ok(None),
            },
        };
        let receipts = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let committed = Arc::new(AtomicU64::new(0));
        let failed = Arc::new(AtomicU64::new(0));
        let first_error = Arc::new(Mutex::new(None));
        let mut tasks = Vec::new();
        for worker in 0..connections {
            let mut conn = db
                .connect_app()
                .await
                .map_err(|e| ScenarioError::sql("connect a writer", e))?;
            let (write, stop, committed, failed, first_error, receipts) = (
                write.clone(),
                stop.clone(),
                committed.clone(),
                failed.clone(),
                first_error.clone(),
                receipts.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let mut n = 0u64;
                while !stop.load(Ordering::SeqCst) {
                    n += 1;
                    let run = seed % 1_000_000 * 1_000_000 + worker as u64 * 100_000 + n;
                    match write_once(&mut conn, &write, run).await {
                        Ok(receipt) => {
                            receipts
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .push(receipt);
                            committed.fetch_add(1, Ordering::SeqCst);
                        }
                        Err(e) => {
                            failed.fetch_add(1, Ordering::SeqCst);
                            first_error
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .get_or_insert(e);
                            // a dead connection does not come back: stop this writer
                            if conn.ping().await.is_err() {
                                return;
                            }
                        }
                    }
                }
                let _ = conn.close().await;
            }));
        }
        Ok(Some(Writers {
            stop,
            committed,
            failed,
            first_error,
            receipts,
            tasks,
            flow,
            write,
        }))
    }

    /// Commits so far.
    pub fn committed(&self) -> u64 {
        self.committed.load(Ordering::SeqCst)
    }

    /// Waits until `n` writes committed; false when `timeout` passed first.
    pub async fn wait_for(&self, n: u64, timeout: Duration) -> bool {
        let mut patience = Patience::new(timeout, Duration::from_millis(5));
        while patience.another_look().await {
            if self.committed() >= n {
                return true;
            }
        }
        false
    }

    /// Stops every writer and reports, with the receipts of what committed.
    pub async fn stop(self) -> (WriterReport, Receipts) {
        self.stop.store(true, Ordering::SeqCst);
        for task in self.tasks {
            if let Err(join) = task.await {
                let why = format!("a writer stopped: {join}");
                self.first_error
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .get_or_insert(why);
            }
        }
        let first_error = self
            .first_error
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let receipts =
            std::mem::take(&mut *self.receipts.lock().unwrap_or_else(|p| p.into_inner()));
        (
            WriterReport {
                committed: self.committed.load(Ordering::SeqCst),
                failed: self.failed.load(Ordering::SeqCst),
                first_error,
            },
            Receipts {
                write: self.write,
                receipts,
            },
        )
    }
}

impl Receipts {
    /// The committed writes the database `conn` holds only part of (each SQL-flow run and
    /// generated family must be whole or absent), one line each; bundled flows are left to
    /// the invariants.
    pub async fn partial(&self, conn: &mut PgConnection) -> Result<Vec<String>, ScenarioError> {
        let mut partial = Vec::new();
        for receipt in &self.receipts {
            match (receipt, &self.write) {
                (Receipt::Sql(run), Write::Sql(flow)) => {
                    let sql = flow.written.replace(":run", &run.to_string());
                    let found: i64 = sqlx::query_scalar(&sql)
                        .fetch_one(&mut *conn)
                        .await
                        .map_err(|e| {
                            ScenarioError::sql(format!("count run {run} of {}", flow.name), e)
                        })?;
                    if found != 0 && found != flow.complete {
                        partial.push(format!(
                            "run {run} of {}: {found} of its {} rows",
                            flow.name, flow.complete
                        ));
                    }
                }
                (Receipt::Family(written), Write::Generated(family)) => {
                    let found = family
                        .present(conn, written)
                        .await
                        .map_err(|e| ScenarioError::sql("look for a generated family", e))?;
                    if found != 0 && found != written.rows.len() {
                        let rows: Vec<String> = written
                            .rows
                            .iter()
                            .map(|(table, key)| {
                                let key: Vec<String> = key
                                    .iter()
                                    .map(|v| v.as_param().unwrap_or_default())
                                    .collect();
                                format!("{table} {}", key.join(","))
                            })
                            .collect();
                        partial.push(format!(
                            "{found} of the {} rows one transaction wrote: {}",
                            written.rows.len(),
                            rows.join("; ")
                        ));
                    }
                }
                _ => {}
            }
        }
        Ok(partial)
    }

    /// Whether the writes keep the subject's invariants, so that a restored copy that
    /// breaks one shows the backup's fault. Generated rows need not (an invoice of one
    /// organization billing another's client): only whole-or-absent judges them.
    pub fn keep_invariants(&self) -> bool {
        !matches!(self.write, Write::Generated(_))
    }

    /// How many receipts can be checked whole-or-absent (not the bundled flows').
    pub fn checkable(&self) -> usize {
        self.receipts
            .iter()
            .filter(|r| !matches!(r, Receipt::Builtin))
            .count()
    }
}

/// A family of related rows for the writers, planned on `db`'s schema.
async fn generated(
    db: &Database,
    bookkeeping: &[String],
    seed: u64,
) -> Result<Option<Family>, ScenarioError> {
    let catalog = db
        .read_catalog(bookkeeping)
        .await
        .map_err(|e| ScenarioError::sql("read the catalog", e))?;
    let mut conn = db
        .connect_admin()
        .await
        .map_err(|e| ScenarioError::sql("connect to plan generated writes", e))?;
    let family = Family::plan(&mut conn, &catalog, seed).await;
    let _ = conn.close().await;
    family.map_err(|e| ScenarioError::sql("plan generated writes", e))
}

/// One write, in one transaction of its own.
async fn write_once(conn: &mut PgConnection, write: &Write, run: u64) -> Result<Receipt, String> {
    let mut tx = conn.begin().await.map_err(|e| e.to_string())?;
    let receipt = match write {
        Write::Builtin(app) => {
            let signup = Signup {
                email: format!("writer-{run}@backup.example"),
                password_hash: "x".into(),
                full_name: format!("Writer {run}"),
                stripe_customer_id: Some(format!("cus_writer_{run}")),
            };
            app.signup(&mut tx, &signup, &mut NoFaults)
                .await
                .map_err(|e| e.to_string())?;
            Receipt::Builtin
        }
        Write::Sql(flow) => {
            for step in &flow.steps {
                let sql = step.replace(":run", &run.to_string());
                tx.execute(sql.as_str()).await.map_err(|e| e.to_string())?;
            }
            Receipt::Sql(run)
        }
        Write::Generated(family) => Receipt::Family(
            family
                .write(&mut tx, run)
                .await
                .map_err(|e| e.to_string())?,
        ),
    };
    tx.commit().await.map_err(|e| e.to_string())?;
    Ok(receipt)
}
