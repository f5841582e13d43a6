//! The test binary's server and what is built on it: one runtime of its own, one server,
//! a template per schema hash (and per dataset), and copies of each made ahead.
//!
//! The server comes from the backend `READINESS_TEST_BACKEND` names — `native` (local
//! PostgreSQL binaries, found through `READINESS_PG_BIN` and the usual places), `container`
//! (`READINESS_PG_IMAGE`, else a pinned `postgres` image) or `url` (`DATABASE_URL`, where
//! only `readiness_*` databases are created and dropped) — and without it, native when
//! server binaries are found, else a container when a Docker engine answers.
//!
//! Every test gets its own tokio runtime (`#[tokio::test]`) that ends with it, so the
//! server, the template builds and the refills live on a runtime of the provider's own,
//! which lasts as long as the test binary.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use harness::backend::{self, BackendOptions};
use harness::schema::dataset::{scale_label, seeded_template};
use harness::schema::migrate::Migrations;
use harness::schema::template::{Database, TemplatePool};
use harness::subject::Subject;
use harness::{Backend, BackendKind, Server, ServerProfile};
use tokio::runtime::{Handle, Runtime};

use crate::clones::{self, Clones};
use crate::request::{Dataset, Request};
use crate::{Error, TestDatabase};

/// The environment variable that chooses the backend, as for readiness's own test suite.
pub const BACKEND_ENV: &str = "READINESS_TEST_BACKEND";

/// How long the exit waits for the provider's tasks (a copy being made) to stop.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// A server for tests and the databases handed out from it. Most tests use the test
/// binary's own, through [`crate::database`]; a bench or a harness of one's own can make
/// more with [`Provider::new`], each torn down when dropped.
#[derive(Debug)]
pub struct Provider {
    runtime: Option<Runtime>,
    handle: Handle,
    inner: Arc<Inner>,
}

/// What the provider's tasks and handed-out databases share.
#[derive(Debug)]
pub(crate) struct Inner {
    /// How many copies of each template are kept ready.
    pool_size: usize,
    serving: tokio::sync::OnceCell<Serving>,
    subjects: tokio::sync::Mutex<HashMap<PathBuf, Arc<Loaded>>>,
    /// The template of each subject and dataset once built: a handout finds it here
    /// without waiting on the template pool, which builds one template at a time.
    built: Mutex<HashMap<(PathBuf, Option<Dataset>), String>>,
    clones: Mutex<HashMap<String, Arc<Clones>>>,
    kept: AtomicBool,
}

/// The server and its templates, once started.
#[derive(Debug)]
struct Serving {
    server: Arc<dyn Server>,
    templates: Arc<TemplatePool>,
    /// Kept alive with the server: a container backend's engine client.
    _backend: Arc<dyn Backend>,
}

/// A subject read once: its manifest and its migrations (with their hash).
#[derive(Debug)]
struct Loaded {
    subject: Arc<Subject>,
    migrations: Arc<Migrations>,
}

/// The test binary's provider: not made yet, running, or torn down at exit.
enum Global {
    Unstarted,
    Running(Arc<Provider>),
    Closed,
}

static GLOBAL: Mutex<Global> = Mutex::new(Global::Unstarted);

impl Provider {
    /// A provider keeping `pool_size` copies of each template ready (0: every handout
    /// copies). Its server starts on the first handout.
    pub fn new(pool_size: usize) -> Result<Provider, Error> {
        // two workers: a server start or a migration command may block one for a while
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("readiness-test")
            .enable_all()
            .build()
            .map_err(Error::Runtime)?;
        Ok(Provider {
            handle: runtime.handle().clone(),
            runtime: Some(runtime),
            inner: Arc::new(Inner {
                pool_size,
                serving: tokio::sync::OnceCell::new(),
                subjects: tokio::sync::Mutex::new(HashMap::new()),
                built: Mutex::new(HashMap::new()),
                clones: Mutex::new(HashMap::new()),
                kept: AtomicBool::new(false),
            }),
        })
    }

    /// The test binary's provider, made on first use with one copy ready per test thread
    /// and one more; it is torn down when the process exits (see [`crate::exit`]).
    pub fn global() -> Result<Arc<Provider>, Error> {
        let mut global = GLOBAL.lock().unwrap_or_else(|e| e.into_inner());
        match &*global {
            Global::Running(provider) => Ok(provider.clone()),
            Global::Closed => Err(Error::ShuttingDown),
            Global::Unstarted => {
                let provider = Arc::new(Provider::new(clones::default_target())?);
                crate::exit::install();
                *global = Global::Running(provider.clone());
                Ok(provider)
            }
        }
    }

    /// Takes the test binary's provider away for the teardown; nothing is handed out after.
    pub(crate) fn take_global() -> Option<Arc<Provider>> {
        let mut global = GLOBAL.lock().unwrap_or_else(|e| e.into_inner());
        match std::mem::replace(&mut *global, Global::Closed) {
            Global::Running(provider) => Some(provider),
            Global::Unstarted | Global::Closed => None,
        }
    }

    /// A fresh database as `request` asks, with a connection pool of the test's own.
    pub async fn database(&self, request: &Request) -> Result<TestDatabase, Error> {
        let inner = self.inner.clone();
        let request = request.clone();
        let db = self
            .handle
            .spawn(async move { inner.handout(&request).await })
            .await
            .map_err(|_| Error::ShuttingDown)??;
        Ok(TestDatabase::new(
            db,
            self.inner.clone(),
            self.handle.clone(),
        ))
    }

