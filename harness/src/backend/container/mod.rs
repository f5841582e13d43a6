//! The `container` backend: each server a PostgreSQL container of any image that follows
//! the official `postgres` image's contract (`POSTGRES_PASSWORD`, `POSTGRES_USER`, port
//! 5432, `postgres` arguments), created, started and faulted (SIGKILL, pause, stop) through
//! the Docker engine API with the bollard client. Containers are labelled with the run and
//! owner, removed on drop and on Ctrl-C, and those of dead runs are reaped when a backend
//! is created.

pub mod engine;
pub mod labels;
pub mod probe;
mod server;

use std::sync::Arc;

use async_trait::async_trait;
use bollard::Docker;

use super::{Backend, BackendError, BackendKind, Server, ServerProfile};
pub use probe::ImageVersion;
pub use server::ContainerServer;

/// The image used when none is named: a pinned official tag, for machines with a registry.
pub const DEFAULT_IMAGE: &str = "postgres:17.2-bookworm";
/// The images `scripts/build-postgres-image` builds without a registry: `<repo>:<major>`.
pub const LOCAL_IMAGE_REPO: &str = "readiness-postgres";
/// The environment variable naming the image.
pub const IMAGE_ENV: &str = "READINESS_PG_IMAGE";

/// Servers in containers of one image.
#[derive(Debug)]
pub struct ContainerBackend {
    docker: Docker,
    image: String,
    version: ImageVersion,
}

impl ContainerBackend {
    /// Connects to the engine, reaps the containers of dead runs, and makes sure `image`
    /// (default: `READINESS_PG_IMAGE`, then [`DEFAULT_IMAGE`]) is present and is PostgreSQL.
    pub async fn new(image: Option<String>) -> Result<ContainerBackend, BackendError> {
        let image = image
            .or_else(|| std::env::var(IMAGE_ENV).ok().filter(|v| !v.is_empty()))
            .unwrap_or_else(|| DEFAULT_IMAGE.to_owned());
        let docker = engine::connect().await?;
        for name in labels::reap_orphans(&docker).await {
            tracing::info!("reaped container {name} left behind by a killed run");
        }
        engine::ensure_image(&docker, &image).await?;
        let version = probe::postgres_version(&docker, &image).await?;
        Ok(ContainerBackend {
            docker,
            image,
            version,
        })
    }

    /// A backend for PostgreSQL `major`: `readiness-postgres:<major>` when this machine has
    /// it (built by `scripts/build-postgres-image`), else the official `postgres:<major>`.
    pub async fn for_major(major: u32) -> Result<ContainerBackend, BackendError> {
        let docker = engine::connect().await?;
        let local = format!("{LOCAL_IMAGE_REPO}:{major}");
        let image = if engine::has_image(&docker, &local).await {
            local
        } else {
            format!("postgres:{major}")
        };
        let backend = Self::new(Some(image)).await.map_err(|e| match e {
            BackendError::Container(why) => BackendError::Container(format!(
                "{why}\n(for PostgreSQL {major}: build `{LOCAL_IMAGE_REPO}:{major}` with \
                 `scripts/build-postgres-image {major}`)"
            )),
            other => other,
        })?;
        if backend.version.major != major {
            return Err(BackendError::Container(format!(
                "image `{}` holds PostgreSQL {}, not {major}",
                backend.image, backend.version.version
            )));
        }
        Ok(backend)
    }

    /// The image every server starts from.
    pub fn image(&self) -> &str {
        &self.image
    }

    /// The PostgreSQL the image holds.
    pub fn image_version(&self) -> &ImageVersion {
        &self.version
    }

    /// Starts a server with the concrete type, for tests of the container itself.
    pub async fn start_container(
        &self,
        profile: ServerProfile,
    ) -> Result<ContainerServer, BackendError> {
        ContainerServer::start(self, profile, &[]).await
    }
}

#[async_trait]
impl Backend for ContainerBackend {
    fn kind(&self) -> BackendKind {
        BackendKind::Container
    }

    fn describe(&self) -> String {
        format!(
            "PostgreSQL {} in containers from image {}",
            self.version.version, self.image
        )
    }

    async fn start(&self, profile: ServerProfile) -> Result<Arc<dyn Server>, BackendError> {
        Ok(Arc::new(ContainerServer::start(self, profile, &[]).await?))
    }

    async fn start_with_settings(
        &self,
        profile: ServerProfile,
        settings: &[(String, String)],
    ) -> Result<Arc<dyn Server>, BackendError> {
        Ok(Arc::new(
            ContainerServer::start(self, profile, settings).await?,
        ))
    }
}

/// Whether a Docker engine answers.
pub async fn docker_answers() -> bool {
    engine::connect().await.is_ok()
}
