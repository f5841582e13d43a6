//! What a transactions scenario works on: its database, the server under it, and a fault
//! proxy in front of that server for the app's connections.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use harness::backend::ConnInfo;
use harness::faults::proxy::FaultProxy;
use harness::run::scenario::ScenarioError;
use harness::schema::template::Database;
use harness::Server;
use sqlx::{Connection, PgConnection};

#[derive(Debug)]
pub struct Rig {
    pub db: Database,
    proxy: Option<FaultProxy>,
    next_run: AtomicI64,
}

impl Rig {
    /// A rig on `db`, with a proxy that follows statements when `with_proxy`.
    pub async fn new(db: Database, with_proxy: bool) -> Result<Rig, ScenarioError> {
        let proxy = if with_proxy {
            let proxy = FaultProxy::in_front_of(&db.app())
                .await
                .map_err(|e| ScenarioError::failed("start the fault proxy", e))?;
            proxy.follow_statements();
            Some(proxy)
        } else {
            None
        };
        Ok(Rig {
            db,
            proxy,
            next_run: AtomicI64::new(1),
        })
    }

    pub fn server(&self) -> &Arc<dyn Server> {
        self.db.server()
    }

    pub fn proxy(&self) -> Option<&FaultProxy> {
        self.proxy.as_ref()
    }

    /// The app role's connection details, through the proxy when asked and there is one.
    pub fn app(&self, through_proxy: bool) -> ConnInfo {
        let direct = self.db.app();
        match (&self.proxy, through_proxy) {
            (Some(proxy), true) => proxy.route(&direct),
            _ => direct,
        }
    }

    pub async fn connect_app(&self, through_proxy: bool) -> Result<PgConnection, ScenarioError> {
        PgConnection::connect_with(&self.app(through_proxy).options())
            .await
            .map_err(|e| ScenarioError::sql("connect as the app role", e))
    }

    pub async fn connect_admin(&self) -> Result<PgConnection, ScenarioError> {
        self.db
            .connect_admin()
            .await
            .map_err(|e| ScenarioError::sql("connect to the scenario database", e))
    }

    /// Restarts the server (after a kill) and points the proxy at wherever it listens now.
    pub async fn restart_server(&self) -> Result<(), ScenarioError> {
        self.server().restart().await?;
        if let Some(proxy) = &self.proxy {
            proxy.retarget(&self.db.app()).await.map_err(|e| {
                ScenarioError::failed("point the fault proxy at the restarted server", e)
            })?;
        }
        Ok(())
    }

    /// A number unique to one execution in this rig (`:run` of a SQL flow, a fixture's tag).
    pub fn next_run(&self) -> i64 {
        self.next_run.fetch_add(1, Ordering::Relaxed)
    }
}

/// A durable server of the scenario's own, for crashes, with a migrated database on it
/// and a proxy in front (command flows find their fault points through it).
///
/// After a crash, PostgreSQL syncs the whole data directory before recovery; file by file
/// (the default) that takes seconds per restart, so from version 14 on it is told to use
/// `syncfs`, which is as durable and much faster.
pub async fn crash_rig(ctx: &harness::Context, label: &str) -> Result<Rig, ScenarioError> {
    let server = ctx
        .dedicated_server(harness::ServerProfile::Durable)
        .await?;
    // only on a server of the harness's own: a shared one's configuration is not ours
    if server.is_disposable() && server.version().major() >= 14 {
        harness::backend::admin_execute(
            server.as_ref(),
            "ALTER SYSTEM SET recovery_init_sync_method = 'syncfs'",
        )
        .await?;
        harness::backend::admin_execute(server.as_ref(), "SELECT pg_reload_conf()").await?;
    }
    let migrations = ctx.migrations().await?;
    let db = harness::schema::template::TemplatePool::new(server)
        .migrated(&migrations, label)
        .await?;
    Rig::new(ctx.track(db), true).await
}
