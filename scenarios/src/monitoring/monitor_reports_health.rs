//! Claim: monitoring ("monitor-database.sh shows health, connections, table sizes, backup
//! status"); fault: the database is stopped; check: against a live, seeded database the
//! subject's monitoring command exits 0 and reports connections, every table and the
//! backup status, and once the database is down it exits non-zero.

use async_trait::async_trait;
use harness::command::{CommandOutput, SubjectCommand};
use harness::scenario::{Context, ScenarioError};
use harness::template::TemplatePool;
use harness::{Evidence, Outcome, Scenario, ServerProfile};

pub struct MonitorReportsHealth;

#[async_trait]
impl Scenario for MonitorReportsHealth {
    fn id(&self) -> &'static str {
        "monitor-reports-health"
    }

    fn claim(&self) -> &'static str {
        super::CLAIM
    }

    fn title(&self) -> &'static str {
        "the monitoring command reports health, connections, table sizes and backups, and fails when the database is down"
    }

    async fn run(&self, ctx: &Context) -> Result<Outcome, ScenarioError> {
        let subject = ctx.subject();
        let Some(command) = subject.manifest.monitoring.command.clone() else {
            return Ok(Outcome::refuted(Evidence::new(
                "no monitoring command: nothing shows the database's health",
            )));
        };
        let server = ctx.dedicated_server(ServerProfile::Fast).await?;
        let migrations = ctx.migrations().await?;
        let db = ctx.track(
            TemplatePool::new(server.clone())
                .migrated(&migrations, "monitoring")
                .await?,
        );
        if subject.manifest.scale.is_some() {
            harness::dataset::load(&db, subject, 50, ctx.seed()).await?;
        }
        let tables: Vec<String> = db
            .read_catalog(migrations.bookkeeping_tables())
            .await
            .map_err(|e| ScenarioError::sql("read the catalog", e))?
            .tables
            .into_iter()
            .map(|t| t.name)
            .collect();
        let backups = tempfile::tempdir()
            .map_err(|e| ScenarioError::Other(format!("failed to create a backup dir: {e}")))?;
        let monitor = SubjectCommand::new(&command, &subject.dir)
            .with_database(&db.admin())
            .with_tools(server.tools().as_ref())
            .with_env("BACKUP_DIR", backups.path().display().to_string())
            .with_deadline(std::time::Duration::from_secs(60));

        let mut evidence = Evidence::new("").observe("command", &command);
        let healthy = run(&monitor).await?;
        evidence.push_timing("monitor, database up", healthy.elapsed);
        let mut problems = Vec::new();
        if !healthy.succeeded() {
            problems.push(format!(
                "with the database up, `{command}` {}: {}",
                healthy.outcome(),
                healthy.tail(5)
            ));
        }
        let report = healthy.stdout.to_lowercase();
        let missing_tables: Vec<&String> = tables
            .iter()
            .filter(|t| !report.contains(&t.to_lowercase()))
            .collect();
        if !missing_tables.is_empty() {
            problems.push(format!(
                "the report leaves out table(s) {:?}",
                missing_tables
            ));
        }
        for topic in ["connection", "backup"] {
            if !report.contains(topic) {
                problems.push(format!("the report says nothing about {topic}s"));
            }
        }

        match server.stop().await {
            Ok(()) => {
                let down = run(&monitor).await?;
                evidence.push_timing("monitor, database down", down.elapsed);
                evidence.push_observation("with the database down", down.outcome());
                if down.succeeded() {
                    problems.push(format!("with the database stopped, `{command}` still exits 0: an outage would go unnoticed"));
                }
            }
            Err(e) => {
                evidence.push_observation("with the database down", format!("not tried: {e}"))
            }
        }
        if !problems.is_empty() {
            evidence.summary = problems[0].clone();
            evidence.push_counterexample("the monitor does not show what it claims", problems);
            return Ok(Outcome::refuted(evidence));
        }
        evidence.push_observation("tables reported", tables.len());
        if evidence
            .observations
            .iter()
            .any(|o| o.value.starts_with("not tried"))
        {
            evidence.summary = "the monitor reports a healthy database fully; its behaviour during an outage was not tried".into();
            return Ok(Outcome::not_proven(evidence));
        }
        evidence.summary = format!(
            "the monitor reports health, connections, all {} tables and backups, and exits non-zero when the database is down",
            tables.len()
        );
        Ok(Outcome::proven(evidence))
    }
}

async fn run(command: &SubjectCommand) -> Result<CommandOutput, ScenarioError> {
    command
        .run()
        .await
        .map_err(|e| ScenarioError::Other(format!("failed to start `{}`: {e}", command.command())))
}
