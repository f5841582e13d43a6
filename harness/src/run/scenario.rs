//! The scenario contract and the context a scenario runs in: the subject, the backend,
//! its seed, and databases and servers that are cleaned up (or kept) after it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;

use crate::backend::{Backend, BackendError, Server, ServerProfile};
pub use crate::error::ScenarioError;
use crate::report::evidence::{Outcome, Status};
use crate::schema::main_queries::{self, MainQueries};
use crate::schema::migrate::{MigrateError, Migrations, MigrationsMutation};
use crate::schema::template::{Database, TemplatePool};
use crate::subject::Subject;

/// A claim as the scorecard lists it.
#[derive(Debug, Clone, Copy)]
pub struct ClaimSpec {
    pub id: &'static str,
    pub title: &'static str,
    /// The report's own words.
    pub statement: &'static str,
    /// The report's summary table: what it says there was before, and is there after.
    pub before: &'static str,
    pub after: &'static str,
}

/// One executable proof of one aspect of a claim.
#[async_trait]
pub trait Scenario: Send + Sync {
    /// kebab-case, unique within its claim, e.g. `up-down-round-trip`.
    fn id(&self) -> &'static str;

    /// The claim it proves.
    fn claim(&self) -> &'static ClaimSpec;

    /// What it shows, in one line.
    fn title(&self) -> &'static str;

    /// How long it may run before it is stopped and reported as timed out.
    fn deadline(&self) -> Duration {
        Duration::from_secs(300)
    }

    async fn run(&self, ctx: &Context) -> Result<Outcome, ScenarioError>;
}

/// Settings for a whole run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub seed: u64,
    /// Keep the databases and servers of scenarios that did not come out PROVEN.
    pub keep_failed: bool,
    /// Overrides the number of proptest cases (`READINESS_PROPTEST_CASES`).
    pub proptest_cases: Option<u32>,
    /// One mutant of `readiness mutate`: SQL applied to every template database right after
    /// the subject's migrations (scenarios that run the migrations themselves, the round
    /// trips, do not see it), or a down migration replaced.
    pub mutation: Option<MigrationsMutation>,
}

impl RunOptions {
    /// Options from the environment: `READINESS_KEEP=1`, `READINESS_PROPTEST_CASES=N`.
    pub fn from_env(seed: u64) -> RunOptions {
        RunOptions {
            seed,
            keep_failed: std::env::var("READINESS_KEEP").is_ok_and(|v| v == "1" || v == "true"),
            proptest_cases: std::env::var("READINESS_PROPTEST_CASES")
                .ok()
                .and_then(|v| v.parse().ok()),
            mutation: None,
        }
    }

    /// These options with a mutant applied to the migrations (see `mutation`).
    pub fn with_mutation(self, mutation: MigrationsMutation) -> RunOptions {
        RunOptions {
            mutation: Some(mutation),
            ..self
        }
    }
}

/// What every scenario of a run shares: the subject, the backend, the lazily started
/// fast server with its template pool, and the loaded migrations.
#[derive(Debug)]
pub struct Run {
    pub subject: Arc<Subject>,
    pub backend: Arc<dyn Backend>,
    pub options: RunOptions,
    pool: tokio::sync::OnceCell<Arc<TemplatePool>>,
    migrations: tokio::sync::OnceCell<Arc<Migrations>>,
    main_queries: tokio::sync::OnceCell<Arc<MainQueries>>,
}

impl Run {
    pub fn new(subject: Subject, backend: Arc<dyn Backend>, options: RunOptions) -> Arc<Run> {
        Arc::new(Run {
            subject: Arc::new(subject),
            backend,
            options,
            pool: tokio::sync::OnceCell::new(),
            migrations: tokio::sync::OnceCell::new(),
            main_queries: tokio::sync::OnceCell::new(),
        })
    }

    /// The shared fast-profile server's template pool, started on first use.
    pub async fn pool(&self) -> Result<Arc<TemplatePool>, BackendError> {
        self.pool
            .get_or_try_init(|| async {
                let server = self.backend.start(ServerProfile::Fast).await?;
                Ok(Arc::new(TemplatePool::new(server)))
            })
            .await
            .cloned()
    }

    /// The shared server, if one was started.
    pub fn started_server(&self) -> Option<Arc<dyn Server>> {
        self.pool.get().map(|p| p.server().clone())
    }

    /// The subject's migrations, loaded once.
    pub async fn migrations(&self) -> Result<Arc<Migrations>, MigrateError> {
        self.migrations
            .get_or_try_init(|| async {
                let source = self.subject.migration_source();
                let bookkeeping = self.subject.manifest.migrations.bookkeeping_tables();
                let migrations = Migrations::load(source, bookkeeping).await?;
                let migrations = match &self.options.mutation {
                    Some(mutation) => migrations.with_mutation(mutation),
                    None => migrations,
                };
                Ok(Arc::new(migrations))
            })
            .await
            .cloned()
    }
}

/// One scenario's view of the run.
#[derive(Debug)]
pub struct Context {
    run: Arc<Run>,
    scenario: String,
    seed: u64,
    databases: Mutex<Vec<Database>>,
    servers: Mutex<Vec<Arc<dyn Server>>>,
}

impl Context {
    pub fn new(run: Arc<Run>, scenario: &str) -> Context {
        let seed = crate::run::seed::derive(run.options.seed, scenario);
        Context {
            run,
            scenario: scenario.to_owned(),
            seed,
            databases: Mutex::new(Vec::new()),
            servers: Mutex::new(Vec::new()),
        }
    }

    pub fn subject(&self) -> &Subject {
        &self.run.subject
    }

    pub fn backend(&self) -> &Arc<dyn Backend> {
        &self.run.backend
    }

