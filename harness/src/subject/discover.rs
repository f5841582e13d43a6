//! What `readiness init` finds in a project it has never seen: how the schema is built (a
//! migrations directory, a schema file, or a tool whose own runtime applies it), the
//! compose file, `.env`, `postgresql.conf`, `pg_hba.conf`, and scripts that look like a
//! backup, a restore or a monitor (by name, confirmed by what they run), and a
//! `pg_stat_statements` export. Files git ignores
//! are left out, and so are dependencies and build output.

use std::path::{Path, PathBuf};

/// How the subject's schema is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaSource {
    /// A directory of migration files, or one schema file (relative to the project).
    Files(PathBuf),
    /// A tool with a runtime of its own: its commands, and where they run.
    Commands {
        tool: &'static str,
        up: String,
        down: Option<String>,
        /// Commands that move one migration forward and back, where the tool has them.
        steps: Option<(String, String)>,
        /// The tool's own check that the models need no new migration, where it has one.
        drift: Option<String>,
        workdir: PathBuf,
        watch: Vec<PathBuf>,
    },
}

/// Everything found, as paths relative to the project.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Discovered {
    /// Candidates for the schema, most likely first.
    pub schema: Vec<SchemaSource>,
    pub docker_compose: Option<PathBuf>,
    pub env: Option<PathBuf>,
    pub postgresql_conf: Option<PathBuf>,
    pub pg_hba_conf: Option<PathBuf>,
    pub backup_script: Option<PathBuf>,
    pub restore_script: Option<PathBuf>,
    pub monitor_script: Option<PathBuf>,
    /// A `pg_stat_statements` export (`*pg_stat_statements*.csv`).
    pub statements_snapshot: Option<PathBuf>,
    /// The retention the backup script applies, in days, with the line that says so.
    pub retention: Option<(u32, String)>,
}

/// Directories migration tools use, most common first.
const MIGRATION_DIRS: &[&str] = &[
    "migrations",
    "db/migrations",
    "db/migration",
    "database/migrations",
    "sql/migrations",
    "src/main/resources/db/migration",
    "schema/migrations",
];

/// Single files that hold a whole schema.
const SCHEMA_FILES: &[&str] = &[
    "db/structure.sql",
    "structure.sql",
    "db/schema.sql",
    "schema.sql",
    "schema/schema.sql",
    "sql/schema.sql",
];

/// Django rolls back app by app: every app `showmigrations` lists (labels start a line) to
/// zero, which also unapplies the migrations of other apps that depend on it.
const DJANGO_DOWN: &str = "listed=$(python3 manage.py showmigrations --list) || exit 1; \
     for app in $(printf '%s\\n' \"$listed\" | sed -n 's/^\\([A-Za-z_][A-Za-z0-9_]*\\)$/\\1/p' | tac); do \
     python3 manage.py migrate \"$app\" zero --noinput || exit 1; done";

const COMPOSE_FILES: &[&str] = &[
    "docker-compose.yml",
    "docker-compose.yaml",
    "compose.yml",
    "compose.yaml",
];

/// Looks through `root` (at most a few levels deep).
pub fn discover(root: &Path) -> Discovered {
    let files = project_files(root);
    let relative = |p: &Path| p.strip_prefix(root).unwrap_or(p).to_owned();
    let named = |names: &[&str]| -> Option<PathBuf> {
        // shallowest first: the project's own file rather than one deep in a fixture
        let mut found: Vec<&PathBuf> = files
            .iter()
            .filter(|f| {
                f.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| names.contains(&n))
            })
            .collect();
        found.sort_by_key(|f| (f.components().count(), f.to_path_buf()));
        found.first().map(|f| relative(f))
    };
    let docker_compose = named(COMPOSE_FILES);
    // the .env beside the compose file (compose reads that one), else the project's
    let env = docker_compose
        .as_ref()
        .and_then(|c| c.parent())
        .map(|dir| dir.join(".env"))
        .filter(|e| root.join(e).is_file())
        .or_else(|| named(&[".env"]));
    let backup_script = script(
        root,
        &files,
        "backup",
        &["pg_dump", "pg_basebackup", "pgbackrest", "wal-g"],
    );
    let retention = backup_script
        .as_ref()
        .and_then(|s| std::fs::read_to_string(root.join(s)).ok())
        .and_then(|text| retention_days(&text));
    Discovered {
        schema: schema_sources(root, &files),
        docker_compose,
        env,
        postgresql_conf: named(&["postgresql.conf"]),
        pg_hba_conf: named(&["pg_hba.conf"]),
        backup_script,
        retention,
        restore_script: script(root, &files, "restore", &["pg_restore", "psql"]),
        monitor_script: script(
            root,
            &files,
            "monitor",
            &[
                "pg_isready",
                "pg_stat_",
                "pg_database_size",
                "pg_stat_activity",
            ],
        )
        .or_else(|| script(root, &files, "health", &["pg_isready", "pg_stat_"])),
        statements_snapshot: files
            .iter()
            .filter(|f| {
                f.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.contains("pg_stat_statements") && n.ends_with(".csv"))
            })
            .min_by_key(|f| (f.components().count(), f.to_path_buf()))
            .map(|f| relative(f)),
    }
}

