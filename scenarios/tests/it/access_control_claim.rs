//! The `access_control` claim: the port is proven loopback-only on instantviz and refuted
//! on instantviz-before; the password is refuted on both (the report's own `.env` still
//! says `pass`), and proven once a strong password replaces it.

use std::sync::Arc;

use harness::backend::native::NativeBackend;
use harness::backend::url::UrlBackend;
use harness::run::scenario::{Run, RunOptions};
use harness::subject::Subject;
use harness::{Backend, ServerProfile, Status};
use scenarios::access_control::DatabasePasswordKeptSecret;
use scenarios::subjects::{INSTANTVIZ, INSTANTVIZ_BEFORE};
use scenarios::testing::{
    assert_claim, assert_scenario, copy_subject, edit, evidence_text, test_seed, verify_bundled,
    verify_dir,
};
use sqlx::{Connection, PgConnection};

const CLAIM: &str = "access_control";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instantviz_is_loopback_only_but_its_password_is_guessed() {
    let scorecard = verify_bundled(INSTANTVIZ, &[CLAIM]).await;
    assert_scenario(
        &scorecard,
        CLAIM,
        "database-port-bound-to-loopback",
        Status::Proven,
    );
    assert_scenario(
        &scorecard,
        CLAIM,
        "database-password-kept-secret",
        Status::Refuted,
    );
    let evidence = evidence_text(&scorecard, CLAIM, "database-password-kept-secret");
    assert!(evidence.contains("an online guess got in"), "{evidence}");
    assert!(
        !evidence.contains("=pass") && !evidence.contains("`pass`"),
        "the password itself must not be shown: {evidence}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instantviz_before_is_exposed_with_a_hardcoded_password() {
    let scorecard = verify_bundled(INSTANTVIZ_BEFORE, &[CLAIM]).await;
    assert_claim(&scorecard, CLAIM, Status::Refuted);
    let port = evidence_text(&scorecard, CLAIM, "database-port-bound-to-loopback");
    assert!(port.contains("published on every interface"), "{port}");
    assert!(
        port.contains("accepted a connection from"),
        "the live probe must get in: {port}"
    );
    let password = evidence_text(&scorecard, CLAIM, "database-password-kept-secret");
    assert!(
        password.contains("docker-compose.yml:10: POSTGRES_PASSWORD is written into the file"),
        "{password}"
    );
}

/// instantviz with a strong password in its `.env` (and its `DATABASE_URL`).
fn with_strong_password() -> tempfile::TempDir {
    let dir = copy_subject(INSTANTVIZ);
    let strong = "Zq8vN2xW5rT1yL7kP4mB9cH3";
    edit(
        dir.path(),
        "infra/.env",
        "POSTGRES_PASSWORD=pass",
        &format!("POSTGRES_PASSWORD={strong}"),
    );
    edit(
        dir.path(),
        "infra/.env",
        "user:pass@db",
        &format!("user:{strong}@db"),
    );
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_random_password_in_a_git_ignored_env_is_proven() {
    let dir = with_strong_password();
    let scorecard = verify_dir(dir.path(), &[CLAIM]).await;
    assert_claim(&scorecard, CLAIM, Status::Proven);
}

/// On someone's existing server the guessing attack would have to add a role there: it is
/// not run, the scenario is NOT PROVEN, and the server is left without the role.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_guessing_attack_never_touches_an_existing_server() {
    let existing = NativeBackend::new()
        .unwrap()
        .start(ServerProfile::Fast)
        .await
        .unwrap();
    let backend: Arc<dyn Backend> =
        Arc::new(UrlBackend::from_url(&existing.admin().url()).unwrap());
    let dir = with_strong_password();
    let run = Run::new(
        Subject::load(dir.path()).unwrap(),
        backend,
        RunOptions::from_env(test_seed()),
    );
    let spec: Vec<_> = scenarios::CLAIMS
        .iter()
        .copied()
        .filter(|c| c.id == CLAIM)
        .collect();
    let only: Vec<Arc<dyn harness::Scenario>> = vec![Arc::new(DatabasePasswordKeptSecret)];
    let scorecard =
        harness::run::runner::run(&spec, &only, run, &harness::run::runner::Quiet).await;
    assert_scenario(
        &scorecard,
        CLAIM,
        "database-password-kept-secret",
        Status::NotProven,
    );
    let evidence = evidence_text(&scorecard, CLAIM, "database-password-kept-secret");
    assert!(evidence.contains("not a disposable server"), "{evidence}");
    let mut conn = PgConnection::connect_with(&existing.admin().options())
        .await
        .unwrap();
    let roles: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_roles WHERE rolname = 'user'")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        roles, 0,
        "the subject's role was created on the existing server"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_env_file_git_would_commit_is_refuted() {
    let dir = copy_subject(INSTANTVIZ);
    edit(dir.path(), "infra/.gitignore", ".env\n", "");
    let scorecard = verify_dir(dir.path(), &[CLAIM]).await;
    let evidence = evidence_text(&scorecard, CLAIM, "database-password-kept-secret");
    assert!(
        evidence.contains("infra/.env is not git-ignored"),
        "{evidence}"
    );
}
