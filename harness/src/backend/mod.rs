//! One trait for every way of getting a PostgreSQL server: disposable local servers
//! ([`native`]), containers ([`container`]) and an existing server ([`url`]).
//!
//! A [`Backend`] starts [`Server`]s. A server hands out admin and app-role connection
//! details and, where it can, fault hooks; a hook it cannot support returns
//! [`FaultError::Unsupported`], which scenarios report as NOT PROVEN.

pub mod cleanup;
pub mod conninfo;
pub mod container;
pub mod names;
pub mod native;
mod select;
pub mod url;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use sqlx::{Connection, Executor, PgConnection};

pub use conninfo::ConnInfo;
pub use select::{select, BackendOptions};

/// The three ways of getting a server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    Native,
    Container,
    Url,
}

impl BackendKind {
    pub const ALL: [BackendKind; 3] = [
        BackendKind::Native,
        BackendKind::Container,
        BackendKind::Url,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BackendKind::Native => "native",
            BackendKind::Container => "container",
            BackendKind::Url => "url",
        }
    }
}

impl fmt::Display for BackendKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for BackendKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown backend `{s}` (expected native, container or url)"))
    }
}

/// How a disposable server is configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ServerProfile {
    /// fsync off: for scenarios that do not test durability.
    Fast,
    /// fsync and synchronous_commit on: for crash and backup scenarios.
    Durable,
}

impl ServerProfile {
    /// The `postgresql.conf` settings that make this profile.
    pub fn settings(self) -> &'static [(&'static str, &'static str)] {
        match self {
            ServerProfile::Fast => &[
                ("fsync", "off"),
                ("synchronous_commit", "off"),
                ("full_page_writes", "off"),
                ("checkpoint_timeout", "30min"),
                ("max_wal_size", "4GB"),
            ],
            ServerProfile::Durable => &[
                ("fsync", "on"),
                ("synchronous_commit", "on"),
                ("full_page_writes", "on"),
            ],
        }
    }
}

impl fmt::Display for ServerProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ServerProfile::Fast => "fast",
            ServerProfile::Durable => "durable",
        })
    }
}

/// The server's version as it reports it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ServerVersion {
    /// `server_version_num`, e.g. 150018.
    pub num: u32,
    /// `server_version`, e.g. "15.18 (Debian 15.18-0+deb12u1)".
    pub text: String,
}

impl ServerVersion {
    pub fn major(&self) -> u32 {
        self.num / 10000
    }

    /// Reads the version over an open connection.
    pub async fn query(conn: &mut PgConnection) -> Result<Self, sqlx::Error> {
        let (num, text): (String, String) = sqlx::query_as(
            "SELECT current_setting('server_version_num'), current_setting('server_version')",
        )
        .fetch_one(conn)
        .await?;
        Ok(ServerVersion {
            num: num.parse().unwrap_or(0),
            text,
        })
    }
}

/// PostgreSQL client programs (`pg_dump`, `pg_restore`, `pg_amcheck`…) in one directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgTools {
    pub bin_dir: PathBuf,
    pub major: u32,
}

impl PgTools {
    /// The path of one program, e.g. `tools.program("pg_dump")`.
    pub fn program(&self, name: &str) -> PathBuf {
        self.bin_dir.join(name)
    }
}

/// A fault hook, named for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Kill,
    Pause,
    Resume,
    Stop,
    Restart,
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Fault::Kill => "kill -9",
            Fault::Pause => "pause",
            Fault::Resume => "resume",
            Fault::Stop => "stop",
            Fault::Restart => "restart",
        })
    }
}

/// Why a fault hook did not do its job.
#[derive(Debug, thiserror::Error)]
pub enum FaultError {
    #[error("the {backend} backend cannot {fault} the server: {why}")]
    Unsupported {
        backend: BackendKind,
        fault: Fault,
        why: String,
    },
    #[error("failed to {fault} the server: {detail}")]
    Failed { fault: Fault, detail: String },
}

