//! A subject: the application under test, as a directory with a `readiness.toml`.

pub mod app;
pub mod configfiles;
pub mod discover;
pub mod manifest;
pub mod snapshot;

use std::path::{Path, PathBuf};

use manifest::{Manifest, ManifestError, MigrationSource};

/// A loaded subject: its directory and its checked manifest.
#[derive(Debug, Clone)]
pub struct Subject {
    pub dir: PathBuf,
    pub manifest_path: PathBuf,
    pub manifest: Manifest,
}

/// Why a subject could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SubjectError {
    #[error("subject directory {} does not exist", .0.display())]
    MissingDir(PathBuf),
    #[error("{} has no {}", .0.display(), manifest::MANIFEST_FILE)]
    MissingManifest(PathBuf),
    #[error(transparent)]
    Manifest(#[from] ManifestError),
}

impl Subject {
    /// Loads `dir/readiness.toml` and checks that the files it names exist.
    pub fn load(dir: &Path) -> Result<Subject, SubjectError> {
        if !dir.is_dir() {
            return Err(SubjectError::MissingDir(dir.to_owned()));
        }
        let dir =
            std::fs::canonicalize(dir).map_err(|_| SubjectError::MissingDir(dir.to_owned()))?;
        let manifest_path = dir.join(manifest::MANIFEST_FILE);
        if !manifest_path.is_file() {
            return Err(SubjectError::MissingManifest(dir));
        }
        let manifest = Manifest::load(&manifest_path)?;
        let subject = Subject {
            dir,
            manifest_path,
            manifest,
        };
        subject.check_paths()?;
        Ok(subject)
    }

    pub fn name(&self) -> &str {
        &self.manifest.subject.name
    }

    /// A path from the manifest, resolved against the subject directory.
    pub fn path(&self, relative: &Path) -> PathBuf {
        self.dir.join(relative)
    }

    pub fn migration_source(&self) -> MigrationSource {
        self.manifest.migrations.source(&self.dir)
    }

    /// The server settings the subject runs PostgreSQL with, wherever its `[config]`
    /// files set them (see [`crate::subject::configfiles::settings`]).
    pub fn server_settings(
        &self,
    ) -> Result<
        Vec<crate::subject::configfiles::settings::Setting>,
        crate::subject::configfiles::ConfigError,
    > {
        let config = &self.manifest.config;
        let path = |p: &Option<PathBuf>| p.as_ref().map(|p| self.path(p));
        crate::subject::configfiles::settings::read(
            &crate::subject::configfiles::settings::Sources {
                root: self.dir.clone(),
                postgresql_conf: path(&config.postgresql_conf),
                docker_compose: path(&config.docker_compose),
                database_service: config.database_service.clone(),
                env: path(&config.env),
            },
        )
    }

    /// The error for `key` in this subject's manifest.
    pub fn invalid(&self, key: &str, message: impl Into<String>) -> ManifestError {
        manifest::invalid_key(&self.manifest_path, key, message)
    }

    fn check_paths(&self) -> Result<(), ManifestError> {
        let m = &self.manifest;
        let must_exist =
            |key: &str, path: &Option<PathBuf>, dir: bool| -> Result<(), ManifestError> {
                match path {
                    Some(p) if dir && !self.path(p).is_dir() => Err(self.invalid(
                        key,
                        format!("directory `{}` does not exist", self.path(p).display()),
                    )),
                    Some(p) if !dir && !self.path(p).exists() => Err(self.invalid(
                        key,
                        format!("file `{}` does not exist", self.path(p).display()),
                    )),
                    _ => Ok(()),
                }
            };
        if let Some(dir) = &m.migrations.dir {
            // a directory of migrations, or one schema file
            if !self.path(dir).exists() {
                return Err(self.invalid(
                    "migrations.dir",
                    format!(
                        "directory or schema file `{}` does not exist",
                        self.path(dir).display()
                    ),
                ));
            }
        }
        must_exist("migrations.workdir", &m.migrations.workdir, true)?;
        let app_workdir = m.app.as_ref().and_then(|a| a.workdir.clone());
        must_exist("app.workdir", &app_workdir, true)?;
        for (i, flow) in m.flows.command.iter().enumerate() {
            let workdir = flow.workdir.as_ref().map(PathBuf::from);
            must_exist(&format!("flows.command[{i}].workdir"), &workdir, true)?;
        }
        if let Some(webhooks) = &m.flows.webhooks {
            let events = Some(PathBuf::from(&webhooks.events));
            must_exist("flows.webhooks.events", &events, true)?;
            let workdir = webhooks.workdir.as_ref().map(PathBuf::from);
            must_exist("flows.webhooks.workdir", &workdir, true)?;
        }
        must_exist("config.postgresql_conf", &m.config.postgresql_conf, false)?;
        must_exist("config.pg_hba_conf", &m.config.pg_hba_conf, false)?;
        must_exist("config.docker_compose", &m.config.docker_compose, false)?;
        must_exist("config.env", &m.config.env, false)?;
        if let Some(snapshot) = &m.workload.pg_stat_statements {
            // read now, so that a bad file is an input error before anything starts
            snapshot::read_snapshot(&self.path(snapshot))
                .map_err(|message| self.invalid("workload.pg_stat_statements", message))?;
        }
        Ok(())
    }
}
