//! Applying and rolling back a subject's migrations: a directory in any common tool's
//! layout (see [`layout`]) or a schema file, one step at a time with sqlx's bookkeeping,
//! or the subject's own up/down commands.

pub mod layout;
pub mod position;

use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};
use sqlx::migrate::{Migrate, Migration, MigrationType};
use sqlx::{Connection, PgConnection};

use crate::backend::ConnInfo;
use crate::process::command::SubjectCommand;
use crate::subject::manifest::MigrationSource;

/// How long one migration command may run.
const COMMAND_DEADLINE: Duration = Duration::from_secs(600);

/// One mutant of `readiness mutate`, as the migrations carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MigrationsMutation {
    /// SQL applied right after the last migration of every template database.
    After(String),
    /// The down migration of directory step `version` replaced by `sql`.
    Down { version: i64, sql: String },
}

/// One migration of a directory source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub version: i64,
    pub description: String,
    pub has_down: bool,
}

impl Step {
    /// "0002 add constraints".
    pub fn label(&self) -> String {
        format!("{:04} {}", self.version, self.description)
    }
}

/// Why migrating failed.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("failed to read migrations in {}: {message}", dir.display())]
    Resolve { dir: PathBuf, message: String },
    #[error("failed to connect to {target}: {source}")]
    Connect { target: String, source: sqlx::Error },
    #[error("migration {step} failed: {message}")]
    Apply { step: String, message: String },
    #[error("rolling back migration {step} failed: {message}")]
    Revert { step: String, message: String },
    #[error("no down migration for {}", crate::report::summarised(.0))]
    MissingDown(Vec<String>),
    #[error("there is no `down` command to roll back with")]
    NoDownCommand,
    #[error("`{command}` {outcome}: {output}")]
    Command {
        command: String,
        outcome: String,
        output: String,
    },
    #[error("stepwise migration needs a migration directory or `step_up`/`step_down` commands; this subject migrates by command")]
    NotStepwise,
}

/// A subject's migrations, loaded once.
#[derive(Debug, Clone)]
pub struct Migrations {
    source: MigrationSource,
    /// Up migrations (simple or reversible-up), by version.
    ups: Vec<Migration>,
    /// Down migrations, by version.
    downs: Vec<Migration>,
    hash: String,
    bookkeeping: Vec<String>,
    /// SQL applied right after the last migration to every database a template is built
    /// from (a mutant of `readiness mutate`); part of the hash.
    mutation: Option<String>,
}

impl Migrations {
    /// Reads the source and computes the hash that names its template database.
    pub async fn load(
        source: MigrationSource,
        bookkeeping: Vec<String>,
    ) -> Result<Migrations, MigrateError> {
        let (ups, downs, hash) = match &source {
            MigrationSource::Dir(dir) => {
                let (_, files) = layout::read(dir).map_err(|e| MigrateError::Resolve {
                    dir: dir.clone(),
                    message: e.to_string(),
                })?;
                let (ups, downs) = to_sqlx(files);
                let mut hasher = Sha256::new();
                for m in ups.iter().chain(downs.iter()) {
                    hasher.update(m.version.to_le_bytes());
                    hasher.update(m.description.as_bytes());
                    hasher.update(&m.checksum);
                }
                (ups, downs, hex::encode(hasher.finalize()))
            }
            MigrationSource::Commands {
                up,
                down,
                steps,
                watch,
                ..
            } => {
                let mut hasher = Sha256::new();
                hasher.update(up.as_bytes());
                hasher.update(down.as_deref().unwrap_or("").as_bytes());
                if let Some((step_up, step_down)) = steps {
                    hasher.update(step_up.as_bytes());
                    hasher.update(step_down.as_bytes());
                }
                for path in watch {
                    hash_tree(&mut hasher, path);
                }
                (Vec::new(), Vec::new(), hex::encode(hasher.finalize()))
            }
        };
        Ok(Migrations {
            source,
            ups,
            downs,
            hash,
            bookkeeping,
            mutation: None,
        })
    }

    /// These migrations with one mutant of `readiness mutate` applied: the hash changes with
    /// it, so that mutated templates never mix with the subject's own.
    pub fn with_mutation(mut self, mutation: &MigrationsMutation) -> Migrations {
        let mut hasher = Sha256::new();
        hasher.update(self.hash.as_bytes());
        match mutation {
            MigrationsMutation::After(sql) => {
                hasher.update(b"\0mutation\0");
                hasher.update(sql.as_bytes());
                self.mutation = Some(sql.clone());
            }
            MigrationsMutation::Down { version, sql } => {
                hasher.update(b"\0down\0");
                hasher.update(version.to_le_bytes());
                hasher.update(sql.as_bytes());
                for down in self.downs.iter_mut().filter(|d| d.version == *version) {
                    *down = Migration::new(
                        down.version,
                        down.description.clone(),
                        MigrationType::ReversibleDown,
                        sql.clone().into(),
                        down.no_tx,
                    );
                }
            }
        }
        self.hash = hex::encode(hasher.finalize());
        self
    }

