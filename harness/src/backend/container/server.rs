//! One disposable server in a container, created and started through the engine API:
//! generated passwords, the profile's settings as `-c` arguments, port 5432 published on
//! 127.0.0.1 only, ready when a real connection succeeds (so any PostgreSQL image works,
//! whatever it logs). Fault hooks: SIGKILL, pause, stop, start with the published port
//! re-read. Removed with its volumes on drop and on Ctrl-C (by the cleanup registry).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU16, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bollard::models::{ContainerCreateBody, HostConfig, PortBinding};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, KillContainerOptionsBuilder, RenameContainerOptionsBuilder,
    StartContainerOptions, StopContainerOptionsBuilder,
};
use bollard::Docker;
use sqlx::{Connection, Executor, PgConnection};

use super::{engine, labels, ContainerBackend};
use crate::backend::cleanup::{self, Registration};
use crate::backend::names::{self, quote_literal};
use crate::backend::native::{ADMIN_ROLE, APP_ROLE};
use crate::backend::{
    BackendError, BackendKind, ConnInfo, Fault, FaultError, PgTools, Server, ServerProfile,
    ServerVersion,
};
use crate::process::wait::Patience;
use crate::report::redact::Secret;

/// The port PostgreSQL listens on inside the container.
const CONTAINER_PORT: &str = "5432/tcp";
/// How long a container may take from start to accepting connections (first start
/// includes `initdb`).
const READY_DEADLINE: Duration = Duration::from_secs(90);
/// How long one connection attempt may take while waiting for readiness.
const ATTEMPT_DEADLINE: Duration = Duration::from_secs(3);
/// How long a clean stop may take before the engine kills the server.
const STOP_GRACE_SECONDS: i32 = 60;
/// PostgreSQL's shared memory lives in /dev/shm; the engine's default of 64 MiB is tight.
const SHM_BYTES: i64 = 256 * 1024 * 1024;

/// A PostgreSQL server in a container of the harness's own.
#[derive(Debug)]
pub struct ContainerServer {
    docker: Docker,
    id: String,
    name: String,
    image: String,
    image_version: String,
    tools_major: u32,
    profile: ServerProfile,
    version: ServerVersion,
    admin_password: Secret,
    app_password: Secret,
    port: AtomicU16,
    /// Serialises the fault hooks, which change the container's state.
    state: tokio::sync::Mutex<()>,
    kept: AtomicBool,
    _on_interrupt: Registration,
}

