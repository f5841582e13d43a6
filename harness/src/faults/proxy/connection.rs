//! One proxied connection: a pump per direction, until both ends close, a byte limit
//! closes it, or a cut resets it.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Notify;
use tokio::time::Instant;

use super::pump::{pump, Followed, PumpEnd};
use super::wire::{Conversation, ENCRYPTION_REQUESTS};
use super::{lock, Direction, Live, Shared};

/// How a connection ended.
enum Ending {
    /// Both directions reached end of stream.
    Closed,
    /// A byte limit was reached: both sockets are closed normally.
    Limited,
    /// Cut: both sockets are closed with a reset.
    Reset,
}

/// Removes the connection from the live set when it ends, however it ends.
struct Registered<'a> {
    id: u64,
    shared: &'a Shared,
}

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        lock(&self.shared.live).remove(&self.id);
        self.shared.ended.notify_waiters();
    }
}

pub(super) async fn serve(mut client: TcpStream, upstream: SocketAddr, shared: Arc<Shared>) {
    let cut = Arc::new(Notify::new());
    let id = shared.next_id.fetch_add(1, Ordering::Relaxed);
    lock(&shared.live).insert(
        id,
        Live {
            accepted: Instant::now(),
            cut: cut.clone(),
        },
    );
    let _registered = Registered {
        id,
        shared: &shared,
    };

    let server = match TcpStream::connect(upstream).await {
        Ok(server) => server,
        Err(e) => {
            tracing::debug!("fault proxy: cannot reach {upstream}: {e}");
            let _ = client.set_zero_linger();
            return;
        }
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let followed = if shared.follows_statements.load(Ordering::Relaxed) {
        let conversation = Arc::new(Mutex::new(Conversation::default()));
        // a cut before the startup is over ends the connection there
        let started = tokio::select! {
            started = refuse_encryption(&mut client, &conversation) => started,
            _ = cut.notified() => Err(std::io::ErrorKind::ConnectionReset.into()),
        };
        if let Err(e) = started {
            tracing::debug!("fault proxy: startup of connection {id} failed: {e}");
            let _ = client.set_zero_linger();
            return;
        }
        Some(Followed {
            connection: id,
            conversation,
        })
    } else {
        None
    };
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();

    let ending = {
        let to_server = pump(
            &mut client_read,
            &mut server_write,
            shared.toxics(Direction::ToServer).subscribe(),
            &shared,
            Direction::ToServer,
            followed.as_ref(),
        );
        let to_client = pump(
            &mut server_read,
            &mut client_write,
            shared.toxics(Direction::ToClient).subscribe(),
            &shared,
            Direction::ToClient,
            followed.as_ref(),
        );
        tokio::pin!(to_server, to_client);
        let (mut server_done, mut client_done) = (false, false);
        loop {
            if server_done && client_done {
                break Ending::Closed;
            }
            tokio::select! {
                biased;
                _ = cut.notified() => break Ending::Reset,
                end = &mut to_server, if !server_done => match end {
                    PumpEnd::Eof => server_done = true,
                    PumpEnd::Limit => break Ending::Limited,
                    PumpEnd::Broken => break Ending::Reset,
                },
                end = &mut to_client, if !client_done => match end {
                    PumpEnd::Eof => client_done = true,
                    PumpEnd::Limit => break Ending::Limited,
                    PumpEnd::Broken => break Ending::Reset,
                },
            }
        }
    };
    match ending {
        Ending::Reset => {
            shared.resets.fetch_add(1, Ordering::Relaxed);
            // SO_LINGER 0: closing the socket sends RST instead of FIN
            let _ = client_read.as_ref().set_zero_linger();
            let _ = server_read.as_ref().set_zero_linger();
            // no FIN first: the write halves must not shut down on drop
            client_write.forget();
            server_write.forget();
            return;
        }
        Ending::Limited => {
            shared.limited.fetch_add(1, Ordering::Relaxed);
        }
        Ending::Closed => {}
    }
    drop((client_read, client_write, server_read, server_write));
}

/// Answers the client's requests for TLS or GSS encryption with `N` (the proxy reads the
/// protocol, so the connection stays in plain text), and keeps the first bytes of what
/// follows in `conversation`'s framer for the pump to forward.
async fn refuse_encryption(
    client: &mut TcpStream,
    conversation: &Mutex<Conversation>,
) -> std::io::Result<()> {
    loop {
        let mut head = [0u8; 8];
        client.read_exact(&mut head).await?;
        let length = i32::from_be_bytes(head[..4].try_into().expect("four bytes"));
        let code = i32::from_be_bytes(head[4..].try_into().expect("four bytes"));
        if length == 8 && ENCRYPTION_REQUESTS.contains(&code) {
            client.write_all(b"N").await?;
            continue;
        }
        let whole = lock(conversation).client_messages(&head);
        debug_assert!(whole.is_empty(), "a startup message is longer than 8 bytes");
        return Ok(());
    }
}
