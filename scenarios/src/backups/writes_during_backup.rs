//! Claim: backups; fault: the application keeps writing while the backup runs (signups,
//! an SQL flow, or generated families of related rows, each in one transaction); check:
//! the restored copy satisfies every invariant of the manifest and holds every committed
//! SQL-flow run and family whole or not at all, i.e. the backup is one consistent snapshot. Tried on the harness's pg_dump in
//! directory format with parallel jobs (workers sharing one snapshot), and on the subject's
//! backup and restore commands when there are some.

use std::time::Duration;

use async_trait::async_trait;
use harness::backup::DumpOptions;
use harness::checks::invariants;
use harness::run::scenario::{Context, ScenarioError};
use harness::{Evidence, Outcome, Scenario};
use sqlx::Connection;

use super::writers::Writers;
use super::USERS;
use harness::backup::tool::{self, Tool, JOBS};

/// Concurrent writers.
const WRITERS: usize = 2;
/// Commits before the backup starts, so that it starts under load.
const WARM_UP: u64 = 20;

pub struct WritesDuringBackup;

#[async_trait]
impl Scenario for WritesDuringBackup {
    fn id(&self) -> &'static str {
        "writes-during-backup"
    }

    fn claim(&self) -> &'static harness::run::scenario::ClaimSpec {
        super::CLAIM
    }

    fn title(&self) -> &'static str {
        "a backup taken under concurrent writes restores to a state where every invariant holds"
    }

    async fn run(&self, ctx: &Context) -> Result<Outcome, ScenarioError> {
        let mut evidence = Evidence::new("").seed(ctx.seed());
        let mut broken: Vec<(String, Vec<String>)> = Vec::new();
        let pool = ctx.pool().await?;
        let tools = tool::tools_of(pool.server().as_ref())?;
        let builtin = Tool::BuiltIn {
            tools,
            options: DumpOptions::directory(JOBS),
        };
        let mut total_during = 0;
        let mut generated = false;
        let mut whole = 0;
        let all = Tool::all_for(ctx.subject(), builtin);
        for tool in &all {
            let who = tool.short();
            let db = ctx.seeded_database(&format!("writes_{who}"), USERS).await?;
            // the invariants run on the source, so one that does not run on the copy is the copy's fault
            let mut conn = db
                .connect_admin()
                .await
                .map_err(|e| ScenarioError::sql("connect to the source", e))?;
            let checked = invariants::check(&mut conn, ctx.subject()).await;
            let _ = conn.close().await;
            checked?;
            let migrations = ctx.migrations().await?;
            let Some(writers) = Writers::start(
                &db,
                ctx.subject(),
                migrations.bookkeeping_tables(),
                ctx.seed(),
                WRITERS,
            )
            .await?
            else {
                evidence.summary = "the subject has no flow to write with (flows.builtin or [[flows.sql]]) and no table another references, for related rows written together".into();
                return Ok(Outcome::not_proven(evidence));
            };
            if !writers.wait_for(WARM_UP, Duration::from_secs(30)).await {
                let flow = writers.flow.clone();
                let (report, _) = writers.stop().await;
                evidence.summary = format!(
                    "the writers ({flow}) could not commit {WARM_UP} writes in 30 s: {}",
                    report
                        .first_error
                        .unwrap_or_else(|| format!("{} committed, none failed", report.committed))
                );
                return Ok(Outcome::not_proven(evidence));
            }
            let flow = writers.flow.clone();
            let dir = tool::backup_dir()?;
            let before = writers.committed();
            let attempt = tool.backup(&db.admin(), dir.path(), "writes").await?;
            let during = writers.committed() - before;
            let (report, receipts) = writers.stop().await;
            generated |= !receipts.keep_invariants();
            whole += receipts.checkable();
            evidence.push_observation(
                format!("{who}: writes during the backup"),
                format!(
                    "{during} {flow} commits while it ran ({:.1} s); {} in all, {} failed",
                    attempt.elapsed.as_secs_f64(),
                    report.committed,
                    report.failed
                ),
            );
            if during == 0 {
                evidence.summary = format!("{who}: no write landed while the backup ran");
                return Ok(Outcome::not_proven(evidence));
            }
            total_during += during;
            let file = match (&attempt.reported, &attempt.file) {
                (Ok(()), Some(file)) => file.clone(),
                (Err(why), _) => {
                    broken.push((
                        format!("{}: back up under writes", tool.describe()),
                        vec![why.clone()],
                    ));
                    continue;
                }
                (Ok(()), None) => {
                    broken.push((
                        tool.describe(),
                        vec!["the backup command wrote no backup".into()],
                    ));
                    continue;
                }
            };
            let target = ctx
                .empty_database(&format!("writes_{who}_restored"))
                .await?;
            let restored = tool.restore(&file, &target.admin()).await?;
            if let Err(why) = restored.reported {
                broken.push((
                    format!("{}: restore the backup taken under writes", tool.describe()),
                    vec![why],
                ));
                continue;
            }
            let mut conn = target
                .connect_admin()
                .await
                .map_err(|e| ScenarioError::sql("connect to the restored copy", e))?;
            let checked = invariants::check_all(&mut conn, ctx.subject()).await?;
            let partial = receipts.partial(&mut conn).await?;
            let _ = conn.close().await;
            let mut violations: Vec<String> = Vec::new();
            if receipts.keep_invariants() {
                violations.extend(checked.violations.iter().map(|v| v.describe()));
            } else if !checked.violations.is_empty() {
                evidence.push_observation(
                    format!("{who}: invariants"),
                    format!(
                        "not judged: generated writes need not keep them ({} fail on the copy)",
                        checked.violations.len()
                    ),
                );
            }
            violations.extend(partial);
            violations.extend(checked.unrunnable.iter().map(|u| {
                format!(
                    "{} on the restored copy (it runs on the source)",
                    u.describe()
                )
            }));
            if violations.is_empty() {
                evidence.push_observation(
                    format!("{who}: restored copy"),
                    match (receipts.checkable(), receipts.keep_invariants()) {
                        (0, _) => format!(
                            "all {} invariants hold",
                            ctx.subject().manifest.invariants.len()
                        ),
                        (n, true) => format!(
                            "all {} invariants hold; each of {n} committed writes whole or absent",
                            ctx.subject().manifest.invariants.len()
                        ),
                        (n, false) => format!("each of {n} committed writes whole or absent"),
                    },
                );
            } else {
                broken.push((
                    format!(
                        "{}: the restored copy is not a consistent snapshot",
                        tool.describe()
                    ),
                    violations,
                ));
            }
        }
        if !broken.is_empty() {
            evidence.summary = format!(
                "a backup taken under concurrent writes is inconsistent or unusable: {}",
                broken
                    .iter()
                    .map(|(what, _)| what.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            );
            for (what, details) in broken {
                evidence.push_counterexample(what, details);
            }
            return Ok(Outcome::refuted(evidence));
        }
        let invariants = ctx.subject().manifest.invariants.len();
        let judged = match (generated, whole) {
            (true, _) => "holds each write whole or not at all".to_owned(),
            (false, 0) => format!("satisfies all {invariants} invariants"),
            (false, _) => {
                format!("satisfies all {invariants} invariants and holds each write whole or not at all")
            }
        };
        evidence.summary = format!(
            "{total_during} commits landed during the backups, and every restored copy {judged}: {}",
            Tool::tried(&all)
        );
        Ok(Outcome::proven(evidence))
    }
}
