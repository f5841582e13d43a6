//! Two sessions writing the same key at the same moment, round after round. A barrier
//! starts both together; in gated rounds a third session holds a SHARE lock on the table
//! until both writers are waiting on it, so their writes really overlap (whatever each
//! read before its write, it read before the other wrote).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use harness::checks::locks::{self, Sessions};
use harness::process::wait::Patience;
use harness::run::scenario::ScenarioError;
use harness::schema::rowgen::Value;
use harness::schema::template::Database;
use sqlx::PgConnection;
use tokio::sync::Barrier;

use super::fixtures::Parents;
use super::schema::{execute, Claimed, Schema};

/// How long a gate waits for both writers before it opens anyway.
const GATE_PATIENCE: Duration = Duration::from_secs(5);

/// Gated rounds, then rounds started by the barrier alone.
pub const GATED_ROUNDS: u32 = 20;
pub const FREE_ROUNDS: u32 = 20;

/// Two app-role sessions and the admin session that gates them.
pub struct Racers {
    sessions: [PgConnection; 2],
    pids: Vec<i32>,
    gate: PgConnection,
}

/// What the two sessions did in one round.
#[derive(Debug)]
pub struct Round<T> {
    pub results: [T; 2],
    /// Whether both writers were seen waiting at the gate together (gated rounds only).
    pub overlapped: bool,
}

impl Racers {
    pub async fn connect(db: &Database) -> Result<Racers, ScenarioError> {
        let connect = || async {
            db.connect_app()
                .await
                .map_err(|e| ScenarioError::sql("connect a racing session", e))
        };
        let sessions = [connect().await?, connect().await?];
        let mut racers = Racers {
            sessions,
            pids: Vec::new(),
            gate: db
                .connect_admin()
                .await
                .map_err(|e| ScenarioError::sql("connect the gate session", e))?,
        };
        for session in &mut racers.sessions {
            let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
                .fetch_one(&mut *session)
                .await
                .map_err(|e| ScenarioError::sql("read a session's pid", e))?;
            racers.pids.push(pid);
        }
        Ok(racers)
    }

    /// Runs `writer` on both sessions at once. With a `gate` table, writes to it wait
    /// until both sessions are waiting.
    pub async fn round<W: Writer>(
        &mut self,
        gate: Option<&str>,
        writer: &W,
    ) -> Result<Round<W::Output>, ScenarioError> {
        let Racers {
            sessions: [first, second],
            pids,
            gate: gate_session,
        } = self;
        if let Some(table) = gate {
            execute(
                &mut *gate_session,
                &format!("BEGIN; LOCK TABLE {table} IN SHARE MODE"),
            )
            .await
            .map_err(|e| ScenarioError::sql("close the gate", e))?;
        }
        let barrier = Barrier::new(2);
        let finished = AtomicUsize::new(0);
        let watch = async {
            if gate.is_none() {
                return Ok(false);
            }
            let overlapped = wait_for_writers(gate_session, pids, &finished).await;
            execute(&mut *gate_session, "COMMIT")
                .await
                .map_err(|e| ScenarioError::sql("open the gate", e))?;
            overlapped
        };
        let (a, b, overlapped) = tokio::join!(
            race_one(&barrier, &finished, writer, first, 0),
            race_one(&barrier, &finished, writer, second, 1),
            watch
        );
        Ok(Round {
            results: [a, b],
            overlapped: overlapped?,
        })
    }
}

/// What each of the two sessions writes in a round.
#[async_trait]
pub trait Writer: Send + Sync {
    type Output: Send;

    /// Session `i` (0 or 1) writes.
    async fn write(&self, session: &mut PgConnection, i: usize) -> Self::Output;
}

/// One session's part of a round: wait for the other at the barrier, then write.
async fn race_one<W: Writer>(
    barrier: &Barrier,
    finished: &AtomicUsize,
    writer: &W,
    session: &mut PgConnection,
    i: usize,
) -> W::Output {
    barrier.wait().await;
    let result = writer.write(session, i).await;
    finished.fetch_add(1, Ordering::SeqCst);
    result
}

/// Waits until both writers are blocked on a lock (true), or until one finished without
/// blocking or patience ran out (false).
async fn wait_for_writers(
    gate: &mut PgConnection,
    pids: &[i32],
    finished: &AtomicUsize,
) -> Result<bool, ScenarioError> {
    let mut patience = Patience::new(GATE_PATIENCE, Duration::from_millis(1));
    while patience.another_look().await {
        let waiting = locks::waiting_on_a_lock(gate, Sessions::These(pids))
            .await
            .map_err(|e| ScenarioError::sql("watch the gate", e))?;
        if waiting >= 2 {
            return Ok(true);
        }
        if finished.load(Ordering::SeqCst) > 0 {
            return Ok(false);
        }
    }
    Ok(false)
}

