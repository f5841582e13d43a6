//! Handing a scenario a database: a template clone against what `#[sqlx::test]` does
//! (`CREATE DATABASE`, then every migration), on one server in one run; and how long a
//! native server takes from nothing to accepting connections.

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion};
use harness::backend::native::NativeBackend;
use harness::migrate::Migrations;
use harness::template::TemplatePool;
use harness::{Backend, ServerProfile};

pub fn benches(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let backend = Arc::new(NativeBackend::new().expect("PostgreSQL server binaries"));
    let subject = harness::subject::Subject::load(&scenarios::subjects::bundled(
        scenarios::subjects::INSTANTVIZ,
    ))
    .expect("instantviz");
    let (pool, migrations, template) = runtime.block_on(async {
        let server = backend.start(ServerProfile::Fast).await.expect("a server");
        let pool = Arc::new(TemplatePool::new(server));
        let migrations = Arc::new(
            Migrations::load(
                subject.migration_source(),
                subject.manifest.migrations.bookkeeping_tables(),
            )
            .await
            .expect("migrations"),
        );
        let template = pool
            .migrated_template(&migrations)
            .await
            .expect("the template");
        (pool, migrations, template)
    });

    let mut group = c.benchmark_group("provisioning");
    group
        .sample_size(30)
        .measurement_time(Duration::from_secs(10));
    group.bench_function(
        BenchmarkId::new("fresh_migrated_database", "template_clone"),
        |b| {
            b.to_async(&runtime).iter_custom(|iters| {
                let (pool, template) = (pool.clone(), template.clone());
                async move {
                    let mut timed = Duration::ZERO;
                    for _ in 0..iters {
                        let started = Instant::now();
                        let db = pool
                            .clone_of(&template, "bench_clone")
                            .await
                            .expect("clone");
                        timed += started.elapsed();
                        db.drop_database().await.expect("drop");
                    }
                    timed
                }
            })
        },
    );
    group.bench_function(
        BenchmarkId::new("fresh_migrated_database", "create_then_migrate"),
        |b| {
            b.to_async(&runtime).iter_custom(|iters| {
                let (pool, migrations) = (pool.clone(), migrations.clone());
                async move {
                    let mut timed = Duration::ZERO;
                    for _ in 0..iters {
                        let started = Instant::now();
                        let db = pool.empty("bench_migrate").await.expect("create");
                        migrations.up(&db.admin()).await.expect("migrate");
                        timed += started.elapsed();
                        db.drop_database().await.expect("drop");
                    }
                    timed
                }
            })
        },
    );
    group.finish();

    let mut group = c.benchmark_group("server");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.bench_function(BenchmarkId::new("start_to_ready", "native"), |b| {
        b.to_async(&runtime).iter_custom(|iters| {
            let backend = backend.clone();
            async move {
                let mut timed = Duration::ZERO;
                for _ in 0..iters {
                    let started = Instant::now();
                    let server = backend.start(ServerProfile::Fast).await.expect("a server");
                    timed += started.elapsed();
                    drop(server);
                }
                timed
            }
        })
    });
    group.finish();
}
