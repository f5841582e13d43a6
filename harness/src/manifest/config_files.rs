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
}
