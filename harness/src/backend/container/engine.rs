//! The Docker engine as the container backend reaches it, through the bollard client: the
//! engine check, image presence and pulls, logs, and removal from synchronous code.

use std::time::Duration;

use bollard::errors::Error as DockerError;
use bollard::query_parameters::{
    CreateImageOptionsBuilder, LogsOptionsBuilder, RemoveContainerOptionsBuilder,
};
use bollard::Docker;
use futures::{StreamExt, TryStreamExt};

use crate::backend::BackendError;

/// How long the engine may take to answer a ping.
const CONNECT_DEADLINE: Duration = Duration::from_secs(5);
/// How long pulling a missing image may take, where a registry is reachable.
const PULL_DEADLINE: Duration = Duration::from_secs(600);

/// Where the engine is looked for: `DOCKER_HOST`, else the local socket.
pub fn docker_host() -> String {
    std::env::var("DOCKER_HOST")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "unix:///var/run/docker.sock".to_owned())
}

/// A client of the engine at `DOCKER_HOST` (else the local socket), once it answers.
pub async fn connect() -> Result<Docker, BackendError> {
    let docker = Docker::connect_with_local_defaults().map_err(|e| no_engine(e.to_string()))?;
    ping(docker).await
}

/// A client of its own, for a runtime of its own (removal from `Drop` or Ctrl-C).
pub async fn connect_fresh() -> Result<Docker, BackendError> {
    let docker = Docker::connect_with_local_defaults().map_err(|e| no_engine(e.to_string()))?;
    ping(docker).await
}

async fn ping(docker: Docker) -> Result<Docker, BackendError> {
    match tokio::time::timeout(CONNECT_DEADLINE, docker.ping()).await {
        Ok(Ok(_)) => Ok(docker),
        Ok(Err(e)) => Err(no_engine(e.to_string())),
        Err(_) => Err(no_engine(format!(
            "no answer within {} s",
            CONNECT_DEADLINE.as_secs()
        ))),
    }
}

fn no_engine(why: String) -> BackendError {
    BackendError::Container(format!(
        "no Docker engine answers at {}: {why}. Start one, or point DOCKER_HOST at one",
        docker_host()
    ))
}

/// Makes sure `image` is on the engine: present already, or pulled now.
pub async fn ensure_image(docker: &Docker, image: &str) -> Result<(), BackendError> {
    match docker.inspect_image(image).await {
        Ok(_) => return Ok(()),
        Err(e) if is_not_found(&e) => {}
        Err(e) => return Err(BackendError::docker(format!("inspect image `{image}`"), e)),
    }
    tracing::info!("image {image} is not on this machine: pulling it");
    let options = CreateImageOptionsBuilder::new().from_image(image).build();
    let pull = docker
        .create_image(Some(options), None, None)
        .try_collect::<Vec<_>>();
    let why = match tokio::time::timeout(PULL_DEADLINE, pull).await {
        Ok(Ok(_)) => return Ok(()),
        Ok(Err(e)) => e.to_string(),
        Err(_) => format!("no pull finished within {} s", PULL_DEADLINE.as_secs()),
    };
    Err(BackendError::Container(format!(
        "image `{image}` is not on this machine and could not be pulled ({why}). Without a \
         registry, build one here with `scripts/build-postgres-image` and pass \
         `--image readiness-postgres:<major>` (or set READINESS_PG_IMAGE)"
    )))
}

/// Whether the engine has `image` locally.
pub async fn has_image(docker: &Docker, image: &str) -> bool {
    docker.inspect_image(image).await.is_ok()
}

/// Whether an engine error is a 404.
pub fn is_not_found(error: &DockerError) -> bool {
    matches!(
        error,
        DockerError::DockerResponseServerError {
            status_code: 404,
            ..
        }
    )
}

/// The last `lines` lines a container printed, stdout and stderr together.
pub async fn log_tail(docker: &Docker, id: &str, lines: usize) -> String {
    let options = LogsOptionsBuilder::new()
        .stdout(true)
        .stderr(true)
        .tail(&lines.to_string())
        .build();
    let chunks: Vec<String> = docker
        .logs(id, Some(options))
        .filter_map(|chunk| async move { chunk.ok().map(|c| c.to_string()) })
        .collect()
        .await;
    chunks.concat().trim_end().to_owned()
}

/// Force-removes a container and its anonymous volumes; a container already gone is fine.
pub async fn remove(docker: &Docker, id: &str) -> Result<(), DockerError> {
    let options = RemoveContainerOptionsBuilder::new()
        .force(true)
        .v(true)
        .build();
    match docker.remove_container(id, Some(options)).await {
        Err(e) if !is_not_found(&e) => Err(e),
        _ => Ok(()),
    }
}

/// [`remove`] from synchronous code (`Drop`, the Ctrl-C handler): on a thread of its own
/// with its own runtime and connection, so that it works inside or outside any runtime.
pub fn remove_blocking(id: &str) {
    let id = id.to_owned();
    let removal = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build();
        let Ok(runtime) = runtime else {
            return Err("no runtime for the removal".to_owned());
        };
        runtime.block_on(async {
            let docker = connect_fresh().await.map_err(|e| e.to_string())?;
            remove(&docker, &id).await.map_err(|e| e.to_string())
        })
    });
    match removal.join() {
        Ok(Ok(())) => {}
        Ok(Err(why)) => tracing::warn!("failed to remove a container: {why}"),
        Err(_) => tracing::warn!("failed to remove a container: the removal thread panicked"),
    }
}
