//! The `access_control` claim: the port is proven loopback-only on instantviz and refuted
//! on instantviz-before; the password is refuted on both (the report's own `.env` still
//! says `pass`), and proven once a strong password replaces it.

use harness::Status;
use scenarios::subjects::{INSTANTVIZ, INSTANTVIZ_BEFORE};
use scenarios::testing::{
    assert_claim, assert_scenario, copy_subject, edit, evidence_text, verify_bundled, verify_dir,
};

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_random_password_in_a_git_ignored_env_is_proven() {
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
    let scorecard = verify_dir(dir.path(), &[CLAIM]).await;
    assert_claim(&scorecard, CLAIM, Status::Proven);
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
