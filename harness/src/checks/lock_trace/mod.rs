//! A migration step's locks, traced under load: while the step runs, a workload reads and
//! writes every table holding rows ([`workload`]) and a second session samples `pg_locks`
//! ([`sampler`]); the trace says, per table, the strongest lock the step was seen holding
//! and for how long, the longest a workload query waited with the step among its blockers
//! (measured by the client, so exact), and whether the table was rewritten
//! (its relfilenode changed) or dropped.
//!
//! A wait counts only when the sampler saw the waiting query blocked by the step's
//! backend (`pg_blocking_pids`): a slow machine makes queries slow, never blocked, so a
//! step that takes no lock conflicting with the workload shows no wait however slow the
//! machine.

pub mod sampler;
pub mod tables;
pub mod workload;

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::{ConnectOptions, Connection, PgConnection};
use tokio::task::JoinSet;

use crate::backend::ConnInfo;
use crate::process::wait::Patience;
pub use crate::schema::lock_mode::LockMode;
use crate::schema::main_queries::MainQueries;
use crate::schema::probe::PreparedQuery;
use crate::subject::Subject;

use sampler::{Sample, SAMPLER_NAME};
pub use tables::TracedTable;
pub use workload::ClientKind;
use workload::{Client, Finished, Signals, APPLICATION_NAME};

/// Tables given a reader and a writer, the ones with the most rows first, and main
/// queries run beside them. With the sampler that is at most 12 × 2 + 6 + 1 = 31
/// connections: under a third of PostgreSQL's default `max_connections` (100), which
/// leaves room for the migration tool's own and the harness's.
pub const MAX_TABLES: usize = 12;
pub const MAX_QUERIES: usize = 6;

/// How long the workload may take to run its first queries, and to stop after the step.
const START_PATIENCE: Duration = Duration::from_secs(60);
const STOP_PATIENCE: Duration = Duration::from_secs(60);

/// The longest a workload query waited behind the step.
#[derive(Debug, Clone, PartialEq)]
pub struct Wait {
    /// The query's whole latency, as its client measured it.
    pub waited: Duration,
    /// Which workload client it was.
    pub by: ClientKind,
    /// The lock it asked for, when it waited for a relation's lock (not a row's).
    pub wants: Option<LockMode>,
    /// What the step was running meanwhile, as far as `pg_stat_activity` showed it: the
    /// statement about this table, when the step sent several at once.
    pub statement: Option<String>,
}

/// One table as the step left it.
#[derive(Debug, Clone, PartialEq)]
pub struct TableTrace {
    /// `users`, or `schema.name` outside `public`.
    pub table: String,
    /// Rows before the step.
    pub rows: u64,
    /// The strongest lock the sampler saw the step hold on the table itself.
    pub strongest_lock: Option<LockMode>,
    /// How long the sampler saw that lock held, first look to last (zero when one look
    /// saw it).
    pub held: Duration,
    pub longest_wait: Option<Wait>,
    /// Its relfilenode changed: the table was written anew (a rewrite, or a TRUNCATE).
    pub rewritten: bool,
    pub dropped: bool,
}

impl TableTrace {
    /// "users (100000 rows): SHARE lock held 412 ms, writes waited up to 398 ms, not
    /// rewritten".
    pub fn describe(&self) -> String {
        let lock = match self.strongest_lock {
            // seen in one look only: held for less than two sampling intervals
            Some(mode) if self.held.is_zero() => format!("{} lock held briefly", mode.name()),
            Some(mode) => format!("{} lock held {}", mode.name(), ms(self.held)),
            None => "no table lock seen".into(),
        };
        let wait = match &self.longest_wait {
            Some(w) => format!("{} waited up to {}", w.by.describe(), ms(w.waited)),
            None => "no query waited".into(),
        };
        let storage = if self.dropped {
            "dropped"
        } else if self.rewritten {
            "rewritten"
        } else {
            "not rewritten"
        };
        format!(
            "{} ({} rows): {lock}, {wait}, {storage}",
            self.table, self.rows
        )
    }
}

