//! The Docker engine as the container backend talks to it: the bollard client that
//! testcontainers re-exports, with its API version negotiated down to the engine's.
//!
//! testcontainers' own runner pins the newest API version its bollard knows (1.53 for
//! testcontainers 0.28) and does not negotiate, so any older engine (Debian's docker.io
//! 20.10 speaks 1.41) answers every request with "client version is too new". Negotiating
//! keeps the backend working on every engine from API 1.41 on.

use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use testcontainers::bollard::errors::Error as DockerError;
use testcontainers::bollard::query_parameters::{
    CreateImageOptionsBuilder, LogsOptionsBuilder, RemoveContainerOptionsBuilder,
};
use testcontainers::bollard::Docker;

use crate::backend::BackendError;

/// How long the engine may take to answer the version handshake.
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

/// Connects to the engine and negotiates the API version; fails when no engine answers.
pub async fn connect() -> Result<Docker, BackendError> {
    let no_engine = |why: String| {
        BackendError::Container(format!(
            "no Docker engine answers at {}: {why}. Start one, or set DOCKER_HOST",
            docker_host()
        ))
    };
    let docker = Docker::connect_with_local_defaults().map_err(|e| no_engine(e.to_string()))?;
    match tokio::time::timeout(CONNECT_DEADLINE, docker.negotiate_version()).await {
        Ok(Ok(docker)) => Ok(docker),
        Ok(Err(e)) => Err(no_engine(e.to_string())),
        Err(_) => Err(no_engine(format!(
            "no answer within {} s",
            CONNECT_DEADLINE.as_secs()
        ))),
    }
}

/// Makes sure `image` is on the engine: present already, or pulled now.
pub async fn ensure_image(docker: &Docker, image: &str) -> Result<(), BackendError> {
    match docker.inspect_image(image).await {
        Ok(_) => return Ok(()),
        Err(e) if is_not_found(&e) => {}
        Err(e) => {
            return Err(BackendError::Container(format!(
                "failed to inspect image `{image}`: {e}"
            )))
        }
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
            let docker = connect().await.map_err(|e| e.to_string())?;
            remove(&docker, &id).await.map_err(|e| e.to_string())
        })
    });
    match removal.join() {
        Ok(Ok(())) => {}
        Ok(Err(why)) => tracing::warn!("failed to remove a container: {why}"),
        Err(_) => tracing::warn!("failed to remove a container: the removal thread panicked"),
    }
}
