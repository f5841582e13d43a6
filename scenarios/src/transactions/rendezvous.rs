//! A schedule, not a fault: concurrent flows wait for each other at a fault point, so
//! that each has done its first statements before any goes on — the interleaving that
//! exposes a read-modify-write race. Waiting ends once everyone is there or a short
//! window after the first arrival (a flow holding a lock keeps the others from arriving).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_trait::async_trait;
use sqlx::PgConnection;
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::flows::{FaultPoints, Flow, FlowError};

/// How long the first arrival waits for the others.
const WINDOW: Duration = Duration::from_millis(300);

#[derive(Debug)]
pub struct Rendezvous {
    expected: usize,
    arrived: AtomicUsize,
    everyone: Notify,
    first_arrival: OnceLock<Instant>,
}

impl Rendezvous {
    pub fn new(expected: usize) -> Arc<Rendezvous> {
        Arc::new(Rendezvous {
            expected,
            arrived: AtomicUsize::new(0),
            everyone: Notify::new(),
            first_arrival: OnceLock::new(),
        })
    }

    async fn meet(&self) {
        let deadline = *self.first_arrival.get_or_init(Instant::now) + WINDOW;
        let everyone = self.everyone.notified();
        tokio::pin!(everyone);
        everyone.as_mut().enable();
        if self.arrived.fetch_add(1, Ordering::SeqCst) + 1 >= self.expected {
            self.everyone.notify_waiters();
            return;
        }
        let _ = tokio::time::timeout_at(deadline, everyone).await;
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
        _: &mut PgConnection,
    ) -> Result<(), FlowError> {
        if point == self.point {
            self.rendezvous.meet().await;
        }
        Ok(())
    }
}
