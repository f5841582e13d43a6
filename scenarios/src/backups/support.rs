//! What the backup and restore-drill scenarios share: the backup tool under test (the
//! subject's own commands, or the harness's pg_dump and pg_restore when it names none), a
//! seeded source on a server of its own that can be destroyed, a restore target on a
//! brand-new server, and the checks every restored copy must pass.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use harness::backend::native::scratch::ScratchDir;
use harness::backend::{ConnInfo, PgTools};
use harness::backup::amcheck::{self, AmcheckReport};
use harness::backup::fingerprint::{Differences, Fingerprint};
use harness::backup::subject_tools::CommandRun;
use harness::backup::{self, BackupError, DumpOptions, RestoreOptions, SubjectTools};
use harness::dataset::{self, LoadReport};
use harness::invariants::{self, Violation};
use harness::scenario::{Context, ScenarioError};
use harness::subject::Subject;
use harness::template::{Database, TemplatePool};
use harness::{Evidence, Server, ServerProfile};
use sqlx::Connection;

/// Users' worth of data the backup scenarios work with: the point is the round trip, not
/// the volume (the restore drill is about volume).
pub const USERS: u64 = 1_000;

/// Parallel workers for the harness's own directory-format dumps and restores.
pub const JOBS: u32 = 2;

/// Why the subject's own tooling cannot be exercised, when it cannot.
pub fn tooling_gap(subject: &Subject) -> Option<String> {
    let section = subject.manifest.backup.as_ref();
    let backup = section.and_then(|b| b.backup_command.as_ref());
    let restore = section.and_then(|b| b.restore_command.as_ref());
    match (backup, restore) {
        (None, _) => Some(
            "no backup configured: the manifest names no backup command (backup.backup_command)"
                .into(),
        ),
        (Some(_), None) => Some(
            "no restore configured: the manifest names a backup command but no restore command (backup.restore_command), so no backup was ever shown to restore"
                .into(),
        ),
        (Some(_), Some(_)) => None,
    }
}

/// The client tools for `server`, or the error that says there are none.
pub fn tools_of(server: &dyn Server) -> Result<PgTools, ScenarioError> {
    server
        .tools()
        .ok_or(ScenarioError::Backup(BackupError::NoTools))
}

/// The backup tool a scenario exercises.
#[derive(Debug, Clone)]
pub enum Tool {
    /// The subject's backup and restore commands.
    Subject(SubjectTools),
    /// The harness's pg_dump and pg_restore, checksummed.
    BuiltIn {
        tools: PgTools,
        options: DumpOptions,
    },
}

/// What a backup attempt produced and reported.
#[derive(Debug, Clone)]
pub struct BackupRun {
    /// The backup, when there is one (a subject command's new file even when it failed).
    pub file: Option<PathBuf>,
    /// Ok when the tool reported success, else what it reported.
    pub reported: Result<(), String>,
    pub elapsed: Duration,
}

/// What a restore attempt reported.
#[derive(Debug, Clone)]
pub struct RestoreRun {
    pub reported: Result<(), String>,
    pub elapsed: Duration,
}

impl Tool {
    /// The harness's own tool, dumping in custom format.
    pub fn built_in(tools: PgTools) -> Tool {
        Tool::BuiltIn {
            tools,
            options: DumpOptions::custom(),
        }
    }

    /// The tools a fault is tried on: the harness's own (to show that the harness catches
    /// it), then the subject's commands when its manifest names them (to show whether the
    /// subject does).
    pub fn all_for(subject: &Subject, builtin: Tool) -> Vec<Tool> {
        let tools = match &builtin {
            Tool::BuiltIn { tools, .. } => Some(tools.clone()),
            Tool::Subject(_) => None,
        };
        let mut all = vec![builtin];
        all.extend(SubjectTools::of(subject, tools).map(Tool::Subject));
        all
    }

    /// Which tools a fault was tried on, for a summary.
    pub fn tried(tools: &[Tool]) -> String {
        if tools.iter().any(|t| matches!(t, Tool::Subject(_))) {
            "the harness's pg_dump and the subject's own commands".into()
        } else {
            "the harness's pg_dump (the subject names no backup commands to try)".into()
        }
    }

