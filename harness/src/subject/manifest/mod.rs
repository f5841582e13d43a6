//! The subject manifest, `readiness.toml`: what the subject claims and how to exercise it.
//! Each section lives in a module of its own; parsing errors name the file, line and key.

mod app;
mod backup;
mod config_files;
mod constraints;
mod flows;
mod locate;
mod migrations;
mod monitoring;
mod queries;
mod scale;
pub mod scales;
mod workload;

use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use app::{AppSection, DEFAULT_READY_TIMEOUT_SECONDS, PORT_PLACEHOLDER};
pub use backup::{BackupSection, RestoreDrillSection, DEFAULT_MAX_AGE_HOURS};
pub use config_files::ConfigFiles;
pub use constraints::{ConstraintKind, ExpectedConstraint};
pub use flows::{
    CommandFlow, CommandWebhooks, FlowsSection, SqlFlow, DEFAULT_COMMAND_TIMEOUT_SECONDS,
};
pub use migrations::{MigrationSource, MigrationsSection, DEFAULT_BOOKKEEPING_TABLES};
pub use monitoring::MonitoringSection;
pub use queries::Query;
pub use scale::{
    ScaleSection, ScaleTable, UnlistedTables, DEFAULT_CLAIMED_USERS, DEFAULT_SEQ_SCAN_MAX_ROWS,
};
pub use workload::{WorkloadSection, DEFAULT_TOP_STATEMENTS};

/// The file name of a manifest inside a subject directory.
pub const MANIFEST_FILE: &str = "readiness.toml";

/// A whole `readiness.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub subject: SubjectSection,
    pub migrations: MigrationsSection,
    #[serde(default)]
    pub flows: FlowsSection,
    #[serde(default)]
    pub invariants: Vec<Invariant>,
    #[serde(default)]
    pub constraints: Vec<ExpectedConstraint>,
    #[serde(default)]
    pub queries: Vec<Query>,
    #[serde(default)]
    pub workload: WorkloadSection,
    pub scale: Option<ScaleSection>,
    pub backup: Option<BackupSection>,
    pub restore_drill: Option<RestoreDrillSection>,
    #[serde(default)]
    pub monitoring: MonitoringSection,
    #[serde(default)]
    pub config: ConfigFiles,
    pub app: Option<AppSection>,
}

/// `[subject]`: who this is.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubjectSection {
    pub name: String,
    #[serde(default)]
    pub description: String,
}

/// `[[invariants]]`: a query that must return no rows, checked after every fault, restore
/// and migration round trip.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Invariant {
    pub name: String,
    pub sql: String,
}

/// A manifest that cannot be read or does not make sense.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("failed to read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}{}: `{key}`: {message}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Invalid {
        path: PathBuf,
        line: Option<usize>,
        key: String,
        message: String,
    },
}

impl Manifest {
    /// Reads and checks `path`; every error names the file, the line and the key.
    pub fn load(path: &Path) -> Result<Manifest, ManifestError> {
        let text = std::fs::read_to_string(path).map_err(|source| ManifestError::Read {
            path: path.to_owned(),
            source,
        })?;
        let manifest = Self::parse(path, &text)?;
        manifest.validate(path, &text)?;
        Ok(manifest)
    }

    fn parse(path: &Path, text: &str) -> Result<Manifest, ManifestError> {
        let deserializer = toml::Deserializer::new(text);
        serde_path_to_error::deserialize(deserializer).map_err(|err| {
            let key = err.path().to_string();
            let inner = err.into_inner();
            let line = inner
                .span()
                .map(|span| locate::line_of_offset(text, span.start));
            ManifestError::Invalid {
                path: path.to_owned(),
                line,
                key: if key == "." {
                    "(top level)".into()
                } else {
                    key
                },
                message: inner.message().trim().to_owned(),
            }
        })
    }

