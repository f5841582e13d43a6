//! The `native` backend: disposable servers from local PostgreSQL binaries, each in its
//! own scratch directory, listening on a free loopback port and a private unix socket.

pub mod binaries;
mod cluster;
mod process;
pub mod run_as;
pub mod scratch;

use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU16, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use nix::sys::signal::Signal;
use sqlx::{Connection, Executor, PgConnection};

use super::{
    Backend, BackendError, BackendKind, ConnInfo, Fault, FaultError, PgTools, Server,
    ServerProfile, ServerVersion,
};
use crate::backend::cleanup::{self, Registration};
use crate::backend::names::quote_literal;
use crate::report::redact::Secret;
use binaries::PgBinaries;
use process::{Postmaster, PostmasterSpec, StartFailure};
use run_as::RunAs;
use scratch::{PostmasterPid, ScratchDir};

pub use cluster::ADMIN_ROLE;

/// The application role on every native server.
pub const APP_ROLE: &str = "readiness_app";

/// How long a server may take to accept connections after its process starts.
const READY_DEADLINE: Duration = Duration::from_secs(60);
/// How long a restart keeps retrying while a killed predecessor's leftovers are in the way.
const RESTART_RETRY_WINDOW: Duration = Duration::from_secs(20);

/// Local server binaries, and the OS user to run them as.
#[derive(Debug)]
pub struct NativeBackend {
    bins: PgBinaries,
    run_as: Option<RunAs>,
    extra_settings: Vec<(String, String)>,
}

impl NativeBackend {
    /// Finds binaries and reaps whatever a killed earlier run left behind.
    pub fn new() -> Result<NativeBackend, BackendError> {
        let bins = binaries::discover().map_err(BackendError::NoBinaries)?;
        Self::with_binaries(bins)
    }

    pub fn with_binaries(bins: PgBinaries) -> Result<NativeBackend, BackendError> {
        let run_as = RunAs::choose().map_err(BackendError::Start)?;
        for dir in scratch::reap_stale() {
            tracing::info!("reaped {} left behind by a killed run", dir.display());
        }
        Ok(NativeBackend {
            bins,
            run_as,
            extra_settings: Vec::new(),
        })
    }

    /// Adds `postgresql.conf` settings to every server this backend starts.
    pub fn with_setting(mut self, key: &str, value: &str) -> Self {
        self.extra_settings.push((key.to_owned(), value.to_owned()));
        self
    }

    pub fn binaries(&self) -> &PgBinaries {
        &self.bins
    }
}

#[async_trait]
impl Backend for NativeBackend {
    fn kind(&self) -> BackendKind {
        BackendKind::Native
    }

    fn describe(&self) -> String {
        let user = self
            .run_as
            .as_ref()
            .map(|u| format!(", run as `{}`", u.name))
            .unwrap_or_default();
        format!(
            "native PostgreSQL {} from {}{user}",
            self.bins.version,
            self.bins.dir.display()
        )
    }

    async fn start(&self, profile: ServerProfile) -> Result<Arc<dyn Server>, BackendError> {
        Ok(Arc::new(NativeServer::start(self, profile, &[]).await?))
    }

    async fn start_with_settings(
        &self,
        profile: ServerProfile,
        settings: &[(String, String)],
    ) -> Result<Arc<dyn Server>, BackendError> {
        Ok(Arc::new(
            NativeServer::start(self, profile, settings).await?,
        ))
    }
}

/// A disposable server: killed and removed, directory and all, when dropped.
#[derive(Debug)]
pub struct NativeServer {
    spec: PostmasterSpec,
    scratch: ScratchDir,
    profile: ServerProfile,
    version: ServerVersion,
    admin_password: Secret,
    app_password: Secret,
    port: AtomicU16,
    postmaster: tokio::sync::Mutex<Option<Postmaster>>,
    postmaster_pid: Arc<AtomicI32>,
    kept: AtomicBool,
    _on_interrupt: Registration,
}

