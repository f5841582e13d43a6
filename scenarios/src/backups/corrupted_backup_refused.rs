//! Claim: backups; fault: a backup truncated, one with a flipped bit (with pg_dump's default
//! compression and with `-Z0`), and a file that is no archive; check: no damaged backup is
//! restored. `pg_restore --list` accepts all of these and an uncompressed flip restores
//! silently wrong data, so the harness verifies the sha256 manifest beside every backup
//! before restoring; the evidence shows what `--list` and an unverified restore would have
//! let through. The subject's restore command, when there is one, must refuse each damaged
//! copy and leave the live database as it was, or restore it exactly.

use async_trait::async_trait;
use harness::backend::PgTools;
use harness::backup::corrupt::{self, Corruption};
use harness::backup::fingerprint::Fingerprint;
use harness::backup::{
    self, checksums, restore, BackupError, DumpOptions, RestoreOptions, SubjectTools,
};
use harness::run::scenario::{Context, ScenarioError};
use harness::schema::template::Database;
use harness::{Evidence, Outcome, Scenario};

use super::USERS;
use harness::backup::restored;
use harness::backup::tool;

/// The live database's size: other than the backup's, so a no-op restore shows.
const LIVE_USERS: u64 = USERS / 2;

pub struct CorruptedBackupRefused;

#[async_trait]
impl Scenario for CorruptedBackupRefused {
    fn id(&self) -> &'static str {
        "corrupted-backup-refused"
    }

    fn claim(&self) -> &'static harness::run::scenario::ClaimSpec {
        super::CLAIM
    }

    fn title(&self) -> &'static str {
        "truncated, bit-flipped and non-archive backups are refused, never restored"
    }

    async fn run(&self, ctx: &Context) -> Result<Outcome, ScenarioError> {
        let mut evidence = Evidence::new("").seed(ctx.seed());
        let source = ctx.seeded_database("corrupt_source", USERS).await?;
        let tools = tool::tools_of(source.server().as_ref())?;
        let expected = restored::fingerprint(&source).await?;
        let mut slipped: Vec<(String, Vec<String>)> = Vec::new();

        let caught_by_harness =
            harness_refuses(ctx, &tools, &source, &expected, &mut evidence, &mut slipped).await?;
        let mut summary = format!(
            "the harness refused all {caught_by_harness} damaged backups before pg_restore ran (sha256 manifest)"
        );
        if let Some(own) = SubjectTools::of(ctx.subject(), Some(tools.clone())) {
            let caught =
                subject_refuses(ctx, &own, &source, &expected, &mut evidence, &mut slipped).await?;
            summary.push_str(&format!(
                "; the subject's restore command refused all {caught} and left the database untouched"
            ));
        }
        if !slipped.is_empty() {
            evidence.summary = format!(
                "{} damaged backup(s) got through: {}",
                slipped.len(),
                slipped
                    .iter()
                    .map(|(what, _)| what.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            );
            for (what, details) in slipped {
                evidence.push_counterexample(what, details);
            }
            return Ok(Outcome::refuted(evidence));
        }
        evidence.summary = summary;
        Ok(Outcome::proven(evidence))
    }
}

