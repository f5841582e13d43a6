//! Claim: backups ("30-day retention policy"); fault: time, with backups dated from 12
//! hours to twice the policy old by their modification time (as `find -mtime` sees it);
//! check: after the subject's backup command runs, exactly the backups older than the
//! policy are gone (the harness's retention model decides which), and a backup run that
//! fails (its database is gone) removes nothing, above all not the newest backup, however
//! old: a schedule that keeps failing must not eat the last good backup.
//!
//! Ages stay a day clear of the policy's edge, where "older than N days" and `find
//! -mtime +N` (whole days) disagree.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use harness::backup::retention::DAY;
use harness::backup::{age, checksums, RetentionPolicy, SubjectTools, SystemClock};
use harness::scenario::{Context, ScenarioError};
use harness::{Evidence, Outcome, Scenario};

use super::support;

/// The report's policy, when the manifest states none.
const CLAIMED_DAYS: u32 = 30;

pub struct RetentionPolicyHolds;

#[async_trait]
impl Scenario for RetentionPolicyHolds {
    fn id(&self) -> &'static str {
        "retention-policy"
    }

    fn claim(&self) -> &'static str {
        super::CLAIM
    }

    fn title(&self) -> &'static str {
        "the backup command removes exactly the backups older than the policy, never the newest"
    }

    async fn run(&self, ctx: &Context) -> Result<Outcome, ScenarioError> {
        let mut evidence = Evidence::new("").seed(ctx.seed());
        if let Some(gap) = support::tooling_gap(ctx.subject()) {
            evidence.summary = gap;
            return Ok(Outcome::refuted(evidence));
        }
        let days = ctx
            .subject()
            .manifest
            .backup
            .as_ref()
            .and_then(|b| b.retention_days)
            .unwrap_or(CLAIMED_DAYS);
        let policy = RetentionPolicy::days(days);
        evidence.push_observation("policy", format!("{days} days"));
        let db = ctx.migrated_database("retention").await?;
        let tools = support::tools_of(db.server().as_ref())?;
        let own = SubjectTools::of(ctx.subject(), Some(tools)).expect("no tooling gap");

        // a backup per age (all made first, then dated: each run applies the policy), then
        // one more run, which applies it to them
        let dir = support::backup_dir()?;
        let Some(made) = backups(&own, &db.admin(), dir.path(), &ages(days), &mut evidence).await?
        else {
            return Ok(Outcome::refuted(evidence));
        };
        let Some(fresh) = backups(
            &own,
            &db.admin(),
            dir.path(),
            &[Duration::ZERO],
            &mut evidence,
        )
        .await?
        else {
            return Ok(Outcome::refuted(evidence));
        };
        let now = SystemTime::now();
        let ages_of: Vec<(PathBuf, Duration)> = made.into_iter().chain(fresh).collect();
        let dated: Vec<(PathBuf, SystemTime)> = ages_of
            .iter()
            .map(|(file, age)| (file.clone(), now - *age))
            .collect();

        let expired = policy.expired(&dated, &SystemClock);
        let mut wrong = Vec::new();
        let (mut removed, mut kept) = (Vec::new(), Vec::new());
        for (file, age) in &ages_of {
            let should_go = expired.contains(&file);
            let gone = !file.exists();
            let shown = format!("{} ({})", name(file), days_old(*age));
            match (should_go, gone) {
                (true, true) => removed.push(days_old(*age)),
                (false, false) => kept.push(days_old(*age)),
                (true, false) => wrong.push(format!("kept {shown}: older than {days} days")),
                (false, true) => wrong.push(format!("removed {shown}: within {days} days")),
            }
        }
        evidence.push_observation("removed", join_or_none(&removed));
        evidence.push_observation("kept", join_or_none(&kept));
        if !wrong.is_empty() {
            evidence.summary =
                format!("the backup command does not apply the {days}-day retention policy");
            evidence.push_counterexample(
                format!(
                    "backups dated 0 to {} days old, then one backup run",
                    2 * days
                ),
                wrong,
            );
            return Ok(Outcome::refuted(evidence));
        }

        // every backup old, and the next run fails: the newest must survive it
        let dir = support::backup_dir()?;
        let old = [DAY * (2 * days), DAY * (days + 5)];
        let Some(made) = backups(&own, &db.admin(), dir.path(), &old, &mut evidence).await? else {
            return Ok(Outcome::refuted(evidence));
        };
        let (newest, newest_age) = made.last().cloned().expect("two backups were made");
        let gone = db.admin().with_database("readiness_no_such_database");
        let failed = own.backup(&gone, dir.path()).await?;
        evidence.push_observation("a run whose database is gone", failed.describe());
        let survived = made.iter().filter(|(file, _)| file.exists()).count();
        evidence.push_observation(
            "backups left after the failed run",
            format!("{survived} of {} (all past the policy)", made.len()),
        );
        if !newest.exists() {
            evidence.summary = "a failed backup run removed the newest backup".into();
            evidence.push_counterexample(
                "backups all older than the policy, then a run that cannot reach its database",
                vec![
                    failed.describe(),
                    format!(
                        "the newest backup, {} ({}), was removed",
                        name(&newest),
                        days_old(newest_age)
                    ),
                ],
            );
            return Ok(Outcome::refuted(evidence));
        }
        if failed.success() {
            evidence.summary = "a backup run that cannot reach its database reports success".into();
            evidence.push_counterexample("a run whose database is gone", vec![failed.describe()]);
            return Ok(Outcome::refuted(evidence));
        }
        evidence.summary = format!(
            "of backups dated 12 h to {} days old, exactly those past {days} days were removed; a failing run kept the newest ({})",
            2 * days,
            days_old(newest_age)
        );
        Ok(Outcome::proven(evidence))
    }
}