impl NativeServer {
    async fn start(
        backend: &NativeBackend,
        profile: ServerProfile,
        subject_settings: &[(String, String)],
    ) -> Result<NativeServer, BackendError> {
        let run_as = backend.run_as.as_ref();
        // a fast server's data need not survive, so it lives in memory where there is room
        let root = match profile {
            ServerProfile::Fast => scratch::memory_root(),
            ServerProfile::Durable => None,
        }
        .unwrap_or_else(std::env::temp_dir);
        let scratch = ScratchDir::create_in(&root, "pg", run_as).map_err(|e| {
            BackendError::io(
                format!("create a scratch directory in {}", root.display()),
                e,
            )
        })?;
        let data_dir = scratch.path().join("data");
        // registered before anything runs, so that an interrupt at any point leaves nothing
        let postmaster_pid = Arc::new(AtomicI32::new(0));
        let on_interrupt = {
            let pid = postmaster_pid.clone();
            let dir = scratch.path().to_path_buf();
            let data_dir = data_dir.clone();
            cleanup::register(format!("postgres in {}", dir.display()), move || {
                kill_by_pid(pid.load(Ordering::SeqCst), &data_dir);
                scratch::remove_until_gone(&dir);
            })
            .map_err(|e| BackendError::Start(e.to_string()))?
        };
        let socket_dir = scratch.path().join("sock");
        std::fs::create_dir(&socket_dir)
            .and_then(|_| run_as::chown(run_as, &socket_dir))
            .map_err(|e| BackendError::io("create the socket directory", e))?;
        let initial_password = cluster::prepare(&backend.bins, run_as, &data_dir)?;
        write_hba(&data_dir, run_as)?;

        let mut settings: Vec<(String, String)> = profile
            .settings()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        settings.extend(backend.extra_settings.iter().cloned());
        settings.extend(subject_settings.iter().cloned());
        let spec = PostmasterSpec {
            bins: backend.bins.clone(),
            run_as: backend.run_as.clone(),
            data_dir,
            socket_dir,
            log_file: scratch.path().join("postgres.log"),
            settings,
        };

        let (postmaster, port) = start_on_free_port(&spec, &postmaster_pid).await?;
        let mut server = NativeServer {
            spec,
            scratch,
            profile,
            version: ServerVersion {
                num: 0,
                text: String::new(),
            },
            admin_password: Secret::generate(),
            app_password: Secret::generate(),
            port: AtomicU16::new(port),
            postmaster: tokio::sync::Mutex::new(Some(postmaster)),
            postmaster_pid,
            kept: AtomicBool::new(false),
            _on_interrupt: on_interrupt,
        };
        server.version = server.rotate_secrets(initial_password).await?;
        Ok(server)
    }

