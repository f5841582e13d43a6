//! `[config]`: the subject's configuration files to audit.

use std::path::PathBuf;

use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFiles {
    pub postgresql_conf: Option<PathBuf>,
    pub pg_hba_conf: Option<PathBuf>,
    pub docker_compose: Option<PathBuf>,
    pub env: Option<PathBuf>,
    /// The compose service that runs PostgreSQL (default: the one whose image is postgres).
    pub database_service: Option<String>,
}
