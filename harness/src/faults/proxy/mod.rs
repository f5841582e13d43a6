//! A TCP fault proxy on 127.0.0.1 between a client and a server: it adds latency,
//! black-holes traffic, closes a connection after N bytes (each per direction, switchable
//! while connections are live) and cuts live connections with a reset: all of them, or
//! only those older than an age (so that a fresh connection can finish its handshake).
//!
//! Scenarios point a client at [`FaultProxy::address`] (`ConnInfo::with_address`) and
//! switch faults on at the moment they choose, e.g. at a flow's fault point. A proxy told
//! to [follow statements](FaultProxy::follow_statements) reads the PostgreSQL protocol:
//! it keeps a transcript of the statements clients send and can hold the next one back,
//! which finds the fault points of an app written in any language.

mod connection;
mod pump;
mod statements;
mod toxics;
pub mod wire;

pub use statements::{Held, Statement};
pub use toxics::{Direction, Toxics};

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{watch, Notify};
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::Instant;

use crate::backend::ConnInfo;

/// How long [`FaultProxy::cut_older_than`] waits for the connections it cut to be gone.
const CUT_WAIT: Duration = Duration::from_secs(5);

/// Why the proxy could not start.
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    #[error("failed to bind the fault proxy on 127.0.0.1: {0}")]
    Bind(std::io::Error),
    #[error("failed to resolve the server address {0} for the fault proxy")]
    Resolve(String),
}

/// Counters since the proxy started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProxyStats {
    pub accepted: u64,
    pub live: usize,
    pub bytes_to_server: u64,
    pub bytes_to_client: u64,
    /// Bytes swallowed by a black hole.
    pub discarded: u64,
    /// Connections cut with a reset.
    pub resets: u64,
    /// Connections closed by a byte limit.
    pub limited: u64,
}

/// A running proxy; dropping it stops it and closes every connection through it.
#[derive(Debug)]
pub struct FaultProxy {
    address: SocketAddr,
    shared: Arc<Shared>,
    accept: JoinHandle<()>,
}

/// A live connection as the handle sees it.
#[derive(Debug)]
struct Live {
    accepted: Instant,
    /// Notified once to reset the connection (the permit waits if it is not listening yet).
    cut: Arc<Notify>,
}

/// What the accept loop, the connections and the handle share.
#[derive(Debug)]
struct Shared {
    /// Where new connections go.
    upstream: Mutex<SocketAddr>,
    to_server: watch::Sender<Toxics>,
    to_client: watch::Sender<Toxics>,
    /// Live connections by id.
    live: Mutex<HashMap<u64, Live>>,
    /// Woken whenever a connection ends.
    ended: Notify,
    next_id: AtomicU64,
    accepted: AtomicU64,
    bytes_to_server: AtomicU64,
    bytes_to_client: AtomicU64,
    discarded: AtomicU64,
    resets: AtomicU64,
    limited: AtomicU64,
    /// Whether connections accepted from now on are read as PostgreSQL protocol.
    follows_statements: AtomicBool,
    statements: statements::Statements,
}

impl Shared {
    fn toxics(&self, direction: Direction) -> &watch::Sender<Toxics> {
        match direction {
            Direction::ToServer => &self.to_server,
            Direction::ToClient => &self.to_client,
        }
    }

    fn bytes(&self, direction: Direction) -> &AtomicU64 {
        match direction {
            Direction::ToServer => &self.bytes_to_server,
            Direction::ToClient => &self.bytes_to_client,
        }
    }

    fn live_count(&self) -> usize {
        lock(&self.live).len()
    }
}