impl ContainerServer {
    pub(super) async fn start(
        backend: &ContainerBackend,
        profile: ServerProfile,
        settings: &[(String, String)],
    ) -> Result<ContainerServer, BackendError> {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let docker = backend.docker.clone();
        let name = format!(
            "readiness-{}-{}",
            names::run_id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let admin_password = Secret::generate();
        // registered by name before the container exists, so that Ctrl-C during the start
        // removes it too; a create still in flight is waited for (its answer, not a timer),
        // or the engine could finish creating the container after the removal
        let creating = Arc::new(InFlight::default());
        let on_interrupt = cleanup::register(format!("container {name}"), {
            let (name, creating) = (name.clone(), creating.clone());
            move || {
                creating.wait();
                engine::remove_blocking(&name)
            }
        })
        .map_err(|e| BackendError::Container(e.to_string()))?;
        let body = container_body(&backend.image, profile, settings, &admin_password);
        let options = CreateContainerOptionsBuilder::new().name(&name).build();
        let created = {
            let _answered = InFlightGuard(&creating);
            docker.create_container(Some(options), body).await
        };
        let id = match created {
            Ok(created) => created.id,
            Err(e) => {
                return Err(BackendError::docker(
                    format!("create a container of `{}`", backend.image),
                    e,
                ))
            }
        };
        if let Err(e) = docker
            .start_container(&id, None::<StartContainerOptions>)
            .await
        {
            let _ = engine::remove(&docker, &id).await;
            return Err(BackendError::docker(
                format!("start a container of `{}`", backend.image),
                e,
            ));
        }
        // from here on, dropping `server` removes the container, whatever fails next
        let mut server = ContainerServer {
            docker,
            id,
            name,
            image: backend.image.clone(),
            image_version: backend.version.version.clone(),
            tools_major: backend.version.major,
            profile,
            version: ServerVersion {
                num: 0,
                text: String::new(),
            },
            admin_password,
            app_password: Secret::generate(),
            port: AtomicU16::new(0),
            state: tokio::sync::Mutex::new(()),
            kept: AtomicBool::new(false),
            _on_interrupt: on_interrupt,
        };
        if let Err(why) = server.wait_ready().await {
            return Err(server.start_error(why).await);
        }
        server.version = server.create_app_role().await?;
        Ok(server)
    }

    /// Creates the app role and returns the server's version.
    async fn create_app_role(&self) -> Result<ServerVersion, BackendError> {
        let what = "the new container's admin connection";
        let mut conn = PgConnection::connect_with(&self.admin().options())
            .await
            .map_err(|e| BackendError::sql(what, e))?;
        let sql = format!(
            "CREATE ROLE {APP_ROLE} LOGIN PASSWORD {} NOSUPERUSER NOCREATEDB NOCREATEROLE",
            quote_literal(self.app_password.expose()),
        );
        conn.execute(sql.as_str())
            .await
            .map_err(|e| BackendError::sql(what, e))?;
        let version = ServerVersion::query(&mut conn)
            .await
            .map_err(|e| BackendError::sql(what, e))?;
        let _ = conn.close().await;
        Ok(version)
    }

    /// Re-reads the published port, then connects until the server answers, the container
    /// exits, or [`READY_DEADLINE`] passes.
    async fn wait_ready(&self) -> Result<(), String> {
        let mut last_error = String::from("no attempt finished");
        let mut patience = Patience::new(READY_DEADLINE, Duration::from_millis(100));
        while patience.another_look().await {
            let state = self.inspect_state().await?;
            if !state.running {
                return Err(format!(
                    "the container exited with {} before accepting connections",
                    state.exit_code
                ));
            }
            if let Some(port) = state.port {
                self.port.store(port, Ordering::SeqCst);
                let attempt = tokio::time::timeout(
                    ATTEMPT_DEADLINE,
                    PgConnection::connect_with(&self.admin().options()),
                )
                .await;
                match attempt {
                    Ok(Ok(conn)) => {
                        let _ = conn.close().await;
                        return Ok(());
                    }
                    Ok(Err(e)) => last_error = e.to_string(),
                    Err(_) => last_error = "a connection attempt timed out".into(),
                }
            }
        }
        Err(format!(
            "it accepted no PostgreSQL connection within {} s (last attempt: {last_error})",
            READY_DEADLINE.as_secs()
        ))
    }

    async fn inspect_state(&self) -> Result<ContainerState, String> {
        let inspected = self
            .docker
            .inspect_container(&self.id, None)
            .await
            .map_err(|e| format!("failed to inspect the container: {e}"))?;
        let state = inspected.state.unwrap_or_default();
        let port = inspected
            .network_settings
            .and_then(|n| n.ports)
            .and_then(|ports| ports.get(CONTAINER_PORT).cloned().flatten())
            .and_then(|bindings| {
                bindings
                    .into_iter()
                    .find_map(|b| b.host_port.and_then(|p| p.parse().ok()))
            });
        Ok(ContainerState {
            running: state.running == Some(true),
            paused: state.paused == Some(true),
            exit_code: state.exit_code.unwrap_or(-1),
            port,
        })
    }

    async fn start_error(&self, why: String) -> BackendError {
        let logs = self.log_tail().await;
        BackendError::Start(format!(
            "the container from image `{}` did not become a ready PostgreSQL server: {why}; \
             its last lines:\n{logs}",
            self.image
        ))
    }

    fn failed(fault: Fault, detail: impl Into<String>) -> FaultError {
        FaultError::Failed {
            fault,
            detail: detail.into(),
        }
    }

    /// The container's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The container's name (`readiness-<run>-<n>`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The last lines the container printed.
    pub async fn log_tail(&self) -> String {
        engine::log_tail(&self.docker, &self.id, 30).await
    }
}

/// What the fault hooks need to know of the container.
#[derive(Debug)]
struct ContainerState {
    running: bool,
    paused: bool,
    exit_code: i64,
    port: Option<u16>,
}

/// The container: the official image's environment contract, the profile's settings as
/// `-c` arguments, port 5432 published on 127.0.0.1 only (on a free port), and our labels.
fn container_body(
    image: &str,
    profile: ServerProfile,
    settings: &[(String, String)],
    admin_password: &Secret,
) -> ContainerCreateBody {
    let mut cmd = vec!["postgres".to_owned()];
    let profile_settings = profile
        .settings()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()));
    for (key, value) in profile_settings.chain(settings.iter().cloned()) {
        cmd.push("-c".into());
        cmd.push(format!("{key}={value}"));
    }
    ContainerCreateBody {
        image: Some(image.to_owned()),
        cmd: Some(cmd),
        env: Some(vec![
            format!("POSTGRES_USER={ADMIN_ROLE}"),
            format!("POSTGRES_PASSWORD={}", admin_password.expose()),
            "POSTGRES_DB=postgres".to_owned(),
            // the fault hooks crash the container, never the machine: initdb need not sync
            "POSTGRES_INITDB_ARGS=--data-checksums --no-sync".to_owned(),
        ]),
        labels: Some(labels::ours()),
        exposed_ports: Some(vec![CONTAINER_PORT.to_owned()]),
        host_config: Some(HostConfig {
            shm_size: Some(SHM_BYTES),
            port_bindings: Some(HashMap::from([(
                CONTAINER_PORT.to_owned(),
                Some(vec![PortBinding {
                    host_ip: Some("127.0.0.1".into()),
                    host_port: None,
                }]),
            )])),
            ..Default::default()
        }),
        ..Default::default()
    }
}

