//! The `backups` claim: PROVEN on instantviz (its backup and restore scripts), REFUTED on
//! instantviz-before ("NO BACKUPS"), and REFUTED on mutants of instantviz's scripts, one per
//! fault the harness must catch: a script that ignores pg_dump's exit status, a restore
//! without a checksum check or a transaction, a backup dumped table by table, a restore
//! without a safety backup, no retention, a stale backup directory. Each run prints its
//! seed (`READINESS_SEED` replays it).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use harness::backup::age;
use harness::{Scenario, Status};
use scenarios::backups::{
    BackupTargetFull, CorruptedBackupRefused, OwnScriptsRoundTrip, PgDumpRoundTrip,
    RetentionPolicyHolds, ServerKilledMidBackup, WritesDuringBackup,
};
use scenarios::subjects::{bundled, INSTANTVIZ, INSTANTVIZ_BEFORE};
use scenarios::testing::{
    assert_claim, assert_scenario, can_mount_or_skip, evidence_text, verify_bundled, verify_with,
};

const CLAIM: &str = "backups";
const BACKUP: &str = "backup-database.sh";
const RESTORE: &str = "restore-database.sh";

async fn run(
    dir: &Path,
    scenario: impl Scenario + 'static,
) -> harness::report::evidence::Scorecard {
    let scenarios: Vec<Arc<dyn Scenario>> = vec![Arc::new(scenario)];
    verify_with(dir, &[CLAIM], &scenarios).await
}

/// A copy of instantviz whose scripts have each `(script, from, to)` edit made.
fn mutant(edits: &[(&str, &str, &str)]) -> tempfile::TempDir {
    let dir = scenarios::testing::copy_subject(INSTANTVIZ);
    for (name, from, to) in edits {
        let script = dir.path().join("infra/scripts").join(name);
        let text = std::fs::read_to_string(&script).unwrap();
        assert!(text.contains(from), "{name} does not contain {from:?}");
        std::fs::write(&script, text.replace(from, to)).unwrap();
    }
    dir
}

