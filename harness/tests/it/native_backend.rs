//! The native backend on real PostgreSQL: connections and roles, fault hooks, profiles,
//! teardown, and reaping what a SIGKILLed run left behind.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use harness::backend::native::NativeBackend;
use harness::backend::{self, Server};
use harness::{Backend, ServerProfile};
use sqlx::{Connection, Executor, PgConnection};

async fn start(profile: ServerProfile) -> Arc<dyn Server> {
    NativeBackend::new()
        .expect("PostgreSQL server binaries")
        .start(profile)
        .await
        .expect("a server")
}

async fn scalar(server: &dyn Server, sql: &str) -> Result<String, sqlx::Error> {
    let mut conn = PgConnection::connect_with(&server.admin().options()).await?;
    let value: String = sqlx::query_scalar(sql).fetch_one(&mut conn).await?;
    conn.close().await?;
    Ok(value)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_and_app_roles_connect_with_generated_passwords_only() {
    let server = start(ServerProfile::Fast).await;
    assert_eq!(
        scalar(server.as_ref(), "SELECT current_user::text")
            .await
            .unwrap(),
        "readiness_admin"
    );

    let mut app = PgConnection::connect_with(&server.app().options())
        .await
        .expect("app role connects");
    let (superuser, createdb): (bool, bool) =
        sqlx::query_as("SELECT rolsuper, rolcreatedb FROM pg_roles WHERE rolname = current_user")
            .fetch_one(&mut app)
            .await
            .unwrap();
    assert!(!superuser && !createdb, "the app role must be unprivileged");
    app.close().await.unwrap();

    let mut wrong = server.admin();
    wrong.password = harness::report::redact::Secret::register("not-the-password".into());
    assert!(
        PgConnection::connect_with(&wrong.options()).await.is_err(),
        "a wrong password must be refused"
    );
    assert_eq!(server.admin().host, "127.0.0.1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profiles_set_durability() {
    let fast = start(ServerProfile::Fast).await;
    assert_eq!(
        scalar(fast.as_ref(), "SELECT current_setting('fsync')")
            .await
            .unwrap(),
        "off"
    );
    let durable = start(ServerProfile::Durable).await;
    assert_eq!(
        scalar(durable.as_ref(), "SELECT current_setting('fsync')")
            .await
            .unwrap(),
        "on"
    );
    assert_eq!(
        scalar(
            durable.as_ref(),
            "SELECT current_setting('synchronous_commit')"
        )
        .await
        .unwrap(),
        "on"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_server_restarts_with_committed_data() {
    let server = start(ServerProfile::Durable).await;
    let mut conn = PgConnection::connect_with(&server.admin().options())
        .await
        .unwrap();
    conn.execute("CREATE TABLE t (x int); INSERT INTO t VALUES (42)")
        .await
        .unwrap();

    server.kill().await.expect("kill -9");
    assert!(
        conn.execute("SELECT 1").await.is_err(),
        "the connection dies with the server"
    );
    assert!(
        scalar(server.as_ref(), "SELECT 1::text").await.is_err(),
        "nothing answers after kill -9"
    );

    server.restart().await.expect("restart after kill -9");
    assert_eq!(
        scalar(server.as_ref(), "SELECT x::text FROM t")
            .await
            .unwrap(),
        "42"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paused_server_hangs_until_resumed() {
    let server = start(ServerProfile::Fast).await;
    server.pause().await.expect("pause");
    let hung = tokio::time::timeout(
        Duration::from_millis(500),
        scalar(server.as_ref(), "SELECT 'x'"),
    )
    .await;
    assert!(hung.is_err(), "a paused server must not answer");
    server.resume().await.expect("resume");
    let answered = tokio::time::timeout(
        Duration::from_secs(10),
        scalar(server.as_ref(), "SELECT 'x'"),
    )
    .await;
    assert_eq!(answered.expect("answers after resume").unwrap(), "x");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopped_server_restarts() {
    let server = start(ServerProfile::Fast).await;
    server.stop().await.expect("stop");
    assert!(scalar(server.as_ref(), "SELECT 1::text").await.is_err());
    server.restart().await.expect("restart");
    assert_eq!(
        scalar(server.as_ref(), "SELECT 1::text").await.unwrap(),
        "1"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_server_removes_process_and_directory() {
    let server = start(ServerProfile::Fast).await;
    let pid: i32 = scalar(server.as_ref(), "SELECT pg_backend_pid()::text")
        .await
        .unwrap()
        .parse()
        .unwrap();
    let data_dir = PathBuf::from(
        scalar(server.as_ref(), "SELECT current_setting('data_directory')")
            .await
            .unwrap(),
    );
    let scratch = data_dir.parent().unwrap().to_path_buf();
    assert!(scratch.exists());
    drop(server);
    assert!(!scratch.exists(), "{} must be removed", scratch.display());
    assert!(
        !PathBuf::from(format!("/proc/{pid}")).exists(),
        "backend {pid} must be gone"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn databases_without_the_prefix_are_never_dropped() {
    let server = start(ServerProfile::Fast).await;
    for name in ["postgres", "template1", "app_production"] {
        let err = backend::drop_database(server.as_ref(), name)
            .await
            .expect_err("must refuse");
        assert!(err.to_string().contains("refused to drop"), "{err}");
    }
    assert_eq!(
        scalar(
            server.as_ref(),
            "SELECT count(*)::text FROM pg_database WHERE datname = 'postgres'"
        )
        .await
        .unwrap(),
        "1"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_moves_to_another_port_when_its_own_is_taken() {
    let server = start(ServerProfile::Fast).await;
    let old_port = server.admin().port;
    server.stop().await.expect("stop");
    let squatter =
        std::net::TcpListener::bind(("127.0.0.1", old_port)).expect("take the server's port");
    server.restart().await.expect("restart on another port");
    assert_ne!(server.admin().port, old_port, "the server must have moved");
    assert_eq!(
        scalar(server.as_ref(), "SELECT 1::text").await.unwrap(),
        "1"
    );
    drop(squatter);
}

/// The child half of `a_sigkilled_run_is_reaped_by_the_next`: starts a server, prints its
/// data directory and postmaster pid, and waits to be killed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run only as the child process of a_sigkilled_run_is_reaped_by_the_next"]
async fn child_starts_a_server_and_waits() {
    let server = start(ServerProfile::Fast).await;
    let data_dir = scalar(server.as_ref(), "SELECT current_setting('data_directory')")
        .await
        .unwrap();
    println!("DATA_DIR={data_dir}");
    tokio::time::sleep(Duration::from_secs(120)).await;
}

#[test]
fn a_sigkilled_run_is_reaped_by_the_next() {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "native_backend::child_starts_a_server_and_waits",
            "--ignored",
            "--nocapture",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let data_dir = stdout
        .lines()
        .map_while(Result::ok)
        .find_map(|l| l.strip_prefix("DATA_DIR=").map(PathBuf::from))
        .expect("the child prints its data directory");
    let postmaster: i32 = std::fs::read_to_string(data_dir.join("postmaster.pid"))
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap();

    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    child.wait().unwrap();
    let scratch = data_dir.parent().unwrap().to_path_buf();
    // any run's backend reaps on start (other tests run concurrently), so either the orphan
    // is still there, or someone already reaped it
    let orphan_alive = PathBuf::from(format!("/proc/{postmaster}")).exists();
    assert!(
        orphan_alive || !scratch.exists(),
        "the killed run's server vanished without its directory being reaped"
    );

    let reaped = harness::backend::native::scratch::reap_stale();
    assert!(
        !scratch.exists(),
        "{} must be reaped (this call reaped {reaped:?})",
        scratch.display()
    );
    std::thread::sleep(Duration::from_millis(200));
    let status = std::fs::read_to_string(format!("/proc/{postmaster}/stat")).unwrap_or_default();
    assert!(
        status.is_empty() || status.contains(") Z "),
        "postmaster {postmaster} must be dead: {status}"
    );
}
