//! Claim: backups; fault: the server is killed (kill -9) while the backup is copying table
//! data; check: that backup is reported failed — by the harness's pg_dump, and by the
//! subject's backup command when there is one. A tool that reports success anyway is
//! refuted when its backup does not restore to the source; a kill that landed after the
//! dump had read everything proves nothing and leaves the scenario NOT PROVEN.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use harness::backend::ConnInfo;
use harness::scenario::{Context, ScenarioError};
use harness::{Evidence, Outcome, Scenario, Server};
use sqlx::{Connection, PgConnection};

use super::support::{self, Source, Tool, USERS};

/// How often the server is asked whether a COPY is running.
const POLL: Duration = Duration::from_millis(1);

pub struct ServerKilledMidBackup;

#[async_trait]
impl Scenario for ServerKilledMidBackup {
    fn id(&self) -> &'static str {
        "server-killed-mid-backup"
    }

    fn claim(&self) -> &'static str {
        super::CLAIM
    }

    fn title(&self) -> &'static str {
        "a backup cut short by a server crash is reported failed"
    }

    async fn run(&self, ctx: &Context) -> Result<Outcome, ScenarioError> {
        let mut evidence = Evidence::new("").seed(ctx.seed());
        let source = Source::seeded(ctx, "killed_source", USERS).await?;
        let tools = support::tools_of(source.server.as_ref())?;
        let expected = source.fingerprint().await?;
        let mut slipped = Vec::new();
        let mut unproven = Vec::new();
        let all = Tool::all_for(ctx.subject(), Tool::built_in(tools));
        for (i, tool) in all.iter().enumerate() {
            if i > 0 {
                // the previous tool's kill: recover the same data directory
                source.server.restart().await?;
            }
            let who = tool.short();
            let dir = support::backup_dir()?;
            let done = AtomicBool::new(false);
            let admin = source.db.admin();
            let backup = async {
                let result = tool.backup(&admin, dir.path(), "killed").await;
                done.store(true, Ordering::SeqCst);
                result
            };
            let saboteur = kill_during_copy(source.server.as_ref(), &done);
            let (attempt, killed) = tokio::join!(backup, saboteur);
            let attempt = attempt?;
            let Some(copying) = killed? else {
                unproven.push(format!(
                    "{who}: the backup finished before any COPY was seen"
                ));
                continue;
            };
            evidence.push_observation(
                format!("{who}: killed while"),
                format!("the server ran `{copying}`"),
            );
            match &attempt.reported {
                Err(why) => {
                    evidence
                        .push_observation(format!("{who}: reported"), format!("failure: {why}"));
                }
                Ok(()) => {
                    // reported success: a real failure only if the backup is not the source
                    let verdict = match &attempt.file {
                        None => Some("it reported success but wrote no backup".to_owned()),
                        Some(file) => {
                            let target = ctx.empty_database("killed_check").await?;
                            let restored = tool.restore(file, &target.admin(), dir.path()).await?;
                            match restored.reported {
                                Err(why) => Some(format!("its backup does not restore: {why}")),
                                Ok(()) => {
                                    let diff = expected.diff(&support::fingerprint(&target).await?);
                                    (!diff.is_empty()).then(|| {
                                        format!(
                                            "its backup restores to a different database: {}",
                                            diff.details.join("; ")
                                        )
                                    })
                                }
                            }
                        }
                    };
                    match verdict {
                        Some(why) => slipped.push((tool.describe(), why)),
                        None => unproven.push(format!(
                            "{who}: the kill landed after the dump had read everything (the backup is complete)"
                        )),
                    }
                }
            }
        }
        if !slipped.is_empty() {
            evidence.summary = format!(
                "{} reported success for a backup cut short by a server crash",
                slipped
                    .iter()
                    .map(|(who, _)| who.as_str())
                    .collect::<Vec<_>>()
                    .join(" and ")
            );
            for (who, why) in slipped {
                evidence.push_counterexample(format!("{who}, server killed mid-backup"), vec![why]);
            }
            return Ok(Outcome::refuted(evidence));
        }
        if !unproven.is_empty() {
            evidence.summary = unproven.join("; ");
            return Ok(Outcome::not_proven(evidence));
        }
        evidence.summary = format!(
            "killed mid-COPY, the backup was reported failed: {}",
            Tool::tried(&all)
        );
        Ok(Outcome::proven(evidence))
    }
}

/// Waits until some session runs a `COPY … TO stdout` (a dump reading table data), then
/// kills the server; `None` when the backup finished first.
async fn kill_during_copy(
    server: &dyn Server,
    done: &AtomicBool,
) -> Result<Option<String>, ScenarioError> {
    let admin: ConnInfo = server.admin();
    let mut conn = PgConnection::connect_with(&admin.options())
        .await
        .map_err(|e| ScenarioError::sql("connect to watch the backup", e))?;
    loop {
        if done.load(Ordering::SeqCst) {
            let _ = conn.close().await;
            return Ok(None);
        }
        let copying: Option<String> = sqlx::query_scalar(
            "SELECT left(query, 80) FROM pg_stat_activity \
             WHERE pid <> pg_backend_pid() AND state = 'active' AND query ILIKE 'COPY %TO stdout%' LIMIT 1",
        )
        .fetch_optional(&mut conn)
        .await
        .map_err(|e| ScenarioError::sql("watch the backup", e))?;
        if let Some(query) = copying {
            server.kill().await?;
            drop(conn);
            return Ok(Some(query.trim().to_owned()));
        }
        tokio::time::sleep(POLL).await;
    }
}