    /// A short name for labels: "harness" or "subject".
    pub fn short(&self) -> &'static str {
        match self {
            Tool::Subject(_) => "subject",
            Tool::BuiltIn { .. } => "harness",
        }
    }

    /// For the evidence: which tool ran.
    pub fn describe(&self) -> String {
        match self {
            Tool::Subject(own) => format!(
                "the subject's `{}` / `{}`",
                own.backup_command, own.restore_command
            ),
            Tool::BuiltIn { options, .. } => format!(
                "the harness's pg_dump ({}, sha256 manifest) and pg_restore",
                options.describe()
            ),
        }
    }

    /// Backs up the database `source` names into `dir`.
    pub async fn backup(
        &self,
        source: &ConnInfo,
        dir: &Path,
        label: &str,
    ) -> Result<BackupRun, ScenarioError> {
        let started = Instant::now();
        match self {
            Tool::Subject(own) => {
                let run = own.backup(source, dir).await?;
                Ok(BackupRun {
                    file: run.backup(),
                    reported: reported(&run),
                    elapsed: started.elapsed(),
                })
            }
            Tool::BuiltIn { tools, options } => {
                let path = dir.join(format!("readiness_{label}.{}", options.extension()));
                match backup::dump(tools, source, &path, *options).await {
                    Ok(made) => Ok(BackupRun {
                        file: Some(made.path),
                        reported: Ok(()),
                        elapsed: started.elapsed(),
                    }),
                    Err(e) => Ok(BackupRun {
                        file: None,
                        reported: Err(refusal(e)?),
                        elapsed: started.elapsed(),
                    }),
                }
            }
        }
    }

    /// Restores `file` into the database `target` names. A subject's restore gets a
    /// backup directory of its own for its safety backup (removed afterwards): a script
    /// that names backups by the second must not overwrite the file it restores.
    pub async fn restore(
        &self,
        file: &Path,
        target: &ConnInfo,
    ) -> Result<RestoreRun, ScenarioError> {
        let started = Instant::now();
        match self {
            Tool::Subject(own) => {
                let safety_dir = backup_dir()?;
                let run = own.restore(target, file, safety_dir.path()).await?;
                Ok(RestoreRun {
                    reported: reported(&run),
                    elapsed: started.elapsed(),
                })
            }
            Tool::BuiltIn { tools, .. } => {
                let result = backup::restore(tools, file, target, RestoreOptions::jobs(JOBS)).await;
                Ok(RestoreRun {
                    reported: match result {
                        Ok(_) => Ok(()),
                        Err(e) => Err(refusal(e)?),
                    },
                    elapsed: started.elapsed(),
                })
            }
        }
    }
}

fn reported(run: &CommandRun) -> Result<(), String> {
    if run.success() {
        Ok(())
    } else {
        Err(run.describe())
    }
}

/// A backup error that is the tool's verdict (it refused, failed, or found damage) as text;
/// an error of the harness itself (it could not run the tool) stays an error.
pub fn refusal(error: BackupError) -> Result<String, ScenarioError> {
    match error {
        BackupError::Spawn { .. }
        | BackupError::Io { .. }
        | BackupError::Sql { .. }
        | BackupError::NoTools => Err(ScenarioError::Backup(error)),
        other => Ok(other.to_string()),
    }
}