/// One step applied under load.
#[derive(Debug, Clone, PartialEq)]
pub struct StepTrace {
    /// The step's label ("0003 indexes", "step 4 (alembic_version: (2c4bc19b6c0f))"), set
    /// by whoever applied it.
    pub step: String,
    /// The tables holding rows that the step locked, blocked on, rewrote or dropped.
    pub tables: Vec<TableTrace>,
    /// A wait behind the step on something that is no traced table's (a row, seen from a
    /// main query).
    pub other_wait: Option<Wait>,
    /// How long the step ran.
    pub elapsed: Duration,
    /// Workload queries that failed during the step (a column it dropped), one per client.
    pub workload_errors: Vec<String>,
}

impl StepTrace {
    /// The longest wait behind the step, with the table it was on.
    pub fn worst(&self) -> Option<(Option<&TableTrace>, &Wait)> {
        let on_tables = self
            .tables
            .iter()
            .filter_map(|t| t.longest_wait.as_ref().map(|w| (Some(t), w)));
        on_tables
            .chain(self.other_wait.iter().map(|w| (None, w)))
            .max_by_key(|(_, w)| w.waited)
    }

    /// Whether the step did anything seen to a table holding rows.
    pub fn touched(&self) -> bool {
        !self.tables.is_empty() || self.other_wait.is_some()
    }
}

/// "412 ms".
pub fn ms(duration: Duration) -> String {
    format!("{} ms", duration.as_millis())
}

#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    #[error("failed to connect the lock trace's {who}: {source}")]
    Connect {
        who: &'static str,
        source: sqlx::Error,
    },
    #[error("failed to {what}: {source}")]
    Sql {
        what: &'static str,
        source: sqlx::Error,
    },
    #[error("the workload did not start within {patience:?}: {settled} of {clients} clients ran a first query")]
    NotStarted {
        patience: Duration,
        settled: usize,
        clients: usize,
    },
    #[error("the workload did not stop within {0:?} after the step")]
    NotStopped(Duration),
}

impl From<TraceError> for crate::error::ScenarioError {
    fn from(error: TraceError) -> Self {
        crate::error::ScenarioError::Layer(Box::new(error))
    }
}

/// The positions of the main queries the workload runs beside the readers and writers:
/// the first [`MAX_QUERIES`] that are a `SELECT` (the others may write).
pub fn reading_queries(main: &MainQueries) -> Vec<usize> {
    main.queries
        .iter()
        .enumerate()
        .filter(|(_, q)| {
            q.sql
                .trim_start()
                .get(..6)
                .is_some_and(|word| word.eq_ignore_ascii_case("select"))
        })
        .map(|(i, _)| i)
        .take(MAX_QUERIES)
        .collect()
}

/// Traces steps on one database, keeping its connections from step to step.
pub struct LockTracer {
    target: ConnInfo,
    bookkeeping: Vec<String>,
    sampler: Option<PgConnection>,
    idle: Vec<PgConnection>,
}

impl LockTracer {
    /// A tracer for the database `target` names; `bookkeeping` as `[migrations]
    /// bookkeeping_tables` names the migration tool's tables (never traced).
    pub fn new(target: ConnInfo, bookkeeping: Vec<String>) -> LockTracer {
        LockTracer {
            target,
            bookkeeping,
            sampler: None,
            idle: Vec::new(),
        }
    }

    /// Every table of the schema as it stands, with its rows.
    pub async fn tables(&mut self) -> Result<Vec<TracedTable>, TraceError> {
        self.sampler().await?;
        let conn = self.sampler.as_mut().expect("connected above");
        tables::list(conn, &self.bookkeeping)
            .await
            .map_err(|source| TraceError::Sql {
                what: "list the tables",
                source,
            })
    }