/// Why a backend could not give a server.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error("no PostgreSQL server binaries and no Docker engine found.\n{hint}")]
    NothingAvailable { hint: String },
    #[error("failed to find PostgreSQL server binaries: {0}")]
    NoBinaries(String),
    #[error("failed to run `{program}`: {source}")]
    Spawn {
        program: String,
        source: std::io::Error,
    },
    #[error("failed to initialise a cluster: {0}")]
    Initdb(String),
    #[error("failed to start postgres: {0}")]
    Start(String),
    #[error("failed to prepare the server over `{what}`: {source}")]
    Sql { what: String, source: sqlx::Error },
    #[error("failed to {what}: {source}")]
    Io {
        what: String,
        source: std::io::Error,
    },
    #[error("the container backend failed: {0}")]
    Container(String),
    /// A Docker engine call that failed, with the engine's error kept as the source.
    #[error("the container backend failed to {what}: {source}")]
    Docker {
        what: String,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("the url backend failed: {0}")]
    Url(String),
    #[error("{0}")]
    Unsupported(String),
    #[error(transparent)]
    NotOurs(#[from] names::NotOurs),
}

impl BackendError {
    pub(crate) fn io(what: impl Into<String>, source: std::io::Error) -> Self {
        BackendError::Io {
            what: what.into(),
            source,
        }
    }

    pub(crate) fn docker(
        what: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        BackendError::Docker {
            what: what.into(),
            source: source.into(),
        }
    }

    pub(crate) fn sql(what: impl Into<String>, source: sqlx::Error) -> Self {
        BackendError::Sql {
            what: what.into(),
            source,
        }
    }
}

/// A way of getting servers.
#[async_trait]
pub trait Backend: Send + Sync + fmt::Debug {
    fn kind(&self) -> BackendKind;

    /// One line for humans: what this backend runs and where.
    fn describe(&self) -> String;

    /// Starts a server with `profile`, ready for connections when this returns.
    async fn start(&self, profile: ServerProfile) -> Result<Arc<dyn Server>, BackendError>;

    /// Starts a server with `profile` plus `postgresql.conf` settings of the subject's own
    /// (logging, listen addresses…). A backend that cannot configure its server says so.
    async fn start_with_settings(
        &self,
        profile: ServerProfile,
        settings: &[(String, String)],
    ) -> Result<Arc<dyn Server>, BackendError> {
        let _ = (profile, settings);
        Err(BackendError::Unsupported(format!(
            "the {} backend cannot apply server settings",
            self.kind()
        )))
    }

    /// Checks, before any scenario runs, that the backend can serve at all (an existing
    /// server answers and lets the harness in), so that one unreachable server is one
    /// environment error rather than every scenario's.
    async fn preflight(&self) -> Result<(), BackendError> {
        Ok(())
    }
}

/// A running PostgreSQL server. Dropping the last handle tears it down (a `url` server
/// is never torn down: only the databases and role the harness created on it are dropped).
#[async_trait]
pub trait Server: Send + Sync + fmt::Debug {
    fn kind(&self) -> BackendKind;

    fn profile(&self) -> ServerProfile;

    fn version(&self) -> &ServerVersion;

    /// One line for humans, without secrets.
    fn describe(&self) -> String;

    /// Superuser connection details, to the maintenance database `postgres`.
    fn admin(&self) -> ConnInfo;

    /// The application role: LOGIN, no superuser, no CREATEDB, no CREATEROLE.
    fn app(&self) -> ConnInfo;

    /// Client programs that can dump and restore this server, when there are any.
    fn tools(&self) -> Option<PgTools> {
        None
    }

    /// Whether the whole server is the harness's own, so that destroying it is allowed.
    fn is_disposable(&self) -> bool {
        true
    }

    /// kill -9 every server process, as a crash would.
    async fn kill(&self) -> Result<(), FaultError> {
        Err(self.unsupported(Fault::Kill))
    }

    /// Freezes every server process (a hung database).
    async fn pause(&self) -> Result<(), FaultError> {
        Err(self.unsupported(Fault::Pause))
    }

    /// Undoes [`Server::pause`].
    async fn resume(&self) -> Result<(), FaultError> {
        Err(self.unsupported(Fault::Resume))
    }

    /// Shuts the server down cleanly, keeping its data for a restart.
    async fn stop(&self) -> Result<(), FaultError> {
        Err(self.unsupported(Fault::Stop))
    }

