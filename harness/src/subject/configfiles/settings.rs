//! The server settings a subject runs PostgreSQL with, from wherever it sets them, each
//! with where it came from. As PostgreSQL applies them, later sources win:
//! 1. `postgresql.conf`: the one the manifest names, or the file the compose service
//!    mounts where its `-c config_file=…` points;
//! 2. `ALTER SYSTEM`: a `postgresql.auto.conf` beside that file, and `ALTER SYSTEM SET`
//!    in the scripts the service runs at first start (mounted or copied into
//!    `/docker-entrypoint-initdb.d`);
//! 3. the command line: the compose service's `command:` (or, without one, its image's
//!    Dockerfile `CMD`) and `POSTGRESQL_EXTRA_FLAGS`, as `-c name=value` or `--name=value`,
//!    with `${VAR:-default}` resolved from the `.env` file.

use std::path::{Path, PathBuf};

use super::compose::{self, DatabaseService};
use super::{dotenv, interpolate, pgconf, ConfigError};

/// One setting and where it was set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub name: String,
    pub value: String,
    /// "infra/docker-compose.yml `command:`", "db/postgresql.conf"…
    pub source: String,
}

/// Where to look, from the manifest's `[config]`, paths absolute.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// The subject's directory, to show paths relative to it.
    pub root: PathBuf,
    pub postgresql_conf: Option<PathBuf>,
    pub docker_compose: Option<PathBuf>,
    pub database_service: Option<String>,
    pub env: Option<PathBuf>,
}

/// Every setting the subject sets, the winning value of each, in the order first set.
pub fn read(sources: &Sources) -> Result<Vec<Setting>, ConfigError> {
    let mut found = Found::default();
    let service = match &sources.docker_compose {
        Some(path) => compose::database_service(path, sources.database_service.as_deref())?,
        None => None,
    };
    let compose_dir = sources
        .docker_compose
        .as_deref()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| sources.root.clone());
    let env = match sources.env.clone().or_else(|| {
        let beside = compose_dir.join(".env");
        beside.is_file().then_some(beside)
    }) {
        Some(path) => dotenv::read(&path)?,
        None => Vec::new(),
    };
    let show = |path: &Path| {
        path.strip_prefix(&sources.root)
            .unwrap_or(path)
            .display()
            .to_string()
    };

    let command = service
        .as_ref()
        .map(|s| command_line(s, &compose_dir, &env))
        .transpose()?
        .unwrap_or_default();
    let conf = sources.postgresql_conf.clone().or_else(|| {
        let wanted = command.iter().find(|(name, _, _)| name == "config_file")?;
        let service = service.as_ref()?;
        host_path(service, &compose_dir, &wanted.1)
    });
    if let Some(conf) = &conf {
        for (name, value) in pgconf::read(conf)? {
            found.set(name, value, show(conf));
        }
        let auto = conf.with_file_name("postgresql.auto.conf");
        if auto.is_file() {
            for (name, value) in pgconf::read(&auto)? {
                found.set(name, value, show(&auto));
            }
        }
    }
    if let Some(service) = &service {
        for script in init_scripts(service, &compose_dir) {
            let text =
                std::fs::read_to_string(&script).map_err(|e| ConfigError::new(&script, e))?;
            for (name, value) in alter_system(&text) {
                found.set(name, value, format!("{} (ALTER SYSTEM)", show(&script)));
            }
        }
    }
    for (name, value, source) in command {
        if name != "config_file" {
            found.set(name, value, source);
        }
    }
    Ok(found.0)
}

/// The value of `name` among `settings`, if set.
pub fn get<'a>(settings: &'a [Setting], name: &str) -> Option<&'a Setting> {
    settings.iter().find(|s| s.name == name)
}

#[derive(Default)]
struct Found(Vec<Setting>);

impl Found {
    fn set(&mut self, name: String, value: String, source: String) {
        let name = name.to_ascii_lowercase();
        match self.0.iter_mut().find(|s| s.name == name) {
            Some(existing) => {
                existing.value = value;
                existing.source = source;
            }
            None => self.0.push(Setting {
                name,
                value,
                source,
            }),
        }
    }
}

