//! Handing a scenario a database: a template clone against what `#[sqlx::test]` does
//! (`CREATE DATABASE`, then every migration), on one server in one run; and how long a
//! server takes from nothing to accepting connections: native against a container of the
//! same major (`readiness-postgres:<major>`, else `READINESS_PG_IMAGE`), in one run.

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion};
use harness::backend::container::ContainerBackend;
use harness::backend::native::NativeBackend;
use harness::schema::migrate::Migrations;
use harness::schema::template::TemplatePool;
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
    let native: Arc<dyn Backend> = backend.clone();
    bench_start_to_ready(&mut group, &runtime, "native", native);
    match runtime.block_on(container_backend(backend.binaries().major)) {
        Ok(container) => bench_start_to_ready(&mut group, &runtime, "container", container),
        Err(why) => eprintln!("skipping server/start_to_ready/container: {why}"),
    }
    group.finish();
}

/// The container backend for the bench: `READINESS_PG_IMAGE`, else the native major's image.
async fn container_backend(major: u32) -> Result<Arc<dyn Backend>, harness::backend::BackendError> {
    let image = std::env::var(harness::backend::container::IMAGE_ENV)
        .ok()
        .filter(|v| !v.is_empty());
    let backend = match image {
        Some(image) => ContainerBackend::new(Some(image)).await?,
        None => ContainerBackend::for_major(major).await?,
    };
    Ok(Arc::new(backend))
}

/// Times `backend.start` until the server accepts connections; teardown is not timed.
fn bench_start_to_ready(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    runtime: &tokio::runtime::Runtime,
    name: &str,
    backend: Arc<dyn Backend>,
) {
    group.bench_function(BenchmarkId::new("start_to_ready", name), |b| {
        b.to_async(runtime).iter_custom(|iters| {
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
}
