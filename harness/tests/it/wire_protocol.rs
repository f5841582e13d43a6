//! The fault proxy reading the PostgreSQL protocol on real conversations: sqlx (simple
//! queries for transaction control, the extended protocol for bound statements, an
//! SSLRequest first) talking to a real PostgreSQL through it; the transcript it keeps,
//! and its statement gate holding the next statement back.

use harness::backend::native::NativeBackend;
use harness::faults::proxy::FaultProxy;
use harness::{Backend, ServerProfile};
use sqlx::{Connection, Executor, PgConnection};

async fn server_and_proxy(table: &str) -> (std::sync::Arc<dyn harness::Server>, FaultProxy) {
    let server = NativeBackend::new()
        .expect("PostgreSQL server binaries")
        .start(ServerProfile::Fast)
        .await
        .expect("a server");
    let mut setup = PgConnection::connect_with(&server.admin().options())
        .await
        .unwrap();
    setup
        .execute(format!("CREATE TABLE {table} (id int PRIMARY KEY)").as_str())
        .await
        .unwrap();
    let proxy = FaultProxy::in_front_of(&server.admin()).await.unwrap();
    proxy.follow_statements();
    (server, proxy)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statements_of_a_real_session_are_seen_with_their_transaction_blocks() {
    let (server, proxy) = server_and_proxy("wire_probe").await;
    let mut app = PgConnection::connect_with(&proxy.route(&server.admin()).options())
        .await
        .unwrap();
    // whatever the driver says on connecting is not this test's business
    proxy.forget_statements();
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
    app.close().await.unwrap();

    let seen: Vec<(String, Vec<String>, bool, bool)> = proxy
        .statements()
        .into_iter()
        .map(|s| (s.sql.clone(), s.tags.clone(), s.in_block, s.writes()))
        .collect();
    let insert = "INSERT INTO wire_probe VALUES ($1)".to_owned();
    assert_eq!(
        seen,
        [
            (insert.clone(), vec!["INSERT 0 1".into()], false, true),
            ("BEGIN".into(), vec!["BEGIN".into()], true, false),
            (insert, vec!["INSERT 0 1".into()], true, true),
            ("COMMIT".into(), vec!["COMMIT".into()], true, false),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gate_holds_the_next_statement_until_released() {
    let (server, proxy) = server_and_proxy("gate_probe").await;
    let mut app = PgConnection::connect_with(&proxy.route(&server.admin()).options())
        .await
        .unwrap();
    let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut app)
        .await
        .unwrap();
    proxy.forget_statements();
    proxy.hold_after(2);
    let flow = tokio::spawn(async move {
        app.execute("BEGIN").await.unwrap();
        app.execute("INSERT INTO gate_probe VALUES (1)")
            .await
            .unwrap();
        app.execute("INSERT INTO gate_probe VALUES (2)")
            .await
            .unwrap();
        app.execute("COMMIT").await.unwrap();
        app
    });
    let held = proxy.held().await;
    assert_eq!(held.number, 3);
    assert_eq!(held.sql, "INSERT INTO gate_probe VALUES (2)");
    assert_eq!(held.backend_pid, Some(pid));
    // statement 2 reached the server, inside the open block; statement 3 did not
    let mut admin = PgConnection::connect_with(&server.admin().options())
        .await
        .unwrap();
    let (state, query): (String, String) =
        sqlx::query_as("SELECT state, query FROM pg_stat_activity WHERE pid = $1")
            .bind(pid)
            .fetch_one(&mut admin)
            .await
            .unwrap();
    assert_eq!(
        (state.as_str(), query.as_str()),
        ("idle in transaction", "INSERT INTO gate_probe VALUES (1)")
    );
    proxy.release_statements();
    let app = flow.await.unwrap();
    app.close().await.unwrap();
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM gate_probe")
        .fetch_one(&mut admin)
        .await
        .unwrap();
    assert_eq!(rows, 2);
    assert_eq!(proxy.statements().len(), 4);
}
