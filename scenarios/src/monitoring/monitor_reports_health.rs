//! Claim: monitoring ("monitor-database.sh shows health, connections, table sizes, backup
//! status"); fault: the backups disappear, then the database is stopped; check: against
//! a live, seeded database with a fresh backup (made by the subject's own backup command)
//! the monitoring command exits 0 and reports connections, every table and the backups;
//! with the backup directory empty it raises an alert (a non-zero exit, or a new warning
//! about backups in its output); once the database is down it exits non-zero. How it
//! takes backups older than `backup.max_age_hours` is recorded, not judged.

use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use harness::backup::{age, BackupError, SubjectTools};
use harness::process::command::{CommandOutput, SubjectCommand};
use harness::run::scenario::{Context, ScenarioError};
use harness::schema::template::{Database, TemplatePool};
use harness::{Evidence, Outcome, Scenario, ServerProfile};

pub struct MonitorReportsHealth;

/// How many lines of the monitor's output the evidence keeps (the renderings show the last
/// few of them).
const OUTPUT_LINES: usize = 200;

#[async_trait]
impl Scenario for MonitorReportsHealth {
    fn id(&self) -> &'static str {
        "monitor-reports-health"
    }

    fn claim(&self) -> &'static harness::run::scenario::ClaimSpec {
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
        harness::schema::dataset::load(&db, subject, 50, ctx.seed()).await?;
        let tables: Vec<String> = db
            .read_catalog(migrations.bookkeeping_tables())
            .await
            .map_err(|e| ScenarioError::sql("read the catalog", e))?
            .tables
            .into_iter()
            .map(|t| t.name)
            .collect();
        let backups =
            tempfile::tempdir().map_err(|e| ScenarioError::failed("create a backup dir", e))?;
        let mut evidence = Evidence::new("").observe("command", &command);
        let made = make_backup(ctx, &db, backups.path()).await?;
        evidence.push_observation("backup in $BACKUP_DIR", &made);
        let monitor = |dir: &std::path::Path| {
            SubjectCommand::new(&command, &subject.dir)
                .with_database(db.admin().env())
                .with_programs_first(server.tools().map(|t| t.bin_dir))
                .with_env("BACKUP_DIR", dir.display().to_string())
                .with_deadline(Duration::from_secs(60))
        };

        let healthy = run(&monitor(backups.path())).await?;
        evidence.push_timing("monitor, database up", healthy.elapsed);
        let by_subject = SubjectTools::of(subject, None).is_some();
        if !healthy.succeeded() && !by_subject {
            evidence.summary = format!(
                "`{command}` {} with the database up and a harness pg_dump in $BACKUP_DIR; the subject names no backup command to make the backups it looks for, so its normal state cannot be shown",
                healthy.outcome(),
            );
            evidence.push_observation("its output, database up", output(&healthy));
            return Ok(Outcome::not_proven(evidence));
        }
        let mut problems = Vec::new();
        if !healthy.succeeded() {
            // its output on the lines under it (the renderings show the last few)
            problems.push(format!(
                "with the database up and a fresh backup, `{command}` {}\n{}",
                healthy.outcome(),
                output(&healthy)
            ));
        }
        let report = healthy.stdout.to_lowercase();
        let missing_tables: Vec<&String> = tables
            .iter()
            .filter(|t| !report.contains(&t.to_lowercase()))
            .collect();
        if !missing_tables.is_empty() {
            problems.push(format!(
                "the report leaves out table(s) {} ({} of {})",
                harness::report::summarised(&missing_tables),
                missing_tables.len(),
                tables.len()
            ));
        }
        for topic in ["connection", "backup"] {
            if !report.contains(topic) {
                problems.push(format!("the report says nothing about {topic}s"));
            }
        }

        // no backup at all: the monitor must say so
        let empty =
            tempfile::tempdir().map_err(|e| ScenarioError::failed("create a backup dir", e))?;
        let without = run(&monitor(empty.path())).await?;
        match alert(&healthy, &without) {
            Some(how) => evidence.push_observation("with no backup", how),
            None if healthy.succeeded() => problems.push(format!(
                "with $BACKUP_DIR empty, `{command}` {} and warns of nothing: a stopped backup schedule would go unnoticed",
                without.outcome()
            )),
            None => {}
        }
        // backups past their age: recorded
        let limit = subject
            .manifest
            .backup
            .as_ref()
            .map_or(harness::subject::manifest::DEFAULT_MAX_AGE_HOURS, |b| {
                b.max_age_hours()
            });
        let stale_age = Duration::from_secs_f64((limit + 2.0) * 3600.0);
        let now = SystemTime::now();
        for entry in harness::backup::subject_tools::entries(backups.path())? {
            if !entry
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            {
                let _ = age::backdate(&entry, now, stale_age);
            }
        }
        let stale = run(&monitor(backups.path())).await?;
        evidence.push_observation(
            format!("with the newest backup {:.0} h old", limit + 2.0),
            alert(&healthy, &stale)
                .unwrap_or_else(|| format!("{}, no warning about its age", stale.outcome())),
        );

        match server.stop().await {
            Ok(()) => {
                let down = run(&monitor(backups.path())).await?;
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
            // the first problem's first line: its output stays in the counterexample
            evidence.summary = problems[0].lines().next().unwrap_or_default().to_owned();
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
            "the monitor reports health, connections, all {} tables and backups, alerts when there is no backup, and exits non-zero when the database is down",
            tables.len()
        );
        Ok(Outcome::proven(evidence))
    }
}

