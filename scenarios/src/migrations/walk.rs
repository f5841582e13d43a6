//! A migration history walked forward one step at a time on one database that holds rows:
//! a directory's files, or a command stack's `step_up` / `step_down` up to where its `up`
//! takes a fresh database. Each walk knows the schema at the end of the history, which
//! rows generated part way are held to.

use harness::run::scenario::{Context, ScenarioError};
use harness::schema::catalog::Catalog;
use harness::schema::migrate::position::Position;
use harness::schema::migrate::{MigrateError, Migrations, Step};
use harness::schema::template::Database;

use super::command_steps::{position, step_label, stepped_to};
use super::up_down_round_trip::{migrated_to, read_catalog, subject_fault};

pub enum Walk {
    /// The steps, and the catalog after the last.
    Dir(Vec<Step>, Catalog),
    /// Where `up` takes a fresh database.
    Commands(Position),
}

/// How a walk could not start.
pub enum NoWalk {
    /// The subject migrates by one `up` command: no step to walk.
    UpOnly,
    /// The up command fails on an empty database (the error).
    UpFails(String),
}

impl Walk {
    /// The walk of the subject's history; `label` names the databases it makes.
    pub async fn start(
        ctx: &Context,
        migrations: &Migrations,
        label: &str,
    ) -> Result<Result<Walk, NoWalk>, ScenarioError> {
        let head_label = format!("{label}_head");
        if migrations.has_step_commands() {
            let head_db = ctx.empty_database(&head_label).await?;
            if let Err(e) = migrations.up(&head_db.admin()).await {
                return Ok(Err(NoWalk::UpFails(subject_fault(e)?)));
            }
            return Ok(Ok(Walk::Commands(position(&head_db, migrations).await?)));
        }
        if !migrations.is_stepwise() {
            return Ok(Err(NoWalk::UpOnly));
        }
        let head_db = ctx.migrated_database(&head_label).await?;
        let head = read_catalog(&head_db, migrations).await?;
        Ok(Ok(Walk::Dir(migrations.steps(), head)))
    }

    /// The schema the last step leaves.
    pub fn head(&self) -> &Catalog {
        match self {
            Walk::Dir(_, head) => head,
            Walk::Commands(head) => &head.catalog,
        }
    }

    /// What will name the step after the first `done`, or `None` at the end of the
    /// history. Read once the rows are in, right before the step: a command step is named
    /// by what it changed, and the rows are not its doing.
    pub async fn next(
        &self,
        migrations: &Migrations,
        db: &Database,
        done: usize,
    ) -> Result<Option<Before>, ScenarioError> {
        Ok(match self {
            Walk::Dir(steps, _) => steps.get(done).map(|step| Before::Known {
                label: step.label(),
                names: vec![step.version.to_string(), step.label()],
            }),
            Walk::Commands(head) => {
                let before = position(db, migrations).await?;
                (!before.reached_with_rows(head)).then_some(Before::At(before))
            }
        })
    }

    /// Applies the step after the first `done` to `db`.
    pub async fn step_up(
        &self,
        migrations: &Migrations,
        db: &Database,
        done: usize,
    ) -> Result<(), MigrateError> {
        match self {
            Walk::Dir(steps, _) => migrations.up_to(&db.admin(), steps[done].version).await,
            Walk::Commands(_) => migrations.step_up(&db.admin()).await,
        }
    }

    /// Rolls back step number `step` (1-based), the last applied.
    pub async fn step_down(
        &self,
        migrations: &Migrations,
        db: &Database,
        step: usize,
    ) -> Result<(), MigrateError> {
        match self {
            Walk::Dir(steps, _) => {
                let target = if step < 2 { 0 } else { steps[step - 2].version };
                migrations.down_to(&db.admin(), target).await
            }
            Walk::Commands(_) => migrations.step_down(&db.admin()).await,
        }
    }

    /// A fresh database with the first `steps` steps applied (and no rows), to go on from
    /// after a step that failed.
    pub async fn fresh_at(
        &self,
        ctx: &Context,
        migrations: &Migrations,
        steps: usize,
    ) -> Result<Database, ScenarioError> {
        match self {
            Walk::Dir(list, _) => {
                let version = if steps == 0 {
                    0
                } else {
                    list[steps - 1].version
                };
                migrated_to(ctx, migrations, version).await
            }
            Walk::Commands(_) => stepped_to(ctx, migrations, steps).await,
        }
    }
}

/// What names the next step: a directory's step is known before it runs; a command
/// stack's is known from where it stood before and stands after.
pub enum Before {
    Known { label: String, names: Vec<String> },
    At(Position),
}

impl Before {
    /// The label of step number `step` (1-based), just applied to `db` (successfully or
    /// not), and the names a manifest may give it: "0003 indexes" (and "3"), or "step 3
    /// (alembic_version: (c2f1a9e3b4d5))". A command step that succeeded and changed
    /// nothing short of the end is the command's mistake, not the subject's.
    pub async fn label(
        &self,
        migrations: &Migrations,
        db: &Database,
        step: usize,
        succeeded: bool,
    ) -> Result<(String, Vec<String>), ScenarioError> {
        match self {
            Before::Known { label, names } => Ok((label.clone(), names.clone())),
            Before::At(before) => {
                let after = position(db, migrations).await?;
                if !after.same(before) {
                    let label = step_label(step, &after, before);
                    return Ok((label.clone(), vec![label]));
                }
                if succeeded {
                    return Err(ScenarioError::Other(format!(
                        "step {step}: `step_up` succeeded and changed nothing, short of what the up command makes; check the command"
                    )));
                }
                Ok((format!("step {step}"), vec![format!("step {step}")]))
            }
        }
    }
}
