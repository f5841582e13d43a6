//! The `url` backend: an existing server (`--url` / `DATABASE_URL`). The harness creates
//! only databases and a role named with its prefix and this run's id, drops only those,
//! and refuses to drop anything else. It cannot kill, pause or restart the server.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};

use async_trait::async_trait;
use sqlx::{Connection, Executor, PgConnection};

use super::{
    Backend, BackendError, BackendKind, ConnInfo, Fault, FaultError, PgTools, Server,
    ServerProfile, ServerVersion,
};
use crate::backend::names::{self, quote_ident, quote_literal};
use crate::report::redact::Secret;

/// An existing server reached through a connection URL.
#[derive(Debug)]
pub struct UrlBackend {
    admin: ConnInfo,
    shared: Mutex<Weak<UrlServer>>,
}

impl UrlBackend {
    /// Parses `postgres://user:password@host:port/database`; the password is registered
    /// for redaction before anything can print it.
    pub fn from_url(raw: &str) -> Result<UrlBackend, BackendError> {
        // The URL is never echoed: a password holding `/`, `?` or `@` breaks the parse, and
        // nothing has been registered for redaction yet.
        let parsed = url::Url::parse(raw).map_err(|e| {
            BackendError::Url(format!(
                "the URL does not parse ({e}); expected postgres://user:password@host:port/database, with special characters in the password percent-encoded"
            ))
        })?;
        if !matches!(parsed.scheme(), "postgres" | "postgresql") {
            return Err(BackendError::Url(format!(
                "unsupported scheme `{}` (expected postgres://)",
                parsed.scheme()
            )));
        }
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        };
        let password = Secret::register(decode(parsed.password().unwrap_or("")));
        let user = decode(parsed.username());
        let database = parsed.path().trim_start_matches('/');
        let admin = ConnInfo {
            host: parsed.host_str().unwrap_or("localhost").to_owned(),
            port: parsed.port().unwrap_or(5432),
            user: if user.is_empty() {
                "postgres".into()
            } else {
                user
            },
            password,
            database: if database.is_empty() {
                "postgres".into()
            } else {
                decode(database)
            },
        };
        Ok(UrlBackend {
            admin,
            shared: Mutex::new(Weak::new()),
        })
    }
}

#[async_trait]
impl Backend for UrlBackend {
    fn kind(&self) -> BackendKind {
        BackendKind::Url
    }

    fn describe(&self) -> String {
        format!("existing server at {}", self.admin.display_url())
    }

    /// Connects to the server once, within 10 s: refused, unknown host, wrong password and
    /// missing database each end the run here.
    async fn preflight(&self) -> Result<(), BackendError> {
        let what = self.admin.display_url();
        let options = self.admin.options();
        let connect = PgConnection::connect_with(&options);
        match tokio::time::timeout(std::time::Duration::from_secs(10), connect).await {
            Ok(Ok(conn)) => {
                let _ = conn.close().await;
                Ok(())
            }
            Ok(Err(e)) => Err(BackendError::sql(&what, e)),
            Err(_) => Err(BackendError::Url(format!(
                "{what} did not answer within 10 s"
            ))),
        }
    }

    /// Every call shares one handle: the server is one, whatever the profile asked for.
    async fn start(&self, _profile: ServerProfile) -> Result<Arc<dyn Server>, BackendError> {
        if let Some(existing) = self
            .shared
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .upgrade()
        {
            return Ok(existing);
        }
        let server = Arc::new(UrlServer::attach(self.admin.clone()).await?);
        *self.shared.lock().unwrap_or_else(|e| e.into_inner()) = Arc::downgrade(&server);
        Ok(server)
    }
}

/// A handle on the existing server; dropping it drops what this run created there.
#[derive(Debug)]
pub struct UrlServer {
    admin: ConnInfo,
    app: ConnInfo,
    created_role: Option<String>,
    version: ServerVersion,
    profile: ServerProfile,
    kept: AtomicBool,
}