    /// The down SQL of the directory step `version`, if it has one.
    pub fn down_sql(&self, version: i64) -> Option<&str> {
        self.downs
            .iter()
            .find(|m| m.version == version)
            .map(|m| m.sql.as_ref())
    }

    /// The SQL applied after the last migration, if any.
    pub fn mutation(&self) -> Option<&str> {
        self.mutation.as_deref()
    }

    /// A hex digest of everything the migrations would do.
    pub fn hash(&self) -> &str {
        &self.hash
    }

    pub fn source(&self) -> &MigrationSource {
        &self.source
    }

    /// Tables the migration tool keeps for itself.
    pub fn bookkeeping_tables(&self) -> &[String] {
        &self.bookkeeping
    }

    /// Whether migrations can be applied and rolled back one at a time.
    pub fn is_stepwise(&self) -> bool {
        matches!(self.source, MigrationSource::Dir(_))
    }

    /// Whether the subject's commands can move one migration at a time (`step_up` and
    /// `step_down`).
    pub fn has_step_commands(&self) -> bool {
        matches!(
            self.source,
            MigrationSource::Commands { steps: Some(_), .. }
        )
    }

    /// Runs the subject's `step_up` command: one migration forward.
    pub async fn step_up(&self, target: &ConnInfo) -> Result<(), MigrateError> {
        self.step(target, |(up, _)| up).await
    }

    /// Runs the subject's `step_down` command: one migration back.
    pub async fn step_down(&self, target: &ConnInfo) -> Result<(), MigrateError> {
        self.step(target, |(_, down)| down).await
    }

    async fn step(
        &self,
        target: &ConnInfo,
        which: fn(&(String, String)) -> &String,
    ) -> Result<(), MigrateError> {
        match &self.source {
            MigrationSource::Commands {
                steps: Some(steps),
                workdir,
                ..
            } => run_command(which(steps), workdir, target).await,
            _ => Err(MigrateError::NotStepwise),
        }
    }

    /// The steps of a directory source, oldest first (empty for commands).
    pub fn steps(&self) -> Vec<Step> {
        self.ups
            .iter()
            .map(|m| Step {
                version: m.version,
                description: m.description.to_string(),
                has_down: self.downs.iter().any(|d| d.version == m.version),
            })
            .collect()
    }

    /// The up SQL of the directory step `version` (`None` for commands).
    pub fn up_sql(&self, version: i64) -> Option<&str> {
        self.ups
            .iter()
            .find(|m| m.version == version)
            .map(|m| m.sql.as_ref())
    }

    /// Applies every migration.
    pub async fn up(&self, target: &ConnInfo) -> Result<(), MigrateError> {
        match &self.source {
            MigrationSource::Dir(_) => self.up_to(target, i64::MAX).await,
            MigrationSource::Commands { up, workdir, .. } => run_command(up, workdir, target).await,
        }
    }

    /// Applies every migration, then the mutation if there is one: how template databases
    /// are built.
    pub async fn up_then_mutate(&self, target: &ConnInfo) -> Result<(), MigrateError> {
        self.up(target).await?;
        let Some(sql) = &self.mutation else {
            return Ok(());
        };
        let mut conn = connect(target).await?;
        let applied = execute_script(&mut conn, sql).await;
        let _ = conn.close().await;
        applied.map_err(|e| MigrateError::Apply {
            step: "the mutation".into(),
            message: e.to_string(),
        })
    }

    /// Applies, one at a time, every migration up to and including `version`.
    pub async fn up_to(&self, target: &ConnInfo, version: i64) -> Result<(), MigrateError> {
        if !self.is_stepwise() {
            return Err(MigrateError::NotStepwise);
        }
        let mut conn = connect(target).await?;
        let applied = applied_versions(&mut conn).await?;
        for m in self
            .ups
            .iter()
            .filter(|m| m.version <= version && !applied.contains(&m.version))
        {
            conn.apply(m).await.map_err(|e| MigrateError::Apply {
                step: label(m),
                message: e.to_string(),
            })?;
        }
        let _ = conn.close().await;
        Ok(())
    }

