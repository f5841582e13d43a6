//! Writes that run while a backup does: the subject's signup flow (or its first SQL flow)
//! in a loop on a few connections, each execution wrapped in one transaction of its own so
//! that every commit keeps every invariant; whatever a restored copy violates is then the
//! backup's doing, not the application's.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use harness::manifest::SqlFlow;
use harness::scenario::ScenarioError;
use harness::subject::Subject;
use harness::template::Database;
use sqlx::{Connection, Executor, PgConnection};

use crate::flows::{self, AppFlows, NoFaults, Signup};

/// What the writers do.
#[derive(Clone)]
enum Write {
    Builtin(Arc<dyn AppFlows>),
    Sql(SqlFlow),
}

/// Writers running in the background.
pub struct Writers {
    stop: Arc<AtomicBool>,
    committed: Arc<AtomicU64>,
    failed: Arc<AtomicU64>,
    first_error: Arc<Mutex<Option<String>>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    pub flow: String,
}

/// What the writers did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriterReport {
    pub committed: u64,
    pub failed: u64,
    pub first_error: Option<String>,
}

impl Writers {
    /// Starts `connections` writers on `db` (app role); `None` when the subject has no flow
    /// to write with.
    pub async fn start(
        db: &Database,
        subject: &Subject,
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
            (None, None) => return Ok(None),
        };
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
            let (write, stop, committed, failed, first_error) = (
                write.clone(),
                stop.clone(),
                committed.clone(),
                failed.clone(),
                first_error.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let mut n = 0u64;
                while !stop.load(Ordering::SeqCst) {
                    n += 1;
                    let run = seed % 1_000_000 * 1_000_000 + worker as u64 * 100_000 + n;
                    match write_once(&mut conn, &write, run).await {
                        Ok(()) => {
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
            tasks,
            flow,
        }))
    }

    /// Commits so far.
    pub fn committed(&self) -> u64 {
        self.committed.load(Ordering::SeqCst)
    }

    /// Waits until `n` writes committed; false when `timeout` passed first.
    pub async fn wait_for(&self, n: u64, timeout: Duration) -> bool {
        let started = Instant::now();
        while self.committed() < n {
            if started.elapsed() > timeout {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        true
    }

    /// Stops every writer and reports.
    pub async fn stop(self) -> WriterReport {
        self.stop.store(true, Ordering::SeqCst);
        for task in self.tasks {
            let _ = task.await;
        }
        let first_error = self
            .first_error
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        WriterReport {
            committed: self.committed.load(Ordering::SeqCst),
            failed: self.failed.load(Ordering::SeqCst),
            first_error,
        }
    }
}

/// One write, in one transaction of its own.
async fn write_once(conn: &mut PgConnection, write: &Write, run: u64) -> Result<(), String> {
    let mut tx = conn.begin().await.map_err(|e| e.to_string())?;
    match write {
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
        }
        Write::Sql(flow) => {
            for step in &flow.steps {
                let sql = step.replace(":run", &run.to_string());
                tx.execute(sql.as_str()).await.map_err(|e| e.to_string())?;
            }
        }
    }
    tx.commit().await.map_err(|e| e.to_string())
}
