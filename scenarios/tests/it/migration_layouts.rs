//! Every migration layout readiness reads natively, on a real server: the same two-step
//! schema written as sqlx, diesel, Flyway, dbmate and goose would write it (one step that
//! builds an index CONCURRENTLY, outside a transaction) goes up step by step, comes back
//! down to nothing, and goes up again to the same catalog.

use std::path::Path;

use harness::schema::catalog::Catalog;
use harness::schema::migrate::layout::{self, Layout};
use harness::schema::migrate::Migrations;
use harness::schema::template::TemplatePool;
use harness::subject::manifest::MigrationSource;
use harness::ServerProfile;
use scenarios::testing::test_backend;
use sqlx::Connection;

const CREATE: &str = "CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL);";
const DROP: &str = "DROP TABLE accounts;";
const INDEX: &str = "CREATE INDEX CONCURRENTLY accounts_email_idx ON accounts (email);";
const UNINDEX: &str = "DROP INDEX accounts_email_idx;";

fn write(dir: &Path, files: &[(String, String)]) {
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

fn layouts() -> Vec<(Layout, Vec<(String, String)>)> {
    let s = |a: &str, b: &str| (a.to_owned(), b.to_owned());
    vec![
        (
            Layout::Sqlx,
            vec![
                s("0001_accounts.up.sql", CREATE),
                s("0001_accounts.down.sql", DROP),
                s("0002_email_index.up.sql", INDEX),
                s("0002_email_index.down.sql", UNINDEX),
            ],
        ),
        (
            Layout::Diesel,
            vec![
                s("2024-01-01-000000_accounts/up.sql", CREATE),
                s("2024-01-01-000000_accounts/down.sql", DROP),
                s("2024-01-02-000000_email_index/up.sql", INDEX),
                s("2024-01-02-000000_email_index/down.sql", UNINDEX),
                s(
                    "2024-01-02-000000_email_index/metadata.toml",
                    "run_in_transaction = false\n",
                ),
            ],
        ),
        (
            Layout::Flyway,
            vec![
                s("V1__accounts.sql", CREATE),
                s("U1__accounts.sql", DROP),
                s("V1.1__email_index.sql", INDEX),
                s("U1.1__email_index.sql", UNINDEX),
            ],
        ),
        (
            Layout::Dbmate,
            vec![
                s(
                    "20240101000000_accounts.sql",
                    &format!("-- migrate:up\n{CREATE}\n\n-- migrate:down\n{DROP}\n"),
                ),
                s(
                    "20240102000000_email_index.sql",
                    &format!("-- migrate:up transaction:false\n{INDEX}\n\n-- migrate:down\n{UNINDEX}\n"),
                ),
            ],
        ),
        (
            Layout::Goose,
            vec![
                s(
                    "00001_accounts.sql",
                    &format!("-- +goose Up\n-- +goose StatementBegin\n{CREATE}\n-- +goose StatementEnd\n\n-- +goose Down\n{DROP}\n"),
                ),
                s(
                    "00002_email_index.sql",
                    &format!("-- +goose NO TRANSACTION\n-- +goose Up\n{INDEX}\n\n-- +goose Down\n{UNINDEX}\n"),
                ),
            ],
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_layout_goes_up_step_by_step_down_to_nothing_and_up_again() {
    let server = test_backend()
        .await
        .start(ServerProfile::Fast)
        .await
        .expect("a test server starts");
    let pool = TemplatePool::new(server);
    let mut rendered_by: Vec<(Layout, String)> = Vec::new();
    for (expected, files) in layouts() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &files);
        let (found, steps) = layout::read(dir.path()).unwrap();
        assert_eq!(found, expected);
        assert_eq!(steps.len(), 2, "{expected:?}");
        assert!(steps.iter().all(|s| s.down.is_some()), "{expected:?}");
        let migrations = Migrations::load(
            MigrationSource::Dir(dir.path().to_owned()),
            vec!["_sqlx_migrations".into()],
        )
        .await
        .unwrap();
        let versions: Vec<i64> = migrations.steps().iter().map(|s| s.version).collect();
        let label = format!("layout_{expected:?}").to_lowercase();
        let db = pool.empty(&label).await.unwrap();
        let catalog = |db: harness::schema::template::Database| async move {
            let mut conn = db.connect_admin().await.unwrap();
            let catalog = Catalog::read(&mut conn, &["_sqlx_migrations".to_owned()])
                .await
                .unwrap();
            let _ = conn.close().await;
            catalog
        };
        migrations.up_to(&db.admin(), versions[0]).await.unwrap();
        migrations
            .up_to(&db.admin(), versions[1])
            .await
            .unwrap_or_else(|e| {
                panic!("{expected:?}: the CONCURRENTLY step goes up outside a transaction: {e}")
            });
        let up = catalog(db.clone()).await.render();
        assert!(up.contains("accounts_email_idx"), "{expected:?}: {up}");
        migrations.down_to(&db.admin(), 0).await.unwrap();
        assert!(catalog(db.clone()).await.tables.is_empty(), "{expected:?}");
        migrations.up(&db.admin()).await.unwrap();
        assert_eq!(catalog(db.clone()).await.render(), up, "{expected:?}");
        db.drop_database().await.unwrap();
        rendered_by.push((expected, up));
    }
    // the five layouts of one schema build the same catalog
    let first = &rendered_by[0].1;
    for (layout, rendered) in &rendered_by {
        assert_eq!(rendered, first, "{layout:?}");
    }
}
