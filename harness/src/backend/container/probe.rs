//! What an image holds: `postgres --version` run in a throwaway container, so that an
//! image which is not PostgreSQL is refused before any scenario runs, and the major
//! version is known (for client tools and for `--pg` matrices).

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use bollard::models::ContainerCreateBody;
use bollard::query_parameters::CreateContainerOptionsBuilder;
use bollard::Docker;

use super::{engine, labels};
use crate::backend::cleanup;
use crate::backend::names;
use crate::backend::native::binaries;
use crate::backend::BackendError;
use crate::process::wait::Patience;

/// How long `postgres --version` may take, container start included.
const PROBE_DEADLINE: Duration = Duration::from_secs(60);

/// The PostgreSQL an image holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageVersion {
    /// e.g. "15.18".
    pub version: String,
    pub major: u32,
}

/// Runs `postgres --version` in a container of `image` and parses what it prints.
pub async fn postgres_version(docker: &Docker, image: &str) -> Result<ImageVersion, BackendError> {
    let body = ContainerCreateBody {
        image: Some(image.to_owned()),
        cmd: Some(vec!["postgres".into(), "--version".into()]),
        labels: Some(labels::ours()),
        ..Default::default()
    };
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "readiness-probe-{}-{}",
        names::run_id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    // registered by name before the container exists, so that Ctrl-C removes it too
    let registration = cleanup::register(format!("probe container {name}"), {
        let name = name.clone();
        move || engine::remove_blocking(&name)
    })
    .map_err(|e| BackendError::Container(e.to_string()))?;
    let options = CreateContainerOptionsBuilder::new().name(&name).build();
    let created = docker
        .create_container(Some(options), body)
        .await
        .map_err(|e| BackendError::docker(format!("create a container of `{image}`"), e))?;
    let id = created.id;
    let outcome = run_to_exit(docker, &id).await;
    let output = engine::log_tail(docker, &id, 20).await;
    if let Err(e) = engine::remove(docker, &id).await {
        tracing::warn!("failed to remove the probe container {id}: {e}");
    }
    drop(registration);
    let exit_code = outcome.map_err(|why| not_postgres(image, &why))?;
    match binaries::parse_version(&output) {
        Some(version) if exit_code == 0 => {
            let major = version
                .split('.')
                .next()
                .and_then(|m| m.parse().ok())
                .unwrap_or(0);
            Ok(ImageVersion { version, major })
        }
        _ => Err(not_postgres(
            image,
            &format!("`postgres --version` exited with {exit_code} and printed: {output:?}"),
        )),
    }
}

fn not_postgres(image: &str, why: &str) -> BackendError {
    BackendError::Container(format!("image `{image}` is not a PostgreSQL image: {why}"))
}

/// Starts the container and waits for it to exit; returns its exit code.
async fn run_to_exit(docker: &Docker, id: &str) -> Result<i64, String> {
    docker
        .start_container(id, None)
        .await
        .map_err(|e| format!("its container did not start: {e}"))?;
    let mut patience = Patience::new(PROBE_DEADLINE, Duration::from_millis(50));
    while patience.another_look().await {
        let state = docker
            .inspect_container(id, None)
            .await
            .map_err(|e| e.to_string())?
            .state
            .unwrap_or_default();
        if state.running != Some(true) {
            return Ok(state.exit_code.unwrap_or(-1));
        }
    }
    Err(format!(
        "`postgres --version` did not finish within {} s",
        PROBE_DEADLINE.as_secs()
    ))
}