    /// Runs `apply` (one migration step) while the workload runs on `tables` (those with
    /// rows; the largest [`MAX_TABLES`]) and the main queries of `queries` that read and
    /// prepare on the schema as it stands, and the sampler watches; the trace (its `step`
    /// left for the caller to name) and what `apply` returned.
    pub async fn trace<T>(
        &mut self,
        tables: &[TracedTable],
        queries: Option<(&Subject, &MainQueries)>,
        apply: impl Future<Output = T>,
    ) -> Result<(StepTrace, T), TraceError> {
        let mut traced: Vec<TracedTable> = tables.iter().filter(|t| t.rows > 0).cloned().collect();
        traced.sort_by_key(|t| std::cmp::Reverse(t.rows));
        traced.truncate(MAX_TABLES);
        let clients = self.clients(&traced, queries).await?;
        let signals = Arc::new(Signals::default());
        let count = clients.len();
        let mut running = JoinSet::new();
        for client in clients {
            running.spawn(workload::run(client, signals.clone()));
        }
        let mut patience = Patience::new(START_PATIENCE, Duration::from_millis(2));
        while signals.settled() < count {
            if !patience.another_look().await {
                signals.stop();
                return Err(TraceError::NotStarted {
                    patience: START_PATIENCE,
                    settled: signals.settled(),
                    clients: count,
                });
            }
        }
        self.sampler().await?;
        let conn = self.sampler.take().expect("connected above");
        let sampling = tokio::spawn(sampler::run(conn, signals.clone()));

        let started = Instant::now();
        let applied = apply.await;
        let elapsed = started.elapsed();

        signals.stop();
        let stopped = tokio::time::timeout(STOP_PATIENCE, async {
            let (conn, samples) = sampling.await.map_err(|_| ())?;
            let mut finished = Vec::with_capacity(count);
            while let Some(client) = running.join_next().await {
                finished.push(client.map_err(|_| ())?);
            }
            Ok::<_, ()>((conn, samples, finished))
        })
        .await;
        let Ok(Ok((conn, samples, finished))) = stopped else {
            return Err(TraceError::NotStopped(STOP_PATIENCE));
        };
        self.sampler = Some(conn);
        let samples = samples.map_err(|source| TraceError::Sql {
            what: "sample the locks",
            source,
        })?;
        let oids: Vec<u32> = traced.iter().map(|t| t.oid).collect();
        let after = tables::relfilenodes(self.sampler().await?, &oids)
            .await
            .map_err(|source| TraceError::Sql {
                what: "read the relfilenodes after the step",
                source,
            })?;
        let trace = analyse(&traced, &samples, &finished, &after, elapsed);
        self.idle
            .extend(finished.into_iter().filter_map(|f| f.conn));
        Ok((trace, applied))
    }

    async fn clients(
        &mut self,
        tables: &[TracedTable],
        queries: Option<(&Subject, &MainQueries)>,
    ) -> Result<Vec<Client>, TraceError> {
        let mut clients = Vec::new();
        for table in tables {
            let conn = self.connection().await?;
            clients.push(Client::reader(table, conn));
            let conn = self.connection().await?;
            match Client::writer(table, conn) {
                Ok(writer) => clients.push(writer),
                Err(conn) => self.idle.push(conn),
            }
        }
        let Some((subject, main)) = queries else {
            return Ok(clients);
        };
        for position in reading_queries(main) {
            let mut conn = self.connection().await?;
            // a query the schema as it stands cannot run yet (a column a later step
            // adds) is left out of this step's workload
            match PreparedQuery::prepare(&mut conn, subject, main, position).await {
                Ok(prepared) => clients.push(Client::query(prepared, conn)),
                Err(e) => {
                    tracing::debug!("main query {position} left out of the lock trace: {e}");
                    self.idle.push(conn);
                }
            }
        }
        Ok(clients)
    }

    async fn connection(&mut self) -> Result<PgConnection, TraceError> {
        if let Some(conn) = self.idle.pop() {
            return Ok(conn);
        }
        self.target
            .options()
            .application_name(APPLICATION_NAME)
            .connect()
            .await
            .map_err(|source| TraceError::Connect {
                who: "workload",
                source,
            })
    }

    async fn sampler(&mut self) -> Result<&mut PgConnection, TraceError> {
        if self.sampler.is_none() {
            let conn = self
                .target
                .options()
                .application_name(SAMPLER_NAME)
                .connect()
                .await
                .map_err(|source| TraceError::Connect {
                    who: "sampler",
                    source,
                })?;
            self.sampler = Some(conn);
        }
        Ok(self.sampler.as_mut().expect("just connected"))
    }

    /// Closes every connection.
    pub async fn close(mut self) {
        for conn in self.idle.drain(..).chain(self.sampler.take()) {
            let _ = conn.close().await;
        }
    }
}

