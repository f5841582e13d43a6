//! What the harness's checks cost on a backup round trip, on the same seeded data in one
//! run: plain `pg_dump | pg_restore` (a pipe, both at once), plain pg_dump to a file then
//! pg_restore, and the harness's verified round trip as its scenarios run it (pg_dump
//! judged by exit status, a sha256 manifest written and verified before pg_restore, which
//! can use two jobs because the backup is a file), without and with `-j 2`. A last line
//! adds the fingerprint of the restored copy, the comparison the scenarios make.

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput};
use harness::backend::native::NativeBackend;
use harness::backend::PgTools;
use harness::backup::{self, DumpOptions, Fingerprint, RestoreOptions};
use harness::schema::migrate::Migrations;
use harness::schema::template::{Database, TemplatePool};
use harness::{Backend, ServerProfile};
use sqlx::Connection;

/// Users' worth of data: big enough that the dump and restore dominate process start-up.
const USERS: u64 = 2_000;

pub fn benches(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let backend = NativeBackend::new().expect("PostgreSQL server binaries");
    let subject = harness::subject::Subject::load(&scenarios::subjects::bundled(
        scenarios::subjects::INSTANTVIZ,
    ))
    .expect("instantviz");
    let (pool, source, rows, expected) = runtime.block_on(async {
        let server = backend.start(ServerProfile::Fast).await.expect("a server");
        let pool = Arc::new(TemplatePool::new(server));
        let migrations = Migrations::load(
            subject.migration_source(),
            subject.manifest.migrations.bookkeeping_tables(),
        )
        .await
        .expect("migrations");
        let source = pool
            .migrated(&migrations, "bench_backup_source")
            .await
            .expect("a database");
        harness::schema::dataset::load(&source, &subject, USERS, 42)
            .await
            .expect("the dataset");
        let expected = fingerprint(&source).await;
        let rows = expected.total_rows();
        (pool, source, rows, expected)
    });
    let tools = pool.server().tools().expect("client tools");
    let scratch = tempfile::tempdir().expect("a scratch directory");

    let mut group = c.benchmark_group("backup_round_trip");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .throughput(Throughput::Elements(rows));
    group.bench_function(BenchmarkId::new("plain_pipe", USERS), |b| {
        b.to_async(&runtime).iter_custom(|iters| {
            let (pool, source, tools) = (pool.clone(), source.clone(), tools.clone());
            async move {
                let mut timed = Duration::ZERO;
                for _ in 0..iters {
                    let target = pool.empty("bench_plain_pipe").await.expect("a database");
                    let started = Instant::now();
                    plain_pipe(&tools, &source, &target);
                    timed += started.elapsed();
                    target.drop_database().await.expect("drop");
                }
                timed
            }
        })
    });
    group.bench_function(BenchmarkId::new("plain_file", USERS), |b| {
        b.to_async(&runtime).iter_custom(|iters| {
            let (pool, source, tools) = (pool.clone(), source.clone(), tools.clone());
            let dir = scratch.path().to_owned();
            async move {
                let mut timed = Duration::ZERO;
                for i in 0..iters {
                    let target = pool.empty("bench_plain_file").await.expect("a database");
                    let file = dir.join(format!("plain_{i}.dump"));
                    let started = Instant::now();
                    plain_file(&tools, &source, &target, &file);
                    timed += started.elapsed();
                    let _ = std::fs::remove_file(&file);
                    target.drop_database().await.expect("drop");
                }
                timed
            }
        })
    });
    for (id, jobs, fingerprinted) in [
        ("verified", 1, false),
        ("verified_j2", 2, false),
        ("verified_j2_and_fingerprinted", 2, true),
    ] {
        group.bench_function(BenchmarkId::new(id, USERS), |b| {
            b.to_async(&runtime).iter_custom(|iters| {
                let (pool, source, tools) = (pool.clone(), source.clone(), tools.clone());
                let (dir, expected) = (scratch.path().to_owned(), expected.clone());
                async move {
                    let mut timed = Duration::ZERO;
                    for i in 0..iters {
                        let target = pool.empty("bench_verified").await.expect("a database");
                        let file = dir.join(format!("{id}_{i}.dump"));
                        let started = Instant::now();
                        let made =
                            backup::dump(&tools, &source.admin(), &file, DumpOptions::custom())
                                .await
                                .expect("dump");
                        backup::restore(
                            &tools,
                            &made.path,
                            &target.admin(),
                            RestoreOptions::jobs(jobs),
                        )
                        .await
                        .expect("restore");
                        if fingerprinted {
                            let diff = expected.diff(&fingerprint(&target).await);
                            assert!(diff.is_empty(), "{:?}", diff.details);
                        }
                        timed += started.elapsed();
                        let _ = std::fs::remove_file(&made.path);
                        let _ = std::fs::remove_file(&made.manifest);
                        target.drop_database().await.expect("drop");
                    }
                    timed
                }
            })
        });
    }
    group.finish();
}

/// `pg_dump -Fc | pg_restore -d target`.
fn plain_pipe(tools: &PgTools, source: &Database, target: &Database) {
    let mut dump = Command::new(tools.program("pg_dump"))
        .arg("--format=custom")
        .arg(format!("--dbname={}", source.name()))
        .envs(source.admin().env())
        .stdout(Stdio::piped())
        .spawn()
        .expect("pg_dump");
    let restore = Command::new(tools.program("pg_restore"))
        .arg(format!("--dbname={}", target.name()))
        .envs(target.admin().env())
        .stdin(dump.stdout.take().expect("a pipe"))
        .status()
        .expect("pg_restore");
    assert!(dump.wait().expect("pg_dump").success() && restore.success());
}

/// `pg_dump -Fc -f file`, then `pg_restore -d target file`.
fn plain_file(tools: &PgTools, source: &Database, target: &Database, file: &std::path::Path) {
    let dumped = Command::new(tools.program("pg_dump"))
        .arg("--format=custom")
        .arg(format!("--file={}", file.display()))
        .arg(format!("--dbname={}", source.name()))
        .envs(source.admin().env())
        .status()
        .expect("pg_dump");
    let restored = Command::new(tools.program("pg_restore"))
        .arg(format!("--dbname={}", target.name()))
        .arg(file)
        .envs(target.admin().env())
        .status()
        .expect("pg_restore");
    assert!(dumped.success() && restored.success());
}

async fn fingerprint(db: &Database) -> Fingerprint {
    let mut conn = db.connect_admin().await.expect("connect");
    let print = Fingerprint::read(&mut conn).await.expect("fingerprint");
    let _ = conn.close().await;
    print
}
