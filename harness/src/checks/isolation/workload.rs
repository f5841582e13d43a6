//! The list-append workload against PostgreSQL: concurrent clients run random short
//! transactions that read lists and append unique values to them, at one isolation level,
//! optionally while a fault proxy cuts their connections; every transaction is recorded
//! with the outcome the client saw.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sqlx::{Connection, Executor, PgConnection};

use super::anomaly::IsolationLevel;
use super::history::{History, Key, Mop, TxnOutcome};
use crate::backend::ConnInfo;
use crate::faults::proxy::FaultProxy;
use crate::process::wait::Patience;

/// The workload's table, created in the database it is given.
pub const TABLE: &str = "readiness_lists";

const APPEND: &str = "INSERT INTO readiness_lists (k, vals) VALUES ($1, ARRAY[$2::bigint]) \
                      ON CONFLICT (k) DO UPDATE SET vals = readiness_lists.vals || EXCLUDED.vals";
const READ: &str = "SELECT vals FROM readiness_lists WHERE k = $1";

/// How long a client keeps trying to (re)connect before giving up.
const CONNECT_PATIENCE: Duration = Duration::from_secs(20);

/// The shape of a run.
#[derive(Debug, Clone)]
pub struct Workload {
    /// Concurrent clients, one connection each.
    pub clients: usize,
    /// Transactions in all.
    pub txns: usize,
    /// Keys in play at once: few keys make transactions collide (and write skew likely).
    pub active_keys: usize,
    /// After this many appends a key retires and a fresh one takes its place, which keeps
    /// lists short and version orders easy to infer.
    pub appends_per_key: usize,
    /// Operations per transaction, at most.
    pub max_ops: usize,
}

impl Default for Workload {
    fn default() -> Self {
        Workload {
            clients: 6,
            txns: 600,
            active_keys: 3,
            appends_per_key: 16,
            max_ops: 4,
        }
    }
}

/// Connection cuts during a run: every `every`, the proxy resets each connection at least
/// `min_age` old. The age grows to twice the slowest connection attempt seen, so that a
/// slow handshake (a loaded machine, a debug build) still completes and the run goes on.
#[derive(Debug, Clone, Copy)]
pub struct Nemesis<'a> {
    pub proxy: &'a FaultProxy,
    pub every: Duration,
    pub min_age: Duration,
}

/// A finished run.
#[derive(Debug, Clone)]
pub struct WorkloadRun {
    pub history: History,
    /// How many connections the nemesis reset.
    pub cuts: usize,
    /// The age at which the nemesis last cut connections (zero without a nemesis).
    pub cut_age: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum WorkloadError {
    #[error("failed to create the workload table: {0}")]
    Prepare(sqlx::Error),
    #[error("failed to connect client {client} within {CONNECT_PATIENCE:?}: {source}")]
    Connect { client: usize, source: sqlx::Error },
}

/// Creates (or empties) the workload's table through `conn`.
pub async fn prepare(conn: &ConnInfo) -> Result<(), WorkloadError> {
    let mut c = PgConnection::connect_with(&conn.options())
        .await
        .map_err(WorkloadError::Prepare)?;
    c.execute(
        "CREATE TABLE IF NOT EXISTS readiness_lists (k bigint PRIMARY KEY, vals bigint[] NOT NULL); \
         TRUNCATE readiness_lists",
    )
    .await
    .map_err(WorkloadError::Prepare)?;
    let _ = c.close().await;
    Ok(())
}

/// Runs `workload` at `level` through `conn`, seeded by `seed`.
pub async fn run(
    conn: &ConnInfo,
    level: IsolationLevel,
    workload: &Workload,
    seed: u64,
    nemesis: Option<Nemesis<'_>>,
) -> Result<WorkloadRun, WorkloadError> {
    let shared = Arc::new(Shared {
        keys: Mutex::new(KeyPool::new(workload.active_keys)),
        next_value: AtomicI64::new(1),
        claimed: AtomicUsize::new(0),
        slowest_connect_us: AtomicU64::new(0),
        history: Mutex::new(History::default()),
    });
    let clients = (0..workload.clients).map(|client| {
        let shared = shared.clone();
        let conn = conn.clone();
        let workload = workload.clone();
        tokio::spawn(
            async move { client_loop(client, &conn, level, &workload, seed, &shared).await },
        )
    });
    let clients = futures::future::join_all(clients);
    let (results, cuts, cut_age) = match nemesis {
        None => (clients.await, 0, Duration::ZERO),
        Some(nemesis) => {
            let (mut cuts, mut age) = (0, nemesis.min_age);
            tokio::pin!(clients);
            let results = loop {
                tokio::select! {
                    results = &mut clients => break results,
                    _ = tokio::time::sleep(nemesis.every) => {
                        let slowest = shared.slowest_connect_us.load(Ordering::SeqCst);
                        age = age.max(Duration::from_micros(slowest.saturating_mul(2)));
                        cuts += nemesis.proxy.cut_older_than(age).await;
                    }
                }
            };
            (results, cuts, age)
        }
    };
    for result in results {
        match result {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(e),
            Err(join) => std::panic::resume_unwind(join.into_panic()),
        }
    }
    let history = std::mem::take(&mut *shared.history.lock().unwrap_or_else(|e| e.into_inner()));
    Ok(WorkloadRun {
        history,
        cuts,
        cut_age,
    })
}

struct Shared {
    keys: Mutex<KeyPool>,
    next_value: AtomicI64,
    claimed: AtomicUsize,
    /// The longest connection attempt so far, successful or not, in microseconds.
    slowest_connect_us: AtomicU64,
    history: Mutex<History>,
}

/// The keys in play, and how many appends each has been given.
struct KeyPool {
    active: Vec<Key>,
    appends: HashMap<Key, usize>,
    next: Key,
}

impl KeyPool {
    fn new(active: usize) -> KeyPool {
        let active = active.max(1);
        KeyPool {
            active: (1..=active as Key).collect(),
            appends: HashMap::new(),
            next: active as Key + 1,
        }
    }