    /// Replaces the cluster's initial admin password with this server's own and creates
    /// the app role; returns the server version.
    async fn rotate_secrets(&self, initial: Secret) -> Result<ServerVersion, BackendError> {
        let first = ConnInfo {
            password: initial,
            ..self.admin()
        };
        let what = "the new server's admin connection";
        let mut conn = PgConnection::connect_with(&first.options())
            .await
            .map_err(|e| BackendError::sql(what, e))?;
        let sql = format!(
            "ALTER ROLE {ADMIN_ROLE} PASSWORD {}; CREATE ROLE {APP_ROLE} LOGIN PASSWORD {} NOSUPERUSER NOCREATEDB NOCREATEROLE",
            quote_literal(self.admin_password.expose()),
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

    /// The scratch directory holding the data directory, socket and log.
    pub fn scratch_dir(&self) -> &std::path::Path {
        self.scratch.path()
    }

    /// The data directory.
    pub fn data_dir(&self) -> &std::path::Path {
        &self.spec.data_dir
    }

    /// The last lines of the server's log.
    pub fn log_tail(&self) -> String {
        process::log_tail(&self.spec.log_file)
    }

    fn failed(fault: Fault, detail: impl Into<String>) -> FaultError {
        FaultError::Failed {
            fault,
            detail: detail.into(),
        }
    }
}

#[async_trait]
impl Server for NativeServer {
    fn kind(&self) -> BackendKind {
        BackendKind::Native
    }

    fn profile(&self) -> ServerProfile {
        self.profile
    }

    fn version(&self) -> &ServerVersion {
        &self.version
    }

    fn describe(&self) -> String {
        format!(
            "native PostgreSQL {} ({} profile) on 127.0.0.1:{}",
            self.spec.bins.version,
            self.profile,
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
        Some(PgTools {
            bin_dir: self.spec.bins.dir.clone(),
            major: self.spec.bins.major,
        })
    }

    async fn kill(&self) -> Result<(), FaultError> {
        let mut guard = self.postmaster.lock().await;
        let postmaster = guard
            .as_mut()
            .ok_or_else(|| Self::failed(Fault::Kill, "the server is not running"))?;
        postmaster.kill_all();
        *guard = None;
        Ok(())
    }

    async fn pause(&self) -> Result<(), FaultError> {
        let guard = self.postmaster.lock().await;
        let postmaster = guard
            .as_ref()
            .ok_or_else(|| Self::failed(Fault::Pause, "the server is not running"))?;
        postmaster.signal_all(Signal::SIGSTOP);
        Ok(())
    }

    async fn resume(&self) -> Result<(), FaultError> {
        let guard = self.postmaster.lock().await;
        let postmaster = guard
            .as_ref()
            .ok_or_else(|| Self::failed(Fault::Resume, "the server is not running"))?;
        postmaster.signal_all(Signal::SIGCONT);
        Ok(())
    }

    async fn stop(&self) -> Result<(), FaultError> {
        let mut guard = self.postmaster.lock().await;
        if let Some(mut postmaster) = guard.take() {
            postmaster
                .shut_down(Signal::SIGINT, Duration::from_secs(60))
                .await;
        }
        Ok(())
    }

    async fn restart(&self) -> Result<(), FaultError> {
        let mut guard = self.postmaster.lock().await;
        if let Some(mut running) = guard.take() {
            running
                .shut_down(Signal::SIGINT, Duration::from_secs(60))
                .await;
        }
        let started = Instant::now();
        let mut port = self.port.load(Ordering::SeqCst);
        let mut port_attempts = 0;
        loop {
            let attempt = match Postmaster::spawn(&self.spec, port) {
                Ok(mut postmaster) => {
                    self.postmaster_pid
                        .store(postmaster.pid(), Ordering::SeqCst);
                    postmaster
                        .wait_ready(&self.spec, READY_DEADLINE)
                        .await
                        .map(|()| postmaster)
                }
                Err(failure) => Err(failure),
            };
            match attempt {
                Ok(postmaster) => {
                    self.postmaster_pid
                        .store(postmaster.pid(), Ordering::SeqCst);
                    self.port.store(port, Ordering::SeqCst);
                    *guard = Some(postmaster);
                    return Ok(());
                }
                Err(StartFailure::PortTaken) if port_attempts < 5 => {
                    port_attempts += 1;
                    // keep the address clients know for a while, then move
                    if port_attempts > 2 {
                        port = process::free_port()
                            .map_err(|e| Self::failed(Fault::Restart, e.to_string()))?;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(StartFailure::Retryable(why)) if started.elapsed() < RESTART_RETRY_WINDOW => {
                    tracing::debug!("restart retry: {why}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(StartFailure::Retryable(why)) | Err(StartFailure::Fatal(why)) => {
                    return Err(Self::failed(Fault::Restart, why));
                }
                Err(StartFailure::PortTaken) => {
                    return Err(Self::failed(Fault::Restart, "no free port"))
                }
            }
        }
    }

    async fn log(&self) -> Option<String> {
        std::fs::read_to_string(&self.spec.log_file).ok()
    }

    fn keep(&self) -> Option<String> {
        self.kept.store(true, Ordering::SeqCst);
        self.scratch.keep();
        let password_file = self.scratch.path().join("admin.password");
        let _ = std::fs::write(&password_file, self.admin_password.expose());
        let pid = self.postmaster_pid.load(Ordering::SeqCst);
        Some(format!(
            "{} (password in {}); remove with: kill -QUIT {pid}; rm -rf {}",
            self.admin().display_url(),
            password_file.display(),
            self.scratch.path().display()
        ))
    }
}

impl Drop for NativeServer {
    fn drop(&mut self) {
        if self.kept.load(Ordering::SeqCst) {
            if let Some(postmaster) = self.postmaster.get_mut().take() {
                // leave it running: dropping a std Child neither kills nor waits
                std::mem::forget(postmaster);
            }
            return;
        }
        if let Some(mut postmaster) = self.postmaster.get_mut().take() {
            postmaster.shut_down_blocking(Signal::SIGQUIT, Duration::from_secs(5));
        }
        if let Some(info) = PostmasterPid::read(&self.spec.data_dir.join("postmaster.pid")) {
            info.remove_shared_memory();
        }
    }
}

/// Starts a postmaster on a free port, moving to another port if one is taken meanwhile.
async fn start_on_free_port(
    spec: &PostmasterSpec,
    pid: &AtomicI32,
) -> Result<(Postmaster, u16), BackendError> {
    let mut last = String::new();
    for _ in 0..5 {
        let port =
            process::free_port().map_err(|e| BackendError::io("find a free loopback port", e))?;
        let mut postmaster = match Postmaster::spawn(spec, port) {
            Ok(p) => p,
            Err(StartFailure::Fatal(why)) | Err(StartFailure::Retryable(why)) => {
                return Err(BackendError::Start(why))
            }
            Err(StartFailure::PortTaken) => continue,
        };
        pid.store(postmaster.pid(), Ordering::SeqCst);
        match postmaster.wait_ready(spec, READY_DEADLINE).await {
            Ok(()) => return Ok((postmaster, port)),
            Err(StartFailure::PortTaken) => last = format!("port {port} was taken"),
            Err(StartFailure::Retryable(why)) | Err(StartFailure::Fatal(why)) => {
                return Err(BackendError::Start(why))
            }
        }
    }
    Err(BackendError::Start(format!(
        "no free port after 5 attempts ({last})"
    )))
}

/// Writes a `pg_hba.conf` that admits only password (SCRAM) logins over the private socket
/// and loopback.
fn write_hba(data_dir: &std::path::Path, run_as: Option<&RunAs>) -> Result<(), BackendError> {
    let path = data_dir.join("pg_hba.conf");
    let hba = "# written by readiness: SCRAM passwords, private socket and loopback only\n\
               local all all scram-sha-256\n\
               host all all 127.0.0.1/32 scram-sha-256\n\
               host all all ::1/128 scram-sha-256\n";
    std::fs::write(&path, hba)
        .and_then(|_| run_as::chown(run_as, &path))
        .map_err(|e| BackendError::io("write pg_hba.conf", e))
}

/// The interrupt-time teardown: kill -9 the postmaster and its children, free its memory.
fn kill_by_pid(pid: i32, data_dir: &std::path::Path) {
    if pid > 0 {
        use nix::sys::signal::kill;
        use nix::unistd::Pid;
        let _ = kill(Pid::from_raw(pid), Signal::SIGSTOP);
        for child in process::children_of(pid) {
            let _ = kill(Pid::from_raw(child), Signal::SIGKILL);
        }
        let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
        std::thread::sleep(Duration::from_millis(50));
    }
    if let Some(info) = PostmasterPid::read(&data_dir.join("postmaster.pid")) {
        info.remove_shared_memory();
    }
}