    /// Starts the server again (after a kill or a stop, or stops it first when it runs),
    /// retrying while a crashed predecessor's leftovers are in the way; ready on return.
    async fn restart(&self) -> Result<(), FaultError> {
        Err(self.unsupported(Fault::Restart))
    }

    /// The server's log so far, where the backend can read it.
    async fn log(&self) -> Option<String> {
        None
    }

    /// Leaves the server running after the last handle drops (for `READINESS_KEEP=1`) and
    /// says how to reach it; `None` when this backend has nothing to keep.
    fn keep(&self) -> Option<String> {
        None
    }

    /// The explicit error for a hook this backend cannot support.
    fn unsupported(&self, fault: Fault) -> FaultError {
        FaultError::Unsupported {
            backend: self.kind(),
            fault,
            why: format!("the {} backend has no such hook", self.kind()),
        }
    }
}

/// Creates a database, optionally as a copy of `template` (`STRATEGY FILE_COPY` where the
/// server has it), owned by the admin role.
pub async fn create_database(
    server: &dyn Server,
    name: &str,
    template: Option<&str>,
) -> Result<(), BackendError> {
    names::ensure_ours(name)?;
    let mut sql = format!("CREATE DATABASE {}", names::quote_ident(name));
    if let Some(template) = template {
        sql.push_str(&format!(" TEMPLATE {}", names::quote_ident(template)));
        if server.version().major() >= 15 {
            sql.push_str(" STRATEGY FILE_COPY");
        }
    }
    admin_execute(server, &sql).await
}

/// Drops a database the harness created (a template too), disconnecting its sessions;
/// refuses any name without the harness prefix.
pub async fn drop_database(server: &dyn Server, name: &str) -> Result<(), BackendError> {
    names::ensure_ours(name)?;
    let what = server.describe();
    let mut conn = PgConnection::connect_with(&server.admin().options())
        .await
        .map_err(|e| BackendError::sql(&what, e))?;
    let result = async {
        let is_template: Option<bool> =
            sqlx::query_scalar("SELECT datistemplate FROM pg_database WHERE datname = $1")
                .bind(name)
                .fetch_optional(&mut conn)
                .await?;
        match is_template {
            None => return Ok(()),
            Some(true) => {
                conn.execute(
                    format!(
                        "ALTER DATABASE {} IS_TEMPLATE false",
                        names::quote_ident(name)
                    )
                    .as_str(),
                )
                .await?;
            }
            Some(false) => {}
        }
        let force = if server.version().major() >= 13 {
            " WITH (FORCE)"
        } else {
            ""
        };
        conn.execute(
            format!(
                "DROP DATABASE IF EXISTS {}{force}",
                names::quote_ident(name)
            )
            .as_str(),
        )
        .await?;
        Ok(())
    }
    .await
    .map_err(|e| BackendError::sql(&what, e));
    let _ = conn.close().await;
    result
}

/// Runs one statement on the maintenance database as the admin role.
pub async fn admin_execute(server: &dyn Server, sql: &str) -> Result<(), BackendError> {
    let what = server.describe();
    let mut conn = PgConnection::connect_with(&server.admin().options())
        .await
        .map_err(|e| BackendError::sql(&what, e))?;
    let result = conn
        .execute(sql)
        .await
        .map(|_| ())
        .map_err(|e| BackendError::sql(&what, e));
    let _ = conn.close().await;
    result
}

/// Finds client tools for a server of `major` on this machine: the same major, or newer.
pub fn local_tools_for(major: u32) -> Option<PgTools> {
    let found = native::binaries::discover_all();
    found
        .iter()
        .filter(|b| b.major >= major && has_client_tools(&b.dir))
        .min_by_key(|b| b.major)
        .map(|b| PgTools {
            bin_dir: b.dir.clone(),
            major: b.major,
        })
}

fn has_client_tools(dir: &Path) -> bool {
    ["pg_dump", "pg_restore"]
        .iter()
        .all(|p| dir.join(p).is_file())
}

impl From<BackendError> for crate::error::ScenarioError {
    fn from(error: BackendError) -> Self {
        crate::error::ScenarioError::Layer(Box::new(error))
    }
}

impl From<FaultError> for crate::error::ScenarioError {
    fn from(error: FaultError) -> Self {
        crate::error::ScenarioError::Layer(Box::new(error))
    }
}
