//! The to-do data layer against its real schema: every test gets a fresh database of
//! `migrations/` (a copy made ahead by readiness-test), dropped when the test ends.

use readiness_test::TestDatabase;
use todo_app::{add_todo, complete, create_list, delete_list, open_todos};

type Result = std::result::Result<(), Box<dyn std::error::Error>>;

/// A fresh database of this package's schema (its `readiness.toml` is beside Cargo.toml).
async fn fresh() -> std::result::Result<TestDatabase, readiness_test::Error> {
    readiness_test::database(env!("CARGO_MANIFEST_DIR")).await
}

/// The SQLSTATE of a failed statement.
fn sqlstate(result: std::result::Result<i64, sqlx::Error>) -> String {
    match result {
        Err(sqlx::Error::Database(e)) => e.code().unwrap_or_default().into_owned(),
        other => panic!("expected the database to refuse, got {other:?}"),
    }
}

#[tokio::test]
async fn a_blank_title_is_refused_by_the_check_constraint() -> Result {
    let db = fresh().await?;
    assert_eq!(sqlstate(create_list(db.pool(), "   ").await), "23514");
    Ok(())
}

#[tokio::test]
async fn the_same_item_twice_in_one_list_is_refused() -> Result {
    let db = fresh().await?;
    let list = create_list(db.pool(), "groceries").await?;
    add_todo(db.pool(), list, "milk").await?;
    assert_eq!(sqlstate(add_todo(db.pool(), list, "milk").await), "23505");
    // the same title in another list is fine
    let other = create_list(db.pool(), "party").await?;
    add_todo(db.pool(), other, "milk").await?;
    Ok(())
}

#[tokio::test]
async fn an_item_needs_an_existing_list() -> Result {
    let db = fresh().await?;
    assert_eq!(sqlstate(add_todo(db.pool(), 4242, "orphan").await), "23503");
    Ok(())
}

#[tokio::test]
async fn deleting_a_list_deletes_its_items() -> Result {
    let db = fresh().await?;
    let list = create_list(db.pool(), "chores").await?;
    add_todo(db.pool(), list, "dishes").await?;
    add_todo(db.pool(), list, "laundry").await?;
    assert!(delete_list(db.pool(), list).await?);
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM todos")
        .fetch_one(db.pool())
        .await?;
    assert_eq!(left, 0);
    Ok(())
}

#[tokio::test]
async fn a_completed_item_leaves_the_open_ones() -> Result {
    let db = fresh().await?;
    let list = create_list(db.pool(), "errands").await?;
    let bank = add_todo(db.pool(), list, "bank").await?;
    add_todo(db.pool(), list, "post office").await?;
    assert!(complete(db.pool(), bank).await?);
    assert!(
        !complete(db.pool(), bank).await?,
        "completing twice changes nothing"
    );
    assert_eq!(open_todos(db.pool(), list).await?, ["post office"]);
    Ok(())
}

/// Two tests that would see each other's rows if they shared a database: each makes the
/// first list of its database, so each gets id 1 and finds exactly one list.
async fn first_list_is_alone(title: &str) -> Result {
    let db = fresh().await?;
    assert_eq!(create_list(db.pool(), title).await?, 1);
    let lists: Vec<String> = sqlx::query_scalar("SELECT title FROM lists")
        .fetch_all(db.pool())
        .await?;
    assert_eq!(lists, [title]);
    Ok(())
}

#[tokio::test]
async fn isolation_one_test_sees_only_its_own_rows() -> Result {
    first_list_is_alone("first test's list").await
}

#[tokio::test]
async fn isolation_another_test_sees_only_its_own_rows() -> Result {
    first_list_is_alone("second test's list").await
}

#[tokio::test]
async fn the_url_reaches_the_same_database_as_the_pool() -> Result {
    let db = fresh().await?;
    create_list(db.pool(), "via the pool").await?;
    // code under test that takes a URL, as an application's config would
    let other = sqlx::PgPool::connect(&db.url()).await?;
    let title: String = sqlx::query_scalar("SELECT title FROM lists")
        .fetch_one(&other)
        .await?;
    assert_eq!(title, "via the pool");
    other.close().await;
    Ok(())
}

#[tokio::test]
async fn a_dataset_fixture_holds_generated_rows_that_keep_the_constraints() -> Result {
    let db = readiness_test::subject(env!("CARGO_MANIFEST_DIR"))
        .scale("100")
        .seed(7)
        .database()
        .await?;
    let (lists, todos): (i64, i64) =
        sqlx::query_as("SELECT (SELECT count(*) FROM lists), (SELECT count(*) FROM todos)")
            .fetch_one(db.pool())
            .await?;
    assert!(lists > 0 && todos > 0, "{lists} lists, {todos} todos");
    // the copy is the test's own: deleting every list empties it, through the cascade
    sqlx::query("DELETE FROM lists").execute(db.pool()).await?;
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM todos")
        .fetch_one(db.pool())
        .await?;
    assert_eq!(left, 0);
    Ok(())
}