/// Ages of the backups: some within the policy, some beyond, none within a day of its edge.
fn ages(days: u32) -> Vec<Duration> {
    let mut ages = vec![
        DAY * (2 * days),
        DAY * (days + days / 2 + 1),
        DAY * (days + 1),
    ];
    if days >= 2 {
        ages.push(DAY * (days - 1));
    }
    if days >= 4 {
        ages.push(DAY * (days / 2));
    }
    ages.push(DAY / 2);
    ages.dedup();
    ages
}

/// Runs the backup command once per age, then dates what each run wrote that long ago;
/// `None` (with the evidence written) when a run did not make a backup.
async fn backups(
    own: &SubjectTools,
    source: &harness::backend::ConnInfo,
    dir: &std::path::Path,
    ages: &[Duration],
    evidence: &mut Evidence,
) -> Result<Option<Vec<(PathBuf, Duration)>>, ScenarioError> {
    let mut runs = Vec::new();
    for age in ages {
        let run = own.backup(source, dir).await?;
        let Some(file) = run.backup().filter(|_| run.success()) else {
            evidence.summary = "the backup command does not produce a backup".into();
            evidence.push_counterexample("back up", vec![run.describe()]);
            return Ok(None);
        };
        runs.push((file, *age, run.new_entries));
    }
    let now = SystemTime::now();
    let mut made = Vec::new();
    for (file, age, entries) in runs {
        for entry in entries
            .iter()
            .filter(|e| age::is_backup(e) || checksums::is_manifest(e))
        {
            age::backdate(entry, now, age).map_err(|e| {
                ScenarioError::Other(format!("failed to date {}: {e}", entry.display()))
            })?;
        }
        made.push((file, age));
    }
    Ok(Some(made))
}

fn name(path: &std::path::Path) -> String {
    path.file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

fn days_old(age: Duration) -> String {
    let days = age.as_secs_f64() / DAY.as_secs_f64();
    if days < 1.0 {
        format!("{:.0} h old", age.as_secs_f64() / 3600.0)
    } else {
        format!("{days:.0} days old")
    }
}

fn join_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}