/// The project's files, without what git ignores, dependencies and build output.
fn project_files(root: &Path) -> Vec<PathBuf> {
    let skipped = [
        "node_modules",
        "target",
        "vendor",
        ".venv",
        "venv",
        "__pycache__",
        "dist",
        "build",
    ];
    ignore::WalkBuilder::new(root)
        .hidden(false)
        .max_depth(Some(6))
        .filter_entry(move |e| {
            let name = e.file_name().to_string_lossy();
            name != ".git" && !skipped.contains(&name.as_ref())
        })
        .build()
        .flatten()
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .map(|e| e.into_path())
        .collect()
}

fn schema_sources(root: &Path, files: &[PathBuf]) -> Vec<SchemaSource> {
    let mut sources = Vec::new();
    let has = |name: &str| {
        files
            .iter()
            .find(|f| f.file_name().is_some_and(|n| n == name))
    };
    if let Some(ini) = has("alembic.ini") {
        let workdir = ini.parent().unwrap_or(root);
        let rel = workdir
            .strip_prefix(root)
            .unwrap_or(Path::new(""))
            .to_owned();
        sources.push(SchemaSource::Commands {
            tool: "Alembic",
            up: "alembic upgrade head".into(),
            down: Some("alembic downgrade base".into()),
            steps: Some(("alembic upgrade +1".into(), "alembic downgrade -1".into())),
            drift: Some("alembic check".into()),
            workdir: rel.clone(),
            watch: vec![rel.join("alembic")],
        });
    }
    if let Some(manage) = has("manage.py") {
        let workdir = manage.parent().unwrap_or(root);
        let rel = workdir
            .strip_prefix(root)
            .unwrap_or(Path::new(""))
            .to_owned();
        sources.push(SchemaSource::Commands {
            tool: "Django",
            up: "python3 manage.py migrate --noinput".into(),
            down: Some(DJANGO_DOWN.into()),
            steps: None,
            drift: Some("python3 manage.py makemigrations --check --dry-run".into()),
            workdir: rel.clone(),
            watch: vec![rel],
        });
    }
    if root.join("prisma/migrations").is_dir() {
        // Prisma's migration.sql files read natively; its CLI (which needs node and the
        // network) only as the fallback
        sources.push(SchemaSource::Files(PathBuf::from("prisma/migrations")));
        sources.push(SchemaSource::Commands {
            tool: "Prisma",
            up: "npx prisma migrate deploy".into(),
            down: None,
            steps: None,
            drift: None,
            workdir: PathBuf::new(),
            watch: vec![PathBuf::from("prisma/migrations")],
        });
    }
    for dir in MIGRATION_DIRS {
        let path = root.join(dir);
        let has_sql = std::fs::read_dir(&path)
            .map(|entries| {
                entries.flatten().any(|e| {
                    e.path().extension().is_some_and(|x| x == "sql")
                        || e.path().join("up.sql").is_file()
                })
            })
            .unwrap_or(false);
        if has_sql {
            sources.push(SchemaSource::Files(PathBuf::from(dir)));
        }
    }
    for file in SCHEMA_FILES {
        let path = root.join(file);
        if !path.is_file() {
            continue;
        }
        // a pg_dump script with psql meta-commands (`\connect`, `\restrict`) needs psql
        let meta = std::fs::read_to_string(&path)
            .is_ok_and(|text| text.lines().any(|l| l.trim_start().starts_with('\\')));
        if meta {
            let down = crate::schema::migrate::layout::sibling_drop_file(&path)
                .and_then(|d| d.strip_prefix(root).ok().map(Path::to_owned))
                .map(|d| format!("psql -v ON_ERROR_STOP=1 -q -f {}", d.display()));
            sources.push(SchemaSource::Commands {
                tool: "psql",
                up: format!("psql -v ON_ERROR_STOP=1 -q -f {file}"),
                down,
                steps: None,
                drift: None,
                workdir: PathBuf::new(),
                watch: vec![PathBuf::from(file)],
            });
        } else {
            sources.push(SchemaSource::Files(PathBuf::from(file)));
        }
    }
    sources
}

