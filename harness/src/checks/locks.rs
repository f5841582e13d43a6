//! Sessions waiting on a lock, as `pg_locks` shows them: how a concurrency scenario knows
//! that its sessions are in flight together, never by a timer.

use sqlx::PgConnection;

/// Whose lock waits to count.
#[derive(Debug, Clone, Copy)]
pub enum Sessions<'a> {
    /// These backends (by pid).
    These(&'a [i32]),
    /// Every other session of the asking connection's database.
    OthersOfThisDatabase,
}

/// How many of `sessions` wait for a lock now, seen from `conn`.
pub async fn waiting_on_a_lock(
    conn: &mut PgConnection,
    sessions: Sessions<'_>,
) -> Result<usize, sqlx::Error> {
    let waiting: i64 = match sessions {
        Sessions::These(pids) => {
            sqlx::query_scalar(
                "SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted AND pid = ANY($1)",
            )
            .bind(pids)
            .fetch_one(conn)
            .await?
        }
        Sessions::OthersOfThisDatabase => {
            sqlx::query_scalar(
                "SELECT count(DISTINCT l.pid) FROM pg_locks l \
                 JOIN pg_stat_activity a ON a.pid = l.pid \
                 WHERE NOT l.granted AND a.datname = current_database() \
                 AND l.pid <> pg_backend_pid()",
            )
            .fetch_one(conn)
            .await?
        }
    };
    Ok(usize::try_from(waiting).unwrap_or(0))
}
