//! The catalog of each bundled subject, fully migrated, as a reviewable snapshot in
//! `snapshots/`: any change to a table, column, constraint or index shows up as a diff.

use harness::catalog::Catalog;
use harness::migrate::Migrations;
use harness::subject::Subject;
use harness::template::TemplatePool;
use harness::ServerProfile;
use scenarios::subjects::{bundled, INSTANTVIZ, INSTANTVIZ_BEFORE};
use scenarios::testing::{stable_text, test_backend, with_top_level_snapshots};
use sqlx::Connection;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bundled_subject_catalogs_match_their_snapshots() {
    let server = test_backend()
        .await
        .start(ServerProfile::Fast)
        .await
        .expect("a test server starts");
    let pool = TemplatePool::new(server);
    for name in [INSTANTVIZ, INSTANTVIZ_BEFORE] {
        let subject = Subject::load(&bundled(name)).expect("the bundled subject loads");
        let migrations = Migrations::load(
            subject.migration_source(),
            subject.manifest.migrations.bookkeeping_tables(),
        )
        .await
        .expect("its migrations load");
        let db = pool
            .migrated(&migrations, "catalog_snapshot")
            .await
            .expect("a migrated database");
        let mut conn = db.connect_admin().await.expect("connect");
        let catalog = Catalog::read(&mut conn, migrations.bookkeeping_tables())
            .await
            .expect("the catalog reads");
        let _ = conn.close().await;
        db.drop_database().await.expect("the database drops");
        let rendered = stable_text(&catalog.render());
        with_top_level_snapshots(|| insta::assert_snapshot!(format!("catalog-{name}"), rendered));
    }
}

#[test]
fn stable_text_hides_run_ids_only() {
    assert_eq!(
        stable_text("db readiness_0a1b2c3d_4_x and readiness_notarun"),
        "db readiness_[run]_4_x and readiness_notarun"
    );
}