/// The harness's own restore path: every damaged copy must be refused by the checksum
/// check (or, for a non-archive with a matching manifest, by pg_restore). Returns how many
/// were refused.
async fn harness_refuses(
    ctx: &Context,
    tools: &PgTools,
    source: &Database,
    expected: &Fingerprint,
    evidence: &mut Evidence,
    slipped: &mut Vec<(String, Vec<String>)>,
) -> Result<usize, ScenarioError> {
    let dir = tool::backup_dir()?;
    let mut refused = 0;
    for (z, options) in [
        ("default compression", DumpOptions::custom()),
        ("-Z0", DumpOptions::custom().compression(0)),
    ] {
        let label = if options.compression.is_some() {
            "z0"
        } else {
            "z"
        };
        let original = backup::dump(
            tools,
            &source.admin(),
            &dir.path().join(format!("corrupt_{label}.dump")),
            options,
        )
        .await?;
        for corruption in [Corruption::Truncated, Corruption::FlippedBit] {
            let case = format!("harness: {} ({z})", corruption.describe());
            let into = dir.path().join(format!("{label}-{}", corruption.label()));
            std::fs::create_dir(&into)
                .map_err(|e| ScenarioError::failed(format!("create {}", into.display()), e))?;
            let damaged = corrupt::damaged_copy(&original.path, &into, corruption)
                .map_err(|e| ScenarioError::failed("damage a copy", e))?;
            let listed = match restore::list(tools, &damaged.path).await {
                Ok(entries) => format!("exit 0, {entries} entries"),
                Err(e) => format!("refused: {}", tool::refusal(e)?),
            };
            let target = ctx
                .empty_database(&format!("corrupt_{label}_{}", corruption.label()))
                .await?;
            match backup::restore(
                tools,
                &damaged.path,
                &target.admin(),
                RestoreOptions::default(),
            )
            .await
            {
                Err(BackupError::Integrity(e)) => {
                    refused += 1;
                    evidence.push_observation(
                        case.clone(),
                        format!(
                            "{}; pg_restore --list: {listed}; refused: {e}",
                            damaged.what
                        ),
                    );
                }
                Err(e) => {
                    // refused, but not by the checksum: still refused
                    refused += 1;
                    evidence.push_observation(
                        case.clone(),
                        format!(
                            "{}; refused by pg_restore: {}",
                            damaged.what,
                            tool::refusal(e)?
                        ),
                    );
                }
                Ok(_) => slipped.push((
                    case.clone(),
                    vec![damaged.what.clone(), "the harness restored it".into()],
                )),
            }
            if options.compression == Some(0) && corruption == Corruption::FlippedBit {
                let unverified = ctx.empty_database("corrupt_unverified").await?;
                let shown = match backup::restore(
                    tools,
                    &damaged.path,
                    &unverified.admin(),
                    RestoreOptions::default().without_checksum_check(),
                )
                .await
                {
                    Ok(_) => {
                        let diff = restored::differences(expected, &unverified).await?;
                        if diff.is_empty() {
                            "pg_restore exits 0 and this flip changed nothing visible".to_owned()
                        } else {
                            format!(
                                "pg_restore exits 0 and the copy silently differs: {}",
                                diff.details.join("; ")
                            )
                        }
                    }
                    Err(e) => format!("pg_restore fails: {}", tool::refusal(e)?),
                };
                evidence
                    .push_observation(format!("without the checksum ({z}, flipped bit)"), shown);
            }
        }
    }

    // text that is no archive, with a manifest that matches it: pg_restore must say so
    let garbage = dir.path().join("not_an_archive.dump");
    std::fs::write(&garbage, b"this is not a backup\n")
        .map_err(|e| ScenarioError::failed(format!("write {}", garbage.display()), e))?;
    let (entries, _) = checksums::compute(&garbage, "not_an_archive.dump")
        .map_err(|e| ScenarioError::failed(format!("checksum {}", garbage.display()), e))?;
    checksums::write_manifest(&checksums::manifest_path(&garbage), &entries)?;
    let target = ctx.empty_database("corrupt_not_archive").await?;
    let case = "harness: a file that is not an archive (checksum matching)".to_owned();
    match backup::restore(tools, &garbage, &target.admin(), RestoreOptions::default()).await {
        Err(e @ BackupError::NotAnArchive { .. }) => {
            refused += 1;
            evidence.push_observation(case, format!("refused: {e}"));
        }
        Err(e) => slipped.push((case, vec![format!("refused without saying why: {e}")])),
        Ok(_) => slipped.push((case, vec!["the harness restored it".into()])),
    }
    Ok(refused)
}

/// The subject's restore command, given damaged copies of the subject's own backup, aimed
/// at a live database: it must refuse each and leave the database as it was (or restore it
/// exactly). Returns how many were handled so.
async fn subject_refuses(
    ctx: &Context,
    own: &SubjectTools,
    source: &Database,
    expected: &Fingerprint,
    evidence: &mut Evidence,
    slipped: &mut Vec<(String, Vec<String>)>,
) -> Result<usize, ScenarioError> {
    let dir = tool::backup_dir()?;
    let made = own.backup(&source.admin(), dir.path()).await?;
    let Some(original) = made.backup().filter(|_| made.success()) else {
        slipped.push((
            "subject: back up".into(),
            vec![format!(
                "the backup command gave no backup: {}",
                made.describe()
            )],
        ));
        return Ok(0);
    };
    let mut handled = 0;
    for corruption in Corruption::ALL {
        let case = format!("subject: {}", corruption.describe());
        let into = dir.path().join(corruption.label());
        std::fs::create_dir(&into)
            .map_err(|e| ScenarioError::failed(format!("create {}", into.display()), e))?;
        let damaged = corrupt::damaged_copy(&original, &into, corruption)
            .map_err(|e| ScenarioError::failed("damage a copy", e))?;
        // the live database holds other data than the backup, so a restore that does
        // nothing and still reports success cannot pass as "restored exactly"
        let live = ctx
            .seeded_database(&format!("corrupt_live_{}", corruption.label()), LIVE_USERS)
            .await?;
        let before = restored::fingerprint(&live).await?;
        if expected.diff(&before).is_empty() {
            return Err(ScenarioError::Other(
                "the live database matches the backup before the restore, so the restore could not be judged".into(),
            ));
        }
        let safety_dir = tool::backup_dir()?;
        let run = own
            .restore(&live.admin(), &damaged.path, safety_dir.path())
            .await?;
        if run.success() {
            let diff = restored::differences(expected, &live).await?;
            if diff.is_empty() {
                handled += 1;
                evidence.push_observation(
                    case,
                    format!(
                        "{}; restored exactly (the damage was harmless)",
                        damaged.what
                    ),
                );
            } else {
                let mut details = vec![
                    damaged.what.clone(),
                    format!("{} — and the database now differs:", run.describe()),
                ];
                details.extend(diff.details);
                slipped.push((format!("{case}: restored"), details));
            }
        } else {
            let diff = restored::differences(&before, &live).await?;
            if diff.is_empty() {
                handled += 1;
                evidence.push_observation(
                    case,
                    format!("{}; refused: {}", damaged.what, run.describe()),
                );
            } else {
                let mut details = vec![
                    damaged.what.clone(),
                    format!("{} — but the database was changed:", run.describe()),
                ];
                details.extend(diff.details);
                slipped.push((format!("{case}: refused too late"), details));
            }
        }
    }
    Ok(handled)
}
