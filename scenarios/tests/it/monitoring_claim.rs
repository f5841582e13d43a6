//! The `monitoring` claim: PROVEN on instantviz, REFUTED on instantviz-before (no logging
//! settings, no monitor), and REFUTED on mutants whose monitor hides an outage or whose
//! configuration turns slow query logging off.

use harness::Status;
use scenarios::subjects::{INSTANTVIZ, INSTANTVIZ_BEFORE};
use scenarios::testing::{
    assert_claim, assert_scenario, copy_subject, edit, evidence_text, verify_bundled, verify_dir,
};

const CLAIM: &str = "monitoring";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instantviz_logs_slow_queries_and_its_monitor_notices_an_outage() {
    let scorecard = verify_bundled(INSTANTVIZ, &[CLAIM]).await;
    assert_claim(&scorecard, CLAIM, Status::Proven);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instantviz_before_logs_nothing_and_has_no_monitor() {
    let scorecard = verify_bundled(INSTANTVIZ_BEFORE, &[CLAIM]).await;
    assert_scenario(
        &scorecard,
        CLAIM,
        "slow-queries-are-logged",
        Status::Refuted,
    );
    assert_scenario(&scorecard, CLAIM, "monitor-reports-health", Status::Refuted);
    let evidence = evidence_text(&scorecard, CLAIM, "slow-queries-are-logged");
    assert!(evidence.contains("query was not logged"), "{evidence}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_monitor_that_stays_green_during_an_outage_is_refuted() {
    let dir = copy_subject(INSTANTVIZ);
    edit(
        dir.path(),
        "infra/scripts/monitor-database.sh",
        "  exit 1\n",
        "  exit 0\n",
    );
    let scorecard = verify_dir(dir.path(), &[CLAIM]).await;
    assert_scenario(&scorecard, CLAIM, "monitor-reports-health", Status::Refuted);
    let evidence = evidence_text(&scorecard, CLAIM, "monitor-reports-health");
    assert!(evidence.contains("still exits 0"), "{evidence}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_monitor_that_does_not_notice_a_missing_backup_is_refuted() {
    let dir = copy_subject(INSTANTVIZ);
    edit(
        dir.path(),
        "infra/scripts/monitor-database.sh",
        "echo \"WARNING: no backup in $BACKUP_DIR\"",
        "echo \"backups: none yet\"",
    );
    let scorecard = verify_dir(dir.path(), &[CLAIM]).await;
    assert_scenario(&scorecard, CLAIM, "monitor-reports-health", Status::Refuted);
    let evidence = evidence_text(&scorecard, CLAIM, "monitor-reports-health");
    assert!(evidence.contains("warns of nothing"), "{evidence}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn monitoring_settings_in_the_compose_command_are_applied() {
    // the report's Docker habit: no postgresql.conf, the settings on the server's command
    // line; a mutant that sets log_min_duration_statement there is logged, one without is not
    let dir = copy_subject(INSTANTVIZ);
    edit(
        dir.path(),
        "readiness.toml",
        "postgresql_conf = \"infra/postgresql.conf\"\n",
        "",
    );
    edit(
        dir.path(),
        "infra/docker-compose.yml",
        "command: postgres -c config_file=/etc/postgresql/postgresql.conf",
        "command: [\"postgres\", \"-c\", \"log_connections=on\", \"-c\", \"log_min_duration_statement=${SLOW_MS:-400}\"]",
    );
    let scorecard = verify_dir(dir.path(), &[CLAIM]).await;
    assert_scenario(&scorecard, CLAIM, "slow-queries-are-logged", Status::Proven);
    let evidence = evidence_text(&scorecard, CLAIM, "slow-queries-are-logged");
    assert!(
        evidence.contains("400 (from compose `command:`)"),
        "{evidence}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_query_logging_turned_off_is_refuted() {
    let dir = copy_subject(INSTANTVIZ);
    edit(
        dir.path(),
        "infra/postgresql.conf",
        "log_min_duration_statement = 500",
        "log_min_duration_statement = -1",
    );
    let scorecard = verify_dir(dir.path(), &[CLAIM]).await;
    assert_scenario(
        &scorecard,
        CLAIM,
        "slow-queries-are-logged",
        Status::Refuted,
    );
}
