//! Claim: backups; fault: the whole server is destroyed, and later an accidental DELETE;
//! check: the subject's own backup command makes a backup that its own restore command
//! restores into a brand-new server with the source's fingerprint (pg_amcheck clean, every
//! invariant, the app role ready); restoring over the damaged database brings it back and
//! first leaves a safety backup in `BACKUP_DIR`, which itself restores to the damaged
//! state. When the manifest names the real backup directory (`backup.dir`), its newest
//! backup must be younger than `backup.max_age_hours`: a schedule that silently stopped is
//! the usual way backups fail. Without backup commands the claim is refuted: "no backup
//! configured".

use std::time::SystemTime;

use async_trait::async_trait;
use harness::backup::age::{self, NewestBackup};
use harness::backup::{BackupError, SubjectTools, SystemClock};
use harness::run::scenario::{Context, ScenarioError};
use harness::schema::template::{Database, TemplatePool};
use harness::{Evidence, Outcome, Scenario};
use sqlx::{Connection, Executor};

use super::USERS;
use harness::backup::restored;
use harness::backup::source::{self, Source};
use harness::backup::tool;

pub struct OwnScriptsRoundTrip;

#[async_trait]
impl Scenario for OwnScriptsRoundTrip {
    fn id(&self) -> &'static str {
        "own-scripts-round-trip"
    }

    fn claim(&self) -> &'static harness::run::scenario::ClaimSpec {
        super::CLAIM
    }

    fn title(&self) -> &'static str {
        "the subject's backup and restore commands survive a destroyed server; restores leave a safety backup"
    }

    async fn run(&self, ctx: &Context) -> Result<Outcome, ScenarioError> {
        let mut evidence = Evidence::new("").seed(ctx.seed());
        if let Some(gap) = tool::tooling_gap(ctx.subject()) {
            evidence.summary = gap;
            return Ok(Outcome::refuted(evidence));
        }
        if let Some(stale) = check_schedule(ctx, &mut evidence)? {
            evidence.summary = stale;
            return Ok(Outcome::refuted(evidence));
        }

        let source = Source::seeded(ctx, "own_scripts_source", USERS).await?;
        let tools = tool::tools_of(source.server.as_ref())?;
        let own = SubjectTools::of(ctx.subject(), Some(tools)).expect("no tooling gap");
        let expected = source.fingerprint(ctx).await?;
        let into = source::restored_into(source.server.as_ref());
        let dir = tool::backup_dir()?;

        let made = own.backup(&source.db.admin(), dir.path()).await?;
        evidence.push_timing("backup command", made.finished.elapsed);
        let file = match made.backup() {
            Some(file) if made.success() => file,
            _ => {
                evidence.summary = "the backup command does not produce a backup".into();
                let mut details = vec![made.describe()];
                if made.success() {
                    details.push("it exited 0 but wrote no backup into $BACKUP_DIR".into());
                }
                evidence.push_counterexample("back up", details);
                return Ok(Outcome::refuted(evidence));
            }
        };
        evidence.push_observation(
            "backup",
            format!(
                "{} ({})",
                file.file_name().unwrap_or_default().to_string_lossy(),
                harness::report::human_bytes(
                    harness::backup::dump::size_on_disk(&file).unwrap_or(0)
                )
            ),
        );
        evidence.push_observation("fault", source.destroy(ctx).await?);

        let (target, provision) = source::fresh_target(ctx, "own_scripts_target").await?;
        evidence.push_timing("provision a new server", provision);
        // every restore gets a BACKUP_DIR of its own for its safety backup: a script that
        // names backups by the second must not overwrite the file it is restoring
        let safety_dir = tool::backup_dir()?;
        let restored = own
            .restore(&target.admin(), &file, safety_dir.path())
            .await?;
        evidence.push_timing("restore command", restored.finished.elapsed);
        if !restored.success() {
            evidence.summary = format!("the restore command fails into {into}");
            evidence.push_counterexample(
                "restore after the server was destroyed",
                vec![restored.describe()],
            );
            return Ok(Outcome::refuted(evidence));
        }
        let check = restored::check_restored(ctx.subject(), &expected, &target).await?;
        evidence.push_timing("verify the restored copy", check.elapsed);
        check.record(&mut evidence, "after the disaster");
        let problems = check.problems();
        if !problems.is_empty() {
            evidence.summary = format!(
                "the restored copy is not the source (tables that differ: {})",
                if check.differences.tables.is_empty() {
                    "none".into()
                } else {
                    harness::report::summarised(&check.differences.tables)
                }
            );
            evidence.push_counterexample("restored copy against the destroyed source", problems);
            return Ok(Outcome::refuted(evidence));
        }
        if let Some(why) = check.unchecked() {
            evidence.summary = why;
            return Ok(Outcome::not_proven(evidence));
        }

        if let Some(outcome) =
            safety_backup(ctx, &own, &target, &file, &expected, &mut evidence).await?
        {
            return Ok(outcome);
        }
        evidence.summary = format!(
            "the subject's backup of {} rows restored into {into} identical to the destroyed source; a restore over a damaged database brought it back and left a safety backup that restores",
            expected.total_rows()
        );
        Ok(Outcome::proven(evidence))
    }
}