impl UrlServer {
    async fn attach(admin: ConnInfo) -> Result<UrlServer, BackendError> {
        let what = admin.display_url();
        let mut conn = PgConnection::connect_with(&admin.options())
            .await
            .map_err(|e| BackendError::sql(&what, e))?;
        let version = ServerVersion::query(&mut conn)
            .await
            .map_err(|e| BackendError::sql(&what, e))?;
        let (fsync, sync_commit, can_create_role): (String, String, bool) = sqlx::query_as(
            "SELECT current_setting('fsync'), current_setting('synchronous_commit'), \
             (SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user)",
        )
        .fetch_one(&mut conn)
        .await
        .map_err(|e| BackendError::sql(&what, e))?;
        let profile = if fsync == "on" && sync_commit != "off" {
            ServerProfile::Durable
        } else {
            ServerProfile::Fast
        };
        let (app, created_role) = if can_create_role {
            let role = format!("{}{}_app", names::PREFIX, names::run_id());
            let password = Secret::generate();
            let sql = format!(
                "CREATE ROLE {} LOGIN PASSWORD {} NOSUPERUSER NOCREATEDB NOCREATEROLE",
                quote_ident(&role),
                quote_literal(password.expose())
            );
            conn.execute(sql.as_str())
                .await
                .map_err(|e| BackendError::sql(&what, e))?;
            (
                ConnInfo {
                    user: role.clone(),
                    password,
                    ..admin.clone()
                },
                Some(role),
            )
        } else {
            (admin.clone(), None)
        };
        let _ = conn.close().await;
        Ok(UrlServer {
            admin,
            app,
            created_role,
            version,
            profile,
            kept: AtomicBool::new(false),
        })
    }

    /// Drops every database of this run and the run's role.
    async fn sweep(admin: ConnInfo, role: Option<String>) -> Result<(), sqlx::Error> {
        let mut conn = PgConnection::connect_with(&admin.options()).await?;
        let pattern = format!(
            "{}{}\\_%",
            names::PREFIX.replace('_', "\\_"),
            names::run_id()
        );
        let ours: Vec<String> =
            sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE $1")
                .bind(pattern)
                .fetch_all(&mut conn)
                .await?;
        for name in ours.iter().filter(|n| names::ensure_ours(n).is_ok()) {
            conn.execute(
                format!("ALTER DATABASE {} IS_TEMPLATE false", quote_ident(name)).as_str(),
            )
            .await?;
            conn.execute(
                format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", quote_ident(name)).as_str(),
            )
            .await?;
        }
        if let Some(role) = role {
            conn.execute(format!("DROP ROLE IF EXISTS {}", quote_ident(&role)).as_str())
                .await?;
        }
        conn.close().await
    }
}

#[async_trait]
impl Server for UrlServer {
    fn kind(&self) -> BackendKind {
        BackendKind::Url
    }

    fn profile(&self) -> ServerProfile {
        self.profile
    }

    fn version(&self) -> &ServerVersion {
        &self.version
    }

    fn describe(&self) -> String {
        format!(
            "existing PostgreSQL {} at {}",
            self.version.text,
            self.admin.display_url()
        )
    }

    fn admin(&self) -> ConnInfo {
        self.admin.clone()
    }

    fn app(&self) -> ConnInfo {
        self.app.clone()
    }

    fn tools(&self) -> Option<PgTools> {
        super::local_tools_for(self.version.major())
    }

    fn is_disposable(&self) -> bool {
        false
    }

    fn unsupported(&self, fault: Fault) -> FaultError {
        FaultError::Unsupported {
            backend: BackendKind::Url,
            fault,
            why: "the server is not the harness's own, so it is never signalled".into(),
        }
    }

    fn keep(&self) -> Option<String> {
        self.kept.store(true, Ordering::SeqCst);
        Some(format!(
            "databases of this run stay on {}",
            self.admin.display_url()
        ))
    }
}

impl Drop for UrlServer {
    fn drop(&mut self) {
        if self.kept.load(Ordering::SeqCst) {
            return;
        }
        let admin = self.admin.clone();
        let role = self.created_role.clone();
        // Drop cannot await: sweep on a thread of its own with a private runtime
        let swept = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?
                .block_on(UrlServer::sweep(admin, role))
                .map_err(|e| e.to_string())
        })
        .join();
        if let Ok(Err(why)) = swept {
            tracing::warn!(
                "failed to drop this run's databases on the url server: {}",
                crate::report::redact::redact(&why)
            );
        }
    }
}
