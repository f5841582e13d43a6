//! Claim: backups; fault: the backup target is full (a tmpfs half the size of the backup);
//! check: the backup is reported failed. pg_dump leaves partial output behind on ENOSPC, so
//! a file's existence proves nothing: the harness's own pg_dump is judged by its exit
//! status, and the subject's backup command must exit non-zero too, or cron never tells
//! anyone that the nightly backups are truncated — and must not leave the truncated output
//! named like a backup (a `.partial` name, or nothing), or the next restore, the monitor
//! and the retention policy take it for one.

use async_trait::async_trait;
use harness::backup::age;
use harness::backup::small_fs::{MountError, SmallFilesystem};
use harness::backup::subject_tools;
use harness::run::scenario::{Context, ScenarioError};
use harness::{Evidence, Outcome, Scenario};

use super::USERS;
use harness::backup::tool::{self, Tool};

/// The smallest filesystem worth mounting.
const MIN_BYTES: u64 = 64 * 1024;

pub struct BackupTargetFull;

#[async_trait]
impl Scenario for BackupTargetFull {
    fn id(&self) -> &'static str {
        "backup-target-full"
    }

    fn claim(&self) -> &'static harness::run::scenario::ClaimSpec {
        super::CLAIM
    }

    fn title(&self) -> &'static str {
        "a backup into a full filesystem is reported failed, not taken for a backup"
    }

    async fn run(&self, ctx: &Context) -> Result<Outcome, ScenarioError> {
        let mut evidence = Evidence::new("").seed(ctx.seed());
        let db = ctx.seeded_database("target_full", USERS).await?;
        let tools = tool::tools_of(db.server().as_ref())?;
        let mut partial_left: Vec<String> = Vec::new();
        let mut slipped = Vec::new();
        let all = Tool::all_for(ctx.subject(), Tool::built_in(tools));
        for tool in &all {
            let who = tool.short();
            // a backup with room to spare first: the tool must work, and it gives the size
            let roomy = tool::backup_dir()?;
            let reference = tool.backup(&db.admin(), roomy.path(), "reference").await?;
            let Some(file) = reference
                .file
                .clone()
                .filter(|_| reference.reported.is_ok())
            else {
                evidence.summary = format!("{} fails even with room to spare", tool.describe());
                evidence.push_counterexample(
                    format!("{who}: back up with room to spare"),
                    vec![reference
                        .reported
                        .err()
                        .unwrap_or_else(|| "it wrote no backup".into())],
                );
                return Ok(Outcome::refuted(evidence));
            };
            let full_size = harness_size(&file);
            let bytes = (full_size / 2).max(MIN_BYTES);
            if bytes >= full_size {
                evidence.summary = format!(
                    "the backup ({}) is too small to be cut short by a {} filesystem",
                    harness::report::human_bytes(full_size),
                    harness::report::human_bytes(MIN_BYTES)
                );
                return Ok(Outcome::not_proven(evidence));
            }
            let small = match SmallFilesystem::mount(bytes) {
                Ok(fs) => fs,
                Err(e @ MountError::NotRoot(_)) => {
                    evidence.summary = e.to_string();
                    return Ok(Outcome::not_proven(evidence));
                }
                Err(e) => return Err(ScenarioError::failed("mount a small filesystem", e)),
            };
            let attempt = tool.backup(&db.admin(), small.path(), "full").await?;
            let every_entry: Vec<String> = subject_tools::entries(small.path())?
                .into_iter()
                .filter(|p| {
                    !p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                })
                .map(|p| {
                    p.file_name()
                        .unwrap_or_default()
                        .to_string_lossy()
                        .into_owned()
                })
                .collect();
            let left: Vec<String> = subject_tools::entries(small.path())?
                .into_iter()
                .filter(|p| age::is_backup(p))
                .map(|p| {
                    format!(
                        "{} ({})",
                        p.file_name().unwrap_or_default().to_string_lossy(),
                        harness::report::human_bytes(harness_size(&p))
                    )
                })
                .collect();
            let looks_like_a_backup = left.clone();
            if !every_entry.is_empty() {
                partial_left.push(who.to_string());
            }
            let left = if every_entry.is_empty() {
                "nothing".to_owned()
            } else {
                every_entry.join(", ")
            };
            evidence.push_observation(
                format!("{who}: target"),
                format!(
                    "a {} tmpfs for a {} backup",
                    harness::report::human_bytes(small.bytes()),
                    harness::report::human_bytes(full_size)
                ),
            );
            match &attempt.reported {
                Err(why) if !looks_like_a_backup.is_empty() => slipped.push((
                    tool.describe(),
                    format!(
                        "reported the failure, but left {} named like a backup",
                        looks_like_a_backup.join(", ")
                    ),
                    vec![
                        format!("reported the failure: {why}"),
                        format!(
                            "but left {} named like a backup (a complete one is {}): the next restore, the monitor and the retention policy would take it for one",
                            looks_like_a_backup.join(", "),
                            harness::report::human_bytes(full_size)
                        ),
                    ],
                )),
                Err(why) => {
                    evidence
                        .push_observation(format!("{who}: reported"), format!("failure: {why}"));
                    evidence.push_observation(format!("{who}: left behind"), left);
                }
                Ok(()) => slipped.push((
                    tool.describe(),
                    "reported success".to_owned(),
                    vec![
                        format!(
                            "backed up into a {} filesystem: the tool reported success",
                            harness::report::human_bytes(small.bytes())
                        ),
                        format!(
                            "a complete backup is {}; left behind: {left}",
                            harness::report::human_bytes(full_size)
                        ),
                    ],
                )),
            }
            drop(small);
        }
        if !slipped.is_empty() {
            evidence.summary = format!(
                "a backup cut short by a full disk passes for a backup: {}",
                slipped
                    .iter()
                    .map(|(who, headline, _)| format!("{who} {headline}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            );
            for (who, _, details) in slipped {
                evidence.push_counterexample(format!("{who} on a full disk"), details);
            }
            return Ok(Outcome::refuted(evidence));
        }
        let leftovers = if partial_left.is_empty() {
            "nothing was left behind".to_owned()
        } else {
            format!(
                "only partial files named as such were left behind (by {})",
                partial_left.join(" and ")
            )
        };
        evidence.summary = format!(
            "on a full filesystem the backup was reported failed, by exit status, and {leftovers}; tried on {}",
            Tool::tried(&all)
        );
        Ok(Outcome::proven(evidence))
    }
}

fn harness_size(path: &std::path::Path) -> u64 {
    harness::backup::dump::size_on_disk(path).unwrap_or(0)
}