    /// Checks what the types cannot: one of two keys given, names unique, and so on.
    fn validate(&self, path: &Path, text: &str) -> Result<(), ManifestError> {
        let invalid = |key: String, message: String| ManifestError::Invalid {
            path: path.to_owned(),
            line: locate::line_of_key(text, &key),
            key,
            message,
        };
        self.migrations
            .validate()
            .map_err(|(key, message)| invalid(key, message))?;
        self.flows
            .validate()
            .map_err(|(key, message)| invalid(key, message))?;
        if let Some(backup) = &self.backup {
            backup
                .validate()
                .map_err(|(key, message)| invalid(key, message))?;
        }
        if let Some(drill) = &self.restore_drill {
            drill
                .validate()
                .map_err(|(key, message)| invalid(key, message))?;
        }
        if let Some(app) = &self.app {
            app.validate()
                .map_err(|(key, message)| invalid(key, message))?;
        }
        check_unique_names(
            "invariants",
            self.invariants.iter().map(|i| i.name.as_str()),
        )
        .map_err(|(k, m)| invalid(k, m))?;
        check_unique_names("queries", self.queries.iter().map(|q| q.name.as_str()))
            .map_err(|(k, m)| invalid(k, m))?;
        self.workload
            .validate()
            .map_err(|(key, message)| invalid(key, message))?;
        if let Some(scale) = &self.scale {
            scale
                .validate()
                .map_err(|(key, message)| invalid(key, message))?;
        }
        for (i, constraint) in self.constraints.iter().enumerate() {
            constraint
                .validate()
                .map_err(|(key, message)| invalid(format!("constraints[{i}].{key}"), message))?;
        }
        Ok(())
    }
}

/// The error for a manifest key, for checks made later (e.g. against the live catalog).
pub fn invalid_key(path: &Path, key: &str, message: impl Into<String>) -> ManifestError {
    let line = std::fs::read_to_string(path)
        .ok()
        .and_then(|text| locate::line_of_key(&text, key));
    ManifestError::Invalid {
        path: path.to_owned(),
        line,
        key: key.to_owned(),
        message: message.into(),
    }
}