/// A directory for one scenario's backups, removed afterwards.
pub fn backup_dir() -> Result<ScratchDir, ScenarioError> {
    ScratchDir::create("backups", None)
        .map_err(|e| ScenarioError::Other(format!("failed to create a backup directory: {e}")))
}

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
        migrations.up(&db.admin()).await?;
        let load = dataset::load(&db, ctx.subject(), users, ctx.seed()).await?;
        harness::template::grant_app_role(&db).await?;
        Ok(Source { server, db, load })
    }

    /// The source's fingerprint, once its invariants are seen to run and hold here: an
    /// invariant that then does not run on a restored copy is the copy's fault.
    pub async fn fingerprint(&self, ctx: &Context) -> Result<Fingerprint, ScenarioError> {
        let mut conn = self
            .db
            .connect_admin()
            .await
            .map_err(|e| ScenarioError::sql("connect to the source", e))?;
        let violations = invariants::check(&mut conn, ctx.subject()).await;
        let _ = conn.close().await;
        if let Some(violation) = violations?.first() {
            return Err(ScenarioError::Other(format!(
                "the seeded source breaks an invariant before any backup: {}",
                violation.describe()
            )));
        }
        fingerprint(&self.db).await
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

/// A database's fingerprint.
pub async fn fingerprint(db: &Database) -> Result<Fingerprint, ScenarioError> {
    let mut conn = db
        .connect_admin()
        .await
        .map_err(|e| ScenarioError::sql(format!("connect to {}", db.name()), e))?;
    let print = Fingerprint::read(&mut conn)
        .await
        .map_err(|e| ScenarioError::sql(format!("fingerprint {}", db.name()), e))?;
    let _ = conn.close().await;
    Ok(print)
}

/// How the database `db` differs from `expected` (its fingerprint, catalogs compared by
/// meaning: see [`Fingerprint::compare`]).
pub async fn differences(
    expected: &Fingerprint,
    db: &Database,
) -> Result<Differences, ScenarioError> {
    let print = fingerprint(db).await?;
    let mut conn = db
        .connect_admin()
        .await
        .map_err(|e| ScenarioError::sql(format!("connect to {}", db.name()), e))?;
    let differences = expected
        .compare(&print, &mut conn)
        .await
        .map_err(|e| ScenarioError::sql("compare catalogs", e));
    let _ = conn.close().await;
    differences
}

/// What a restored copy was checked for, and what was found.
#[derive(Debug, Clone)]
pub struct RestoredCheck {
    pub differences: Differences,
    pub violations: Vec<Violation>,
    /// Invariants that ran on the source but do not run on the copy (a table missing…).
    pub unrunnable: Vec<invariants::Unrunnable>,
    /// pg_amcheck's report, or why it could not run.
    pub amcheck: Result<AmcheckReport, String>,
    /// Whether the application role can read every table.
    pub ready: Result<(), String>,
    pub rows: u64,
    pub elapsed: Duration,
}

impl RestoredCheck {
    /// What is wrong with the copy; empty when it matches its source and is sound.
    pub fn problems(&self) -> Vec<String> {
        let mut problems: Vec<String> = self.differences.details.clone();
        problems.extend(
            self.violations
                .iter()
                .map(|v| format!("invariant {}", v.describe())),
        );
        problems.extend(self.unrunnable.iter().map(|u| {
            format!(
                "invariant {} on the restored copy (it runs on the source)",
                u.describe()
            )
        }));
        if let Ok(report) = &self.amcheck {
            problems.extend(report.corruption.iter().map(|c| format!("pg_amcheck: {c}")));
        }
        if let Err(why) = &self.ready {
            problems.push(format!("not ready: {why}"));
        }
        problems
    }

    /// Why the copy could not be fully checked, when it could not.
    pub fn unchecked(&self) -> Option<String> {
        self.amcheck
            .as_ref()
            .err()
            .map(|why| format!("pg_amcheck could not run: {why}"))
    }

    /// Adds what was checked to `evidence`.
    pub fn record(&self, evidence: &mut Evidence, label: &str) {
        let tables = if self.differences.tables.is_empty() {
            "none".to_owned()
        } else {
            self.differences.tables.join(", ")
        };
        evidence.push_observation(
            format!("{label}: fingerprint"),
            format!("{} rows; tables that differ: {tables}", self.rows),
        );
        if !self.differences.reworded.is_empty() {
            evidence.push_observation(
                format!("{label}: expressions printed differently, same meaning"),
                format!(
                    "{} catalog line(s) PostgreSQL prints differently after a dump and restore, identical once parsed again (e.g. {})",
                    self.differences.reworded.len(),
                    self.differences.reworded[0]
                ),
            );
        }
        evidence.push_observation(
            format!("{label}: invariants"),
            match (self.violations.len(), self.unrunnable.len()) {
                (0, 0) => "all hold".to_owned(),
                (failing, 0) => format!("{failing} fail"),
                (failing, unrunnable) => {
                    format!("{failing} fail, {unrunnable} do not run on the copy")
                }
            },
        );
        evidence.push_observation(
            format!("{label}: pg_amcheck"),
            match &self.amcheck {
                Ok(report) => report.describe(),
                Err(why) => format!("could not run: {why}"),
            },
        );
        evidence.push_observation(
            format!("{label}: app role"),
            match &self.ready {
                Ok(()) => "granted as on the source, connects and reads every table".to_owned(),
                Err(why) => why.clone(),
            },
        );
    }
}

/// Checks a restored copy against its source's fingerprint: same contents, sequences and
/// catalog; every invariant; pg_amcheck; the app role can read every table.
pub async fn check_restored(
    ctx: &Context,
    expected: &Fingerprint,
    restored: &Database,
) -> Result<RestoredCheck, ScenarioError> {
    let started = Instant::now();
    let print = fingerprint(restored).await?;
    let mut conn = restored
        .connect_admin()
        .await
        .map_err(|e| ScenarioError::sql("connect to the restored copy", e))?;
    let differences = expected
        .compare(&print, &mut conn)
        .await
        .map_err(|e| ScenarioError::sql("compare the restored catalog with the source's", e))?;
    let checked = invariants::check_all(&mut conn, ctx.subject()).await?;
    let _ = conn.close().await;
    let amcheck = match restored.server().tools() {
        Some(tools) => amcheck::check(&tools, &restored.admin())
            .await
            .map_err(|e| e.to_string()),
        None => Err("no client tools for this server".into()),
    };
    let ready = app_reads_every_table(restored, &print).await;
    Ok(RestoredCheck {
        differences,
        violations: checked.violations,
        unrunnable: checked.unrunnable,
        amcheck,
        ready,
        rows: print.total_rows(),
        elapsed: started.elapsed(),
    })
}

/// The application role, granted its rights as on the source (the harness's own grants,
/// which a backup need not carry), connects and reads one row of every table.
async fn app_reads_every_table(db: &Database, print: &Fingerprint) -> Result<(), String> {
    harness::template::grant_app_role(db)
        .await
        .map_err(|e| format!("the app role could not be granted its rights: {e}"))?;
    let mut conn = db
        .connect_app()
        .await
        .map_err(|e| format!("the app role cannot connect: {e}"))?;
    for table in print.tables.keys() {
        let (schema, name) = table.split_once('.').unwrap_or(("public", table));
        let sql = format!(
            "SELECT 1 FROM {}.{} LIMIT 1",
            harness::names::quote_ident(schema),
            harness::names::quote_ident(name)
        );
        if let Err(e) = sqlx::query(&sql).fetch_optional(&mut conn).await {
            let _ = conn.close().await;
            return Err(format!("the app role cannot read {table}: {e}"));
        }
    }
    let _ = conn.close().await;
    Ok(())
}

/// "1.2 MB".
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}