#[async_trait]
impl Server for ContainerServer {
    fn kind(&self) -> BackendKind {
        BackendKind::Container
    }

    fn profile(&self) -> ServerProfile {
        self.profile
    }

    fn version(&self) -> &ServerVersion {
        &self.version
    }

    fn describe(&self) -> String {
        format!(
            "PostgreSQL {} ({} profile) in container {} from {} on 127.0.0.1:{}",
            self.image_version,
            self.profile,
            self.name,
            self.image,
            self.port.load(Ordering::SeqCst)
        )
    }

    fn admin(&self) -> ConnInfo {
        ConnInfo::loopback(
            self.port.load(Ordering::SeqCst),
            ADMIN_ROLE,
            &self.admin_password,
        )
    }

    fn app(&self) -> ConnInfo {
        ConnInfo::loopback(
            self.port.load(Ordering::SeqCst),
            APP_ROLE,
            &self.app_password,
        )
    }

    fn tools(&self) -> Option<PgTools> {
        crate::backend::local_tools_for(self.tools_major)
    }

    /// SIGKILL to the container's init process: the kernel kills every process in the
    /// container, as a crash would; the data stays in the container for a restart.
    async fn kill(&self) -> Result<(), FaultError> {
        let _state = self.state.lock().await;
        let options = KillContainerOptionsBuilder::new().signal("SIGKILL").build();
        self.docker
            .kill_container(&self.id, Some(options))
            .await
            .map_err(|e| Self::failed(Fault::Kill, e.to_string()))?;
        let mut patience = Patience::new(Duration::from_secs(10), Duration::from_millis(20));
        while patience.another_look().await {
            let state = self
                .inspect_state()
                .await
                .map_err(|e| Self::failed(Fault::Kill, e))?;
            if !state.running {
                return Ok(());
            }
        }
        Err(Self::failed(
            Fault::Kill,
            "the container still runs 10 s after SIGKILL",
        ))
    }

    /// Freezes every process of the container (the cgroup freezer): a hung database.
    async fn pause(&self) -> Result<(), FaultError> {
        let _state = self.state.lock().await;
        self.docker
            .pause_container(&self.id)
            .await
            .map_err(|e| Self::failed(Fault::Pause, e.to_string()))
    }