/// The settings on the service's command line: `command:` (else the Dockerfile's `CMD`),
/// then `POSTGRESQL_EXTRA_FLAGS`; as (name, value, source).
fn command_line(
    service: &DatabaseService,
    compose_dir: &Path,
    env: &[dotenv::DotenvEntry],
) -> Result<Vec<(String, String, String)>, ConfigError> {
    let mut out = Vec::new();
    let (args, source) = if !service.command.is_empty() {
        (service.command.clone(), "compose `command:`".to_owned())
    } else {
        match dockerfile(service, compose_dir)? {
            Some((path, text)) => (dockerfile_cmd(&text), format!("{} CMD", path.display())),
            None => (Vec::new(), String::new()),
        }
    };
    let args: Vec<String> = args.iter().map(|a| interpolate::resolve(a, env)).collect();
    out.extend(
        flags(&args)
            .into_iter()
            .map(|(n, v)| (n, v, source.clone())),
    );
    if let Some(extra) = service.env("POSTGRESQL_EXTRA_FLAGS") {
        let extra = compose::split_words(&interpolate::resolve(&extra.value, env));
        out.extend(
            flags(&extra)
                .into_iter()
                .map(|(n, v)| (n, v, "compose `POSTGRESQL_EXTRA_FLAGS`".to_owned())),
        );
    }
    Ok(out)
}

/// `-c name=value`, `-cname=value` and `--name=value` among a server's arguments.
fn flags(args: &[String]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        let pair = if arg == "-c" {
            i += 1;
            args.get(i).cloned()
        } else if let Some(rest) = arg.strip_prefix("-c") {
            Some(rest.to_owned())
        } else {
            arg.strip_prefix("--").map(str::to_owned)
        };
        if let Some((name, value)) = pair.as_deref().and_then(|p| p.split_once('=')) {
            out.push((name.trim().replace('-', "_"), value.trim().to_owned()));
        }
        i += 1;
    }
    out
}

/// The host file mounted at `container_path` in the service.
fn host_path(
    service: &DatabaseService,
    compose_dir: &Path,
    container_path: &str,
) -> Option<PathBuf> {
    service
        .mounts
        .iter()
        .find(|(_, target)| target.trim_end_matches('/') == container_path.trim_end_matches('/'))
        .map(|(source, _)| joined(compose_dir, source))
        .filter(|p| p.is_file())
}

/// The files the service runs at first start: mounted into, or copied by its Dockerfile
/// into, `/docker-entrypoint-initdb.d`.
fn init_scripts(service: &DatabaseService, compose_dir: &Path) -> Vec<PathBuf> {
    const INIT_DIR: &str = "/docker-entrypoint-initdb.d";
    let mut roots: Vec<PathBuf> = service
        .mounts
        .iter()
        .filter(|(_, target)| target.starts_with(INIT_DIR))
        .map(|(source, _)| joined(compose_dir, source))
        .collect();
    if let Ok(Some((path, text))) = dockerfile(service, compose_dir) {
        let context = path.parent().unwrap_or(compose_dir).to_path_buf();
        for line in text.lines() {
            let words = compose::split_words(line);
            if matches!(
                words.first().map(|w| w.to_ascii_uppercase()).as_deref(),
                Some("COPY" | "ADD")
            ) && words.last().is_some_and(|t| t.starts_with(INIT_DIR))
            {
                let sources = &words[1..words.len() - 1];
                roots.extend(
                    sources
                        .iter()
                        .filter(|s| !s.starts_with("--"))
                        .map(|s| joined(&context, s)),
                );
            }
        }
    }
    let mut files = Vec::new();
    for root in roots {
        if root.is_file() {
            files.push(root);
        } else if let Ok(entries) = std::fs::read_dir(&root) {
            let mut children: Vec<PathBuf> = entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect();
            children.sort();
            files.extend(children);
        }
    }
    files
}

/// `dir/relative`, with `.` steps dropped.
fn joined(dir: &Path, relative: &str) -> PathBuf {
    dir.join(relative).components().collect()
}

/// The service's Dockerfile (path and text), when it builds its own image.
fn dockerfile(
    service: &DatabaseService,
    compose_dir: &Path,
) -> Result<Option<(PathBuf, String)>, ConfigError> {
    let Some((context, file)) = &service.build else {
        return Ok(None);
    };
    let path = compose_dir.join(context).join(file);
    if !path.is_file() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path).map_err(|e| ConfigError::new(&path, e))?;
    Ok(Some((path, text)))
}

