//! `[migrations]`: a directory in any common tool's layout (or one schema file), or shell
//! commands for the stacks whose tools need their own runtime.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The tables migration tools keep for themselves: sqlx, Alembic, Django, Rails (and
/// golang-migrate, dbmate), Prisma, Flyway, goose, diesel, Liquibase-style
/// `schema_version`, Knex, Sequelize, node-pg-migrate, MikroORM, and TypeORM's
/// `migrations` (known by its columns: a subject's own `migrations` table stays). Left out
/// of schema comparisons, with the sequences they own.
pub const DEFAULT_BOOKKEEPING_TABLES: &[&str] = &[
    "_sqlx_migrations",
    "alembic_version",
    "django_migrations",
    "schema_migrations",
    "ar_internal_metadata",
    "_prisma_migrations",
    "flyway_schema_history",
    "goose_db_version",
    "__diesel_schema_migrations",
    "schema_version",
    "knex_migrations",
    "knex_migrations_lock",
    "SequelizeMeta",
    "pgmigrations",
    "mikro_orm_migrations",
    "typeorm_metadata",
    "migrations(id, timestamp, name)",
];

/// `dir` for a directory of migrations — sqlx or golang-migrate, diesel, Flyway, dbmate or
/// goose, told apart by their names and markers — or one schema file (`structure.sql`);
/// or `up` / `down` commands (Alembic, Django, Rails, Prisma…), run with `DATABASE_URL`
/// and the `PG*` variables exported, and optionally `step_up` / `step_down` commands that
/// move one migration at a time.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MigrationsSection {
    pub dir: Option<PathBuf>,
    pub up: Option<String>,
    pub down: Option<String>,
    /// One migration forward and one back (`alembic upgrade +1` / `alembic downgrade -1`):
    /// with them, a command stack gets the same per-step round trip as a directory.
    pub step_up: Option<String>,
    pub step_down: Option<String>,
    /// The tool's check that the models match the migrations (`alembic check`,
    /// `python manage.py makemigrations --check --dry-run`), run against the migrated
    /// database: non-zero means the models drifted.
    pub drift_command: Option<String>,
    /// A committed picture of the schema the migrations must build: a schema dump (`.sql`:
    /// `pg_dump --schema-only`, Rails' `structure.sql`), or the catalog as readiness
    /// renders it (any other name; written with `READINESS_UPDATE_SNAPSHOTS=1`).
    pub schema_snapshot: Option<PathBuf>,
    /// Steps whose rollback is allowed to lose data (a column or table the up drops):
    /// each entry is a step's version or name, or text of the tool's record of it
    /// (an Alembic revision id). Their losses are reported, not refuted.
    #[serde(default)]
    pub destructive: Vec<String>,
    /// The first step whose down is supported (a version, name or revision id, as in
    /// `destructive`): the steps before it are not rolled back with data.
    pub downs_supported_from: Option<String>,
    /// The last step already applied in production (a version, name or revision id, as in
    /// `destructive`; strong_migrations' `start_after`): the steps up to it are applied
    /// but their locks and statements are not judged, since they cannot be changed now.
    pub deployed_through: Option<String>,
    /// The most time the workload may spend blocked behind one migration's locks, in
    /// milliseconds (default 1000).
    pub lock_budget_ms: Option<u64>,
    /// Users' worth of data each table holds while its migrations are traced for locks
    /// (default: the largest `verify` scale).
    pub lock_trace_users: Option<u64>,
    /// Where the commands run, relative to the subject directory.
    pub workdir: Option<PathBuf>,
    /// Files or directories whose contents name the template database for command
    /// migrations (so that the template is rebuilt when they change).
    #[serde(default)]
    pub watch: Vec<PathBuf>,
    /// Tables the migration tool keeps for itself, ignored when comparing catalogs: a name,
    /// or `name(col, col…)` to match a table of that name with exactly those columns.
    pub bookkeeping_tables: Option<Vec<String>>,
}

/// Where migrations come from, with paths resolved against the subject directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MigrationSource {
    Dir(PathBuf),
    Commands {
        up: String,
        down: Option<String>,
        /// `step_up` and `step_down`, given together.
        steps: Option<(String, String)>,
        workdir: PathBuf,
        watch: Vec<PathBuf>,
    },
}

impl MigrationsSection {
    pub(super) fn validate(&self) -> Result<(), (String, String)> {
        let err = |key: &str, message: &str| Err((key.to_owned(), message.to_owned()));
        match (&self.dir, &self.up) {
            (Some(_), Some(_)) => err(
                "migrations",
                "give either `dir` or `up`/`down` commands, not both",
            ),
            (None, None) => err(
                "migrations",
                "give `dir` (a migrations directory or a schema file) or an `up` command",
            ),
            (Some(_), None) if self.down.is_some() => {
                err("migrations.down", "`down` goes with `up`, not with `dir`")
            }
            (Some(_), None) if self.workdir.is_some() => err(
                "migrations.workdir",
                "`workdir` goes with `up`, not with `dir`",
            ),
            (None, Some(up)) if up.trim().is_empty() => err("migrations.up", "must not be empty"),
            _ => self.validate_steps(),
        }
    }

    fn validate_steps(&self) -> Result<(), (String, String)> {
        let err = |key: &str, message: &str| Err((key.to_owned(), message.to_owned()));
        for (key, command) in [("step_up", &self.step_up), ("step_down", &self.step_down)] {
            match command {
                Some(_) if self.up.is_none() => {
                    return err(
                        &format!("migrations.{key}"),
                        "step commands go with `up`/`down` commands; a directory is stepped by its files",
                    )
                }
                Some(c) if c.trim().is_empty() => {
                    return err(&format!("migrations.{key}"), "must not be empty")
                }
                _ => {}
            }
        }
        match (&self.step_up, &self.step_down) {
            (Some(_), None) => err(
                "migrations.step_down",
                "missing: `step_up` goes with a `step_down` that undoes one step (e.g. `alembic downgrade -1`)",
            ),
            (None, Some(_)) => err(
                "migrations.step_up",
                "missing: `step_down` goes with a `step_up` that applies one step (e.g. `alembic upgrade +1`)",
            ),
            _ => Ok(()),
        }
    }

    /// The source, with paths made absolute against `root`.
    pub fn source(&self, root: &Path) -> MigrationSource {
        match (&self.dir, &self.up) {
            (Some(dir), _) => MigrationSource::Dir(root.join(dir)),
            (None, up) => MigrationSource::Commands {
                up: up.clone().unwrap_or_default(),
                down: self.down.clone(),
                steps: self.step_up.clone().zip(self.step_down.clone()),
                workdir: root.join(self.workdir.clone().unwrap_or_default()),
                watch: self.watch.iter().map(|w| root.join(w)).collect(),
            },
        }
    }

    /// The bookkeeping tables: as given, else every common migration tool's.
    pub fn bookkeeping_tables(&self) -> Vec<String> {
        self.bookkeeping_tables.clone().unwrap_or_else(|| {
            DEFAULT_BOOKKEEPING_TABLES
                .iter()
                .map(|t| t.to_string())
                .collect()
        })
    }
}
