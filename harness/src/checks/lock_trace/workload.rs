//! The workload a migration step runs under: per table holding rows, a reader
//! (`SELECT 1 … LIMIT 1`) and a writer (a no-op `UPDATE` of one row, rolled back), and the
//! main queries that read, each looping on a connection of its own. Every query's latency
//! is measured by its client, so a wait is exact whatever the sampler saw of it.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::{Connection, PgConnection};

use super::tables::TracedTable;
use crate::backend::names::quote_ident;
use crate::schema::probe::PreparedQuery;

/// The `application_name` of every workload connection: how the sampler tells them from
/// the migration's.
pub const APPLICATION_NAME: &str = "readiness-lock-trace-workload";

/// A client's pause between two queries: a steady load, not a saturating one (on two
/// cores a saturating workload would slow the step it measures). A query blocked behind a
/// lock is sent within one pause of the lock being taken, so a wait is measured short by
/// at most this much.
const PACE: Duration = Duration::from_millis(20);

/// A main query whose first run is costly (scanning a table an index will later serve)
/// pauses longer: it keeps its connection busy at most a twentieth of the time. Readers and
/// writers keep to [`PACE`] however long their first query took: on a loaded machine a
/// writer's three round trips can take 15 ms, and a pause stretched from that would send
/// its next query 280 ms late, measuring a wait behind a lock short by that much.
const BUSY_AT_MOST: u32 = 20;

/// Queries quicker than this are not kept: no lock wait worth reporting hides in them.
const KEEP_FROM: Duration = Duration::from_millis(1);

/// What a client runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientKind {
    Reads,
    Writes,
    /// A main query, by name.
    Query(String),
}

impl ClientKind {
    /// "reads", "writes", "`login`".
    pub fn describe(&self) -> String {
        match self {
            ClientKind::Reads => "reads".into(),
            ClientKind::Writes => "writes".into(),
            ClientKind::Query(name) => format!("`{name}`"),
        }
    }
}

/// One looping client, ready to start.
pub struct Client {
    pub kind: ClientKind,
    /// The table it works on (none for a main query).
    pub table: Option<u32>,
    job: Job,
    conn: PgConnection,
}

enum Job {
    Read(String),
    Write(String),
    Prepared(PreparedQuery),
}

impl Client {
    /// The reader of `table`, on `conn`.
    pub fn reader(table: &TracedTable, conn: PgConnection) -> Client {
        Client {
            kind: ClientKind::Reads,
            table: Some(table.oid),
            job: Job::Read(format!("SELECT 1 FROM {} LIMIT 1", table.sql_name())),
            conn,
        }
    }

    /// The writer of `table`, on `conn`: none when no column can be set.
    pub fn writer(table: &TracedTable, conn: PgConnection) -> Result<Client, PgConnection> {
        let Some(column) = &table.settable else {
            return Err(conn);
        };
        let column = quote_ident(column);
        let name = table.sql_name();
        Ok(Client {
            kind: ClientKind::Writes,
            table: Some(table.oid),
            job: Job::Write(format!(
                "UPDATE {name} SET {column} = {column} WHERE ctid = (SELECT ctid FROM {name} LIMIT 1)"
            )),
            conn,
        })
    }

    /// A main query already prepared on `conn`.
    pub fn query(prepared: PreparedQuery, conn: PgConnection) -> Client {
        Client {
            kind: ClientKind::Query(prepared.name.clone()),
            table: None,
            job: Job::Prepared(prepared),
            conn,
        }
    }

    async fn once(&mut self) -> Result<(), sqlx::Error> {
        match &self.job {
            Job::Read(sql) => sqlx::query(sql)
                .persistent(false)
                .execute(&mut self.conn)
                .await
                .map(drop),
            Job::Write(sql) => {
                let mut tx = self.conn.begin().await?;
                sqlx::query(sql).persistent(false).execute(&mut *tx).await?;
                tx.rollback().await
            }
            Job::Prepared(prepared) => prepared.execute(&mut self.conn).await.map(drop),
        }
    }
}

/// A query that took long enough to be kept.
#[derive(Debug, Clone, Copy)]
pub struct Timed {
    pub start: Instant,
    pub end: Instant,
}

/// A client after the step.
pub struct Finished {
    pub kind: ClientKind,
    pub table: Option<u32>,
    pub pid: i32,
    pub slow: Vec<Timed>,
    /// Why it stopped early (a table the step dropped, a column it renamed).
    pub error: Option<String>,
    /// The connection, for the next step (none when it broke).
    pub conn: Option<PgConnection>,
}

/// What the clients share: when to stop, and how many have settled (run a first query,
/// or failed trying).
#[derive(Debug, Default)]
pub struct Signals {
    stop: AtomicBool,
    settled: AtomicUsize,
}

impl Signals {
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }

    pub fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    pub fn settled(&self) -> usize {
        self.settled.load(Ordering::SeqCst)
    }
}

/// Loops `client` until `signals` say stop.
pub async fn run(mut client: Client, signals: Arc<Signals>) -> Finished {
    let pid = match sqlx::query_scalar::<_, i32>("SELECT pg_backend_pid()")
        .persistent(false)
        .fetch_one(&mut client.conn)
        .await
    {
        Ok(pid) => pid,
        Err(e) => {
            signals.settled.fetch_add(1, Ordering::SeqCst);
            return Finished {
                kind: client.kind,
                table: client.table,
                pid: 0,
                slow: Vec::new(),
                error: Some(e.to_string()),
                conn: None,
            };
        }
    };
    let mut slow = Vec::new();
    let mut error = None;
    let mut pause = None;
    loop {
        let start = Instant::now();
        let done = client.once().await;
        let end = Instant::now();
        if end - start >= KEEP_FROM {
            slow.push(Timed { start, end });
        }
        if pause.is_none() {
            pause = Some(match client.kind {
                ClientKind::Query(_) => PACE.max((end - start) * (BUSY_AT_MOST - 1)),
                ClientKind::Reads | ClientKind::Writes => PACE,
            });
            signals.settled.fetch_add(1, Ordering::SeqCst);
        }
        if let Err(e) = done {
            error = Some(e.to_string());
            break;
        }
        if signals.stopping() {
            break;
        }
        tokio::time::sleep(pause.unwrap_or(PACE)).await;
    }
    let broken = error.is_some() && client.conn.ping().await.is_err();
    Finished {
        kind: client.kind,
        table: client.table,
        pid,
        slow,
        error,
        conn: (!broken).then_some(client.conn),
    }
}
