//! The url backend against an existing server (here a native one standing in for it):
//! it creates and drops only its own prefixed databases and role, and touches nothing else.

use harness::backend::native::NativeBackend;
use harness::backend::url::UrlBackend;
use harness::backend::{self, FaultError};
use harness::schema::template::TemplatePool;
use harness::{Backend, ServerProfile};
use sqlx::{Connection, Executor, PgConnection};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn url_backend_creates_and_drops_only_its_own_databases() {
    let existing = NativeBackend::new()
        .unwrap()
        .start(ServerProfile::Fast)
        .await
        .unwrap();
    let mut owner = PgConnection::connect_with(&existing.admin().options())
        .await
        .unwrap();
    owner
        .execute("CREATE DATABASE app_production")
        .await
        .unwrap();

    let url_backend = UrlBackend::from_url(&existing.admin().url()).expect("a valid url");
    assert!(
        !url_backend
            .describe()
            .contains(existing.admin().password.expose()),
        "the password must be redacted"
    );
    let server = url_backend
        .start(ServerProfile::Fast)
        .await
        .expect("attach");
    assert!(!server.is_disposable());
    assert!(
        matches!(server.kill().await, Err(FaultError::Unsupported { .. })),
        "an existing server is never signalled"
    );

    let pool = TemplatePool::new(server.clone());
    let db = pool.empty("url_test").await.expect("a prefixed database");
    assert!(db.name().starts_with("readiness_"));
    let err = backend::drop_database(server.as_ref(), "app_production")
        .await
        .expect_err("must refuse");
    assert!(
        err.to_string()
            .contains("refused to drop database `app_production`"),
        "{err}"
    );

    let app_role = server.app().user;
    assert!(app_role.starts_with("readiness_"), "{app_role}");
    drop(pool);
    drop(db);
    drop(server);

    let ours: i64 =
        sqlx::query_scalar("SELECT count(*) FROM pg_database WHERE datname LIKE 'readiness\\_%'")
            .fetch_one(&mut owner)
            .await
            .unwrap();
    assert_eq!(ours, 0, "every database of the run is dropped");
    let roles: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_roles WHERE rolname = $1")
        .bind(&app_role)
        .fetch_one(&mut owner)
        .await
        .unwrap();
    assert_eq!(roles, 0, "the run's role is dropped");
    let theirs: i64 =
        sqlx::query_scalar("SELECT count(*) FROM pg_database WHERE datname = 'app_production'")
            .fetch_one(&mut owner)
            .await
            .unwrap();
    assert_eq!(theirs, 1, "what the harness did not create is untouched");
}

#[test]
fn bad_urls_are_clear_errors_without_secrets() {
    let err = UrlBackend::from_url("mysql://u:secretpw@h/db")
        .unwrap_err()
        .to_string();
    assert!(err.contains("unsupported scheme `mysql`"), "{err}");
    assert!(!err.contains("secretpw"), "{err}");
    for raw in [
        "not a url with hunter22",
        "postgres://app:hunter22/x?y@localhost:5432/db",
        "postgres://app:hunter22@loc alhost/db",
    ] {
        let err = UrlBackend::from_url(raw).unwrap_err().to_string();
        assert!(err.contains("does not parse"), "{raw}: {err}");
        assert!(
            !err.contains("hunter22"),
            "{raw}: the secret leaked into {err}"
        );
    }
}