    async fn resume(&self) -> Result<(), FaultError> {
        let _state = self.state.lock().await;
        self.docker
            .unpause_container(&self.id)
            .await
            .map_err(|e| Self::failed(Fault::Resume, e.to_string()))
    }

    /// A clean shutdown: the image's stop signal (SIGINT, a fast shutdown), then SIGKILL
    /// after a grace period.
    async fn stop(&self) -> Result<(), FaultError> {
        let _state = self.state.lock().await;
        self.stop_locked()
            .await
            .map_err(|e| Self::failed(Fault::Stop, e))
    }

    async fn restart(&self) -> Result<(), FaultError> {
        let _state = self.state.lock().await;
        let state = self
            .inspect_state()
            .await
            .map_err(|e| Self::failed(Fault::Restart, e))?;
        if state.paused {
            self.docker
                .unpause_container(&self.id)
                .await
                .map_err(|e| Self::failed(Fault::Restart, e.to_string()))?;
        }
        if state.running {
            self.stop_locked()
                .await
                .map_err(|e| Self::failed(Fault::Restart, e))?;
        }
        self.docker
            .start_container(&self.id, None::<StartContainerOptions>)
            .await
            .map_err(|e| Self::failed(Fault::Restart, e.to_string()))?;
        // the engine may publish a different port: wait_ready re-reads it
        self.wait_ready()
            .await
            .map_err(|why| Self::failed(Fault::Restart, why))
    }

    async fn log(&self) -> Option<String> {
        Some(engine::log_tail(&self.docker, &self.id, 100_000).await)
    }

    fn keep(&self) -> Option<String> {
        self.kept.store(true, Ordering::SeqCst);
        let kept_name = format!("{}{}", labels::KEPT_PREFIX, self.name);
        let (docker, id, name) = (self.docker.clone(), self.id.clone(), kept_name.clone());
        let renamed = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime.block_on(async {
                let docker = engine::connect_fresh().await.unwrap_or(docker);
                let options = RenameContainerOptionsBuilder::new().name(&name).build();
                docker
                    .rename_container(&id, options)
                    .await
                    .map_err(|e| e.to_string())
            })
        })
        .join();
        if !matches!(renamed, Ok(Ok(()))) {
            tracing::warn!("failed to rename the kept container {}", self.name);
        }
        let password_file = std::env::temp_dir().join(format!("{kept_name}.password"));
        let _ = write_private(&password_file, self.admin_password.expose());
        Some(format!(
            "{} (password in {}); remove with: docker rm -fv {kept_name}",
            self.admin().display_url(),
            password_file.display(),
        ))
    }
}

impl ContainerServer {
    async fn stop_locked(&self) -> Result<(), String> {
        let options = StopContainerOptionsBuilder::new()
            .t(STOP_GRACE_SECONDS)
            .build();
        self.docker
            .stop_container(&self.id, Some(options))
            .await
            .map_err(|e| e.to_string())
    }
}

fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())
}

impl Drop for ContainerServer {
    fn drop(&mut self) {
        if !self.kept.load(Ordering::SeqCst) {
            engine::remove_blocking(&self.id);
        }
    }
}

/// A request to the engine that has not been answered yet.
#[derive(Debug, Default)]
struct InFlight {
    answered: std::sync::Mutex<bool>,
    changed: std::sync::Condvar,
}

impl InFlight {
    /// Blocks until the request is answered (or given up).
    fn wait(&self) {
        let answered = self.answered.lock().unwrap_or_else(|e| e.into_inner());
        let _done = self
            .changed
            .wait_while(answered, |answered| !*answered)
            .unwrap_or_else(|e| e.into_inner());
    }
}

/// Marks the request answered when dropped: after its answer, or when the future that
/// awaited it is dropped.
struct InFlightGuard<'a>(&'a InFlight);

impl Drop for InFlightGuard<'_> {
    fn drop(&mut self) {
        *self.0.answered.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.0.changed.notify_all();
    }
}
