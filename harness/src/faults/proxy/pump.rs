//! One direction of one connection: read a chunk, apply the direction's faults as they
//! are now, forward what is left.

use std::sync::atomic::Ordering;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::watch;

use super::{Direction, Shared, Toxics};

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

pub(super) async fn pump(
    from: &mut OwnedReadHalf,
    to: &mut OwnedWriteHalf,
    mut toxics: watch::Receiver<Toxics>,
    shared: &Shared,
    direction: Direction,
) -> PumpEnd {
    let mut buf = vec![0u8; CHUNK];
    let mut armed = toxics.borrow_and_update().close_after;
    let mut budget = armed;
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) => {
                let _ = to.shutdown().await;
                return PumpEnd::Eof;
            }
            Ok(n) => n,
            Err(_) => return PumpEnd::Broken,
        };
        let now = toxics.borrow_and_update().clone();
        if now.close_after != armed {
            armed = now.close_after;
            budget = armed;
        }
        if now.blackhole {
            shared.discarded.fetch_add(n as u64, Ordering::Relaxed);
            continue;
        }
        if !now.latency.is_zero() {
            tokio::time::sleep(now.latency).await;
        }
        let pass = budget.map_or(n, |left| n.min(usize::try_from(left).unwrap_or(usize::MAX)));
        if pass > 0 {
            if to.write_all(&buf[..pass]).await.is_err() {
                return PumpEnd::Broken;
            }
            shared
                .bytes(direction)
                .fetch_add(pass as u64, Ordering::Relaxed);
        }
        if let Some(left) = budget.as_mut() {
            *left -= pass as u64;
            if *left == 0 {
                let _ = to.flush().await;
                return PumpEnd::Limit;
            }
        }
    }
}
