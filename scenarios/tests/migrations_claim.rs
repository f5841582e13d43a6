//! The `migrations` claim: PROVEN on instantviz, REFUTED on instantviz-before (no down
//! migrations), and REFUTED on a mutant whose down migration forgets an index.

use harness::Status;
use scenarios::subjects::{INSTANTVIZ, INSTANTVIZ_BEFORE};
use scenarios::testing::{assert_claim, evidence_text, verify_bundled, verify_dir};

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
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&scenarios::subjects::bundled(INSTANTVIZ), dir.path());
    let down = dir.path().join("migrations/0003_indexes.down.sql");
    let text = std::fs::read_to_string(&down)
        .unwrap()
        .replace("DROP INDEX users_email_idx;\n", "");
    std::fs::write(&down, text).unwrap();

    let scorecard = verify_dir(dir.path(), &["migrations"]).await;
    assert_claim(&scorecard, "migrations", Status::Refuted);
    let evidence = evidence_text(&scorecard, "migrations", "up-down-round-trip");
    assert!(
        evidence.contains("rolling back 0003 indexes does not restore the schema"),
        "{evidence}"
    );
    assert!(evidence.contains("+ index users_email_idx"), "{evidence}");
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