impl FaultProxy {
    /// Listens on a free port of 127.0.0.1 and forwards every connection to `upstream`.
    pub async fn start(upstream: SocketAddr) -> Result<FaultProxy, ProxyError> {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(ProxyError::Bind)?;
        let address = listener.local_addr().map_err(ProxyError::Bind)?;
        let shared = Arc::new(Shared {
            upstream: Mutex::new(upstream),
            to_server: watch::Sender::new(Toxics::default()),
            to_client: watch::Sender::new(Toxics::default()),
            live: Mutex::new(HashMap::new()),
            ended: Notify::new(),
            next_id: AtomicU64::new(0),
            accepted: AtomicU64::new(0),
            bytes_to_server: AtomicU64::new(0),
            bytes_to_client: AtomicU64::new(0),
            discarded: AtomicU64::new(0),
            resets: AtomicU64::new(0),
            limited: AtomicU64::new(0),
            follows_statements: AtomicBool::new(false),
            statements: statements::Statements::default(),
        });
        let accept = tokio::spawn(accept_loop(listener, shared.clone()));
        Ok(FaultProxy {
            address,
            shared,
            accept,
        })
    }

    /// A proxy in front of the server that `info` points at.
    pub async fn in_front_of(info: &ConnInfo) -> Result<FaultProxy, ProxyError> {
        FaultProxy::start(resolve(info).await?).await
    }

    /// Sends new connections to the server `info` points at now (a restarted container
    /// may listen on another port); live connections keep theirs.
    pub async fn retarget(&self, info: &ConnInfo) -> Result<(), ProxyError> {
        let upstream = resolve(info).await?;
        *lock(&self.shared.upstream) = upstream;
        Ok(())
    }

    /// Where clients connect.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// `info` with its address replaced by this proxy's.
    pub fn route(&self, info: &ConnInfo) -> ConnInfo {
        info.with_address(&self.address.ip().to_string(), self.address.port())
    }

    /// Where the proxy forwards to.
    pub fn upstream(&self) -> SocketAddr {
        *lock(&self.shared.upstream)
    }

    /// The faults now applied in `direction`.
    pub fn toxics(&self, direction: Direction) -> Toxics {
        self.shared.toxics(direction).borrow().clone()
    }

    /// Replaces the faults of `direction`, for live connections too.
    pub fn set(&self, direction: Direction, toxics: Toxics) {
        self.shared.toxics(direction).send_replace(toxics);
    }

    /// Changes the faults of `direction` in place.
    pub fn update(&self, direction: Direction, change: impl FnOnce(&mut Toxics)) {
        self.shared.toxics(direction).send_modify(change);
    }

    /// Delays every chunk in `direction` by `latency`.
    pub fn latency(&self, direction: Direction, latency: Duration) {
        self.update(direction, |t| t.latency = latency);
    }

    /// Swallows (or, with `false`, lets through again) everything sent in `direction`:
    /// the connection stays open and the peer waits forever.
    pub fn blackhole(&self, direction: Direction, on: bool) {
        self.update(direction, |t| t.blackhole = on);
    }

    /// Closes each connection once `bytes` more bytes have passed in `direction`
    /// (counted from now for live connections, from their start for new ones).
    pub fn close_after(&self, direction: Direction, bytes: Option<u64>) {
        self.update(direction, |t| t.close_after = bytes);
    }

    /// Removes every fault in both directions.
    pub fn heal(&self) {
        for direction in Direction::BOTH {
            self.set(direction, Toxics::default());
        }
    }

    /// Resets every live connection (both sides get a TCP RST) and waits until they are
    /// gone; returns how many were cut. New connections are accepted as before.
    pub async fn cut_all(&self) -> usize {
        self.cut_older_than(Duration::ZERO).await
    }

