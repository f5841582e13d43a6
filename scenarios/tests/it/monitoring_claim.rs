//! The `monitoring` claim: PROVEN on instantviz, REFUTED on instantviz-before (no logging
//! settings, no monitor), and REFUTED on mutants whose monitor hides an outage or whose
//! configuration turns slow query logging off; alembic-saas's health endpoint follows its
//! database, and one that does not look at the database is REFUTED.

use std::path::Path;
use std::sync::Arc;

use harness::report::evidence::Scorecard;
use harness::Status;
use scenarios::monitoring::AppHealthFollowsTheDatabase;
use scenarios::subjects::{INSTANTVIZ, INSTANTVIZ_BEFORE};
use scenarios::testing::{
    assert_claim, assert_scenario, copy_corpus_subject, copy_subject, edit, evidence_text,
    verify_bundled, verify_dir, verify_with,
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

const APP_HEALTH: &str = "app-health-follows-the-database";

/// Runs the app-health scenario alone on the subject in `dir`.
async fn verify_app_health(dir: &Path) -> Scorecard {
    verify_with(dir, &[CLAIM], &[Arc::new(AppHealthFollowsTheDatabase)]).await
}

fn corpus(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/corpus")
        .join(name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alembic_saas_health_endpoint_follows_its_database() {
    let scorecard = verify_app_health(&corpus("alembic-saas")).await;
    assert_scenario(&scorecard, CLAIM, APP_HEALTH, Status::Proven);
    let evidence = evidence_text(&scorecard, CLAIM, APP_HEALTH);
    assert!(evidence.contains("503 within"), "{evidence}");
    assert!(evidence.contains("unavailable"), "{evidence}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_health_endpoint_that_never_asks_the_database_is_refuted() {
    let dir = copy_corpus_subject("alembic-saas");
    edit(
        dir.path(),
        "backend/app/health_server.py",
        "        error = check_database()\n",
        "        error = None  # the process is up, so we are healthy\n",
    );
    let scorecard = verify_app_health(dir.path()).await;
    assert_scenario(&scorecard, CLAIM, APP_HEALTH, Status::Refuted);
    let evidence = evidence_text(&scorecard, CLAIM, APP_HEALTH);
    assert!(
        evidence.contains("with the database paused, `GET /health` answered 200"),
        "{evidence}"
    );
    assert!(
        evidence.contains("with the database stopped, `GET /health` answered 200"),
        "{evidence}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_health_check_that_hangs_with_a_hung_database_is_refuted() {
    // no connect_timeout and no bound on the check: a paused server hangs the request
    let dir = copy_corpus_subject("alembic-saas");
    let file = "backend/app/health_server.py";
    edit(
        dir.path(),
        file,
        "\"connect_timeout\": CONNECT_TIMEOUT, ",
        "",
    );
    edit(
        dir.path(),
        file,
        "worker.join(CHECK_TIMEOUT)",
        "worker.join()",
    );
    let scorecard = verify_app_health(dir.path()).await;
    assert_scenario(&scorecard, CLAIM, APP_HEALTH, Status::Refuted);
    let evidence = evidence_text(&scorecard, CLAIM, APP_HEALTH);
    assert!(
        evidence.contains("with the database paused, `GET /health` got no answer within 10.0 s"),
        "{evidence}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_that_exits_at_once_is_not_proven_with_its_output() {
    let dir = copy_corpus_subject("alembic-saas");
    edit(
        dir.path(),
        "readiness.toml",
        "python -m app.health_server --port {port}",
        "python -m app.healthz --port {port}",
    );
    let scorecard = verify_app_health(dir.path()).await;
    assert_scenario(&scorecard, CLAIM, APP_HEALTH, Status::NotProven);
    let evidence = evidence_text(&scorecard, CLAIM, APP_HEALTH);
    assert!(evidence.contains("exited with 1"), "{evidence}");
    assert!(
        evidence.contains("No module named app.healthz"),
        "{evidence}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subject_without_an_app_leaves_the_claim_to_its_other_scenarios() {
    let scorecard = verify_app_health(&scenarios::subjects::bundled(INSTANTVIZ)).await;
    assert_scenario(&scorecard, CLAIM, APP_HEALTH, Status::NotApplicable);
    let evidence = evidence_text(&scorecard, CLAIM, APP_HEALTH);
    assert!(evidence.contains("declares no [app]"), "{evidence}");
}
