//! What a test gets: its own copy of the migrated schema (or of a dataset), as the
//! application role, dropped when it is done; and errors that name what is at fault.

use std::time::Duration;

use harness::process::wait::Patience;
use readiness_test::{Error, TestDatabase};
use sqlx::{Connection, PgConnection};

use crate::subject_dir;

async fn fresh() -> TestDatabase {
    readiness_test::database(subject_dir())
        .await
        .expect("a test database")
}

async fn exists(admin_url: &str, name: &str) -> bool {
    let mut conn = PgConnection::connect(admin_url).await.expect("admin");
    let found: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)")
            .bind(name)
            .fetch_one(&mut conn)
            .await
            .expect("pg_database");
    let _ = conn.close().await;
    found
}

#[tokio::test]
async fn two_handouts_are_separate_copies_of_the_migrated_schema() {
    let (a, b) = (fresh().await, fresh().await);
    assert_ne!(a.name(), b.name());
    sqlx::query("INSERT INTO accounts (email) VALUES ('a@example.test')")
        .execute(a.pool())
        .await
        .expect("insert into a");
    let in_b: i64 = sqlx::query_scalar("SELECT count(*) FROM accounts")
        .fetch_one(b.pool())
        .await
        .expect("the migrated table in b");
    assert_eq!(in_b, 0);
}

#[tokio::test]
async fn the_pool_is_the_application_role_without_ddl() {
    let db = fresh().await;
    let refused = sqlx::query("CREATE TABLE sneaky (id int)")
        .execute(db.pool())
        .await
        .expect_err("the app role may not create tables");
    let code = refused.as_database_error().and_then(|e| e.code());
    assert_eq!(code.as_deref(), Some("42501"), "{refused}");
    // the owner's URL may
    let mut admin = PgConnection::connect(&db.admin_url()).await.expect("admin");
    sqlx::query("CREATE TABLE allowed (id int)")
        .execute(&mut admin)
        .await
        .expect("the owner creates tables");
    let _ = admin.close().await;
}

#[tokio::test]
async fn a_dropped_handout_is_dropped_from_the_server() {
    let witness = fresh().await;
    let db = fresh().await;
    let name = db.name().to_owned();
    assert!(exists(&witness.admin_url(), &name).await);
    drop(db);
    // the drop runs in the background: wait for what it leaves, not for a time
    let mut patience = Patience::new(Duration::from_secs(10), Duration::from_millis(20));
    while exists(&witness.admin_url(), &name).await {
        assert!(patience.another_look().await, "{name} was never dropped");
    }
}

#[tokio::test]
async fn a_dataset_is_generated_once_and_each_test_gets_a_copy() {
    let ask = || readiness_test::subject(subject_dir()).scale("50").seed(3);
    let a = ask().database().await.expect("a dataset copy");
    let b = ask().database().await.expect("another");
    let count = "SELECT count(*) FROM accounts";
    let in_a: i64 = sqlx::query_scalar(count).fetch_one(a.pool()).await.unwrap();
    assert!(in_a > 0, "the dataset has accounts");
    sqlx::query("DELETE FROM accounts")
        .execute(a.pool())
        .await
        .unwrap();
    let in_b: i64 = sqlx::query_scalar(count).fetch_one(b.pool()).await.unwrap();
    assert_eq!(in_b, in_a, "b is a copy of its own");
}

#[tokio::test]
async fn a_missing_subject_names_its_directory() {
    let missing = subject_dir().join("no-such-subject");
    let error = readiness_test::database(&missing).await.unwrap_err();
    assert!(matches!(error, Error::Subject { .. }), "{error}");
    assert!(
        error.to_string().contains(&missing.display().to_string()),
        "{error}"
    );
}

#[tokio::test]
async fn a_scale_that_is_not_one_is_named() {
    let error = readiness_test::subject(subject_dir())
        .scale("lots")
        .database()
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid dataset scale `lots` (expected a number of users such as 500, 1k or 10k)"
    );
}