    /// Rolls back, newest first, every migration newer than `version` (0: all of them).
    /// Fails before touching anything when one of them has no down migration.
    pub async fn down_to(&self, target: &ConnInfo, version: i64) -> Result<(), MigrateError> {
        match &self.source {
            MigrationSource::Commands {
                down: Some(down),
                workdir,
                ..
            } if version == 0 => run_command(down, workdir, target).await,
            MigrationSource::Commands { down: None, .. } => Err(MigrateError::NoDownCommand),
            MigrationSource::Commands { .. } => Err(MigrateError::NotStepwise),
            MigrationSource::Dir(_) => {
                let missing: Vec<String> = self
                    .steps()
                    .into_iter()
                    .filter(|s| s.version > version && !s.has_down)
                    .map(|s| s.label())
                    .collect();
                if !missing.is_empty() {
                    return Err(MigrateError::MissingDown(missing));
                }
                let mut conn = connect(target).await?;
                let applied = applied_versions(&mut conn).await?;
                for down in self
                    .downs
                    .iter()
                    .rev()
                    .filter(|d| d.version > version && applied.contains(&d.version))
                {
                    conn.revert(down).await.map_err(|e| MigrateError::Revert {
                        step: label(down),
                        message: e.to_string(),
                    })?;
                }
                let _ = conn.close().await;
                Ok(())
            }
        }
    }
}

/// Steps as sqlx's migrations (which keep the bookkeeping): the ups, and the downs.
fn to_sqlx(files: Vec<layout::MigrationFile>) -> (Vec<Migration>, Vec<Migration>) {
    let mut ups = Vec::new();
    let mut downs = Vec::new();
    for file in files {
        let kind = if file.down.is_some() {
            MigrationType::ReversibleUp
        } else {
            MigrationType::Simple
        };
        let description: std::borrow::Cow<'static, str> = file.description.into();
        if let Some(down) = file.down {
            let no_tx = file.no_tx || manages_its_own_transaction(&down);
            downs.push(Migration::new(
                file.version,
                description.clone(),
                MigrationType::ReversibleDown,
                down.into(),
                no_tx,
            ));
        }
        let no_tx = file.no_tx || manages_its_own_transaction(&file.up);
        ups.push(Migration::new(
            file.version,
            description,
            kind,
            file.up.into(),
            no_tx,
        ));
    }
    (ups, downs)
}

/// Whether a migration file must run as it is, not inside a transaction of the
/// harness's: it builds an index CONCURRENTLY or runs VACUUM (which refuse a transaction
/// block), or it opens and commits its own transactions. golang-migrate, dbmate and goose
/// run such files as they are; PostgreSQL still runs a file of several statements sent at
/// once as one implicit transaction.
fn manages_its_own_transaction(sql: &str) -> bool {
    without_bodies(sql)
        .lines()
        .map(|line| {
            line.split("--")
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_uppercase()
        })
        .any(|line| {
            line.contains(" CONCURRENTLY ")
                || line.ends_with(" CONCURRENTLY")
                || ["BEGIN", "COMMIT", "START TRANSACTION", "VACUUM"]
                    .iter()
                    .any(|word| {
                        line.strip_prefix(word)
                            .is_some_and(|rest| rest.is_empty() || rest.starts_with([';', ' ']))
                    })
        })
}

