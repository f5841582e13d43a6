//! The container backend on a real Docker engine: servers that answer on loopback only,
//! the fault hooks (SIGKILL, pause, stop/start), removal on drop, reaping of dead runs'
//! containers, and one clear error for an image that is missing or is not PostgreSQL.
//!
//! Without an engine (or without the image) each test prints a SKIP line and passes,
//! unless `READINESS_REQUIRE_DOCKER=1`, which makes that a failure. The image is
//! `READINESS_PG_IMAGE`, else `readiness-postgres:<host major>` (`scripts/build-postgres-image`).

use std::collections::HashMap;
use std::time::Duration;

use bollard::models::ContainerCreateBody;
use bollard::query_parameters::ListContainersOptionsBuilder;
use bollard::Docker;
use harness::backend::container::{engine, labels, ContainerBackend, LOCAL_IMAGE_REPO};
use harness::backend::native::binaries;
use harness::skip;
use harness::{Server, ServerProfile};
use sqlx::{Connection, Executor, PgConnection, Row};

fn test_image() -> String {
    std::env::var("READINESS_PG_IMAGE")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| {
            let major = binaries::discover().map(|b| b.major).unwrap_or(15);
            format!("{LOCAL_IMAGE_REPO}:{major}")
        })
}

/// The engine and the test image, or `None` after printing why the test is skipped.
async fn engine_or_skip(test: &str) -> Option<Docker> {
    let skip = |why: String| {
        skip::skip(test, &why, skip::REQUIRE_DOCKER);
        None
    };
    let docker = match engine::connect().await {
        Ok(docker) => docker,
        Err(e) => return skip(e.to_string()),
    };
    let image = test_image();
    if !engine::has_image(&docker, &image).await {
        return skip(format!(
            "image `{image}` is not on this machine (build it with scripts/build-postgres-image)"
        ));
    }
    Some(docker)
}

async fn backend_or_skip(test: &str) -> Option<ContainerBackend> {
    engine_or_skip(test).await?;
    Some(
        ContainerBackend::new(Some(test_image()))
            .await
            .expect("the container backend"),
    )
}

async fn scalar(server: &dyn Server, sql: &str) -> String {
    let mut conn = PgConnection::connect_with(&server.admin().options())
        .await
        .unwrap_or_else(|e| panic!("connect to {}: {e}", server.describe()));
    let value: String = sqlx::query(sql).fetch_one(&mut conn).await.unwrap().get(0);
    let _ = conn.close().await;
    value
}