    /// Resets every live connection accepted at least `age` ago and waits until they are
    /// gone; returns how many were cut. Younger connections and new ones are untouched.
    pub async fn cut_older_than(&self, age: Duration) -> usize {
        let ended = self.shared.ended.notified();
        tokio::pin!(ended);
        ended.as_mut().enable();
        let targets: Vec<u64> = {
            let live = lock(&self.shared.live);
            let now = Instant::now();
            live.iter()
                .filter(|(_, conn)| now.duration_since(conn.accepted) >= age)
                .map(|(id, conn)| {
                    conn.cut.notify_one();
                    *id
                })
                .collect()
        };
        let deadline = Instant::now() + CUT_WAIT;
        loop {
            let remaining = {
                let live = lock(&self.shared.live);
                targets.iter().filter(|id| live.contains_key(id)).count()
            };
            if remaining == 0 {
                break;
            }
            if tokio::time::timeout_at(deadline, ended.as_mut())
                .await
                .is_err()
            {
                tracing::warn!("{remaining} cut connection(s) still open after {CUT_WAIT:?}");
                break;
            }
            ended.set(self.shared.ended.notified());
            ended.as_mut().enable();
        }
        targets.len()
    }

    /// Reads every connection accepted from now on as PostgreSQL protocol: encryption
    /// requests are answered `N`, statements are recorded and pass the statement gate.
    pub fn follow_statements(&self) {
        self.shared
            .follows_statements
            .store(true, Ordering::Relaxed);
    }

    /// The statements sent since the proxy started or [`FaultProxy::forget_statements`],
    /// in the order they went through, with how each finished so far.
    pub fn statements(&self) -> Vec<Statement> {
        self.shared.statements.transcript()
    }

    /// Starts a new transcript: the next statement is number 1.
    pub fn forget_statements(&self) {
        self.shared.statements.forget();
    }

    /// Holds back every statement after the `k`-th (of the transcript) until
    /// [`FaultProxy::release_statements`]: the `k`-th has gone through, the next one has
    /// not reached the server. The first one held is told by [`FaultProxy::held`].
    pub fn hold_after(&self, k: usize) {
        self.shared.statements.hold_after(Some(k));
    }

    /// Makes each connection's `message`-th statement (counted on that connection) wait
    /// until `parties` connections have got there, then lets them all go at once: a race
    /// where every party has done what came before before any does what comes after.
    /// [`FaultProxy::end_meeting`] lets waiting connections go early.
    pub fn meet_at(&self, message: u64, parties: usize) {
        self.shared.statements.meet(Some((message, parties)));
    }

    /// How many connections got to the meeting.
    pub fn arrived(&self) -> usize {
        self.shared.statements.arrived()
    }

    /// Lets every connection waiting at the meeting go, and no new one wait.
    pub fn end_meeting(&self) {
        self.shared.statements.meet(None);
    }

    /// Waits until the gate holds a statement back.
    pub async fn held(&self) -> Held {
        self.shared.statements.held().await
    }

    /// Lets held statements through, and every one after them.
    pub fn release_statements(&self) {
        self.shared.statements.hold_after(None);
    }

    pub fn stats(&self) -> ProxyStats {
        let s = &self.shared;
        ProxyStats {
            accepted: s.accepted.load(Ordering::Relaxed),
            live: s.live_count(),
            bytes_to_server: s.bytes_to_server.load(Ordering::Relaxed),
            bytes_to_client: s.bytes_to_client.load(Ordering::Relaxed),
            discarded: s.discarded.load(Ordering::Relaxed),
            resets: s.resets.load(Ordering::Relaxed),
            limited: s.limited.load(Ordering::Relaxed),
        }
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        // the connection tasks live in the accept task's JoinSet and go with it
        self.accept.abort();
    }
}

/// A poisoned lock still guards valid data here: every writer leaves it whole.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

async fn resolve(info: &ConnInfo) -> Result<SocketAddr, ProxyError> {
    tokio::net::lookup_host((info.host.as_str(), info.port))
        .await
        .ok()
        .and_then(|mut found| found.next())
        .ok_or_else(|| ProxyError::Resolve(format!("{}:{}", info.host, info.port)))
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        match listener.accept().await {
            Ok((client, _)) => {
                shared.accepted.fetch_add(1, Ordering::Relaxed);
                let upstream = *lock(&shared.upstream);
                connections.spawn(connection::serve(client, upstream, shared.clone()));
            }
            Err(e) => {
                tracing::debug!("fault proxy: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}

#[cfg(test)]
mod tests;