/// `sql` without its dollar-quoted bodies (`$$ … $$`, `$fn$ … $fn$`): a function's own
/// BEGIN and END are no transaction's.
fn without_bodies(sql: &str) -> String {
    let mut out = String::new();
    let mut rest = sql;
    while let Some(start) = rest.find('$') {
        let after = &rest[start + 1..];
        let tag_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        if !after[tag_len..].starts_with('$') {
            out.push_str(&rest[..start + 1]);
            rest = after;
            continue;
        }
        let tag = &rest[start..start + tag_len + 2];
        out.push_str(&rest[..start]);
        match rest[start + tag.len()..].find(tag) {
            Some(end) => rest = &rest[start + tag.len() + end + tag.len()..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// "0002 constraints".
fn label(m: &Migration) -> String {
    format!("{:04} {}", m.version, m.description)
}

/// Runs `sql`, any number of statements (the simple query protocol).
async fn execute_script(conn: &mut PgConnection, sql: &str) -> Result<(), sqlx::Error> {
    sqlx::Executor::execute(conn, sql).await.map(|_| ())
}

/// The versions recorded as applied (creating the bookkeeping table when missing).
async fn applied_versions(conn: &mut PgConnection) -> Result<Vec<i64>, MigrateError> {
    let failed = |e: sqlx::migrate::MigrateError| MigrateError::Apply {
        step: "(bookkeeping)".into(),
        message: e.to_string(),
    };
    conn.ensure_migrations_table().await.map_err(failed)?;
    if let Some(version) = conn.dirty_version().await.map_err(failed)? {
        return Err(MigrateError::Apply {
            step: format!("{version:04}"),
            message: "left dirty by an earlier failed run".into(),
        });
    }
    Ok(conn
        .list_applied_migrations()
        .await
        .map_err(failed)?
        .into_iter()
        .map(|m| m.version)
        .collect())
}

async fn connect(target: &ConnInfo) -> Result<PgConnection, MigrateError> {
    PgConnection::connect_with(&target.options())
        .await
        .map_err(|source| MigrateError::Connect {
            target: target.display_url(),
            source,
        })
}

/// Runs a migration command in `workdir` against `target`.
async fn run_command(command: &str, workdir: &Path, target: &ConnInfo) -> Result<(), MigrateError> {
    let output = SubjectCommand::new(command, workdir)
        .with_database(target.env())
        .with_deadline(COMMAND_DEADLINE)
        .run()
        .await
        .map_err(|e| MigrateError::Command {
            command: command.to_owned(),
            outcome: "could not start".into(),
            output: e.to_string(),
        })?;
    if output.succeeded() {
        return Ok(());
    }
    Err(MigrateError::Command {
        command: command.to_owned(),
        outcome: output.outcome(),
        output: output.tail(10),
    })
}

/// Feeds every file under `path` (sorted) into `hasher`.
fn hash_tree(hasher: &mut Sha256, path: &Path) {
    if path.is_file() {
        hasher.update(path.to_string_lossy().as_bytes());
        hasher.update(std::fs::read(path).unwrap_or_default());
    } else if let Ok(entries) = std::fs::read_dir(path) {
        let mut children: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        children.sort();
        for child in children {
            hash_tree(hasher, &child);
        }
    }
}

impl From<MigrateError> for crate::error::ScenarioError {
    fn from(error: MigrateError) -> Self {
        crate::error::ScenarioError::Layer(Box::new(error))
    }
}

#[cfg(test)]
mod tests {
    use super::{manages_its_own_transaction, MigrationSource, Migrations, MigrationsMutation};

    #[tokio::test]
    async fn a_mutation_changes_the_hash_that_names_the_template() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("0001_users.up.sql"),
            "CREATE TABLE users (id int);",
        )
        .unwrap();
        let load = || Migrations::load(MigrationSource::Dir(dir.path().to_owned()), Vec::new());
        let plain = load().await.unwrap();
        let dropped = load()
            .await
            .unwrap()
            .with_mutation(&MigrationsMutation::After("DROP TABLE users;".into()));
        let renamed = load()
            .await
            .unwrap()
            .with_mutation(&MigrationsMutation::After(
                "ALTER TABLE users RENAME TO u;".into(),
            ));
        assert_eq!(plain.mutation(), None);
        assert_eq!(dropped.mutation(), Some("DROP TABLE users;"));
        assert_ne!(plain.hash(), dropped.hash());
        assert_ne!(dropped.hash(), renamed.hash());
        assert_eq!(
            plain.steps(),
            dropped.steps(),
            "the migrations themselves are the same"
        );
    }

    #[tokio::test]
    async fn a_down_mutation_replaces_that_down_only() {
        let dir = tempfile::tempdir().unwrap();
        for (name, sql) in [
            ("0001_users.up.sql", "CREATE TABLE users (id int);"),
            ("0001_users.down.sql", "DROP TABLE users;"),
            ("0002_posts.up.sql", "CREATE TABLE posts (id int);"),
            ("0002_posts.down.sql", "DROP TABLE posts;"),
        ] {
            std::fs::write(dir.path().join(name), sql).unwrap();
        }
        let load = || Migrations::load(MigrationSource::Dir(dir.path().to_owned()), Vec::new());
        let plain = load().await.unwrap();
        let emptied = load()
            .await
            .unwrap()
            .with_mutation(&MigrationsMutation::Down {
                version: 2,
                sql: "SELECT 1;".into(),
            });
        assert_eq!(emptied.down_sql(2), Some("SELECT 1;"));
        assert_eq!(emptied.down_sql(1), Some("DROP TABLE users;"));
        assert_eq!(
            emptied.mutation(),
            None,
            "nothing runs after the migrations"
        );
        assert_ne!(plain.hash(), emptied.hash());
    }

    #[test]
    fn files_that_need_no_transaction_of_ours_are_told_apart() {
        assert!(manages_its_own_transaction(
            "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);"
        ));
        assert!(manages_its_own_transaction(
            "BEGIN;\nUPDATE t SET a = 1;\nCOMMIT;"
        ));
        assert!(!manages_its_own_transaction(
            "CREATE INDEX users_email_idx ON users (email);"
        ));
        assert!(!manages_its_own_transaction(
            "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  RETURN NEW;\nEND;\n$$;"
        ));
        assert!(!manages_its_own_transaction(
            "-- BEGIN; is only a comment here\nSELECT 1;"
        ));
    }
}
