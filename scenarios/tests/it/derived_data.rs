//! Data generated from the catalog, on every subject we have — the bundled ones and the
//! corpus of projects written in other stacks' habits — with no hand-written SQL at all:
//! the load must succeed with every key, foreign key and index rebuilt over the rows (the
//! server's own validation), fill every table it does not name with a reason, and leave
//! the migrated schema exactly as it was. (The manifests' invariants are business rules no
//! catalog states, such as "every user has a workspace": generated rows need not keep
//! them, and the scenarios say so when they do not.)

use std::path::PathBuf;

use harness::run::scenario::{Context, Run, RunOptions};
use harness::schema::dataset::{self, DataSource, LoadOptions, LoadStrategy};
use harness::subject::Subject;
use harness::Status;
use scenarios::testing::{test_backend, test_seed};

const USERS: u64 = 200;

fn subject_dir(name: &str) -> PathBuf {
    let bundled = scenarios::subjects::bundled(name);
    if bundled.exists() {
        return bundled;
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/corpus")
        .join(name)
}

/// Loads `name`'s schema with every table generated from the catalog and returns the
/// tables left empty, after checking everything else.
async fn load_from_catalog(name: &str) -> Vec<String> {
    let subject = Subject::load(&subject_dir(name)).unwrap();
    let run = Run::new(
        subject.clone(),
        test_backend().await,
        RunOptions::from_env(test_seed()),
    );
    let ctx = Context::new(run, &format!("derived/{name}"));
    let migrations = ctx.migrations().await.unwrap();
    let db = ctx.migrated_database("derived").await.unwrap();
    let before = db
        .read_catalog(migrations.bookkeeping_tables())
        .await
        .unwrap();
    let options = LoadOptions {
        strategy: LoadStrategy::IndexesAfterLoad,
        source: DataSource::Catalog,
    };
    let report = dataset::load_with(&db, &subject, USERS, ctx.seed(), options)
        .await
        .unwrap_or_else(|e| panic!("{name}: the load fails: {e}"));
    let after = db
        .read_catalog(migrations.bookkeeping_tables())
        .await
        .unwrap();
    assert!(
        before.diff(&after).is_empty(),
        "{name}: {:?}",
        before.diff(&after)
    );
    assert!(!report.derived.is_empty(), "{name}: nothing was generated");
    for (table, rows) in &report.rows {
        let left = report
            .left_empty
            .iter()
            .any(|e| e.table.ends_with(table.as_str()));
        assert!(
            *rows > 0 || left,
            "{name}: {table} got no rows and no reason: {:?} {:#?}",
            report.rows,
            report.left_empty
        );
    }
    ctx.finish(Status::Proven).await;
    report
        .left_empty
        .iter()
        .map(|e| format!("{}: {}", e.table, e.why))
        .collect()
}

macro_rules! fills_every_table {
    ($($test:ident => $subject:literal),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $test() {
            let left_empty = load_from_catalog($subject).await;
            assert!(left_empty.is_empty(), "{}: {left_empty:#?}", $subject);
        }
    )*};
}

fills_every_table! {
    instantviz_fills_every_table => "instantviz",
    alembic_saas_fills_every_table => "alembic-saas",
    django_shop_fills_every_table => "django-shop",
    rails_structure_fills_every_table => "rails-structure",
    prisma_app_fills_every_table => "prisma-app",
    go_migrate_api_fills_every_table => "go-migrate-api",
    dvdrental_dump_fills_every_table => "dvdrental-dump",
    long_history_fills_every_table => "long-history",
}

/// A unique column whose type holds fewer values than the rows asked for (`char(2)`: the
/// generated values repeat): the keys cannot be rebuilt over the rows, so the load falls
/// back to inserting with the keys in place, where the server skips the repeats.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unique_key_too_narrow_for_the_rows_loads_the_rows_it_can_hold() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("migrations")).unwrap();
    std::fs::write(
        dir.path().join("migrations/0001_codes.up.sql"),
        "CREATE TABLE codes (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, code char(2) NOT NULL UNIQUE);",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("readiness.toml"),
        "[subject]\nname = \"narrow\"\n[migrations]\ndir = \"migrations\"\n",
    )
    .unwrap();
    let subject = Subject::load(dir.path()).unwrap();
    let run = Run::new(
        subject.clone(),
        test_backend().await,
        RunOptions::from_env(test_seed()),
    );
    let ctx = Context::new(run, "derived/narrow");
    let db = ctx.migrated_database("narrow").await.unwrap();
    let report = dataset::load(&db, &subject, 1_000, ctx.seed())
        .await
        .unwrap_or_else(|e| panic!("the load fails: {e}"));
    assert_eq!(report.strategy, LoadStrategy::InPlace, "{report:?}");
    assert!(
        report
            .fallback
            .as_deref()
            .is_some_and(|f| f.contains("codes_code_key")),
        "{report:?}"
    );
    let (_, rows) = report.rows.iter().find(|(t, _)| t == "codes").unwrap();
    // `right('code N', 2)`: " 1" … " 9" and "00" … "99", each once
    assert_eq!(*rows, 109, "{report:?}");
    ctx.finish(Status::Proven).await;
}