/// The arguments of a Dockerfile's last `CMD`, exec form (`["postgres", "-c", …]`) or shell form.
fn dockerfile_cmd(text: &str) -> Vec<String> {
    let Some(line) = text
        .lines()
        .map(str::trim)
        .rfind(|l| l.to_ascii_uppercase().starts_with("CMD"))
    else {
        return Vec::new();
    };
    let rest = line[3..].trim();
    match serde_json::from_str::<Vec<String>>(rest) {
        Ok(args) => args,
        Err(_) => compose::split_words(rest),
    }
}

/// `ALTER SYSTEM SET name = value` / `TO value` statements in a script (SQL, or SQL a
/// shell script passes to psql), values unquoted.
fn alter_system(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let upper = text.to_ascii_uppercase();
    let mut from = 0;
    while let Some(at) = upper[from..].find("ALTER SYSTEM SET") {
        let start = from + at + "ALTER SYSTEM SET".len();
        let statement: String = text[start..]
            .chars()
            .take_while(|c| *c != ';' && *c != '\n')
            .collect();
        let statement = statement.trim();
        let (name, value) = match statement.split_once('=') {
            Some((n, v)) => (n.trim(), v.trim()),
            None => {
                let mut parts = statement.splitn(3, char::is_whitespace);
                let name = parts.next().unwrap_or_default();
                match (parts.next(), parts.next()) {
                    (Some(to), Some(v)) if to.eq_ignore_ascii_case("TO") => (name, v.trim()),
                    _ => (name, ""),
                }
            }
        };
        if !name.is_empty() && !value.is_empty() {
            let value = value.trim_matches(|c| c == '"' || c == '\'');
            out.push((name.to_ascii_lowercase(), value.replace("''", "'")));
        }
        from = start;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_parse_in_every_spelling() {
        let args: Vec<String> = [
            "postgres",
            "-c",
            "log_connections=on",
            "-clog_min_duration_statement=500",
            "--shared-preload-libraries=pg_stat_statements",
            "-D",
            "/data",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            flags(&args),
            vec![
                ("log_connections".to_owned(), "on".to_owned()),
                ("log_min_duration_statement".to_owned(), "500".to_owned()),
                (
                    "shared_preload_libraries".to_owned(),
                    "pg_stat_statements".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn alter_system_statements_are_read() {
        let sql = "-- settings\nALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements';\nalter system set log_min_duration_statement to '250ms';\nSELECT 1;";
        assert_eq!(
            alter_system(sql),
            vec![
                (
                    "shared_preload_libraries".to_owned(),
                    "pg_stat_statements".to_owned()
                ),
                ("log_min_duration_statement".to_owned(), "250ms".to_owned()),
            ]
        );
    }

    #[test]
    fn compose_command_config_file_and_init_scripts_all_count() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("infra/initdb")).unwrap();
        std::fs::write(
            root.join("infra/docker-compose.yml"),
            "services:\n  db:\n    image: postgres:15\n    command: postgres -c config_file=/etc/postgresql/postgresql.conf -c log_min_duration_statement=${SLOW_MS:-500}\n    volumes:\n      - ./pg.conf:/etc/postgresql/postgresql.conf:ro\n      - ./initdb:/docker-entrypoint-initdb.d\n",
        )
        .unwrap();
        std::fs::write(
            root.join("infra/pg.conf"),
            "log_connections = on\nlog_min_duration_statement = 2000\n",
        )
        .unwrap();
        std::fs::write(
            root.join("infra/initdb/10-settings.sql"),
            "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements';\n",
        )
        .unwrap();
        let settings = read(&Sources {
            root: root.to_owned(),
            docker_compose: Some(root.join("infra/docker-compose.yml")),
            ..Sources::default()
        })
        .unwrap();
        let value = |n: &str| get(&settings, n).map(|s| (s.value.as_str(), s.source.as_str()));
        assert_eq!(value("log_connections"), Some(("on", "infra/pg.conf")));
        assert_eq!(
            value("log_min_duration_statement"),
            Some(("500", "compose `command:`"))
        );
        assert_eq!(
            value("shared_preload_libraries"),
            Some((
                "pg_stat_statements",
                "infra/initdb/10-settings.sql (ALTER SYSTEM)"
            ))
        );
        assert_eq!(value("config_file"), None);
    }
}