/// The trace of one step from what the sampler saw, what the clients measured, and the
/// relfilenodes after it.
fn analyse(
    tables: &[TracedTable],
    samples: &[Sample],
    clients: &[Finished],
    after: &BTreeMap<u32, u32>,
    elapsed: Duration,
) -> StepTrace {
    // a lock on a table or on one of its indexes is a lock on the table's queries
    let mut owner: BTreeMap<u32, usize> = BTreeMap::new();
    for (i, table) in tables.iter().enumerate() {
        owner.insert(table.oid, i);
        for index in &table.indexes {
            owner.insert(*index, i);
        }
    }
    // per table, per mode: first and last sighting
    let mut seen: Vec<BTreeMap<LockMode, (Instant, Instant)>> = vec![BTreeMap::new(); tables.len()];
    let mut waits: Vec<Option<Wait>> = vec![None; tables.len()];
    let mut other_wait: Option<Wait> = None;
    for sample in samples {
        let at = sample.at();
        for (relation, mode) in &sample.held {
            let Some(i) = tables.iter().position(|t| t.oid == *relation) else {
                continue;
            };
            let span = seen[i].entry(*mode).or_insert((at, at));
            span.1 = at;
        }
        for waiting in &sample.waiting {
            let Some(client) = clients.iter().find(|c| c.pid == waiting.pid) else {
                continue;
            };
            // the query in flight while the sampler looked; a wait too short to be kept
            // is no wait worth reporting
            let Some(query) = client
                .slow
                .iter()
                .find(|q| q.start <= sample.received && q.end >= sample.sent)
            else {
                continue;
            };
            let table = waiting
                .relation
                .and_then(|r| owner.get(&r).copied())
                .or_else(|| {
                    client
                        .table
                        .and_then(|oid| tables.iter().position(|t| t.oid == oid))
                });
            let wait = Wait {
                waited: query.end - query.start,
                by: client.kind.clone(),
                wants: waiting.wants,
                statement: waiting
                    .statement
                    .as_deref()
                    .map(|text| statement_about(text, table.map(|i| tables[i].name.as_str()))),
            };
            let slot = match table {
                Some(i) => &mut waits[i],
                None => &mut other_wait,
            };
            if slot.as_ref().is_none_or(|w| w.waited < wait.waited) {
                *slot = Some(wait);
            }
        }
    }
    let traced = tables
        .iter()
        .enumerate()
        .filter_map(|(i, table)| {
            let strongest = seen[i].iter().next_back();
            let node = after.get(&table.oid);
            let dropped = node.is_none();
            let rewritten = table.relfilenode != 0 && node.is_some_and(|n| *n != table.relfilenode);
            let trace = TableTrace {
                table: table.display_name(),
                rows: table.rows,
                strongest_lock: strongest.map(|(mode, _)| *mode),
                held: strongest.map_or(Duration::ZERO, |(_, (first, last))| *last - *first),
                longest_wait: waits[i].take(),
                rewritten,
                dropped,
            };
            let touched = trace.strongest_lock.is_some()
                || trace.longest_wait.is_some()
                || rewritten
                || dropped;
            touched.then_some(trace)
        })
        .collect();
    StepTrace {
        step: String::new(),
        tables: traced,
        other_wait,
        elapsed,
        workload_errors: clients
            .iter()
            .filter_map(|c| {
                c.error
                    .as_ref()
                    .map(|e| format!("{}: {e}", c.kind.describe()))
            })
            .collect(),
    }
}

/// Of the SQL a backend was running (a whole migration file, sent at once), the statement
/// that names `table`, on one line and cut short: "CREATE INDEX users_email_idx ON users
/// (email)".
pub fn statement_about(sql: &str, table: Option<&str>) -> String {
    let without_comments: String = sql
        .lines()
        .map(|line| line.split("--").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join(" ");
    let statements: Vec<String> = without_comments
        .split(';')
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|s| !s.is_empty())
        .collect();
    let names = |s: &&String| {
        table.is_some_and(|t| {
            let t = t.to_ascii_lowercase();
            s.to_ascii_lowercase()
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .any(|word| word == t)
        })
    };
    let chosen = statements
        .iter()
        .find(names)
        .or(statements.first())
        .cloned()
        .unwrap_or_default();
    const MAX: usize = 200;
    match chosen.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &chosen[..cut]),
        None => chosen,
    }
}

#[cfg(test)]
mod tests;
