//! The bundled instantviz's main queries at each scale (`READINESS_BENCH_SCALES`, default
//! `1k,10k`): one group per query, one `BenchmarkId` per scale, throughput in rows of the
//! dataset. Timed from the client: `EXECUTE` of the prepared statement with parameters
//! drawn from the data, in a transaction rolled back outside the timed region (so that
//! the delete deletes the same user every time). And `dataset/build`: generating a dataset
//! with the indexes built after the rows, against the baseline with everything in place,
//! and the same row counts generated from the catalog instead of the hand-written SQL
//! (`READINESS_BENCH_BUILD_USERS`, default 10k).

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput};
use harness::backend::native::NativeBackend;
use harness::run::scenario::{Context, Run, RunOptions};
use harness::schema::dataset::{
    self, parse_scale, parse_scales, scale_label, DataSource, LoadOptions, LoadStrategy,
};
use harness::subject::Subject;
use harness::Status;
use scenarios::indexes::workload::AtScale;
use sqlx::Executor;
use tokio::sync::Mutex;

/// The data is the same on every run.
const SEED: u64 = 1;

pub fn benches(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let backend = Arc::new(NativeBackend::new().expect("PostgreSQL server binaries"));
    let subject = Subject::load(&scenarios::subjects::bundled(
        scenarios::subjects::INSTANTVIZ,
    ))
    .expect("instantviz");
    let run = Run::new(subject.clone(), backend, RunOptions::from_env(SEED));
    let ctx = Context::new(run, "bench/indexes");
    let scales = std::env::var("READINESS_BENCH_SCALES")
        .ok()
        .map(|s| parse_scales(&s).expect("READINESS_BENCH_SCALES"))
        .unwrap_or_else(|| vec![1_000, 10_000]);

    let datasets: Vec<Arc<Mutex<AtScale>>> = runtime.block_on(async {
        let mut datasets = Vec::new();
        for &users in &scales {
            let at = AtScale::open(&ctx, users).await.expect("the dataset");
            datasets.push(Arc::new(Mutex::new(at)));
        }
        datasets
    });
    for (position, query) in subject.manifest.queries.iter().enumerate() {
        let mut group = c.benchmark_group(format!("indexes/{}", query.name.replace(' ', "_")));
        group
            .sample_size(20)
            .measurement_time(Duration::from_secs(3));
        for dataset in &datasets {
            let (users, rows) = runtime.block_on(async {
                let at = dataset.lock().await;
                (at.users, at.rows)
            });
            group.throughput(Throughput::Elements(rows));
            group.bench_with_input(
                BenchmarkId::from_parameter(scale_label(users)),
                dataset,
                |b, dataset| {
                    b.to_async(&runtime).iter_custom(|iters| {
                        let dataset = dataset.clone();
                        async move {
                            let mut at = dataset.lock().await;
                            let at = &mut *at;
                            let query = at.queries[position].clone();
                            let mut timed = Duration::ZERO;
                            for _ in 0..iters {
                                at.conn.execute("BEGIN").await.expect("begin");
                                let started = Instant::now();
                                query.execute(&mut at.conn).await.expect("the query");
                                timed += started.elapsed();
                                at.conn.execute("ROLLBACK").await.expect("rollback");
                            }
                            timed
                        }
                    })
                },
            );
        }
        group.finish();
    }
    runtime.block_on(async {
        for dataset in datasets {
            if let Ok(at) = Arc::try_unwrap(dataset) {
                at.into_inner().close().await;
            }
        }
    });

    // in test mode (CI), a small dataset: the point there is that the bench runs
    let build_users = if std::env::args().any(|a| a == "--test") {
        1_000
    } else {
        std::env::var("READINESS_BENCH_BUILD_USERS")
            .ok()
            .and_then(|s| parse_scale(&s))
            .unwrap_or(10_000)
    };
    let (pool, migrations) = runtime.block_on(async {
        (
            ctx.pool().await.expect("the server"),
            ctx.migrations().await.expect("the migrations"),
        )
    });
    let mut group = c.benchmark_group(format!("dataset/build/{}", scale_label(build_users)));
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    let hand_written = |strategy| LoadOptions {
        strategy,
        source: DataSource::Manifest,
    };
    for (name, options) in [
        (
            "indexes_after_load",
            hand_written(LoadStrategy::IndexesAfterLoad),
        ),
        ("in_place", hand_written(LoadStrategy::InPlace)),
        (
            "from_catalog",
            LoadOptions {
                strategy: LoadStrategy::IndexesAfterLoad,
                source: DataSource::Catalog,
            },
        ),
    ] {
        group.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.to_async(&runtime).iter_custom(|iters| {
                let (pool, migrations, subject) =
                    (pool.clone(), migrations.clone(), subject.clone());
                async move {
                    let mut timed = Duration::ZERO;
                    for _ in 0..iters {
                        let db = pool
                            .migrated(&migrations, "bench_dataset")
                            .await
                            .expect("a migrated database");
                        let started = Instant::now();
                        dataset::load_with(&db, &subject, build_users, SEED, options)
                            .await
                            .expect("the load");
                        timed += started.elapsed();
                        db.drop_database().await.expect("drop");
                    }
                    timed
                }
            })
        });
    }
    group.finish();
    runtime.block_on(ctx.finish(Status::Proven));
}
