//! Claim: migrations ("schema changes versioned": the models the app runs on are the
//! schema its migrations build); check: the tool's own drift check (`drift_command`, e.g.
//! `alembic check`, `python manage.py makemigrations --check --dry-run`) run against a
//! freshly migrated database exits 0. A non-zero exit is a model change no migration
//! carries: REFUTED with the tool's words. A tool that is not installed is NOT PROVEN.

use std::time::Duration;

use async_trait::async_trait;
use harness::process::command::SubjectCommand;
use harness::run::scenario::{Context, ScenarioError};
use harness::{Evidence, Outcome, Scenario};

/// Exit statuses of `sh -c` for a command it could not find or run.
const NOT_RUNNABLE: [i32; 2] = [126, 127];
/// How many lines of the tool's output the evidence shows.
const OUTPUT_LINES: usize = 8;

pub struct ModelsMatchMigrations;

#[async_trait]
impl Scenario for ModelsMatchMigrations {
    fn id(&self) -> &'static str {
        "models-match-migrations"
    }

    fn claim(&self) -> &'static harness::run::scenario::ClaimSpec {
        super::CLAIM
    }

    fn title(&self) -> &'static str {
        "the migration tool's drift check finds no model change that no migration carries"
    }

    async fn run(&self, ctx: &Context) -> Result<Outcome, ScenarioError> {
        let subject = ctx.subject();
        let Some(command) = subject.manifest.migrations.drift_command.clone() else {
            return Ok(Outcome::not_applicable(Evidence::new(
                "the subject declares no `migrations.drift_command` (e.g. `alembic check`)",
            )));
        };
        let db = ctx.migrated_database("migrations_drift").await?;
        let workdir = subject
            .manifest
            .migrations
            .workdir
            .as_ref()
            .map_or_else(|| subject.dir.clone(), |w| subject.path(w));
        let output = SubjectCommand::new(&command, &workdir)
            .with_database(db.admin().env())
            .with_programs_first(db.server().tools().map(|t| t.bin_dir))
            .with_deadline(Duration::from_secs(300))
            .run()
            .await
            .map_err(|e| ScenarioError::failed(format!("start `{command}`"), e))?;
        let mut evidence = Evidence::new("").observe("command", &command);
        evidence.push_timing("drift check", output.elapsed);
        let lines: Vec<String> = output
            .last_lines(OUTPUT_LINES)
            .into_iter()
            .map(str::to_owned)
            .collect();
        if output.succeeded() {
            evidence.summary = format!(
                "`{command}` finds the models and the migrated schema in step{}",
                lines.last().map(|l| format!(": {l}")).unwrap_or_default()
            );
            return Ok(Outcome::proven(evidence));
        }
        if output.timed_out || output.code().is_some_and(|c| NOT_RUNNABLE.contains(&c)) {
            evidence.summary = format!(
                "`{command}` could not run ({}), so drift was not checked: {}",
                output.outcome(),
                lines.join(" | ")
            );
            return Ok(Outcome::not_proven(evidence));
        }
        evidence.push_counterexample(format!("`{command}` {}", output.outcome()), lines.clone());
        evidence.summary = format!(
            "the models drifted from the migrations: `{command}` {}: {}",
            output.outcome(),
            lines.last().cloned().unwrap_or_default()
        );
        Ok(Outcome::refuted(evidence))
    }
}
