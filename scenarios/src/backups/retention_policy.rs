//! Claim: backups ("30-day retention policy"); fault: time, with backups dated from 12
//! hours to twice the policy old by their modification time (as `find -mtime` sees it);
//! check: after the subject's backup command runs, exactly the backups older than the
//! policy are gone (the harness's retention model decides which), and a backup run that
//! fails (its database is gone) removes nothing, above all not the newest backup, however
//! old: a schedule that keeps failing must not eat the last good backup.
//!
//! Ages stay a day clear of the policy's edge, where "older than N days" and `find
//! -mtime +N` (whole days) disagree. With no policy claimed (`backup.retention_days`) none is
//! invented: backups dated from 12 hours to 400 days show what the command keeps, and the
//! verdict is NOT PROVEN with that retention (REFUTED still when a failing run eats the
//! newest backup).

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use harness::backup::retention::DAY;
use harness::backup::{age, checksums, dating, RetentionPolicy, SubjectTools, SystemClock};
use harness::run::scenario::{Context, ScenarioError};
use harness::{Evidence, Outcome, Scenario};

use harness::backup::tool;

/// With no policy claimed, the span the failing-run check dates its old backups by.
const UNCLAIMED_SPAN_DAYS: u32 = 30;

/// With no policy claimed, the ages (in half days) backups are dated to, so that the
/// retention the command applies can be read off what it removes.
const UNCLAIMED_AGES_HALF_DAYS: &[u32] =
    &[800, 400, 200, 120, 90, 62, 58, 40, 30, 26, 16, 12, 6, 3, 1];

pub struct RetentionPolicyHolds;

#[async_trait]
impl Scenario for RetentionPolicyHolds {
    fn id(&self) -> &'static str {
        "retention-policy"
    }

    fn claim(&self) -> &'static harness::run::scenario::ClaimSpec {
        super::CLAIM
    }

    fn title(&self) -> &'static str {
        "the backup command removes exactly the backups older than the policy, never the newest"
    }

    async fn run(&self, ctx: &Context) -> Result<Outcome, ScenarioError> {
        let mut evidence = Evidence::new("").seed(ctx.seed());
        if let Some(gap) = tool::tooling_gap(ctx.subject()) {
            evidence.summary = gap;
            return Ok(Outcome::refuted(evidence));
        }
        let claimed = ctx
            .subject()
            .manifest
            .backup
            .as_ref()
            .and_then(|b| b.retention_days);
        let days = claimed.unwrap_or(UNCLAIMED_SPAN_DAYS);
        let policy = RetentionPolicy::days(days);
        let tried: Vec<Duration> = match claimed {
            Some(days) => {
                evidence.push_observation("policy", format!("{days} days"));
                ages(days)
            }
            None => {
                evidence.push_observation(
                    "policy",
                    "none claimed (`backup.retention_days`): what the command keeps is observed",
                );
                UNCLAIMED_AGES_HALF_DAYS
                    .iter()
                    .map(|half_days| DAY / 2 * *half_days)
                    .collect()
            }
        };
        let db = ctx.migrated_database("retention").await?;
        let tools = tool::tools_of(db.server().as_ref())?;
        let own = SubjectTools::of(ctx.subject(), Some(tools)).expect("no tooling gap");

        // a backup per age (all made first, then dated: each run applies the policy), then
        // one more run, which applies it to them
        let dir = tool::backup_dir()?;
        let Some(made) = backups(&own, &db.admin(), dir.path(), &tried, &mut evidence).await?
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
            if gone {
                removed.push(days_old(*age));
            } else {
                kept.push(days_old(*age));
            }
            match (should_go, gone) {
                (true, false) => wrong.push(format!("kept {shown}: older than {days} days")),
                (false, true) => wrong.push(format!("removed {shown}: within {days} days")),
                _ => {}
            }
        }
        evidence.push_observation("removed", join_or_none(&removed));
        evidence.push_observation("kept", join_or_none(&kept));
        let observed = claimed.is_none().then(|| observed_retention(&ages_of));
        if let Some(observed) = &observed {
            evidence.push_observation("observed retention", observed.clone());
        } else if !wrong.is_empty() {
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
        let dir = tool::backup_dir()?;
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
        if let Some(observed) = observed {
            evidence.summary = format!(
                "no retention policy is claimed (`backup.retention_days`), so none is judged: the backup command {observed}; a failing run kept the newest backup"
            );
            return Ok(Outcome::not_proven(evidence));
        }
        evidence.summary = format!(
            "of backups dated 12 h to {} days old, exactly those past {days} days were removed; a failing run kept the newest ({})",
            2 * days,
            days_old(newest_age)
        );
        Ok(Outcome::proven(evidence))
    }
}

