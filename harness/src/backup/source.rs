//! The two ends of a restore: a seeded source on a durable server of the scenario's own,
//! which can be destroyed as a lost machine would be, and a fresh target to restore into.

use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::Connection;

use super::restored::fingerprint;
use super::Fingerprint;
use crate::checks::invariants;
use crate::error::ScenarioError;
use crate::run::scenario::Context;
use crate::schema::dataset::{self, LoadReport};
use crate::schema::template::{Database, TemplatePool};
use crate::{Server, ServerProfile};

/// A seeded database on a server of the scenario's own, which can be destroyed.
#[derive(Debug)]
pub struct Source {
    pub server: Arc<dyn Server>,
    pub db: Database,
    pub load: LoadReport,
}

impl Source {
    /// A durable server holding the subject's schema and `users` users' worth of data.
    pub async fn seeded(ctx: &Context, label: &str, users: u64) -> Result<Source, ScenarioError> {
        let server = ctx.dedicated_server(ServerProfile::Durable).await?;
        let db = TemplatePool::new(server.clone()).empty(label).await?;
        if !server.is_disposable() {
            // the server outlives the scenario: its database must be dropped afterwards
            ctx.track(db.clone());
        }
        let migrations = ctx.migrations().await?;
        migrations.up_then_mutate(&db.admin()).await?;
        let load = dataset::load(&db, ctx.subject(), users, ctx.seed()).await?;
        crate::schema::template::grant_app_role(&db).await?;
        Ok(Source { server, db, load })
    }

    /// The source's fingerprint, with the invariants it already breaks (generated data
    /// need not keep business rules no catalog states): a copy is judged on the others.
    pub async fn fingerprint(&self, ctx: &Context) -> Result<Fingerprint, ScenarioError> {
        let mut conn = self
            .db
            .connect_admin()
            .await
            .map_err(|e| ScenarioError::sql("connect to the source", e))?;
        let violations = invariants::check(&mut conn, ctx.subject()).await;
        let _ = conn.close().await;
        let mut print = fingerprint(&self.db).await?;
        print.broken_on_source = violations?.into_iter().map(|v| v.invariant).collect();
        Ok(print)
    }

    /// Destroys the source as a lost machine would be: the whole server, data directory
    /// and all, and checks that its address no longer answers. A server the harness does
    /// not own cannot be destroyed: its database is dropped instead, and the evidence
    /// says so. Returns the line for the evidence.
    pub async fn destroy(self, ctx: &Context) -> Result<String, ScenarioError> {
        let Source { server, db, .. } = self;
        if !server.is_disposable() {
            let name = db.name().to_owned();
            db.drop_database().await?;
            return Ok(format!(
                "the {} backend's server is not the harness's to destroy: dropped database {name} instead, and restored into a fresh database on the same server",
                server.kind()
            ));
        }
        let address = server.admin();
        let described = server.describe();
        drop(db);
        if !ctx.destroy_server(server) {
            return Err(ScenarioError::Other(
                "failed to destroy the source server: something still holds it".into(),
            ));
        }
        let answer = sqlx::PgConnection::connect_with(&address.options()).await;
        if answer.is_ok() {
            return Err(ScenarioError::Other(format!(
                "failed to destroy the source server: {} still answers",
                address.display_url()
            )));
        }
        Ok(format!(
            "{described}: destroyed with its data directory; {}:{} refuses connections",
            address.host, address.port
        ))
    }
}

/// Where the copy of a destroyed source goes, in words, for `server`'s backend.
pub fn restored_into(server: &dyn Server) -> &'static str {
    if server.is_disposable() {
        "a brand-new server"
    } else {
        "a fresh database on the same server (this backend cannot destroy its server)"
    }
}

/// Where a backup is restored: an empty database on a brand-new server, or, on a backend
/// that cannot have servers of its own, a fresh database on the same server. Returns it
/// with the time it took to provision.
pub async fn fresh_target(
    ctx: &Context,
    label: &str,
) -> Result<(Database, Duration), ScenarioError> {
    let started = Instant::now();
    let server = ctx.dedicated_server(ServerProfile::Durable).await?;
    let db = TemplatePool::new(server).empty(label).await?;
    Ok((ctx.track(db), started.elapsed()))
}
