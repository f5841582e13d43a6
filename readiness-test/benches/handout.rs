//! What a test waits for before it has a fresh migrated database, in one run on native
//! servers: a pick from the copies made ahead, a template clone on demand, and what
//! `#[sqlx::test]` does (`CREATE DATABASE`, then every migration); and the wall time of
//! 100 trivial tests, each taking a fresh database, with the copies made ahead and without.
//!
//! The subject is `examples/todo-app`, or `READINESS_BENCH_SUBJECT` (a directory with a
//! `readiness.toml`).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{
    criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput,
};
use harness::backend::native::NativeBackend;
use harness::schema::migrate::Migrations;
use harness::schema::template::TemplatePool;
use harness::subject::Subject;
use harness::{Backend, ServerProfile};
use readiness_test::{Provider, Request};

/// What a test does with its database before the next handout, untimed: long enough for
/// the background refill to make the copy the handout took, as a test doing real work
/// gives it time to.
const TEST_BODY: Duration = Duration::from_millis(40);
/// Tests per wall-time measurement.
const TESTS: u64 = 100;

fn subject_dir() -> PathBuf {
    std::env::var_os("READINESS_BENCH_SUBJECT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/todo-app"))
}

fn handout(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let request = readiness_test::subject(subject_dir());
    let pooled = Provider::new(readiness_default_pool()).expect("a provider");
    let cloning = Provider::new(0).expect("a provider");
    // the servers start and the templates build outside the timed region
    runtime.block_on(async {
        drop(pooled.database(&request).await.expect("a pooled database"));
        drop(cloning.database(&request).await.expect("a cloned database"));
        tokio::time::sleep(TEST_BODY * 4).await;
    });
    let (migrating, migrations) = runtime.block_on(create_then_migrate_setup());

    let mut group = c.benchmark_group("handout/fresh_migrated_database");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(20)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_secs(2));
    for (name, provider, first_query) in [
        ("pooled", &pooled, false),
        ("pooled_then_first_query", &pooled, true),
        ("template_clone", &cloning, false),
        ("template_clone_then_first_query", &cloning, true),
    ] {
        group.bench_function(BenchmarkId::new(name, "todo"), |b| {
            b.to_async(&runtime).iter_custom(|iters| {
                let request = request.clone();
                async move {
                    let mut timed = Duration::ZERO;
                    for _ in 0..iters {
                        let started = Instant::now();
                        let db = provider.database(&request).await.expect("a database");
                        if first_query {
                            sqlx::query("SELECT 1")
                                .execute(db.pool())
                                .await
                                .expect("SELECT 1");
                        }
                        timed += started.elapsed();
                        drop(db);
                        tokio::time::sleep(TEST_BODY).await;
                    }
                    timed
                }
            })
        });
    }
    group.bench_function(BenchmarkId::new("create_then_migrate", "todo"), |b| {
        b.to_async(&runtime).iter_custom(|iters| {
            let (migrating, migrations) = (migrating.clone(), migrations.clone());
            async move {
                let mut timed = Duration::ZERO;
                for _ in 0..iters {
                    let started = Instant::now();
                    let db = migrating.empty("bench_migrate").await.expect("create");
                    migrations.up(&db.admin()).await.expect("migrate");
                    timed += started.elapsed();
                    db.drop_database().await.expect("drop");
                }
                timed
            }
        })
    });
    group.finish();

    let mut group = c.benchmark_group("handout/100_trivial_tests");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .throughput(Throughput::Elements(TESTS));
    for (name, provider) in [("pooled", &pooled), ("template_clone", &cloning)] {
        group.bench_function(BenchmarkId::new(name, TESTS), |b| {
            b.iter(|| trivial_tests(provider, &request))
        });
    }
    group.finish();
    drop(runtime);
}

/// The pool size the test binary's own provider would have here.
fn readiness_default_pool() -> usize {
    std::env::var("RUST_TEST_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        + 1
}

/// A server of its own and the subject's migrations, for create-then-migrate.
async fn create_then_migrate_setup() -> (Arc<TemplatePool>, Arc<Migrations>) {
    let subject = Subject::load(&subject_dir()).expect("the bench subject");
    let backend = NativeBackend::new().expect("PostgreSQL server binaries");
    let server = backend.start(ServerProfile::Fast).await.expect("a server");
    let migrations = Migrations::load(
        subject.migration_source(),
        subject.manifest.migrations.bookkeeping_tables(),
    )
    .await
    .expect("migrations");
    (Arc::new(TemplatePool::new(server)), Arc::new(migrations))
}

/// 100 tests as libtest runs them: one thread per test thread, a tokio runtime per test
/// (`#[tokio::test]`), each test taking a database and reading one table of it.
fn trivial_tests(provider: &Provider, request: &Request) {
    let threads = readiness_default_pool() - 1;
    std::thread::scope(|scope| {
        for thread in 0..threads {
            let share = (TESTS as usize + threads - 1 - thread) / threads;
            scope.spawn(move || {
                for _ in 0..share {
                    let test = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("a test runtime");
                    test.block_on(async {
                        let db = provider.database(request).await.expect("a database");
                        sqlx::query("SELECT 1")
                            .execute(db.pool())
                            .await
                            .expect("a query");
                    });
                }
            });
        }
    });
}

criterion_group!(benches, handout);
criterion_main!(benches);
