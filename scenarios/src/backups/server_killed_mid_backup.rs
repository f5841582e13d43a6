//! Claim: backups; fault: the server is killed (kill -9) while the backup is copying table
//! data; check: that backup is reported failed — by the harness's pg_dump, and by the
//! subject's backup command when there is one. A tool that reports success anyway is
//! refuted when its backup does not restore to the source.
//!
//! The backup connects through a fault proxy that holds everything from the moment the
//! first COPY is seen until the server is dead, so the kill lands mid-COPY as the backup
//! sees it even when the kill itself takes longer than the rest of the dump would. A kill
//! that still landed after the dump had read everything proves nothing: that tool is
//! tried again, and after [`ATTEMPTS`] such kills the scenario is NOT PROVEN.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use harness::backend::ConnInfo;
use harness::backup::fingerprint::Fingerprint;
use harness::faults::proxy::{Direction, FaultProxy};
use harness::run::scenario::{Context, ScenarioError};
use harness::{Evidence, Outcome, Scenario, Server};
use sqlx::{Connection, PgConnection};

use super::USERS;
use harness::backup::restored;
use harness::backup::source::Source;
use harness::backup::tool::{self, Tool};

/// How often the server is asked whether a COPY is running.
const POLL: Duration = Duration::from_millis(1);

/// Kills per tool before a kill that proves nothing makes the scenario NOT PROVEN.
const ATTEMPTS: usize = 3;

pub struct ServerKilledMidBackup;

#[async_trait]
impl Scenario for ServerKilledMidBackup {
    fn id(&self) -> &'static str {
        "server-killed-mid-backup"
    }

    fn claim(&self) -> &'static harness::run::scenario::ClaimSpec {
        super::CLAIM
    }

    fn title(&self) -> &'static str {
        "a backup cut short by a server crash is reported failed"
    }

    async fn run(&self, ctx: &Context) -> Result<Outcome, ScenarioError> {
        let mut evidence = Evidence::new("").seed(ctx.seed());
        let source = Source::seeded(ctx, "killed_source", USERS).await?;
        let tools = tool::tools_of(source.server.as_ref())?;
        let expected = source.fingerprint(ctx).await?;
        let mut slipped = Vec::new();
        let mut unproven = Vec::new();
        let all = Tool::all_for(ctx.subject(), Tool::built_in(tools));
        let mut server_down = false;
        for tool in &all {
            let who = tool.short();
            let mut wasted = Vec::new();
            let trial = loop {
                if server_down {
                    // the previous kill: recover the same data directory
                    source.server.restart().await?;
                }
                let trial = try_once(ctx, &source, tool, &expected).await?;
                server_down = trial.killed();
                match trial {
                    Trial::Inconclusive { why, .. } if wasted.len() + 1 < ATTEMPTS => {
                        wasted.push(why);
                    }
                    trial => break trial,
                }
            };
            if !wasted.is_empty() {
                evidence.push_observation(
                    format!("{who}: tried again"),
                    format!(
                        "after {} kill(s) that proved nothing: {}",
                        wasted.len(),
                        wasted.join("; ")
                    ),
                );
            }
            match trial {
                Trial::Caught { copying, why } => {
                    evidence.push_observation(format!("{who}: killed while"), copying);
                    evidence
                        .push_observation(format!("{who}: reported"), format!("failure: {why}"));
                }
                Trial::Slipped { copying, why } => {
                    evidence.push_observation(format!("{who}: killed while"), copying);
                    slipped.push((tool.describe(), why));
                }
                Trial::Inconclusive { why, .. } => {
                    unproven.push(format!("{who}: {why}, in each of {ATTEMPTS} attempts"));
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

/// What one kill during one tool's backup showed.
enum Trial {
    /// Killed mid-COPY (`copying` says where), the tool reported failure (`why`).
    Caught { copying: String, why: String },
    /// Killed mid-COPY, the tool reported success for a backup that is not the source.
    Slipped { copying: String, why: String },
    /// The kill proved nothing; `killed` says whether the server went down anyway.
    Inconclusive { why: String, killed: bool },
}

impl Trial {
    fn killed(&self) -> bool {
        match self {
            Trial::Caught { .. } | Trial::Slipped { .. } => true,
            Trial::Inconclusive { killed, .. } => *killed,
        }
    }
}

/// Backs up the source with `tool` through a fault proxy and kills the server when the
/// first COPY is seen.
async fn try_once(
    ctx: &Context,
    source: &Source,
    tool: &Tool,
    expected: &Fingerprint,
) -> Result<Trial, ScenarioError> {
    let dir = tool::backup_dir()?;
    let direct = source.db.admin();
    let proxy = FaultProxy::in_front_of(&direct)
        .await
        .map_err(|e| ScenarioError::failed("start a fault proxy in front of the source", e))?;
    let admin = proxy.route(&direct);
    let done = AtomicBool::new(false);
    let backup = async {
        let result = tool.backup(&admin, dir.path(), "killed").await;
        done.store(true, Ordering::SeqCst);
        result
    };
    let saboteur = kill_during_copy(source.server.as_ref(), &proxy, &done);
    let (attempt, killed) = tokio::join!(backup, saboteur);
    let attempt = attempt?;
    let Some(query) = killed? else {
        return Ok(Trial::Inconclusive {
            why: "the backup finished before any COPY was seen".into(),
            killed: false,
        });
    };
    let copying = format!(
        "the server ran `{query}` (from then on the backup received nothing until the server was dead)"
    );
    if let Err(why) = attempt.reported {
        return Ok(Trial::Caught { copying, why });
    }
    // reported success: a real failure only if the backup is not the source
    let why = match &attempt.file {
        None => Some("it reported success but wrote no backup".to_owned()),
        Some(file) => {
            let target = ctx.empty_database("killed_check").await?;
            let restored = tool.restore(file, &target.admin()).await?;
            match restored.reported {
                Err(why) => Some(format!("its backup does not restore: {why}")),
                Ok(()) => {
                    let diff = restored::differences(expected, &target).await?;
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
    Ok(match why {
        Some(why) => Trial::Slipped { copying, why },
        None => Trial::Inconclusive {
            why: "the kill landed after the dump had read everything (the backup is complete)"
                .into(),
            killed: true,
        },
    })
}

/// Waits until some session runs a `COPY … TO stdout` (a dump reading table data), then
/// kills the server; `None` when the backup finished first.
async fn kill_during_copy(
    server: &dyn Server,
    proxy: &FaultProxy,
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
            // the backup gets no byte more from here, however long the kill takes to land
            // (a container's goes through the Docker API)
            proxy.blackhole(Direction::ToClient, true);
            let killed = server.kill().await;
            // a dead container's connections may never close: the backup must not wait on them
            proxy.cut_all().await;
            killed?;
            drop(conn);
            return Ok(Some(query.trim().to_owned()));
        }
        tokio::time::sleep(POLL).await;
    }
}
