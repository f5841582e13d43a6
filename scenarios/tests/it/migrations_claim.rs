//! The `migrations` claim: PROVEN on instantviz, REFUTED on instantviz-before (no down
//! migrations), and REFUTED on a mutant whose down migration forgets an index.

use harness::Status;
use scenarios::subjects::{INSTANTVIZ, INSTANTVIZ_BEFORE};
use scenarios::testing::{
    assert_claim, copy_subject, edit, evidence_text, verify_bundled, verify_dir,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_round_trip_on_instantviz() {
    let scorecard = verify_bundled(INSTANTVIZ, &["migrations"]).await;
    assert_claim(&scorecard, "migrations", Status::Proven);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_refuted_without_down_migrations() {
    let scorecard = verify_bundled(INSTANTVIZ_BEFORE, &["migrations"]).await;
    assert_claim(&scorecard, "migrations", Status::Refuted);
    let evidence = evidence_text(&scorecard, "migrations", "up-down-round-trip");
    assert!(
        evidence.contains("0001 create all: no down migration"),
        "{evidence}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_refuted_when_a_down_migration_leaves_an_index_behind() {
    let dir = copy_subject(INSTANTVIZ);
    edit(
        dir.path(),
        "migrations/0003_indexes.down.sql",
        "DROP INDEX users_email_idx;\n",
        "",
    );

    let scorecard = verify_dir(dir.path(), &["migrations"]).await;
    assert_claim(&scorecard, "migrations", Status::Refuted);
    let evidence = evidence_text(&scorecard, "migrations", "up-down-round-trip");
    assert!(
        evidence.contains("0003 indexes: rolling back does not restore the schema before it"),
        "{evidence}"
    );
    assert!(evidence.contains("+ index users_email_idx"), "{evidence}");
}