/// A copy of instantviz with `extra` appended to its manifest's `[backup]` section.
fn with_backup_keys(extra: &str) -> tempfile::TempDir {
    let dir = scenarios::testing::copy_subject(INSTANTVIZ);
    let manifest = dir.path().join("readiness.toml");
    let text = std::fs::read_to_string(&manifest).unwrap().replace(
        "retention_days = 30\n",
        &format!("retention_days = 30\n{extra}\n"),
    );
    std::fs::write(&manifest, text).unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backups_proven_on_instantviz() {
    let scorecard = verify_bundled(INSTANTVIZ, &[CLAIM]).await;
    if !can_mount_or_skip("backups_proven_on_instantviz, its full-disk part") {
        // without root there is no full disk to show: that scenario, and so the claim, is
        // NOT PROVEN, and everything else must still be proven
        assert_scenario(&scorecard, CLAIM, "backup-target-full", Status::NotProven);
        for scenario in scorecard
            .claim(CLAIM)
            .unwrap()
            .scenarios
            .iter()
            .filter(|s| s.id != "backup-target-full")
        {
            assert_scenario(&scorecard, CLAIM, &scenario.id, Status::Proven);
        }
        return;
    }
    assert_claim(&scorecard, CLAIM, Status::Proven);
    let corrupted = evidence_text(&scorecard, CLAIM, "corrupted-backup-refused");
    assert!(
        corrupted.contains("pg_restore --list: exit 0"),
        "{corrupted}"
    );
    assert!(
        corrupted.contains("without the checksum (-Z0, flipped bit)"),
        "{corrupted}"
    );
    let full = evidence_text(&scorecard, CLAIM, "backup-target-full");
    assert!(full.contains("No space left on device"), "{full}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backups_refuted_without_backup_commands() {
    let dir = bundled(INSTANTVIZ_BEFORE);
    let scorecard = run(&dir, OwnScriptsRoundTrip).await;
    assert_claim(&scorecard, CLAIM, Status::Refuted);
    let evidence = evidence_text(&scorecard, CLAIM, "own-scripts-round-trip");
    assert!(evidence.contains("no backup configured"), "{evidence}");
    let scorecard = run(&dir, RetentionPolicyHolds).await;
    assert_scenario(&scorecard, CLAIM, "retention-policy", Status::Refuted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pg_dump_round_trip_refuted_when_a_check_reads_another_table() {
    // a CHECK calling a function that reads another table holds on live data, but a serial
    // restore of the custom archive loads project_visualizations before projects (pg_dump's
    // name order), so it fails on every run; in parallel it would depend on the workers' pace
    let dir = scenarios::testing::copy_subject(INSTANTVIZ);
    std::fs::write(
        dir.path()
            .join("migrations/0004_check_reads_projects.up.sql"),
        "CREATE FUNCTION project_exists(bigint) RETURNS boolean LANGUAGE sql STABLE \
         AS 'SELECT EXISTS (SELECT 1 FROM public.projects WHERE id = $1)';\n\
         ALTER TABLE project_visualizations ADD CONSTRAINT slide_project_exists \
         CHECK (public.project_exists(project_id));\n",
    )
    .unwrap();
    std::fs::write(
        dir.path()
            .join("migrations/0004_check_reads_projects.down.sql"),
        "ALTER TABLE project_visualizations DROP CONSTRAINT slide_project_exists;\n\
         DROP FUNCTION project_exists(bigint);\n",
    )
    .unwrap();
    let scorecard = run(dir.path(), PgDumpRoundTrip).await;
    assert_claim(&scorecard, CLAIM, Status::Refuted);
    let evidence = evidence_text(&scorecard, CLAIM, "pg-dump-round-trip");
    assert!(evidence.contains("slide_project_exists"), "{evidence}");
}

/// A naive backup script, as they are often written: no `set -e`, pg_dump's exit status
/// never looked at, "Backup complete" whatever happened.
fn script_ignoring_pg_dump_failure() -> tempfile::TempDir {
    let dir = scenarios::testing::copy_subject(INSTANTVIZ);
    std::fs::write(
        dir.path().join("infra/scripts").join(BACKUP),
        "#!/bin/sh\n\
         name=\"instantviz_$(date -u +%Y%m%dT%H%M%S.%NZ).dump\"\n\
         pg_dump --format=custom --file=\"$BACKUP_DIR/$name\" --dbname=\"$DATABASE_URL\"\n\
         (cd \"$BACKUP_DIR\" && sha256sum \"$name\" > \"$name.sha256\")\n\
         find \"$BACKUP_DIR\" -name 'instantviz_*.dump' -mtime +30 -delete\n\
         echo \"Backup complete: $name\"\n",
    )
    .unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_target_full_refuted_when_the_script_ignores_pg_dump_failure() {
    if !can_mount_or_skip("backup_target_full_refuted_when_the_script_ignores_pg_dump_failure") {
        return;
    }
    let dir = script_ignoring_pg_dump_failure();
    let scorecard = run(dir.path(), BackupTargetFull).await;
    assert_claim(&scorecard, CLAIM, Status::Refuted);
    let evidence = evidence_text(&scorecard, CLAIM, "backup-target-full");
    assert!(
        evidence.contains("a backup cut short by a full disk passes for a backup"),
        "{evidence}"
    );
    assert!(evidence.contains("reported success"), "{evidence}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_target_full_refuted_when_the_script_leaves_a_truncated_file_named_like_a_backup() {
    if !can_mount_or_skip("backup_target_full_refuted_when_the_script_leaves_a_truncated_file") {
        return;
    }
    // the script reports the failure, but writes the dump straight to its final name and
    // leaves it there
    let dir = mutant(&[
        (
            BACKUP,
            "partial=\"$BACKUP_DIR/$name.partial\"",
            "partial=\"$BACKUP_DIR/$name\"",
        ),
        (BACKUP, "trap 'rm -f \"$partial\" ", "trap 'rm -f "),
        (BACKUP, "mv \"$partial\" \"$BACKUP_DIR/$name\"\n", ""),
    ]);
    let scorecard = run(dir.path(), BackupTargetFull).await;
    assert_claim(&scorecard, CLAIM, Status::Refuted);
    let evidence = evidence_text(&scorecard, CLAIM, "backup-target-full");
    assert!(evidence.contains("named like a backup"), "{evidence}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_killed_mid_backup_refuted_when_the_script_ignores_pg_dump_failure() {
    let dir = script_ignoring_pg_dump_failure();
    let scorecard = run(dir.path(), ServerKilledMidBackup).await;
    assert_claim(&scorecard, CLAIM, Status::Refuted);
    let evidence = evidence_text(&scorecard, CLAIM, "server-killed-mid-backup");
    assert!(
        evidence.contains("cut short by a server crash"),
        "{evidence}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corrupted_backup_refuted_when_the_restore_skips_checksum_and_transaction() {
    let unchecked = mutant(&[
        (
            RESTORE,
            "[ \"$expected\" = \"$actual\" ] || fail",
            "true || fail",
        ),
        (
            RESTORE,
            "pg_restore --list \"$file\" > /dev/null || fail",
            "true || fail",
        ),
        (RESTORE, "--single-transaction --exit-on-error ", ""),
    ]);
    let scorecard = run(unchecked.path(), CorruptedBackupRefused).await;
    assert_claim(&scorecard, CLAIM, Status::Refuted);
    let evidence = evidence_text(&scorecard, CLAIM, "corrupted-backup-refused");
    assert!(
        evidence.contains("subject: truncated to half its length"),
        "{evidence}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_during_backup_refuted_when_tables_are_dumped_one_by_one() {
    // children before parents, one pg_dump each: every signup committed between two of
    // them leaves a user without a workspace in the backup
    let dir = mutant(&TABLE_BY_TABLE);
    let scorecard = run(dir.path(), WritesDuringBackup).await;
    assert_claim(&scorecard, CLAIM, Status::Refuted);
    let evidence = evidence_text(&scorecard, CLAIM, "writes-during-backup");
    assert!(
        evidence.contains("every user has a workspace"),
        "{evidence}"
    );
}

/// instantviz dumped table by table, children first (a backup that is no snapshot).
const TABLE_BY_TABLE: [(&str, &str, &str); 3] = [
    (
        BACKUP,
        "if ! pg_dump --format=custom --file=\"$partial\" --dbname=\"$DATABASE_URL\"; then",
        "if ! { pg_dump --schema-only --dbname=\"$DATABASE_URL\" && \
         for t in project_visualizations projects workspaces users stripe_events _sqlx_migrations; do \
         pg_dump --data-only --disable-triggers --table=\"$t\" --dbname=\"$DATABASE_URL\" || exit 1; \
         done; } > \"$partial\"; then",
    ),
    (RESTORE, "pg_restore --list \"$file\" > /dev/null || fail", "true || fail"),
    (
        RESTORE,
        "pg_restore --clean --if-exists --single-transaction --exit-on-error --dbname=\"$DATABASE_URL\" \"$file\"",
        "psql -q -v ON_ERROR_STOP=1 --single-transaction --dbname=\"$DATABASE_URL\" --file=\"$file\"",
    ),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_during_backup_refuted_on_generated_rows_when_tables_are_dumped_one_by_one() {
    // without flows, the writers write families of related rows (a user and a row of each
    // table referencing users) in one transaction each: one committed between two of the
    // dumps is restored in part
    let dir = mutant(&TABLE_BY_TABLE);
    let manifest = dir.path().join("readiness.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let start = text.find("builtin = \"instantviz\"").unwrap();
    let end = text.find("complete = 6\n").unwrap() + "complete = 6\n".len();
    std::fs::write(&manifest, format!("{}{}", &text[..start], &text[end..])).unwrap();
    let scorecard = run(dir.path(), WritesDuringBackup).await;
    assert_claim(&scorecard, CLAIM, Status::Refuted);
    let evidence = evidence_text(&scorecard, CLAIM, "writes-during-backup");
    assert!(
        evidence.contains("generated rows of public.users"),
        "{evidence}"
    );
    assert!(
        evidence.contains("rows one transaction wrote"),
        "{evidence}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn own_scripts_refuted_without_a_safety_backup() {
    let dir = mutant(&[
        (
            RESTORE,
            "pg_dump --format=custom --file=\"$safety.partial\" --dbname=\"$DATABASE_URL\" ||",
            "true ||",
        ),
        (
            RESTORE,
            "sum=$(sha256sum < \"$safety.partial\" | cut -d ' ' -f 1)\nprintf '%s  %s\\n' \"$sum\" \"$(basename -- \"$safety\")\" > \"$safety.sha256\"\nmv \"$safety.partial\" \"$safety\"\n",
            "",
        ),
    ]);
    let scorecard = run(dir.path(), OwnScriptsRoundTrip).await;
    assert_claim(&scorecard, CLAIM, Status::Refuted);
    let evidence = evidence_text(&scorecard, CLAIM, "own-scripts-round-trip");
    assert!(evidence.contains("left no safety backup"), "{evidence}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn own_scripts_refuted_when_the_restore_command_fails() {
    let dir = mutant(&[(
        RESTORE,
        "set -eu\n",
        "set -eu\necho 'restore is broken' >&2\nexit 3\n",
    )]);
    let scorecard = run(dir.path(), OwnScriptsRoundTrip).await;
    assert_claim(&scorecard, CLAIM, Status::Refuted);
    let evidence = evidence_text(&scorecard, CLAIM, "own-scripts-round-trip");
    assert!(evidence.contains("exited with 3"), "{evidence}");
    assert!(evidence.contains("restore is broken"), "{evidence}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_refuted_when_old_backups_are_never_removed() {
    let dir = mutant(&[(BACKUP, "-mtime +\"$RETENTION_DAYS\"", "-mtime +100000")]);
    let scorecard = run(dir.path(), RetentionPolicyHolds).await;
    assert_claim(&scorecard, CLAIM, Status::Refuted);
    let evidence = evidence_text(&scorecard, CLAIM, "retention-policy");
    assert!(evidence.contains("older than 30 days"), "{evidence}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_refuted_when_a_failed_run_removes_the_newest_backup() {
    // prune first, newest included, then dump: a run that fails has already eaten everything
    let dir = mutant(&[(
        BACKUP,
        "set -eu\n",
        "set -eu\nfind \"${BACKUP_DIR:?}\" -maxdepth 1 -name 'instantviz_*.dump*' -mtime +\"${RETENTION_DAYS:-30}\" -exec rm -f {} +\n",
    )]);
    let scorecard = run(dir.path(), RetentionPolicyHolds).await;
    assert_claim(&scorecard, CLAIM, Status::Refuted);
    let evidence = evidence_text(&scorecard, CLAIM, "retention-policy");
    assert!(evidence.contains("removed the newest backup"), "{evidence}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backups_refuted_when_the_newest_backup_is_stale() {
    let backups = tempfile::tempdir().unwrap();
    let old = backups.path().join("instantviz_20250101T020000.0Z.dump");
    std::fs::write(&old, b"PGDMP").unwrap();
    age::backdate(&old, SystemTime::now(), Duration::from_secs(3 * 86_400)).unwrap();
    let dir = with_backup_keys(&format!("dir = {:?}", backups.path().display().to_string()));
    let scorecard = run(dir.path(), OwnScriptsRoundTrip).await;
    assert_claim(&scorecard, CLAIM, Status::Refuted);
    let evidence = evidence_text(&scorecard, CLAIM, "own-scripts-round-trip");
    assert!(
        evidence.contains("72.0 h old, past the 26 h limit"),
        "{evidence}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backups_refuted_when_the_backup_directory_does_not_exist() {
    let dir = with_backup_keys("dir = \"/nonexistent/readiness/backups\"");
    let scorecard = run(dir.path(), OwnScriptsRoundTrip).await;
    assert_claim(&scorecard, CLAIM, Status::Refuted);
    let evidence = evidence_text(&scorecard, CLAIM, "own-scripts-round-trip");
    assert!(
        evidence.contains("/nonexistent/readiness/backups: it does not exist"),
        "{evidence}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_that_restores_nothing_and_exits_0_is_refuted_not_an_input_error() {
    // the mutant's restore takes its safety backup, then skips pg_restore: the restored
    // copy is empty, so the invariants (which ran on the source) do not even run there
    let dir = mutant(&[(
        RESTORE,
        "pg_restore --clean --if-exists --single-transaction --exit-on-error --dbname=\"$DATABASE_URL\" \"$file\"",
        ": restored nothing",
    )]);
    let scenarios: Vec<Arc<dyn Scenario>> = vec![
        Arc::new(OwnScriptsRoundTrip),
        Arc::new(WritesDuringBackup),
        Arc::new(scenarios::restore_drill::RtoDrill::at(1_000)),
    ];
    let scorecard = verify_with(dir.path(), &[CLAIM, "restore_drill"], &scenarios).await;
    assert!(
        scorecard.input_errors.is_empty(),
        "{:?}",
        scorecard.input_errors
    );
    for (claim, scenario) in [
        (CLAIM, "own-scripts-round-trip"),
        (CLAIM, "writes-during-backup"),
        ("restore_drill", "rto-drill"),
    ] {
        assert_scenario(&scorecard, claim, scenario, Status::Refuted);
        let evidence = evidence_text(&scorecard, claim, scenario);
        assert!(
            evidence.contains("does not run") || evidence.contains("missing after restore"),
            "{scenario}: {evidence}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_refuted_when_every_backup_gets_the_same_name() {
    // a script that always writes instantviz.dump keeps one backup, whatever its policy
    let dir = mutant(&[(
        BACKUP,
        "name=\"instantviz_$(date -u +%Y%m%dT%H%M%S.%NZ).dump\"",
        "name=\"instantviz_latest.dump\"",
    )]);
    let scorecard = run(dir.path(), RetentionPolicyHolds).await;
    assert_claim(&scorecard, CLAIM, Status::Refuted);
    let evidence = evidence_text(&scorecard, CLAIM, "retention-policy");
    assert!(
        evidence.contains("each run replaces the one before"),
        "{evidence}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_holds_for_backups_named_to_the_second() {
    // several runs within one second write the same name: each dated run has its own
    // directory, and its name is rewritten to the date it stands for
    let dir = mutant(&[(
        BACKUP,
        "name=\"instantviz_$(date -u +%Y%m%dT%H%M%S.%NZ).dump\"",
        "name=\"instantviz_$(date -u +%Y%m%d_%H%M%S).dump\"",
    )]);
    let scorecard = run(dir.path(), RetentionPolicyHolds).await;
    assert_claim(&scorecard, CLAIM, Status::Proven);
    let evidence = evidence_text(&scorecard, CLAIM, "retention-policy");
    assert!(evidence.contains("`%Y%m%d_%H%M%S` (UTC)"), "{evidence}");
}