/// Why rounds without a lost race prove nothing: no gated round had both writes in flight,
/// or no round ended with one commit and the other refused as claimed.
pub const UNRACED: &str =
    "no round lost the race, but none showed it held either: no gated round had both writes in flight at once, or no round ended with one commit and the claimed refusal";

/// Tallies of many rounds.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    pub rounds: u32,
    pub overlapped: u32,
    /// Rounds where both sessions committed: the race was lost.
    pub both_committed: u32,
    /// Rounds where exactly one committed and the other was refused as claimed.
    pub one_committed: u32,
    /// Rounds that ended any other way: inconclusive.
    pub other: u32,
}

impl Tally {
    pub fn describe(&self, gated: bool) -> String {
        let overlap = if gated {
            format!(", writes overlapped in {}", self.overlapped)
        } else {
            String::new()
        };
        format!(
            "{} rounds{overlap}: both committed in {}, exactly one in {}, otherwise {}",
            self.rounds, self.both_committed, self.one_committed, self.other
        )
    }

    /// No round let both commit. A round that ended any other way than one commit and
    /// the claimed refusal (both refused, or one refused by another rule than the claimed
    /// one: a generated row colliding elsewhere) says nothing either way.
    pub fn held(&self) -> bool {
        self.both_committed == 0
    }
}

/// The key both sessions insert in `round`: the first parent's key for referencing
/// columns, a value of the column distinct to the round for the others (one its rules
/// accept, where they limit it).
pub fn round_key(
    schema: &Schema,
    claim: &Claimed,
    parents: &Parents,
    round: u32,
) -> Option<Vec<Value>> {
    let table = schema.table(&claim.table);
    let spec = schema.row_spec(&claim.table);
    claim
        .columns
        .iter()
        .map(|column| {
            let referencing = schema
                .edges
                .iter()
                .enumerate()
                .find(|(_, e)| e.child == claim.table && e.columns.contains(column));
            if let Some((i, edge)) = referencing {
                let position = edge.columns.iter().position(|c| c == column)?;
                return parents.keys(i).first().map(|k| k[position].clone());
            }
            table.column(column)?;
            spec.column(column)?.key_value(1_000_000 + u64::from(round))
        })
        .collect()
}

/// How many rows hold `key` now.
pub async fn count_key(
    conn: &mut PgConnection,
    schema: &Schema,
    claim: &Claimed,
    key: &[Value],
) -> Result<i64, ScenarioError> {
    let sql = format!("SELECT count(*) FROM {}", key_rows(schema, claim));
    let mut query = sqlx::query_scalar::<_, i64>(&sql);
    for value in key {
        query = query.bind(value.as_param());
    }
    query
        .fetch_one(conn)
        .await
        .map_err(|e| ScenarioError::sql("count the rows holding the raced key", e))
}

/// Removes the rows an earlier round left holding `key`: a key made only of references
/// (the same parents every round) is raced again from no row at all.
pub async fn clear_key(
    conn: &mut PgConnection,
    schema: &Schema,
    claim: &Claimed,
    key: &[Value],
) -> Result<(), ScenarioError> {
    let sql = format!("DELETE FROM {}", key_rows(schema, claim));
    let mut query = sqlx::query(&sql);
    for value in key {
        query = query.bind(value.as_param());
    }
    query
        .execute(conn)
        .await
        .map(|_| ())
        .map_err(|e| ScenarioError::sql("clear the raced key", e))
}

/// `schema.table WHERE key columns = $1, $2…`, cast to the columns' types.
fn key_rows(schema: &Schema, claim: &Claimed) -> String {
    let table = schema.table(&claim.table);
    let conditions: Vec<String> = claim
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let data_type = table
                .column(c)
                .map(|c| schema.catalog.base_type(&c.data_type))
                .unwrap_or("text");
            format!(
                "{} = ${}::{data_type}",
                harness::backend::names::quote_ident(c),
                i + 1
            )
        })
        .collect();
    format!(
        "{}.{} WHERE {}",
        harness::backend::names::quote_ident(&table.schema),
        harness::backend::names::quote_ident(&table.name),
        conditions.join(" AND ")
    )
}