    /// Whether a database was kept for inspection, which keeps the server too.
    pub fn is_kept(&self) -> bool {
        self.inner.kept.load(Ordering::SeqCst)
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            // a runtime cannot wait for its tasks from within another's
            if Handle::try_current().is_ok() {
                runtime.shutdown_background();
            } else {
                runtime.shutdown_timeout(SHUTDOWN_GRACE);
            }
        }
        // the server goes with the last handle: here, unless a database outlives its provider
    }
}

impl Inner {
    /// A copy of the template the request names, building it first if this is the first
    /// request for it.
    async fn handout(&self, request: &Request) -> Result<Database, Error> {
        let dataset = request.dataset()?;
        let serving = self.serving().await?;
        let dir = request.absolute_dir();
        let key = (dir.clone(), dataset);
        let built = lock(&self.built).get(&key).cloned();
        let template = match built {
            Some(template) => template,
            None => {
                let template = self.build(serving, &dir, dataset).await?;
                lock(&self.built).insert(key, template.clone());
                template
            }
        };
        let clones = self.clones_of(serving, &template);
        clones
            .take(&serving.templates)
            .await
            .map_err(|source| Error::Clone {
                template,
                source: Box::new(source),
            })
    }

    /// The template of the subject in `dir`, with `dataset` in it when asked: built by the
    /// template pool the first time, which keys it by the migrations' hash.
    async fn build(
        &self,
        serving: &Serving,
        dir: &Path,
        dataset: Option<Dataset>,
    ) -> Result<String, Error> {
        let loaded = self.load(dir).await?;
        Ok(match dataset {
            None => serving
                .templates
                .migrated_template(&loaded.migrations)
                .await
                .map_err(|source| Error::Template {
                    dir: dir.to_path_buf(),
                    source: Box::new(source),
                })?,
            Some(dataset) => {
                seeded_template(
                    &serving.templates,
                    loaded.migrations.clone(),
                    loaded.subject.clone(),
                    dataset.users,
                    dataset.seed,
                )
                .await
                .map_err(|source| Error::Dataset {
                    dir: dir.to_path_buf(),
                    scale: scale_label(dataset.users),
                    seed: dataset.seed,
                    source: Box::new(source),
                })?
                .name
            }
        })
    }

    /// The server, started on first use.
    async fn serving(&self) -> Result<&Serving, Error> {
        self.serving
            .get_or_try_init(|| async {
                let backend = select_backend().await?;
                backend
                    .preflight()
                    .await
                    .map_err(|e| Error::Backend(Box::new(e)))?;
                let server = backend
                    .start(ServerProfile::Fast)
                    .await
                    .map_err(|e| Error::Backend(Box::new(e)))?;
                tracing::info!("readiness-test: {}", server.describe());
                Ok(Serving {
                    templates: Arc::new(TemplatePool::new(server.clone())),
                    server,
                    _backend: backend,
                })
            })
            .await
    }

    /// The subject in `dir` and its migrations, read once per test binary.
    async fn load(&self, dir: &Path) -> Result<Arc<Loaded>, Error> {
        let mut subjects = self.subjects.lock().await;
        if let Some(loaded) = subjects.get(dir) {
            return Ok(loaded.clone());
        }
        let subject = Subject::load(dir).map_err(|source| Error::Subject {
            dir: dir.to_path_buf(),
            source: Box::new(source),
        })?;
        let migrations = Migrations::load(
            subject.migration_source(),
            subject.manifest.migrations.bookkeeping_tables(),
        )
        .await
        .map_err(|source| Error::Migrations {
            dir: dir.to_path_buf(),
            source: Box::new(source),
        })?;
        let loaded = Arc::new(Loaded {
            subject: Arc::new(subject),
            migrations: Arc::new(migrations),
        });
        subjects.insert(dir.to_path_buf(), loaded.clone());
        Ok(loaded)
    }

    /// The copies of `template`, their refill started on first use.
    fn clones_of(&self, serving: &Serving, template: &str) -> Arc<Clones> {
        lock(&self.clones)
            .entry(template.to_owned())
            .or_insert_with(|| {
                Clones::start(
                    serving.templates.clone(),
                    template.to_owned(),
                    self.pool_size,
                )
            })
            .clone()
    }

    /// Keeps the server past the process for a kept database; says how to reach it the
    /// first time only.
    pub(crate) fn keep_server(&self) -> Option<String> {
        if self.kept.swap(true, Ordering::SeqCst) {
            return None;
        }
        self.serving.get().and_then(|s| s.server.keep())
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// The backend `READINESS_TEST_BACKEND` names, else the harness's own choice.
async fn select_backend() -> Result<Arc<dyn Backend>, Error> {
    let kind = match std::env::var(BACKEND_ENV) {
        Ok(value) if !value.is_empty() => {
            Some(value.parse::<BackendKind>().map_err(|why| Error::Setting {
                variable: BACKEND_ENV,
                value,
                why,
            })?)
        }
        _ => None,
    };
    backend::select(&BackendOptions {
        kind,
        ..BackendOptions::default()
    })
    .await
    .map_err(|e| Error::Backend(Box::new(e)))
}
