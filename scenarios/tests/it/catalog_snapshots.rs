//! The catalog of each bundled subject, fully migrated, as a reviewable snapshot in
//! `snapshots/`: any change to a table, column, constraint or index shows up as a diff.

use harness::schema::catalog::Catalog;
use harness::schema::migrate::Migrations;
use harness::schema::template::TemplatePool;
use harness::subject::Subject;
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

/// PostgreSQL reprints a `varchar` IN-list (in a CHECK, an index predicate, a view, a
/// domain, a generated column) differently after a dump and restore: the comparison must
/// see the same rule, and still see a rule that changed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restored_catalog_compares_equal_by_meaning_and_a_changed_rule_still_differs() {
    use harness::backup::{self, DumpOptions, RestoreOptions};
    use harness::schema::catalog::reparse;
    use sqlx::Executor;

    let server = test_backend()
        .await
        .start(ServerProfile::Fast)
        .await
        .expect("a test server starts");
    let tools = server.tools().expect("client tools");
    let pool = TemplatePool::new(server);
    let source = pool.empty("reparse_source").await.expect("a database");
    let mut conn = source.connect_admin().await.expect("connect");
    conn.execute(
        "CREATE DOMAIN kind AS varchar(10) CHECK (VALUE IN ('a', 'b'));
         CREATE TABLE users (id bigserial PRIMARY KEY,
             status varchar(20) NOT NULL DEFAULT 'none'::varchar,
             k kind,
             label varchar(5) GENERATED ALWAYS AS (CASE WHEN status IN ('x', 'y') THEN 'xy'::varchar END) STORED,
             CONSTRAINT ck_users_status CHECK (status IN ('none', 'active', 'canceled')));
         CREATE INDEX users_active_idx ON users (id) WHERE status IN ('active', 'x');
         CREATE VIEW active_users AS SELECT id FROM users WHERE status IN ('active', 'none');",
    )
    .await
    .expect("the schema applies");
    let expected = Catalog::read(&mut conn, &[])
        .await
        .expect("the catalog reads");
    let _ = conn.close().await;

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("source.dump");
    backup::dump(&tools, &source.admin(), &file, DumpOptions::custom())
        .await
        .expect("pg_dump");
    let copy = pool.empty("reparse_copy").await.expect("a database");
    backup::restore(&tools, &file, &copy.admin(), RestoreOptions::default())
        .await
        .expect("pg_restore");
    let mut conn = copy.connect_admin().await.expect("connect");
    let restored = Catalog::read(&mut conn, &[])
        .await
        .expect("the catalog reads");
    assert!(
        !expected.diff(&restored).is_empty(),
        "PostgreSQL no longer reprints these: the test shows nothing"
    );
    let aligned = reparse::align(&mut conn, &expected, &restored)
        .await
        .expect("the comparison runs");
    assert_eq!(aligned.diff(), Vec::<String>::new());
    assert!(aligned.reworded.len() >= 4, "{:?}", aligned.reworded);

    conn.execute(
        "ALTER TABLE users DROP CONSTRAINT ck_users_status;
         ALTER TABLE users ADD CONSTRAINT ck_users_status CHECK (status IN ('none', 'active'))",
    )
    .await
    .expect("the rule changes");
    let changed = Catalog::read(&mut conn, &[])
        .await
        .expect("the catalog reads");
    let aligned = reparse::align(&mut conn, &expected, &changed)
        .await
        .expect("the comparison runs");
    let diff = aligned.diff();
    assert_eq!(diff.len(), 2, "{diff:?}");
    assert!(
        diff.iter().all(|l| l.contains("ck_users_status")),
        "{diff:?}"
    );
    let _ = conn.close().await;
    source.drop_database().await.unwrap();
    copy.drop_database().await.unwrap();
}
