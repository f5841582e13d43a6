//! A schedule, not a fault: concurrent flows wait for each other at a fault point, so
//! that each has done its first statements before any goes on — the interleaving that
//! exposes a read-modify-write race. The wait ends once every flow has arrived or is
//! blocked on a lock (a flow holding a row lock keeps the others from arriving), as the
//! first arrival sees in `pg_locks`; never on a timer, which a loaded machine outruns.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use harness::checks::locks::{self, Sessions};
use harness::process::wait::Patience;
use sqlx::PgConnection;
use tokio::sync::Notify;

use crate::flows::{FaultPoints, Flow, FlowError};

/// How long the flows wait at most for one that neither arrives nor waits on a lock
/// (one that failed before the meeting point).
const PATIENCE: Duration = Duration::from_secs(10);

/// How often the first arrival looks for the others.
const POLL: Duration = Duration::from_millis(2);

#[derive(Debug)]
pub struct Rendezvous {
    expected: usize,
    arrived: AtomicUsize,
    released: AtomicBool,
    everyone: Notify,
}

impl Rendezvous {
    pub fn new(expected: usize) -> Arc<Rendezvous> {
        Arc::new(Rendezvous {
            expected,
            arrived: AtomicUsize::new(0),
            released: AtomicBool::new(false),
            everyone: Notify::new(),
        })
    }

    /// Waits, on `conn` (the arriving flow's own session), until everyone is here or
    /// blocked; a flow arriving after that goes straight on.
    async fn meet(&self, conn: &mut PgConnection) -> Result<(), sqlx::Error> {
        let released = self.everyone.notified();
        tokio::pin!(released);
        released.as_mut().enable();
        if self.released.load(Ordering::SeqCst) {
            return Ok(());
        }
        let arrived = self.arrived.fetch_add(1, Ordering::SeqCst) + 1;
        if arrived >= self.expected {
            self.release();
            return Ok(());
        }
        if arrived > 1 {
            let _ = tokio::time::timeout(PATIENCE, released).await;
            return Ok(());
        }
        let watched = self.watch(conn).await;
        self.release();
        watched
    }

    /// The first arrival's wait: until everyone has arrived or is blocked.
    async fn watch(&self, conn: &mut PgConnection) -> Result<(), sqlx::Error> {
        let mut patience = Patience::new(PATIENCE, POLL);
        while patience.another_look().await {
            let arrived = self.arrived.load(Ordering::SeqCst);
            if arrived >= self.expected {
                return Ok(());
            }
            let blocked = locks::waiting_on_a_lock(conn, Sessions::OthersOfThisDatabase).await?;
            if arrived + blocked >= self.expected {
                return Ok(());
            }
        }
        Ok(())
    }

    fn release(&self) {
        self.released.store(true, Ordering::SeqCst);
        self.everyone.notify_waiters();
    }
}

/// Fault points where the flow meets the others at `point`.
pub struct MeetAt {
    pub rendezvous: Arc<Rendezvous>,
    pub point: u32,
}

#[async_trait]
impl FaultPoints for MeetAt {
    async fn reached(
        &mut self,
        _: Flow,
        point: u32,
        conn: &mut PgConnection,
    ) -> Result<(), FlowError> {
        if point == self.point {
            self.rendezvous.meet(conn).await?;
        }
        Ok(())
    }
}
