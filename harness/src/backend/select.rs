//! Choosing a backend: the one asked for, else native when server binaries are found,
//! else container when a Docker engine answers, else one error saying how to get either.

use std::sync::Arc;

use super::container::{docker_answers, ContainerBackend};
use super::native::{binaries, NativeBackend};
use super::url::UrlBackend;
use super::{Backend, BackendError, BackendKind};

/// What the user asked for.
#[derive(Debug, Clone, Default)]
pub struct BackendOptions {
    pub kind: Option<BackendKind>,
    /// `--url`; with `--backend url` and no `--url`, `DATABASE_URL` is used.
    pub url: Option<String>,
    /// `--image` for the container backend.
    pub image: Option<String>,
}

const HOW_TO_GET_ONE: &str =
    "Install PostgreSQL server binaries (Debian/Ubuntu: `apt-get install postgresql`; \
macOS: `brew install postgresql@17`) or point READINESS_PG_BIN at their directory; \
or start a Docker engine; or pass --url postgres://… for an existing server.";

pub async fn select(options: &BackendOptions) -> Result<Arc<dyn Backend>, BackendError> {
    let kind = match (options.kind, &options.url) {
        (Some(kind), _) => kind,
        (None, Some(_)) => BackendKind::Url,
        (None, None) => auto_kind().await?,
    };
    Ok(match kind {
        BackendKind::Native => Arc::new(NativeBackend::new()?),
        BackendKind::Container => Arc::new(ContainerBackend::new(options.image.clone()).await?),
        BackendKind::Url => {
            let url = options
                .url
                .clone()
                .or_else(|| std::env::var("DATABASE_URL").ok().filter(|v| !v.is_empty()))
                .ok_or_else(|| {
                    BackendError::Url("--backend url needs --url or DATABASE_URL".into())
                })?;
            Arc::new(UrlBackend::from_url(&url)?)
        }
    })
}

async fn auto_kind() -> Result<BackendKind, BackendError> {
    match binaries::discover() {
        Ok(_) => Ok(BackendKind::Native),
        Err(no_binaries) if docker_answers().await => {
            tracing::info!("using the container backend: {no_binaries}");
            Ok(BackendKind::Container)
        }
        Err(no_binaries) => Err(BackendError::NothingAvailable {
            hint: format!("{no_binaries}.\n{HOW_TO_GET_ONE}"),
        }),
    }
}