fn check_unique_names<'a>(
    section: &str,
    names: impl Iterator<Item = &'a str>,
) -> Result<(), (String, String)> {
    let mut seen = std::collections::HashSet::new();
    for (i, name) in names.enumerate() {
        if name.trim().is_empty() {
            return Err((format!("{section}[{i}].name"), "must not be empty".into()));
        }
        if !seen.insert(name) {
            return Err((
                format!("{section}[{i}].name"),
                format!("`{name}` is used twice"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Manifest, ManifestError> {
        let path = Path::new("subject/readiness.toml");
        let manifest = Manifest::parse(path, text)?;
        manifest.validate(path, text)?;
        Ok(manifest)
    }

    #[test]
    fn a_minimal_manifest_parses() {
        let m = parse("[subject]\nname = \"x\"\n[migrations]\ndir = \"migrations\"\n").unwrap();
        assert_eq!(m.subject.name, "x");
        assert!(m.invariants.is_empty());
    }

    #[test]
    fn unknown_keys_are_named_with_their_line() {
        let err = parse("[subject]\nname = \"x\"\n[migrations]\ndir = \"m\"\ndri = \"oops\"\n")
            .unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("subject/readiness.toml:5: "), "{text}");
        assert!(text.contains("dri"), "{text}");
    }

    #[test]
    fn wrong_types_name_the_key_path() {
        let err = parse("[subject]\nname = \"x\"\n[migrations]\ndir = \"m\"\n[[invariants]]\nname = \"a\"\nsql = 5\n").unwrap_err();
        let text = err.to_string();
        assert!(text.contains(":7:"), "{text}");
        assert!(text.contains("invariants[0].sql"), "{text}");
    }

    #[test]
    fn migrations_need_exactly_one_source() {
        let err = parse(
            "[subject]\nname = \"x\"\n[migrations]\ndir = \"m\"\nup = \"alembic upgrade head\"\n",
        )
        .unwrap_err();
        assert!(err.to_string().contains(":3: `migrations`"), "{err}");
        let err = parse("[subject]\nname = \"x\"\n[migrations]\n").unwrap_err();
        assert!(err.to_string().contains("`migrations`"), "{err}");
    }

    #[test]
    fn step_commands_come_in_pairs_beside_up() {
        let commands = "[subject]\nname = \"x\"\n[migrations]\nup = \"alembic upgrade head\"\n";
        let err = parse(&format!("{commands}step_up = \"alembic upgrade +1\"\n")).unwrap_err();
        assert!(err.to_string().contains("`migrations.step_down`"), "{err}");
        let err = parse(&format!("{commands}step_down = \"alembic downgrade -1\"\n")).unwrap_err();
        assert!(err.to_string().contains("`migrations.step_up`"), "{err}");
        let err = parse(&format!("{HEAD}step_up = \"x\"\nstep_down = \"y\"\n")).unwrap_err();
        assert!(
            err.to_string().contains(":5: `migrations.step_up`"),
            "{err}"
        );
        let ok = parse(&format!(
            "{commands}step_up = \"alembic upgrade +1\"\nstep_down = \"alembic downgrade -1\"\n"
        ))
        .unwrap();
        let source = ok.migrations.source(Path::new("/s"));
        assert!(
            matches!(source, MigrationSource::Commands { steps: Some((ref up, ref down)), .. }
                if up == "alembic upgrade +1" && down == "alembic downgrade -1"),
            "{source:?}"
        );
    }

    const HEAD: &str = "[subject]\nname = \"x\"\n[migrations]\ndir = \"m\"\n";

    #[test]
    fn a_check_constraint_needs_its_expression() {
        let text = format!(
            "{HEAD}[[constraints]]\nkind = \"check\"\ntable = \"users\"\ncolumns = [\"usage_count\"]\n"
        );
        let err = parse(&text).unwrap_err().to_string();
        assert!(err.contains(":5: `constraints[0].expression`"), "{err}");
    }

    #[test]
    fn constraint_keys_belong_to_their_kind() {
        let text = format!(
            "{HEAD}[[constraints]]\nkind = \"unique\"\ntable = \"users\"\ncolumns = [\"a\"]\non_delete = \"cascade\"\n"
        );
        let err = parse(&text).unwrap_err().to_string();
        assert!(err.contains(":9: `constraints[0].on_delete`"), "{err}");
        assert!(err.contains("only a `foreign_key` constraint"), "{err}");
    }

    #[test]
    fn backup_settings_are_checked() {
        let base = "[subject]\nname = \"x\"\n[migrations]\ndir = \"m\"\n";
        let err = parse(&format!("{base}[backup]\nbackup_command = \" \"\n")).unwrap_err();
        assert!(
            err.to_string().contains(":6: `backup.backup_command`"),
            "{err}"
        );
        let err = parse(&format!("{base}[backup]\nretention_days = 0\n")).unwrap_err();
        assert!(err.to_string().contains("`backup.retention_days`"), "{err}");
        let err = parse(&format!("{base}[restore_drill]\nrto_seconds = -1\n")).unwrap_err();
        assert!(
            err.to_string().contains("`restore_drill.rto_seconds`"),
            "{err}"
        );
        let ok = parse(&format!("{base}[backup]\ndir = \"b\"\n")).unwrap();
        assert_eq!(ok.backup.unwrap().max_age_hours(), DEFAULT_MAX_AGE_HOURS);
    }

    #[test]
    fn app_settings_are_checked() {
        let app = format!("{HEAD}[app]\nhealth = \"/health\"\n");
        let ok = parse(&format!(
            "{app}start = \"python -m app.health_server --port {{port}}\"\n"
        ))
        .unwrap()
        .app
        .unwrap();
        assert_eq!(
            ok.start_command(8123),
            "python -m app.health_server --port 8123"
        );
        assert_eq!(ok.ready_timeout().as_secs(), 30);
        let err = parse(&format!("{app}start = \"python -m app.health_server\"\n")).unwrap_err();
        assert!(err.to_string().contains(":7: `app.start`"), "{err}");
        assert!(err.to_string().contains("{port}"), "{err}");
        let err = parse(&format!(
            "{HEAD}[app]\nstart = \"serve {{port}}\"\nhealth = \"health\"\n"
        ))
        .unwrap_err();
        assert!(err.to_string().contains(":7: `app.health`"), "{err}");
        let err = parse(&format!(
            "{app}start = \"serve {{port}}\"\nready_timeout_seconds = 0\n"
        ))
        .unwrap_err();
        assert!(
            err.to_string().contains("`app.ready_timeout_seconds`"),
            "{err}"
        );
        let err = parse(&format!("{app}start = \"serve {{port}}\"\nport = 80\n")).unwrap_err();
        assert!(err.to_string().contains("port"), "{err}");
    }

    #[test]
    fn duplicate_invariant_names_are_refused() {
        let text = "[subject]\nname = \"x\"\n[migrations]\ndir = \"m\"\n[[invariants]]\nname = \"a\"\nsql = \"select 1\"\n[[invariants]]\nname = \"a\"\nsql = \"select 2\"\n";
        let err = parse(text).unwrap_err();
        assert!(
            err.to_string().contains(":9: `invariants[1].name`"),
            "{err}"
        );
    }
}