/// The backup-age check, when the manifest names the real backup directory: the reason
/// the claim fails, if it does.
fn check_schedule(ctx: &Context, evidence: &mut Evidence) -> Result<Option<String>, ScenarioError> {
    let subject = ctx.subject();
    let Some(section) = subject.manifest.backup.as_ref() else {
        return Ok(None);
    };
    let Some(dir) = &section.dir else {
        evidence.push_observation(
            "newest backup",
            "not checked: the manifest names no backup.dir",
        );
        return Ok(None);
    };
    let dir = subject.path(dir);
    let limit = section.max_age_hours();
    let newest = match age::newest_backup(&dir, &SystemClock) {
        Ok(newest) => newest,
        Err(e @ BackupError::BadDirectory { .. }) => {
            evidence.push_counterexample("backup.dir", vec![e.to_string()]);
            return Ok(Some(format!("the backup directory cannot be checked: {e}")));
        }
        Err(e) => return Err(e.into()),
    };
    if !age::writable(&dir) {
        let why = format!(
            "backup directory {} is not writable: no new backup can land there",
            dir.display()
        );
        evidence.push_counterexample("backup.dir", vec![why.clone()]);
        return Ok(Some(why));
    }
    let Some(NewestBackup { path, age, .. }) = newest else {
        let why = format!("there is no backup in {}", dir.display());
        evidence.push_counterexample("backup.dir", vec![why.clone()]);
        return Ok(Some(why));
    };
    let hours = age.as_secs_f64() / 3600.0;
    evidence.push_observation(
        "newest backup",
        format!("{} is {hours:.1} h old (limit {limit} h)", path.display()),
    );
    if hours > limit {
        let why = format!(
            "the newest backup in {} is {hours:.1} h old, past the {limit} h limit: the backup schedule has stopped",
            dir.display()
        );
        evidence.push_counterexample(
            "backup schedule",
            vec![
                format!("{} last written {:.1} h ago", path.display(), hours),
                format!("checked at {}", humantime(SystemTime::now())),
            ],
        );
        return Ok(Some(why));
    }
    Ok(None)
}

