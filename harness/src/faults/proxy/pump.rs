//! One direction of one connection: read a chunk, apply the direction's faults as they
//! are now, forward what is left. A connection that follows the PostgreSQL protocol is
//! read into its [`Conversation`] on the way, and the client's side is forwarded in whole
//! messages, each statement passing the proxy's statement gate first.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::watch;

use super::wire::Conversation;
use super::{lock, Direction, Shared, Toxics};

const CHUNK: usize = 16 * 1024;

/// Why a pump stopped.
pub(super) enum PumpEnd {
    /// The source closed its side; the destination's write side was shut down in turn.
    Eof,
    /// The byte limit was reached.
    Limit,
    /// Reading or writing failed.
    Broken,
}

/// A connection read as PostgreSQL protocol: its id and what has been said on it.
pub(super) struct Followed {
    pub connection: u64,
    pub conversation: Arc<Mutex<Conversation>>,
}

/// One direction's toxics and what is left of its byte limit.
struct Faults<'a> {
    toxics: watch::Receiver<Toxics>,
    armed: Option<u64>,
    budget: Option<u64>,
    shared: &'a Shared,
    direction: Direction,
}

impl Faults<'_> {
    /// Sends `bytes` on as the faults are now; `Some` when the connection must end.
    async fn forward(&mut self, bytes: &[u8], to: &mut OwnedWriteHalf) -> Option<PumpEnd> {
        if bytes.is_empty() {
            return None;
        }
        let now = self.toxics.borrow_and_update().clone();
        if now.close_after != self.armed {
            self.armed = now.close_after;
            self.budget = self.armed;
        }
        if now.blackhole {
            self.shared
                .discarded
                .fetch_add(bytes.len() as u64, Ordering::Relaxed);
            return None;
        }
        if !now.latency.is_zero() {
            tokio::time::sleep(now.latency).await;
        }
        let n = bytes.len();
        let pass = self
            .budget
            .map_or(n, |left| n.min(usize::try_from(left).unwrap_or(usize::MAX)));
        if pass > 0 {
            if to.write_all(&bytes[..pass]).await.is_err() {
                return Some(PumpEnd::Broken);
            }
            self.shared
                .bytes(self.direction)
                .fetch_add(pass as u64, Ordering::Relaxed);
        }
        if let Some(left) = self.budget.as_mut() {
            *left -= pass as u64;
            if *left == 0 {
                let _ = to.flush().await;
                return Some(PumpEnd::Limit);
            }
        }
        None
    }
}

pub(super) async fn pump(
    from: &mut OwnedReadHalf,
    to: &mut OwnedWriteHalf,
    mut toxics: watch::Receiver<Toxics>,
    shared: &Shared,
    direction: Direction,
    followed: Option<&Followed>,
) -> PumpEnd {
    let armed = toxics.borrow_and_update().close_after;
    let mut faults = Faults {
        toxics,
        armed,
        budget: armed,
        shared,
        direction,
    };
    let mut buf = vec![0u8; CHUNK];
    let mut statements = 0u64;
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) => {
                let _ = to.shutdown().await;
                return PumpEnd::Eof;
            }
            Ok(n) => n,
            Err(_) => return PumpEnd::Broken,
        };
        let end = match (followed, direction) {
            (Some(followed), Direction::ToServer) => {
                let messages = lock(&followed.conversation).client_messages(&buf[..n]);
                // messages go on together, in one write, except where the gate makes a
                // statement wait: what came before it goes first
                let mut out = Vec::new();
                let mut end = None;
                for (message, raw) in messages {
                    if let Some(sql) = message.statement() {
                        statements += 1;
                        let ticket = shared.statements.record(
                            followed.connection,
                            statements,
                            sql,
                            &followed.conversation,
                        );
                        if ticket.waits {
                            end = faults.forward(&std::mem::take(&mut out), to).await;
                            if end.is_some() {
                                break;
                            }
                            shared
                                .statements
                                .pass(&ticket, sql, &followed.conversation)
                                .await;
                        }
                    }
                    out.extend_from_slice(&raw);
                }
                match end {
                    Some(end) => Some(end),
                    None => faults.forward(&out, to).await,
                }
            }
            (Some(followed), Direction::ToClient) => {
                lock(&followed.conversation).from_server(&buf[..n]);
                faults.forward(&buf[..n], to).await
            }
            (None, _) => faults.forward(&buf[..n], to).await,
        };
        if let Some(end) = end {
            return end;
        }
    }
}
