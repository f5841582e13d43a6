//! A database handed to one test: its pool and URL, dropped with it, or kept for
//! inspection when the test panics under `READINESS_KEEP=1`.

use std::sync::Arc;

use harness::schema::template::Database;
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use tokio::runtime::Handle;

use crate::provider::Inner;

/// The switch that keeps a failed test's database, as for `readiness verify`.
pub const KEEP_ENV: &str = "READINESS_KEEP";

/// Connections one test's pool may open: a test rarely needs more than a few, and one
/// per test thread times this stays well under the server's `max_connections` of 100.
const MAX_CONNECTIONS: u32 = 4;

/// A fresh database for one test, dropped when this drops.
///
/// Its [`pool`](Self::pool) and [`url`](Self::url) log in as the application role (DML on
/// every table the migrations made; no DDL, no superuser), as the application would;
/// [`admin_url`](Self::admin_url) is the owner's, for what a test must set up beyond that.
#[derive(Debug)]
pub struct TestDatabase {
    db: Option<Database>,
    pool: PgPool,
    inner: Arc<Inner>,
    handle: Handle,
}

impl TestDatabase {
    /// The handed-out `db`, with a pool that connects on first use, in the test's runtime.
    pub(crate) fn new(db: Database, inner: Arc<Inner>, handle: Handle) -> TestDatabase {
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .connect_lazy_with(db.app().options());
        TestDatabase {
            db: Some(db),
            pool,
            inner,
            handle,
        }
    }

    /// A connection pool to this database, as the application role.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The connection URL of the application role (with its password), for code under
    /// test that takes a URL.
    pub fn url(&self) -> String {
        self.database().app().url()
    }

    /// The connection URL of the database's owner, a superuser on a disposable server.
    pub fn admin_url(&self) -> String {
        self.database().admin().url()
    }

    /// The database's name (`readiness_<run>_<n>_test`).
    pub fn name(&self) -> &str {
        self.database().name()
    }

    fn database(&self) -> &Database {
        self.db
            .as_ref()
            .expect("a test database is only taken in drop")
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some(db) = self.db.take() else {
            return;
        };
        if std::thread::panicking() && keep_requested() {
            // printed into the failed test's captured output, beside its panic
            eprintln!(
                "readiness-test: kept the failed test's database: {}",
                db.admin().display_url()
            );
            if let Some(server) = self.inner.keep_server() {
                eprintln!("readiness-test: kept its server: {server}");
            }
            return;
        }
        // on the provider's runtime: the test's own ends with the test; the drop
        // disconnects this pool's sessions (WITH (FORCE))
        self.handle.spawn(async move {
            let name = db.name().to_owned();
            if let Err(e) = db.drop_database().await {
                tracing::warn!("failed to drop test database {name}: {e}");
            }
        });
    }
}

fn keep_requested() -> bool {
    std::env::var(KEEP_ENV).is_ok_and(|v| v == "1" || v == "true")
}
