//! The `container` backend: PostgreSQL in a Docker container through testcontainers.

use std::sync::Arc;

use async_trait::async_trait;

use super::{Backend, BackendError, BackendKind, Server, ServerProfile};

/// The image used when none is named: a pinned official tag, for machines with a registry.
pub const DEFAULT_IMAGE: &str = "postgres:17.2-bookworm";

/// Servers in containers.
#[derive(Debug)]
pub struct ContainerBackend {
    image: String,
}

impl ContainerBackend {
    /// Checks that a Docker engine answers; `image` defaults to `READINESS_PG_IMAGE`, then
    /// [`DEFAULT_IMAGE`].
    pub async fn new(image: Option<String>) -> Result<ContainerBackend, BackendError> {
        let image = image
            .or_else(|| {
                std::env::var("READINESS_PG_IMAGE")
                    .ok()
                    .filter(|v| !v.is_empty())
            })
            .unwrap_or_else(|| DEFAULT_IMAGE.to_owned());
        if !docker_answers().await {
            return Err(BackendError::Container(
                "no Docker engine answers (checked DOCKER_HOST and /var/run/docker.sock)".into(),
            ));
        }
        Ok(ContainerBackend { image })
    }
}

#[async_trait]
impl Backend for ContainerBackend {
    fn kind(&self) -> BackendKind {
        BackendKind::Container
    }

    fn describe(&self) -> String {
        format!("container from image {}", self.image)
    }

    async fn start(&self, _profile: ServerProfile) -> Result<Arc<dyn Server>, BackendError> {
        Err(BackendError::Container(format!(
            "starting {} is not built yet: the container backend lands with its own issue",
            self.image
        )))
    }
}

/// Whether a Docker engine answers a ping.
pub async fn docker_answers() -> bool {
    let Ok(docker) = testcontainers::bollard::Docker::connect_with_local_defaults() else {
        return false;
    };
    matches!(
        tokio::time::timeout(std::time::Duration::from_secs(3), docker.ping()).await,
        Ok(Ok(_))
    )
}
