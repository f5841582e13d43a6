//! The data layer of a small to-do service: lists and their items, over sqlx. Its tests
//! (`tests/`) each get a fresh database of `migrations/` from `readiness-test`.

use sqlx::PgPool;

/// Creates a list and returns its id.
pub async fn create_list(pool: &PgPool, title: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("INSERT INTO lists (title) VALUES ($1) RETURNING id")
        .bind(title)
        .fetch_one(pool)
        .await
}

/// Adds an open item to a list and returns its id.
pub async fn add_todo(pool: &PgPool, list_id: i64, title: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("INSERT INTO todos (list_id, title) VALUES ($1, $2) RETURNING id")
        .bind(list_id)
        .bind(title)
        .fetch_one(pool)
        .await
}

/// Marks an item done; whether it was open.
pub async fn complete(pool: &PgPool, todo_id: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE todos SET done_at = now() WHERE id = $1 AND done_at IS NULL")
        .bind(todo_id)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The titles of a list's open items, oldest first.
pub async fn open_todos(pool: &PgPool, list_id: i64) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT title FROM todos WHERE list_id = $1 AND done_at IS NULL ORDER BY id")
        .bind(list_id)
        .fetch_all(pool)
        .await
}

/// Deletes a list with its items (ON DELETE CASCADE); whether it existed.
pub async fn delete_list(pool: &PgPool, list_id: i64) -> Result<bool, sqlx::Error> {
    let deleted = sqlx::query("DELETE FROM lists WHERE id = $1")
        .bind(list_id)
        .execute(pool)
        .await?;
    Ok(deleted.rows_affected() == 1)
}
