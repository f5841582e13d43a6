//! The second session that watches a migration step: every few milliseconds, the relation
//! locks the step's backends hold, and the workload's backends waiting on a lock with a
//! step's backend among their `pg_blocking_pids`. The step's backends are every client
//! backend of the database that is not the trace's own (told apart by
//! `application_name`): the harness's migration connection, or whatever processes the
//! subject's migration command opened.

use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::PgConnection;

use super::workload::{Signals, APPLICATION_NAME};
use super::LockMode;

/// The sampler's own `application_name`.
pub const SAMPLER_NAME: &str = "readiness-lock-trace-sampler";

/// How often the sampler looks. A lock held for less may go unseen, and does no harm.
pub const SAMPLE_EVERY: Duration = Duration::from_millis(5);

/// Every trace connection's `application_name` starts with this.
const OURS: &str = "readiness-lock-trace";

/// What one look found.
#[derive(Debug, Clone)]
pub struct Sample {
    /// When the look was sent and when its answer came: what it saw was true at some
    /// moment in between.
    pub sent: Instant,
    pub received: Instant,
    /// Relation locks the step's backends held: (relation oid, mode).
    pub held: Vec<(u32, LockMode)>,
    pub waiting: Vec<Waiting>,
}

impl Sample {
    /// The middle of the look.
    pub fn at(&self) -> Instant {
        self.sent + (self.received - self.sent) / 2
    }
}

/// A workload backend waiting behind the step.
#[derive(Debug, Clone)]
pub struct Waiting {
    pub pid: i32,
    /// The relation it waits for (a table or an index), or whose row it waits for.
    pub relation: Option<u32>,
    /// The lock mode it asked for, when it waits for a relation's lock.
    pub wants: Option<LockMode>,
    /// What the step's blocking backend was running, as `pg_stat_activity` shows it.
    pub statement: Option<String>,
}

const LOOK: &str = "\
WITH step AS (
    SELECT pid, query FROM pg_stat_activity
    WHERE datname = current_database() AND backend_type = 'client backend'
      AND pid <> pg_backend_pid() AND coalesce(application_name, '') NOT LIKE 'readiness-lock-trace%'
), workload AS (
    SELECT pid, pg_blocking_pids(pid) AS blockers FROM pg_stat_activity
    WHERE datname = current_database() AND application_name = $1 AND wait_event_type = 'Lock'
)
SELECT 'held'::text, l.pid, l.relation::int8, l.mode, NULL::text
FROM pg_locks l JOIN step s ON s.pid = l.pid
WHERE l.granted AND l.locktype = 'relation'
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
UNION ALL
SELECT 'waits', w.pid,
       (SELECT l.relation::int8 FROM pg_locks l
        WHERE l.pid = w.pid AND l.relation IS NOT NULL AND (NOT l.granted OR l.locktype = 'tuple')
        ORDER BY l.granted LIMIT 1),
       (SELECT l.mode FROM pg_locks l
        WHERE l.pid = w.pid AND NOT l.granted AND l.locktype = 'relation' LIMIT 1),
       (SELECT s.query FROM step s WHERE s.pid = ANY (w.blockers) LIMIT 1)
FROM workload w
WHERE w.blockers && ARRAY(SELECT pid FROM step)";

/// Looks every [`SAMPLE_EVERY`] until `signals` say stop; the samples that saw anything.
pub async fn run(
    mut conn: PgConnection,
    signals: Arc<Signals>,
) -> (PgConnection, Result<Vec<Sample>, sqlx::Error>) {
    debug_assert!(APPLICATION_NAME.starts_with(OURS) && SAMPLER_NAME.starts_with(OURS));
    let mut samples = Vec::new();
    loop {
        let stopping = signals.stopping();
        match look(&mut conn).await {
            Ok(sample) if sample.held.is_empty() && sample.waiting.is_empty() => {}
            Ok(sample) => samples.push(sample),
            Err(e) => return (conn, Err(e)),
        }
        if stopping {
            return (conn, Ok(samples));
        }
        tokio::time::sleep(SAMPLE_EVERY).await;
    }
}

async fn look(conn: &mut PgConnection) -> Result<Sample, sqlx::Error> {
    type Row = (String, i32, Option<i64>, Option<String>, Option<String>);
    let sent = Instant::now();
    let rows: Vec<Row> = sqlx::query_as(LOOK)
        .bind(APPLICATION_NAME)
        .fetch_all(&mut *conn)
        .await?;
    let received = Instant::now();
    let mut sample = Sample {
        sent,
        received,
        held: Vec::new(),
        waiting: Vec::new(),
    };
    for (kind, pid, relation, mode, statement) in rows {
        let relation = relation.map(|r| r as u32);
        let mode = mode.as_deref().and_then(LockMode::from_pg);
        if kind == "held" {
            if let (Some(relation), Some(mode)) = (relation, mode) {
                sample.held.push((relation, mode));
            }
        } else {
            sample.waiting.push(Waiting {
                pid,
                relation,
                wants: mode,
                statement,
            });
        }
    }
    Ok(sample)
}
