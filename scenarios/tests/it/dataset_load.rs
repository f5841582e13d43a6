//! Seeded datasets: loading with keys and indexes built after the rows leaves exactly
//! the migrated schema, the rows the manifest's ratios promise, every invariant holding,
//! and the same data as loading with everything in place.

use std::sync::Arc;

use harness::run::scenario::{Context, Run, RunOptions};
use harness::schema::catalog::Catalog;
use harness::schema::dataset::{self, LoadOptions, LoadStrategy};
use harness::schema::template::Database;
use harness::subject::Subject;
use harness::Status;
use scenarios::subjects::INSTANTVIZ;
use scenarios::testing::{test_backend, test_seed};
use sqlx::{Connection, PgConnection};

const USERS: u64 = 1_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deferred_load_rebuilds_the_migrated_schema_and_matches_an_in_place_load() {
    let subject = Subject::load(&scenarios::subjects::bundled(INSTANTVIZ)).unwrap();
    let run = Run::new(
        subject.clone(),
        test_backend().await,
        RunOptions::from_env(test_seed()),
    );
    let ctx = Context::new(run.clone(), "dataset/load");
    let seed = ctx.options().seed;
    let migrations = ctx.migrations().await.unwrap();

    let deferred = ctx.migrated_database("deferred").await.unwrap();
    let report = dataset::load(&deferred, &subject, USERS, seed)
        .await
        .unwrap();
    assert_eq!(
        report.strategy,
        LoadStrategy::IndexesAfterLoad,
        "{report:?}"
    );
    assert_eq!(report.fallback, None);
    for table in &subject.manifest.scale.as_ref().unwrap().tables {
        let loaded = report
            .rows
            .iter()
            .find(|(t, _)| *t == table.table)
            .unwrap()
            .1;
        assert_eq!(
            loaded as f64,
            table.per_user * USERS as f64,
            "{}",
            table.table
        );
    }

    let in_place = ctx.migrated_database("in_place").await.unwrap();
    let options = LoadOptions {
        strategy: LoadStrategy::InPlace,
        ..LoadOptions::default()
    };
    let baseline = dataset::load_with(&in_place, &subject, USERS, seed, options)
        .await
        .unwrap();
    assert_eq!(baseline.rows, report.rows);

    let migrated = ctx.migrated_database("schema").await.unwrap();
    let schema = catalog(&migrated, migrations.bookkeeping_tables()).await;
    let after = catalog(&deferred, migrations.bookkeeping_tables()).await;
    assert!(schema.diff(&after).is_empty(), "{:#?}", schema.diff(&after));

    let mut conn = deferred.connect_admin().await.unwrap();
    let violations = harness::checks::invariants::check(&mut conn, &subject)
        .await
        .unwrap();
    assert!(violations.is_empty(), "{violations:?}");
    let _ = conn.close().await;
    for table in ["users", "workspaces", "projects", "project_visualizations"] {
        assert_eq!(
            checksum(&deferred, table).await,
            checksum(&in_place, table).await,
            "{table} differs between the two loads"
        );
    }
    ctx.finish(Status::Proven).await;
    drop(Arc::clone(&run));
}

async fn catalog(db: &Database, ignored: &[String]) -> Catalog {
    let mut conn: PgConnection = db.connect_admin().await.unwrap();
    let catalog = Catalog::read(&mut conn, ignored).await.unwrap();
    let _ = conn.close().await;
    catalog
}

async fn checksum(db: &Database, table: &str) -> String {
    let mut conn = db.connect_admin().await.unwrap();
    let sum: String = sqlx::query_scalar(&format!(
        "SELECT md5(string_agg(t::text, '|' ORDER BY t.id)) FROM {table} t"
    ))
    .fetch_one(&mut conn)
    .await
    .unwrap();
    let _ = conn.close().await;
    sum
}
