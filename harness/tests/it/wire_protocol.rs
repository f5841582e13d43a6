//! The wire-protocol reader on a real conversation: sqlx (simple queries for transaction
//! control, the extended protocol for bound statements, an SSLRequest first) talking to a
//! real PostgreSQL through a tap that feeds both directions to a `Conversation`.

use std::sync::{Arc, Mutex};

use harness::backend::native::NativeBackend;
use harness::faults::proxy::wire::{Conversation, TxStatus};
use harness::{Backend, ServerProfile};
use sqlx::{Connection, Executor, PgConnection};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Copies one direction, feeding each chunk to the conversation before forwarding it.
async fn tap(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    conversation: Arc<Mutex<Conversation>>,
    from_client: bool,
) {
    let mut buf = vec![0u8; 8192];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        {
            let mut c = conversation.lock().unwrap();
            if from_client {
                c.from_client(&buf[..n]);
            } else {
                c.from_server(&buf[..n]);
            }
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statements_of_a_real_session_are_seen_with_their_transaction_blocks() {
    let server = NativeBackend::new()
        .expect("PostgreSQL server binaries")
        .start(ServerProfile::Fast)
        .await
        .expect("a server");
    let admin = server.admin();
    let mut setup = PgConnection::connect_with(&admin.options()).await.unwrap();
    setup
        .execute("CREATE TABLE wire_probe (id int PRIMARY KEY)")
        .await
        .unwrap();

    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let tapped = listener.local_addr().unwrap();
    let conversation = Arc::new(Mutex::new(Conversation::default()));
    let taps = {
        let conversation = conversation.clone();
        let upstream = (admin.host.clone(), admin.port);
        tokio::spawn(async move {
            let (client, _) = listener.accept().await.unwrap();
            let server = TcpStream::connect(upstream).await.unwrap();
            let (client_read, client_write) = client.into_split();
            let (server_read, server_write) = server.into_split();
            tokio::join!(
                tap(client_read, server_write, conversation.clone(), true),
                tap(server_read, client_write, conversation, false),
            );
        })
    };

    let through = admin.with_address("127.0.0.1", tapped.port());
    let mut app = PgConnection::connect_with(&through.options())
        .await
        .unwrap();
    sqlx::query("INSERT INTO wire_probe VALUES ($1)")
        .bind(1)
        .execute(&mut app)
        .await
        .unwrap();
    let mut tx = app.begin().await.unwrap();
    sqlx::query("INSERT INTO wire_probe VALUES ($1)")
        .bind(2)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut app)
        .await
        .unwrap();
    app.close().await.unwrap();
    taps.await.unwrap();

    let conversation = conversation.lock().unwrap();
    assert_eq!(conversation.backend.map(|(pid, _)| pid), Some(pid));
    let seen: Vec<(&str, &str, bool)> = conversation
        .finished
        .iter()
        .filter(|f| !f.sql.contains("pg_backend_pid"))
        .map(|f| (f.sql.as_str(), f.tag.as_str(), f.in_block()))
        .collect();
    assert_eq!(
        seen,
        [
            ("INSERT INTO wire_probe VALUES ($1)", "INSERT 0 1", false),
            ("BEGIN", "BEGIN", true),
            ("INSERT INTO wire_probe VALUES ($1)", "INSERT 0 1", true),
            ("COMMIT", "COMMIT", true),
        ],
        "{:?}",
        conversation.finished
    );
    assert_eq!(conversation.status, Some(TxStatus::Idle));
}