/// The accident and the restore over it: the restore must bring the database back, leave a
/// safety backup first, and that safety backup must restore to the damaged state.
async fn safety_backup(
    ctx: &Context,
    own: &SubjectTools,
    target: &Database,
    file: &std::path::Path,
    expected: &harness::backup::Fingerprint,
    evidence: &mut Evidence,
) -> Result<Option<Outcome>, ScenarioError> {
    let accident = accidental_delete(target).await?;
    evidence.push_observation("accident", accident);
    let damaged = restored::fingerprint(target).await?;
    let dir = tool::backup_dir()?;
    let run = own.restore(&target.admin(), file, dir.path()).await?;
    if !run.success() {
        evidence.summary = "the restore command fails over an existing database".into();
        evidence.push_counterexample("restore after an accidental DELETE", vec![run.describe()]);
        return Ok(Some(Outcome::refuted(evidence.clone())));
    }
    let diff = restored::differences(expected, target).await?;
    if !diff.is_empty() {
        evidence.summary = format!(
            "restoring over the damaged database does not bring it back (tables that differ: {})",
            harness::report::summarised(&diff.tables)
        );
        evidence.push_counterexample("restore after an accidental DELETE", diff.details);
        return Ok(Some(Outcome::refuted(evidence.clone())));
    }
    let safety: Vec<_> = run
        .new_entries
        .iter()
        .filter(|p| age::is_backup(p))
        .cloned()
        .collect();
    let Some(safety) = safety.into_iter().next() else {
        evidence.summary =
            "the restore command left no safety backup of the database it overwrote".into();
        evidence.push_counterexample(
            "safety backup",
            vec![
                format!("{} exited 0", run.command),
                format!("new entries in $BACKUP_DIR: {}", list(&run.new_entries)),
            ],
        );
        return Ok(Some(Outcome::refuted(evidence.clone())));
    };
    evidence.push_observation(
        "safety backup",
        safety.file_name().unwrap_or_default().to_string_lossy(),
    );
    let undo = ctx.track(
        TemplatePool::new(target.server().clone())
            .empty("own_scripts_undo")
            .await?,
    );
    let undo_dir = tool::backup_dir()?;
    let undone = own.restore(&undo.admin(), &safety, undo_dir.path()).await?;
    let diff = if undone.success() {
        restored::differences(&damaged, &undo).await?
    } else {
        Default::default()
    };
    if !undone.success() || !diff.is_empty() {
        evidence.summary = "the safety backup does not restore to the database it saved".into();
        let mut details = vec![undone.describe()];
        details.extend(diff.details);
        evidence.push_counterexample("restore the safety backup", details);
        return Ok(Some(Outcome::refuted(evidence.clone())));
    }
    Ok(None)
}

/// Deletes half the rows of the largest table no foreign key points at; returns what.
async fn accidental_delete(db: &Database) -> Result<String, ScenarioError> {
    let mut conn = db
        .connect_admin()
        .await
        .map_err(|e| ScenarioError::sql("connect for the accident", e))?;
    let leaf: Option<(String, i64)> = sqlx::query_as(
        "SELECT c.oid::regclass::text, c.reltuples::int8 FROM pg_class c \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
           AND n.nspname NOT LIKE 'pg\\_%' \
           AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.confrelid = c.oid) \
         ORDER BY c.reltuples DESC, 1 LIMIT 1",
    )
    .fetch_optional(&mut conn)
    .await
    .map_err(|e| ScenarioError::sql("choose a table for the accident", e))?;
    let Some((table, _)) = leaf else {
        return Err(ScenarioError::Other("no table to delete from".into()));
    };
    let sql = format!(
        "DELETE FROM {table} WHERE ctid IN (SELECT ctid FROM {table} ORDER BY ctid LIMIT (SELECT count(*) / 2 + 1 FROM {table}))"
    );
    let deleted = conn
        .execute(sql.as_str())
        .await
        .map_err(|e| ScenarioError::sql(format!("delete from {table}"), e))?
        .rows_affected();
    let _ = conn.close().await;
    Ok(format!("DELETE of {deleted} rows from {table}"))
}

fn list(paths: &[std::path::PathBuf]) -> String {
    if paths.is_empty() {
        return "none".into();
    }
    paths
        .iter()
        .map(|p| {
            p.file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned()
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn humantime(at: SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(at).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