/// The days a script's `find … -mtime +N` deletes after, with the line: N written there, or
/// the default of the variable written there (`KEEP_DAYS="${KEEP_DAYS:-14}"`, `KEEP_DAYS=14`).
fn retention_days(script: &str) -> Option<(u32, String)> {
    let line = script
        .lines()
        .map(str::trim)
        .find(|l| !l.starts_with('#') && l.contains("-mtime +") && l.contains("-delete"))?;
    let after = line.split("-mtime +").nth(1)?;
    let word = after
        .split_whitespace()
        .next()?
        .trim_matches(|c| c == '"' || c == '\'');
    let days = match word.parse::<u32>() {
        Ok(days) => days,
        Err(_) => {
            let name = word
                .trim_start_matches('$')
                .trim_matches(|c| c == '{' || c == '}');
            script.lines().map(str::trim).find_map(|l| {
                let value = l.strip_prefix(name)?.strip_prefix('=')?;
                let value = value.trim_matches('"');
                let value = value
                    .strip_prefix(&format!("${{{name}:-"))
                    .and_then(|v| v.strip_suffix('}'))
                    .unwrap_or(value);
                value.parse::<u32>().ok()
            })?
        }
    };
    Some((days, line.to_owned()))
}

/// A shell script whose name says `word` and whose text runs one of `tools`.
fn script(root: &Path, files: &[PathBuf], word: &str, tools: &[&str]) -> Option<PathBuf> {
    let mut found: Vec<&PathBuf> = files
        .iter()
        .filter(|f| {
            let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            let lower = name.to_ascii_lowercase();
            lower.contains(word) && (lower.ends_with(".sh") || !lower.contains('.'))
        })
        .filter(|f| {
            std::fs::read_to_string(f).is_ok_and(|text| tools.iter().any(|t| text.contains(t)))
        })
        .collect();
    found.sort_by_key(|f| (f.components().count(), f.to_path_buf()));
    found
        .first()
        .map(|f| f.strip_prefix(root).unwrap_or(f).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_schema_the_config_and_the_scripts() {
        let dir = tempfile::tempdir().unwrap();
        let write = |path: &str, text: &str| {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        };
        write("db/migrations/0001_init.up.sql", "CREATE TABLE a (id int);");
        write("infra/docker-compose.yml", "services: {}\n");
        write("infra/.env", "POSTGRES_PASSWORD=x\n");
        write("infra/postgresql.conf", "listen_addresses = 'localhost'\n");
        write(
            "scripts/backup-db.sh",
            "#!/bin/sh\npg_dump \"$DATABASE_URL\" > x\n",
        );
        write(
            "scripts/restore-db.sh",
            "#!/bin/sh\npg_restore -d \"$DATABASE_URL\" x\n",
        );
        write(
            "scripts/backup-notes.sh",
            "#!/bin/sh\necho nothing to see\n",
        );
        write("node_modules/pkg/docker-compose.yml", "services: {}\n");
        let found = discover(dir.path());
        assert_eq!(
            found.schema,
            vec![SchemaSource::Files(PathBuf::from("db/migrations"))]
        );
        assert_eq!(
            found.docker_compose,
            Some(PathBuf::from("infra/docker-compose.yml"))
        );
        assert_eq!(found.env, Some(PathBuf::from("infra/.env")));
        assert_eq!(
            found.postgresql_conf,
            Some(PathBuf::from("infra/postgresql.conf"))
        );
        assert_eq!(
            found.backup_script,
            Some(PathBuf::from("scripts/backup-db.sh"))
        );
        assert_eq!(
            found.restore_script,
            Some(PathBuf::from("scripts/restore-db.sh"))
        );
        assert_eq!(found.monitor_script, None);
        assert_eq!(found.retention, None);
        assert_eq!(found.pg_hba_conf, None);
    }

    #[test]
    fn the_retention_a_backup_script_applies_is_read_from_its_find() {
        let by_variable =
            "KEEP=\"${KEEP:-14}\"\nfind . -name '*.dump' -mtime +\"$KEEP\" -print -delete\n";
        assert_eq!(retention_days(by_variable).map(|(d, _)| d), Some(14));
        let plain = "RETENTION_DAYS=7\nfind \"$DIR\" -mtime +${RETENTION_DAYS} -delete\n";
        assert_eq!(retention_days(plain).map(|(d, _)| d), Some(7));
        assert_eq!(
            retention_days("find /b -type f -mtime +30 -delete").map(|(d, _)| d),
            Some(30)
        );
        // keeping a count of backups is not a retention in days
        assert_eq!(
            retention_days("ls -1dt b/* | tail -n +15 | xargs rm -rf"),
            None
        );
        assert_eq!(retention_days("# find . -mtime +3 -delete"), None);
    }
}