    pub fn options(&self) -> &RunOptions {
        &self.run.options
    }

    /// This scenario's seed, derived from the run's.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn scenario_id(&self) -> &str {
        &self.scenario
    }

    /// The subject's migrations; a migrations directory that cannot be read as any known
    /// layout is the manifest's error (naming the file and line at fault).
    pub async fn migrations(&self) -> Result<Arc<Migrations>, ScenarioError> {
        match self.run.migrations().await {
            Err(MigrateError::Resolve { message, .. }) => Err(ScenarioError::Manifest(
                self.subject().invalid("migrations.dir", message),
            )),
            other => Ok(other?),
        }
    }

    /// The main queries: the manifest's `[[queries]]`, or, when it names none, those
    /// derived once per run from the migrated catalog.
    pub async fn main_queries(&self) -> Result<Arc<MainQueries>, ScenarioError> {
        self.run
            .main_queries
            .get_or_try_init(|| async {
                let subject = self.subject();
                let manifests = MainQueries::from_manifest(subject.manifest.queries.clone());
                if let Some(snapshot) = &subject.manifest.workload.pg_stat_statements {
                    let db = self.migrated_database("main_queries").await?;
                    return main_queries::with_statements(&db, subject, manifests, snapshot)
                        .await
                        .map(Arc::new);
                }
                if !manifests.queries.is_empty() {
                    return Ok(Arc::new(manifests));
                }
                let db = self.migrated_database("main_queries").await?;
                let bookkeeping = subject.manifest.migrations.bookkeeping_tables();
                let (_, derived) =
                    main_queries::derive_from(&db, &bookkeeping)
                        .await
                        .map_err(|e| {
                            ScenarioError::sql("derive the main queries from the catalog", e)
                        })?;
                Ok(Arc::new(derived))
            })
            .await
            .cloned()
    }

    /// The shared fast-profile server's template pool.
    pub async fn pool(&self) -> Result<Arc<TemplatePool>, ScenarioError> {
        Ok(self.run.pool().await?)
    }

    /// A fresh, fully migrated database on the shared server (a template clone).
    pub async fn migrated_database(&self, label: &str) -> Result<Database, ScenarioError> {
        let migrations = self.migrations().await?;
        let db = self.pool().await?.migrated(&migrations, label).await?;
        Ok(self.track(db))
    }

    /// A fresh, migrated database holding `users` users' worth of generated data (the
    /// run's seed), cloned from a template built once per scale.
    pub async fn seeded_database(
        &self,
        label: &str,
        users: u64,
    ) -> Result<Database, ScenarioError> {
        let migrations = self.migrations().await?;
        let pool = self.pool().await?;
        let template = crate::schema::dataset::seeded_template(
            &pool,
            migrations,
            self.run.subject.clone(),
            users,
            self.run.options.seed,
        )
        .await?;
        let db = pool.clone_of(&template.name, label).await?;
        Ok(self.track(db))
    }

    /// A fresh, empty database on the shared server.
    pub async fn empty_database(&self, label: &str) -> Result<Database, ScenarioError> {
        let db = self.pool().await?.empty(label).await?;
        Ok(self.track(db))
    }

    /// Hands a database to the context, which drops it (or keeps it) after the scenario.
    pub fn track(&self, db: Database) -> Database {
        self.databases
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(db.clone());
        db
    }

    /// A server of this scenario's own, for faults that would disturb others.
    pub async fn dedicated_server(
        &self,
        profile: ServerProfile,
    ) -> Result<Arc<dyn Server>, ScenarioError> {
        let server = self.run.backend.start(profile).await?;
        self.servers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(server.clone());
        Ok(server)
    }

    /// A server of this scenario's own, configured with the subject's settings on top of
    /// `profile`.
    pub async fn dedicated_server_with(
        &self,
        profile: ServerProfile,
        settings: &[(String, String)],
    ) -> Result<Arc<dyn Server>, ScenarioError> {
        let server = self
            .run
            .backend
            .start_with_settings(profile, settings)
            .await?;
        self.servers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(server.clone());
        Ok(server)
    }

    /// Destroys a dedicated server now, as a lost machine would be: the context forgets it
    /// and `server` is dropped. True when that was the last handle, so that the server is
    /// gone (a native server with its whole directory); false when something else still
    /// holds it.
    pub fn destroy_server(&self, server: Arc<dyn Server>) -> bool {
        self.servers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|s| !Arc::ptr_eq(s, &server));
        Arc::strong_count(&server) == 1
    }

    /// Drops what the scenario created, or keeps it when asked to and the scenario did not
    /// come out PROVEN; returns how to reach what was kept.
    pub async fn finish(&self, status: Status) -> Option<String> {
        let keep = self.run.options.keep_failed && status != Status::Proven;
        let databases =
            std::mem::take(&mut *self.databases.lock().unwrap_or_else(|e| e.into_inner()));
        let servers = std::mem::take(&mut *self.servers.lock().unwrap_or_else(|e| e.into_inner()));
        let mut kept = Vec::new();
        for db in databases {
            // a dedicated server takes its databases with it
            let on_dedicated = servers.iter().any(|s| Arc::ptr_eq(s, db.server()));
            if keep {
                kept.push(db.admin().display_url());
                if let Some(note) = db.server().keep() {
                    kept.push(note);
                }
            } else if on_dedicated {
                continue;
            } else if let Err(e) = db.drop_database().await {
                tracing::warn!("failed to drop a scenario database: {e}");
            }
        }
        for server in servers {
            if keep {
                kept.extend(server.keep());
            }
        }
        kept.dedup();
        (!kept.is_empty()).then(|| kept.join("; "))
    }
}
