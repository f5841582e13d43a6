//! Template databases: content (migrations, a seeded dataset) is built once into a
//! template named by its hash, and every scenario gets its own copy by
//! `CREATE DATABASE … TEMPLATE … STRATEGY FILE_COPY`.

use std::collections::HashMap;
use std::sync::Arc;

use futures::future::BoxFuture;
use sqlx::{Connection, Executor, PgConnection};

use crate::backend::names::{self, quote_ident};
use crate::backend::{self, BackendError, ConnInfo, Server};
use crate::schema::catalog::Catalog;
use crate::schema::migrate::{MigrateError, Migrations};

/// Why a database could not be handed out.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error(transparent)]
    Backend(#[from] BackendError),
    #[error(transparent)]
    Migrate(#[from] MigrateError),
    #[error("failed to {what}: {source}")]
    Sql { what: String, source: sqlx::Error },
    #[error("failed to build template {template}: {message}")]
    Build { template: String, message: String },
}

impl TemplateError {
    pub fn sql(what: impl Into<String>, source: sqlx::Error) -> Self {
        TemplateError::Sql {
            what: what.into(),
            source,
        }
    }
}

/// Templates on one server, built at most once each.
#[derive(Debug)]
pub struct TemplatePool {
    server: Arc<dyn Server>,
    built: tokio::sync::Mutex<HashMap<String, String>>,
}

/// A database the harness created for one scenario or one template build.
#[derive(Debug, Clone)]
pub struct Database {
    name: String,
    server: Arc<dyn Server>,
}

impl Database {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn server(&self) -> &Arc<dyn Server> {
        &self.server
    }

    /// Superuser connection details for this database.
    pub fn admin(&self) -> ConnInfo {
        self.server.admin().with_database(&self.name)
    }

    /// App-role connection details for this database.
    pub fn app(&self) -> ConnInfo {
        self.server.app().with_database(&self.name)
    }

    /// Opens one admin connection.
    pub async fn connect_admin(&self) -> Result<PgConnection, sqlx::Error> {
        PgConnection::connect_with(&self.admin().options()).await
    }

    /// Opens one app-role connection.
    pub async fn connect_app(&self) -> Result<PgConnection, sqlx::Error> {
        PgConnection::connect_with(&self.app().options()).await
    }

    /// Reads this database's catalog over an admin connection of its own, leaving out the
    /// `ignored` tables (a migration tool's bookkeeping).
    pub async fn read_catalog(&self, ignored: &[String]) -> Result<Catalog, sqlx::Error> {
        let mut conn = self.connect_admin().await?;
        let catalog = Catalog::read(&mut conn, ignored).await;
        let _ = conn.close().await;
        catalog
    }

    /// Drops the database (refused unless the name carries the harness prefix).
    pub async fn drop_database(self) -> Result<(), BackendError> {
        backend::drop_database(self.server.as_ref(), &self.name).await
    }
}

impl TemplatePool {
    pub fn new(server: Arc<dyn Server>) -> TemplatePool {
        TemplatePool {
            server,
            built: tokio::sync::Mutex::new(HashMap::new()),
        }
    }

    pub fn server(&self) -> &Arc<dyn Server> {
        &self.server
    }

    /// The template for `key`, built by `build` the first time it is asked for. `build`
    /// gets a fresh empty database; afterwards the app role is granted DML on everything
    /// in it and the database is frozen as a template.
    pub async fn template<'b, F>(&self, key: &str, build: F) -> Result<String, TemplateError>
    where
        F: FnOnce(Database) -> BoxFuture<'b, Result<(), TemplateError>>,
    {
        let mut built = self.built.lock().await;
        if let Some(name) = built.get(key) {
            return Ok(name.clone());
        }
        let name = names::template_name(key);
        backend::create_database(self.server.as_ref(), &name, Some("template0")).await?;
        let database = Database {
            name: name.clone(),
            server: self.server.clone(),
        };
        let result = async {
            build(database.clone()).await?;
            grant_app_role(&database).await?;
            freeze(&database).await
        }
        .await;
        if let Err(e) = result {
            let _ = backend::drop_database(self.server.as_ref(), &name).await;
            return Err(e);
        }
        built.insert(key.to_owned(), name.clone());
        Ok(name)
    }

    /// The template holding every migration applied.
    pub async fn migrated_template(
        &self,
        migrations: &Migrations,
    ) -> Result<String, TemplateError> {
        let key = format!("migrations-{}", migrations.hash());
        self.template(&key, |db| {
            Box::pin(async move {
                migrations.up_then_mutate(&db.admin()).await?;
                Ok(())
            })
        })
        .await
    }

    /// A new database copied from `template`.
    pub async fn clone_of(&self, template: &str, label: &str) -> Result<Database, TemplateError> {
        let name = names::database_name(label);
        backend::create_database(self.server.as_ref(), &name, Some(template)).await?;
        Ok(Database {
            name,
            server: self.server.clone(),
        })
    }

    /// A new, fully migrated database.
    pub async fn migrated(
        &self,
        migrations: &Migrations,
        label: &str,
    ) -> Result<Database, TemplateError> {
        let template = self.migrated_template(migrations).await?;
        self.clone_of(&template, label).await
    }

    /// A new database with nothing in it.
    pub async fn empty(&self, label: &str) -> Result<Database, TemplateError> {
        self.clone_of("template0", label).await
    }
}

/// Lets the app role use what the migrations created, as an application's role would.
pub async fn grant_app_role(db: &Database) -> Result<(), TemplateError> {
    let app = db.server.app().user;
    if app == db.server.admin().user {
        return Ok(());
    }
    let sql = format!(
        "DO $grant$ DECLARE s text; BEGIN \
           FOR s IN SELECT nspname FROM pg_namespace \
                    WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' LOOP \
             EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', s, {app}); \
             EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO %I', s, {app}); \
             EXECUTE format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA %I TO %I', s, {app}); \
             EXECUTE format('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA %I TO %I', s, {app}); \
           END LOOP; END $grant$",
        app = names::quote_literal(&app)
    );
    let mut conn = db
        .connect_admin()
        .await
        .map_err(|e| TemplateError::sql("connect to the new template", e))?;
    conn.execute(sql.as_str())
        .await
        .map_err(|e| TemplateError::sql("grant the app role its privileges", e))?;
    let _ = conn.close().await;
    Ok(())
}

/// Marks the database as a template that accepts no connections, so that cloning it never
/// fails on a stray session.
async fn freeze(db: &Database) -> Result<(), TemplateError> {
    let sql = format!(
        "ALTER DATABASE {} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false",
        quote_ident(&db.name)
    );
    backend::admin_execute(db.server.as_ref(), &sql).await?;
    Ok(())
}

impl From<TemplateError> for crate::error::ScenarioError {
    fn from(error: TemplateError) -> Self {
        crate::error::ScenarioError::Layer(Box::new(error))
    }
}