    /// A key for a read, or for an append (which counts towards the key's retirement).
    fn pick(&mut self, rng: &mut ChaCha8Rng, appending: bool, limit: usize) -> Key {
        let slot = rng.gen_range(0..self.active.len());
        let key = self.active[slot];
        if appending {
            let n = self.appends.entry(key).or_insert(0);
            *n += 1;
            if *n >= limit {
                self.active[slot] = self.next;
                self.next += 1;
            }
        }
        key
    }
}

async fn client_loop(
    client: usize,
    conn: &ConnInfo,
    level: IsolationLevel,
    workload: &Workload,
    seed: u64,
    shared: &Shared,
) -> Result<(), WorkloadError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed.wrapping_add(client as u64 * 0x9E37_79B9));
    let mut connection: Option<PgConnection> = None;
    while shared.claimed.fetch_add(1, Ordering::SeqCst) < workload.txns {
        let mops = generate(&mut rng, workload, shared);
        let c = match connection.as_mut() {
            Some(c) => c,
            None => connection.insert(connect(client, conn, shared).await?),
        };
        let (outcome, mops, broken) = run_txn(c, level, mops).await;
        if broken {
            connection = None;
        }
        shared
            .history
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(client, outcome, mops);
    }
    if let Some(c) = connection {
        let _ = c.close().await;
    }
    Ok(())
}

async fn connect(
    client: usize,
    conn: &ConnInfo,
    shared: &Shared,
) -> Result<PgConnection, WorkloadError> {
    let mut patience = Patience::new(CONNECT_PATIENCE, Duration::from_millis(10));
    loop {
        let attempt = tokio::time::Instant::now();
        let connected = PgConnection::connect_with(&conn.options()).await;
        let took = u64::try_from(attempt.elapsed().as_micros()).unwrap_or(u64::MAX);
        shared.slowest_connect_us.fetch_max(took, Ordering::SeqCst);
        match connected {
            Ok(mut c) => {
                // deadlocks between appends are expected; find them in ms, not the default
                // second (needs a superuser: elsewhere the default stays)
                let _ = c.execute("SET deadlock_timeout = '20ms'").await;
                return Ok(c);
            }
            Err(source) if !patience.another_look().await => {
                return Err(WorkloadError::Connect { client, source })
            }
            Err(_) => {}
        }
    }
}

fn generate(rng: &mut ChaCha8Rng, workload: &Workload, shared: &Shared) -> Vec<Mop> {
    let n = rng.gen_range(1..=workload.max_ops.max(1));
    let mut keys = shared.keys.lock().unwrap_or_else(|e| e.into_inner());
    (0..n)
        .map(|_| {
            let appending = rng.gen_bool(0.5);
            let key = keys.pick(rng, appending, workload.appends_per_key);
            if appending {
                Mop::Append {
                    key,
                    value: shared.next_value.fetch_add(1, Ordering::SeqCst),
                }
            } else {
                Mop::Read { key, values: None }
            }
        })
        .collect()
}

/// Runs one transaction; returns its outcome, its operations with what the reads saw, and
/// whether the connection is broken.
async fn run_txn(
    conn: &mut PgConnection,
    level: IsolationLevel,
    mut mops: Vec<Mop>,
) -> (TxnOutcome, Vec<Mop>, bool) {
    let begin = format!("BEGIN ISOLATION LEVEL {}", level.sql());
    if let Err(e) = conn.execute(begin.as_str()).await {
        return (TxnOutcome::Fail, mops, broken(&e));
    }
    for mop in mops.iter_mut() {
        let result = match mop {
            Mop::Append { key, value } => sqlx::query(APPEND)
                .bind(*key)
                .bind(*value)
                .execute(&mut *conn)
                .await
                .map(|_| ()),
            Mop::Read { key, values } => sqlx::query_scalar::<_, Vec<i64>>(READ)
                .bind(*key)
                .fetch_optional(&mut *conn)
                .await
                .map(|read| *values = Some(read.unwrap_or_default())),
        };
        if let Err(e) = result {
            // never committed: refused by the server, or cut off before COMMIT was sent
            let broken = broken(&e);
            if !broken {
                let _ = conn.execute("ROLLBACK").await;
            }
            return (TxnOutcome::Fail, mops, broken);
        }
    }
    match conn.execute("COMMIT").await {
        Ok(_) => (TxnOutcome::Ok, mops, false),
        Err(e) if !broken(&e) => (TxnOutcome::Fail, mops, false),
        Err(_) => (TxnOutcome::Info, mops, true),
    }
}

/// Whether an error leaves the connection unusable (anything but the server's refusal).
fn broken(error: &sqlx::Error) -> bool {
    !matches!(error, sqlx::Error::Database(_))
}