/// What the command kept and removed of backups of known ages, as a retention: "keeps
/// backups up to 13 days old and removes those 15 days and older".
fn observed_retention(ages_of: &[(PathBuf, Duration)]) -> String {
    let mut gone: Vec<Duration> = Vec::new();
    let mut kept: Vec<Duration> = Vec::new();
    for (file, age) in ages_of {
        if file.exists() {
            kept.push(*age);
        } else {
            gone.push(*age);
        }
    }
    let list = |ages: &[Duration]| {
        ages.iter()
            .map(|a| days_old(*a))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (gone.iter().min(), kept.iter().max()) {
        (None, oldest) => format!(
            "removed none of {} backups, the oldest {}: they accumulate without limit",
            ages_of.len(),
            days_old(oldest.copied().unwrap_or_default())
        ),
        (Some(_), None) => "removed every backup, the one it had just made too".into(),
        (Some(youngest_gone), Some(oldest_kept)) if youngest_gone > oldest_kept => format!(
            "kept the backups up to {} and removed those from {} on",
            days_old(*oldest_kept),
            days_old(*youngest_gone)
        ),
        (Some(_), Some(_)) => format!(
            "removed {} but kept {}: not by age",
            list(&gone),
            list(&kept)
        ),
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

/// Runs the backup command once per age and dates what each run wrote that long ago,
/// into `dir`; `None` (with the evidence written) when a run did not make a backup.
///
/// A run dated in the past runs in a directory of its own and its files are moved into
/// `dir` after: a script that names backups by the second (or the day) must not meet an
/// earlier run's file, as a real schedule's runs, a day apart, never do. A time written
/// in a name is rewritten to the date it stands for ([`dating`]); a run dated now runs in
/// `dir` itself, applying the policy to everything there.
async fn backups(
    own: &SubjectTools,
    source: &harness::backend::ConnInfo,
    dir: &std::path::Path,
    ages: &[Duration],
    evidence: &mut Evidence,
) -> Result<Option<Vec<(PathBuf, Duration)>>, ScenarioError> {
    let mut made = Vec::new();
    for &age in ages {
        let scratch = tool::backup_dir()?;
        let into = if age.is_zero() { dir } else { scratch.path() };
        let started = SystemTime::now();
        let run = own.backup(source, into).await?;
        let ended = SystemTime::now();
        let Some(file) = run.backup().filter(|_| run.success()) else {
            evidence.summary = "the backup command does not produce a backup".into();
            evidence.push_counterexample("back up", vec![run.describe()]);
            return Ok(None);
        };
        if age.is_zero() {
            made.push((file, age));
            continue;
        }
        let backup_name = name(&file);
        let stamp = dating::find_stamp(&backup_name, started, ended);
        // a name that only says the day cannot hold two backups of one day
        let mut age = match &stamp {
            Some(stamp) if stamp.daily() => age.max(DAY),
            _ => age,
        };
        while let Some(stamp) = stamp.as_ref().filter(|s| s.daily()) {
            if !dir.join(dating::redate(&backup_name, stamp, age)).exists() {
                break;
            }
            age += DAY;
        }
        let now = SystemTime::now();
        let mut moved = None;
        for entry in &run.new_entries {
            let entry_name = name(entry);
            let companion = entry_name.starts_with(&backup_name)
                || stamp
                    .as_ref()
                    .is_some_and(|s| dating::redate(&entry_name, s, age) != entry_name);
            if *entry != file
                && !(companion && (age::is_backup(entry) || checksums::is_manifest(entry)))
            {
                continue;
            }
            let dated = match &stamp {
                Some(stamp) => dating::redate(&entry_name, stamp, age),
                None => entry_name.clone(),
            };
            let destination = dir.join(&dated);
            if destination.exists() {
                evidence.summary = format!(
                    "the backup command names every backup `{dated}`: each run replaces the one before, so no more than one backup is ever kept"
                );
                evidence.push_counterexample(
                    "two backup runs, dated apart",
                    vec![run.describe(), format!("both wrote {dated}")],
                );
                return Ok(None);
            }
            std::fs::rename(entry, &destination)
                .map_err(|e| ScenarioError::failed(format!("move {}", entry.display()), e))?;
            age::backdate(&destination, now, age)
                .map_err(|e| ScenarioError::failed(format!("date {}", destination.display()), e))?;
            if *entry == file {
                moved = Some(destination);
            }
        }
        let noted = evidence
            .observations
            .iter()
            .any(|o| o.label == "backup names");
        if let (Some(stamp), false) = (&stamp, noted) {
            evidence.push_observation(
                "backup names",
                format!(
                    "carry their time as {}: renamed to the dates they stand for",
                    stamp.describe()
                ),
            );
        }
        made.push((moved.expect("the backup is among the new entries"), age));
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