/// The last [`OUTPUT_LINES`] lines the monitor printed, one a line, stderr after stdout
/// (where its error is, last, the renderings keep it); "(printed nothing)" when it did not.
fn output(ran: &CommandOutput) -> String {
    let lines: Vec<&str> = ran
        .stdout
        .lines()
        .chain(ran.stderr.lines())
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect();
    if lines.is_empty() {
        return "(printed nothing)".to_owned();
    }
    lines[lines.len().saturating_sub(OUTPUT_LINES)..].join("\n")
}

async fn run(command: &SubjectCommand) -> Result<CommandOutput, ScenarioError> {
    command
        .run()
        .await
        .map_err(|e| ScenarioError::failed(format!("start `{}`", command.command()), e))
}

/// How the monitor alerted, run without backups, against its healthy run: by exit status,
/// or by a warning about backups its healthy output did not have; `None` when it did not.
fn alert(healthy: &CommandOutput, now: &CommandOutput) -> Option<String> {
    if healthy.succeeded() && !now.succeeded() {
        return Some(format!("alerts: {} ({})", now.outcome(), now.tail(1)));
    }
    const WARNINGS: [&str; 10] = [
        "warn",
        "alert",
        "critical",
        "error",
        "missing",
        "no backup",
        "not found",
        "stale",
        "too old",
        "fail",
    ];
    let before: Vec<String> = lines(healthy);
    lines(now)
        .into_iter()
        .filter(|l| !before.contains(l))
        .find(|l| l.contains("backup") && WARNINGS.iter().any(|w| l.contains(w)))
        .map(|line| {
            format!(
                "warns in its output only ({}): \"{line}\" — an alert someone must read",
                now.outcome()
            )
        })
}

fn lines(output: &CommandOutput) -> Vec<String> {
    format!("{}\n{}", output.stdout, output.stderr)
        .lines()
        .map(|l| l.trim().to_lowercase())
        .filter(|l| !l.is_empty())
        .collect()
}

/// Puts a backup in `dir` the way the subject makes them: its own backup command, else a
/// pg_dump of the harness's standing in for it; says which.
async fn make_backup(
    ctx: &Context,
    db: &Database,
    dir: &std::path::Path,
) -> Result<String, ScenarioError> {
    let tools = db.server().tools();
    if let Some(own) = SubjectTools::of(ctx.subject(), tools.clone()) {
        let run = own.backup(&db.admin(), dir).await?;
        if let Some(file) = run.backup().filter(|_| run.success()) {
            return Ok(format!(
                "{}, made by the subject's backup command",
                file.file_name().unwrap_or_default().to_string_lossy()
            ));
        }
        return Err(ScenarioError::Other(format!(
            "failed to make a backup for the monitor to see: {}",
            run.describe()
        )));
    }
    let tools = tools.ok_or(ScenarioError::from(BackupError::NoTools))?;
    let path = dir.join(format!("{}.dump", db.name()));
    harness::backup::dump(
        &tools,
        &db.admin(),
        &path,
        harness::backup::DumpOptions::custom(),
    )
    .await?;
    Ok(format!(
        "{}, a pg_dump of the harness's (the subject names no backup command)",
        path.file_name().unwrap_or_default().to_string_lossy()
    ))
}