/// The containers of `image` this process owns, by id (tests run in parallel).
async fn our_containers(docker: &Docker, image: &str) -> Vec<String> {
    let filters = HashMap::from([(
        "label",
        vec![format!("{}={}", labels::OWNER_PID, std::process::id())],
    )]);
    let options = ListContainersOptionsBuilder::new()
        .all(true)
        .filters(&filters)
        .build();
    docker
        .list_containers(Some(options))
        .await
        .unwrap()
        .into_iter()
        .filter(|c| c.image.as_deref() == Some(image))
        .filter_map(|c| c.id)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn container_server_serves_admin_and_app_roles_on_loopback_with_the_profile() {
    let Some(backend) = backend_or_skip("container_server_serves_admin_and_app_roles").await else {
        return;
    };
    let server = backend.start_container(ServerProfile::Fast).await.unwrap();
    assert_eq!(server.version().major(), backend.image_version().major);
    assert_eq!(scalar(&server, "SHOW fsync").await, "off", "fast profile");
    let mut app = PgConnection::connect_with(&server.app().options())
        .await
        .expect("the app role logs in");
    let (is_super, can_create_db): (bool, bool) =
        sqlx::query_as("SELECT rolsuper, rolcreatedb FROM pg_roles WHERE rolname = current_user")
            .fetch_one(&mut app)
            .await
            .unwrap();
    assert!(!is_super && !can_create_db, "the app role is unprivileged");
    let _ = app.close().await;

    let docker = engine::connect().await.unwrap();
    let inspected = docker.inspect_container(server.id(), None).await.unwrap();
    let bindings = inspected
        .host_config
        .and_then(|h| h.port_bindings)
        .and_then(|p| p.get("5432/tcp").cloned().flatten())
        .unwrap();
    assert!(
        bindings
            .iter()
            .all(|b| b.host_ip.as_deref() == Some("127.0.0.1")),
        "published on loopback only: {bindings:?}"
    );
    let durable = backend
        .start_container(ServerProfile::Durable)
        .await
        .unwrap();
    assert_eq!(
        scalar(&durable, "SHOW fsync").await,
        "on",
        "durable profile"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_container_restarts_with_committed_data_after_crash_recovery() {
    let Some(backend) = backend_or_skip("killed_container_restarts_with_committed_data").await
    else {
        return;
    };
    let server = backend
        .start_container(ServerProfile::Durable)
        .await
        .unwrap();
    let mut conn = PgConnection::connect_with(&server.admin().options())
        .await
        .unwrap();
    conn.execute("CREATE TABLE kept (n int); INSERT INTO kept SELECT generate_series(1, 1000)")
        .await
        .unwrap();
    server.kill().await.expect("SIGKILL");
    assert!(
        conn.execute("SELECT 1").await.is_err(),
        "a killed server must not answer"
    );
    assert!(PgConnection::connect_with(&server.admin().options())
        .await
        .is_err());
    server.restart().await.expect("restart after the kill");
    assert_eq!(
        scalar(&server, "SELECT count(*)::text FROM kept").await,
        "1000"
    );
    let log = server.log_tail().await;
    assert!(
        log.contains("was interrupted") || log.contains("not properly shut down"),
        "the restart must have gone through crash recovery:\n{log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paused_container_times_out_queries_and_answers_after_resume() {
    let Some(backend) = backend_or_skip("paused_container_times_out_queries").await else {
        return;
    };
    let server = backend.start_container(ServerProfile::Fast).await.unwrap();
    let mut conn = PgConnection::connect_with(&server.admin().options())
        .await
        .unwrap();
    server.pause().await.expect("pause");
    let hung = tokio::time::timeout(Duration::from_secs(2), conn.execute("SELECT 1")).await;
    assert!(hung.is_err(), "a paused server must not answer: {hung:?}");
    server.resume().await.expect("resume");
    let answered = tokio::time::timeout(Duration::from_secs(10), conn.execute("SELECT 1")).await;
    assert!(
        matches!(answered, Ok(Ok(_))),
        "the same connection answers after resume: {answered:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopped_container_starts_again_on_the_port_it_publishes_now() {
    let Some(backend) = backend_or_skip("stopped_container_starts_again").await else {
        return;
    };
    let server = backend.start_container(ServerProfile::Fast).await.unwrap();
    server.stop().await.expect("stop");
    assert!(PgConnection::connect_with(&server.admin().options())
        .await
        .is_err());
    server.restart().await.expect("start after the stop");
    let docker = engine::connect().await.unwrap();
    let published: u16 = docker
        .inspect_container(server.id(), None)
        .await
        .unwrap()
        .network_settings
        .and_then(|n| n.ports)
        .and_then(|p| p.get("5432/tcp").cloned().flatten())
        .and_then(|b| b.first().and_then(|b| b.host_port.clone()))
        .and_then(|p| p.parse().ok())
        .unwrap();
    assert_eq!(server.admin().port, published, "the port is re-read");
    assert_eq!(scalar(&server, "SELECT 'up'").await, "up");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_servers_leave_no_container_behind() {
    let Some(backend) = backend_or_skip("dropped_servers_leave_no_container_behind").await else {
        return;
    };
    let server = backend.start_container(ServerProfile::Fast).await.unwrap();
    let id = server.id().to_owned();
    let docker = engine::connect().await.unwrap();
    assert!(docker.inspect_container(&id, None).await.is_ok());
    drop(server);
    let gone = docker.inspect_container(&id, None).await;
    assert!(
        matches!(&gone, Err(e) if engine::is_not_found(e)),
        "container {id} must be removed on drop: {gone:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn containers_of_dead_runs_are_reaped_and_live_ones_kept() {
    let Some(docker) = engine_or_skip("containers_of_dead_runs_are_reaped").await else {
        return;
    };
    let create = |labels: HashMap<String, String>| {
        let docker = docker.clone();
        async move {
            docker
                .create_container(
                    None,
                    ContainerCreateBody {
                        image: Some(test_image()),
                        cmd: Some(vec!["postgres".into(), "--version".into()]),
                        labels: Some(labels),
                        ..Default::default()
                    },
                )
                .await
                .unwrap()
                .id
        }
    };
    let mut dead = labels::ours();
    dead.insert(labels::OWNER_PID.into(), "999999999".into());
    dead.insert(labels::OWNER_START.into(), "1".into());
    let orphan = create(dead).await;
    let live = create(labels::ours()).await;

    let reaped = labels::reap_orphans(&docker).await;
    let gone = docker.inspect_container(&orphan, None).await;
    let still_there = docker.inspect_container(&live, None).await;
    engine::remove(&docker, &live).await.unwrap();
    assert!(
        matches!(&gone, Err(e) if engine::is_not_found(e)),
        "the dead run's container must be gone (reaped {reaped:?})"
    );
    assert!(still_there.is_ok(), "a live owner's container stays");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_image_is_one_clear_error_and_leaves_nothing() {
    let Some(docker) = engine_or_skip("missing_image_is_one_clear_error").await else {
        return;
    };
    let error = ContainerBackend::new(Some("readiness-postgres:no-such-tag".into()))
        .await
        .expect_err("a missing image must be refused")
        .to_string();
    assert!(
        error.contains("image `readiness-postgres:no-such-tag` is not on this machine")
            && error.contains("scripts/build-postgres-image"),
        "{error}"
    );
    assert_eq!(
        our_containers(&docker, "readiness-postgres:no-such-tag").await,
        Vec::<String>::new()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn image_that_is_not_postgres_is_refused_and_leaves_nothing() {
    let Some(docker) = engine_or_skip("image_that_is_not_postgres_is_refused").await else {
        return;
    };
    let image = "readiness-test-not-postgres:latest";
    let dockerfile = format!(
        "FROM {}\nENTRYPOINT [\"/bin/sh\", \"-c\", \"echo this is not a database\"]\n",
        test_image()
    );
    let mut build = std::process::Command::new("docker")
        .args(["build", "--quiet", "--tag", image, "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("docker build");
    use std::io::Write;
    build
        .stdin
        .take()
        .unwrap()
        .write_all(dockerfile.as_bytes())
        .unwrap();
    assert!(build.wait().unwrap().success(), "docker build of {image}");

    let error = ContainerBackend::new(Some(image.into()))
        .await
        .expect_err("an image without PostgreSQL must be refused")
        .to_string();
    let leftovers = our_containers(&docker, image).await;
    let _ = std::process::Command::new("docker")
        .args(["image", "rm", image])
        .output();
    assert!(
        error.contains(&format!("image `{image}` is not a PostgreSQL image"))
            && error.contains("this is not a database"),
        "{error}"
    );
    assert_eq!(leftovers, Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kept_container_outlives_its_handle_under_a_name_the_reaper_skips() {
    let Some(backend) = backend_or_skip("kept_container_outlives_its_handle").await else {
        return;
    };
    let server = backend.start_container(ServerProfile::Fast).await.unwrap();
    let id = server.id().to_owned();
    let how_to_reach = server
        .keep()
        .expect("a kept container says how to reach it");
    drop(server);
    let docker = engine::connect().await.unwrap();
    let kept = docker.inspect_container(&id, None).await;
    engine::remove(&docker, &id).await.unwrap();
    let name = kept
        .expect("the kept container survives the drop")
        .name
        .unwrap_or_default();
    assert!(
        name.trim_start_matches('/')
            .starts_with(labels::KEPT_PREFIX),
        "{name}"
    );
    let password_file = how_to_reach
        .split("(password in ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .expect("the password file is named");
    let _ = std::fs::remove_file(password_file);
    assert!(
        how_to_reach.contains("docker rm -fv readiness-kept-"),
        "{how_to_reach}"
    );
}
