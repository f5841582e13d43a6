//! The migration layouts of the common tools, read natively from a directory (or one
//! schema file): sqlx and golang-migrate (`N_name.up.sql` / `.down.sql`, or plain
//! `N_name.sql`), diesel (`DIR/up.sql`, `DIR/down.sql`, `metadata.toml`), Flyway
//! (`V1__name.sql`, `U1__name.sql`, `R__name.sql`), dbmate (`-- migrate:up` /
//! `-- migrate:down` in one file), goose (`-- +goose Up` / `-- +goose Down`), Prisma
//! (`<timestamp>_name/migration.sql`, no downs), and a single `structure.sql` /
//! `schema.sql`. Each becomes steps of up SQL and optional down SQL.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Which tool's layout a directory follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// sqlx or golang-migrate: `N_name.up.sql` and `N_name.down.sql`, or `N_name.sql`.
    Sqlx,
    Diesel,
    Flyway,
    Dbmate,
    Goose,
    /// Prisma Migrate's `prisma/migrations`: one `migration.sql` per directory, no downs.
    Prisma,
    /// One file holding the whole schema.
    SchemaFile,
}

impl Layout {
    pub fn name(self) -> &'static str {
        match self {
            Layout::Sqlx => "sqlx / golang-migrate",
            Layout::Diesel => "diesel",
            Layout::Flyway => "Flyway",
            Layout::Dbmate => "dbmate",
            Layout::Goose => "goose",
            Layout::Prisma => "Prisma Migrate",
            Layout::SchemaFile => "a single schema file",
        }
    }
}

/// One migration as read from disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationFile {
    pub version: i64,
    /// Words, as sqlx writes them: "add users email".
    pub description: String,
    pub up: String,
    pub down: Option<String>,
    /// The tool runs it outside a transaction (goose `NO TRANSACTION`, dbmate
    /// `transaction:false`, diesel `run_in_transaction = false`).
    pub no_tx: bool,
}

/// What is wrong with a migrations directory: the file (and line) at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{}: {message}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct LayoutError {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

fn error(path: &Path, line: Option<usize>, message: impl Into<String>) -> LayoutError {
    LayoutError {
        path: path.to_owned(),
        line,
        message: message.into(),
    }
}

/// Reads `path` (a directory of migrations, or one schema file) into steps, oldest first.
pub fn read(path: &Path) -> Result<(Layout, Vec<MigrationFile>), LayoutError> {
    if path.is_file() {
        let up = read_text(path)?;
        if let Some((line, command)) = psql_meta_command(&up) {
            return Err(error(
                path,
                Some(line),
                format!(
                    "`{command}` is a psql meta-command, which only psql runs: give `up = \"psql -v ON_ERROR_STOP=1 -q -f {}\"` instead of `dir`",
                    path.display()
                ),
            ));
        }
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("schema");
        let down = match sibling_drop_file(path) {
            Some(drop) => Some(read_text(&drop)?),
            None => None,
        };
        return Ok((
            Layout::SchemaFile,
            vec![MigrationFile {
                version: 1,
                description: words(name),
                no_tx: super::manages_its_own_transaction(&up),
                up,
                down,
            }],
        ));
    }
    let entries = std::fs::read_dir(path)
        .map_err(|e| error(path, None, format!("cannot read the directory: {e}")))?;
    let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    files.sort();
    if files
        .iter()
        .any(|f| f.is_dir() && f.join("up.sql").is_file())
    {
        return Ok((Layout::Diesel, diesel(&files)?));
    }
    if files
        .iter()
        .any(|f| f.is_dir() && f.join("migration.sql").is_file())
    {
        return Ok((Layout::Prisma, prisma(&files)?));
    }
    let sql: Vec<&PathBuf> = files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "sql"))
        .collect();
    let mut kinds: BTreeMap<&'static str, &PathBuf> = BTreeMap::new();
    for file in &sql {
        let name = file_name(file);
        let kind = if flyway_name(name).is_some() {
            "Flyway"
        } else if name.ends_with(".up.sql") || name.ends_with(".down.sql") {
            "sqlx / golang-migrate"
        } else {
            let text = read_text(file)?;
            if has_directive(&text, "-- migrate:up") {
                "dbmate"
            } else if has_directive(&text, "-- +goose up") {
                "goose"
            } else {
                "sqlx / golang-migrate"
            }
        };
        kinds.entry(kind).or_insert(file);
    }
    if kinds.len() > 1 {
        let found: Vec<String> = kinds
            .iter()
            .map(|(kind, file)| format!("{kind} ({})", file_name(file)))
            .collect();
        return Err(error(
            path,
            None,
            format!(
                "the directory mixes migration layouts: {}",
                found.join(", ")
            ),
        ));
    }
    match kinds.keys().next().copied() {
        Some("Flyway") => Ok((Layout::Flyway, flyway(&sql)?)),
        Some("dbmate") => Ok((Layout::Dbmate, sections(&sql, Layout::Dbmate)?)),
        Some("goose") => Ok((Layout::Goose, sections(&sql, Layout::Goose)?)),
        _ => Ok((Layout::Sqlx, sqlx(&sql)?)),
    }
}

fn file_name(path: &Path) -> &str {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
}

fn read_text(path: &Path) -> Result<String, LayoutError> {
    std::fs::read_to_string(path).map_err(|e| error(path, None, format!("cannot read: {e}")))
}

/// "add_users_email" → "add users email".
fn words(name: &str) -> String {
    name.replace('_', " ")
}

fn has_directive(text: &str, directive: &str) -> bool {
    text.lines()
        .any(|l| l.trim().to_ascii_lowercase().starts_with(directive))
}

/// `<digits>_<name>`: the version and the name.
fn numbered(stem: &str) -> Option<(i64, &str)> {
    let (digits, name) = stem.split_once('_')?;
    let version = digits.parse().ok()?;
    Some((version, name))
}

fn sqlx(files: &[&PathBuf]) -> Result<Vec<MigrationFile>, LayoutError> {
    let mut steps: BTreeMap<i64, MigrationFile> = BTreeMap::new();
    let mut downs: Vec<(i64, &PathBuf, String)> = Vec::new();
    for file in files {
        let name = file_name(file);
        let (stem, kind) = if let Some(stem) = name.strip_suffix(".up.sql") {
            (stem, "up")
        } else if let Some(stem) = name.strip_suffix(".down.sql") {
            (stem, "down")
        } else {
            (name.trim_end_matches(".sql"), "simple")
        };
        let Some((version, description)) = numbered(stem) else {
            return Err(error(
                file,
                None,
                "not a migration name: expected <version>_<name>.sql, .up.sql or .down.sql",
            ));
        };
        let text = read_text(file)?;
        if kind == "down" {
            downs.push((version, file, text));
            continue;
        }
        if steps.contains_key(&version) {
            return Err(error(
                file,
                None,
                format!("a second migration with version {version}"),
            ));
        }
        steps.insert(
            version,
            MigrationFile {
                version,
                description: words(description),
                no_tx: super::manages_its_own_transaction(&text)
                    || text.trim_start().starts_with("-- no-transaction"),
                up: text,
                down: None,
            },
        );
    }
    for (version, file, text) in downs {
        match steps.get_mut(&version) {
            Some(step) => step.down = Some(text),
            None => {
                return Err(error(
                    file,
                    None,
                    format!("a down migration with no up migration of version {version}"),
                ))
            }
        }
    }
    Ok(steps.into_values().collect())
}

fn diesel(entries: &[PathBuf]) -> Result<Vec<MigrationFile>, LayoutError> {
    let mut steps = Vec::new();
    for dir in entries.iter().filter(|e| e.is_dir()) {
        let name = file_name(dir);
        let up_file = dir.join("up.sql");
        if !up_file.is_file() {
            return Err(error(dir, None, "a diesel migration without up.sql"));
        }
        // `2023-01-15-120000_create_users` or `00000000000000_diesel_initial_setup`
        let (stamp, description) = name
            .split_once('_')
            .ok_or_else(|| error(dir, None, "not a diesel migration name: <timestamp>_<name>"))?;
        let digits: String = stamp.chars().filter(char::is_ascii_digit).collect();
        let version: i64 = digits
            .parse()
            .map_err(|_| error(dir, None, "not a diesel migration name: <timestamp>_<name>"))?;
        let down_file = dir.join("down.sql");
        let down = if down_file.is_file() {
            Some(read_text(&down_file)?)
        } else {
            None
        };
        let metadata = dir.join("metadata.toml");
        let no_tx = if metadata.is_file() {
            let text = read_text(&metadata)?;
            let table: toml::Table = text
                .parse()
                .map_err(|e| error(&metadata, None, format!("not TOML: {e}")))?;
            table.get("run_in_transaction").and_then(|v| v.as_bool()) == Some(false)
        } else {
            false
        };
        steps.push(MigrationFile {
            version,
            description: words(description),
            up: read_text(&up_file)?,
            down,
            no_tx,
        });
    }
    steps.sort_by_key(|s| s.version);
    Ok(steps)
}

/// A `drop.sql` or `down.sql` beside a schema file: the way back to nothing.
pub fn sibling_drop_file(schema_file: &Path) -> Option<PathBuf> {
    let dir = schema_file.parent()?;
    ["drop.sql", "down.sql"]
        .iter()
        .map(|name| dir.join(name))
        .find(|p| p.is_file() && p != schema_file)
}

/// The first psql meta-command (`\connect`, `\restrict` …) of a script: (line, command).
fn psql_meta_command(sql: &str) -> Option<(usize, String)> {
    sql.lines().enumerate().find_map(|(i, line)| {
        let line = line.trim_start();
        line.starts_with('\\').then(|| {
            (
                i + 1,
                line.split_whitespace().next().unwrap_or(line).to_owned(),
            )
        })
    })
}

fn prisma(entries: &[PathBuf]) -> Result<Vec<MigrationFile>, LayoutError> {
    let mut steps = Vec::new();
    for dir in entries.iter().filter(|e| e.is_dir()) {
        let file = dir.join("migration.sql");
        if !file.is_file() {
            return Err(error(
                dir,
                None,
                "a Prisma migration directory without migration.sql",
            ));
        }
        let Some((version, description)) = numbered(file_name(dir)) else {
            return Err(error(
                dir,
                None,
                "not a Prisma migration name: <timestamp>_<name>",
            ));
        };
        steps.push(MigrationFile {
            version,
            description: words(description),
            up: read_text(&file)?,
            down: None,
            no_tx: false,
        });
    }
    steps.sort_by_key(|s| s.version);
    Ok(steps)
}

/// `V1_2__add_users.sql` → ('V', [1, 2], "add_users"); `R__views.sql` → ('R', [], "views").
fn flyway_name(name: &str) -> Option<(char, Vec<u64>, &str)> {
    let stem = name.strip_suffix(".sql")?;
    let prefix = stem.chars().next()?;
    if !matches!(prefix, 'V' | 'U' | 'R') {
        return None;
    }
    let (version, description) = stem[1..].split_once("__")?;
    let parts: Option<Vec<u64>> = if version.is_empty() {
        (prefix == 'R').then(Vec::new)
    } else {
        version.split(['.', '_']).map(|p| p.parse().ok()).collect()
    };
    Some((prefix, parts?, description))
}

fn flyway(files: &[&PathBuf]) -> Result<Vec<MigrationFile>, LayoutError> {
    let mut versioned: BTreeMap<Vec<u64>, (String, String, Option<String>)> = BTreeMap::new();
    let mut undo: Vec<(Vec<u64>, &PathBuf, String)> = Vec::new();
    let mut repeatable: Vec<(String, String)> = Vec::new();
    for file in files {
        let Some((prefix, version, description)) = flyway_name(file_name(file)) else {
            return Err(error(
                file,
                None,
                "not a Flyway migration name: expected V<version>__<name>.sql, U<version>__<name>.sql or R__<name>.sql",
            ));
        };
        let text = read_text(file)?;
        match prefix {
            'V' => {
                let shown = version
                    .iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(".");
                if versioned
                    .insert(
                        version,
                        (format!("V{shown} {}", words(description)), text, None),
                    )
                    .is_some()
                {
                    return Err(error(
                        file,
                        None,
                        format!("a second migration with version {shown}"),
                    ));
                }
            }
            'U' => undo.push((version, file, text)),
            _ => repeatable.push((format!("R {}", words(description)), text)),
        }
    }
    for (version, file, text) in undo {
        match versioned.get_mut(&version) {
            Some(step) => step.2 = Some(text),
            None => {
                return Err(error(
                    file,
                    None,
                    "an undo migration with no versioned migration",
                ))
            }
        }
    }
    // Flyway's versions are dotted: the steps are numbered in their order, and the
    // repeatable migrations run after every versioned one, as Flyway runs them
    let steps = versioned
        .into_values()
        .chain(repeatable.into_iter().map(|(d, t)| (d, t, None)))
        .enumerate()
        .map(|(i, (description, up, down))| MigrationFile {
            version: i as i64 + 1,
            description,
            no_tx: super::manages_its_own_transaction(&up),
            up,
            down,
        })
        .collect();
    Ok(steps)
}

/// dbmate and goose: one file per migration, its up and down parts marked by comments.
fn sections(files: &[&PathBuf], layout: Layout) -> Result<Vec<MigrationFile>, LayoutError> {
    let mut steps: BTreeMap<i64, MigrationFile> = BTreeMap::new();
    for file in files {
        let name = file_name(file);
        let Some((version, description)) = numbered(name.trim_end_matches(".sql")) else {
            return Err(error(
                file,
                None,
                "not a migration name: expected <version>_<name>.sql",
            ));
        };
        let text = read_text(file)?;
        let step = match layout {
            Layout::Goose => goose(file, &text)?,
            _ => dbmate(file, &text)?,
        };
        if steps
            .insert(
                version,
                MigrationFile {
                    version,
                    description: words(description),
                    ..step
                },
            )
            .is_some()
        {
            return Err(error(
                file,
                None,
                format!("a second migration with version {version}"),
            ));
        }
    }
    Ok(steps.into_values().collect())
}

/// The parts of one file: lines before the first marker, up, down.
#[derive(Default)]
struct Parts {
    up: Vec<String>,
    down: Vec<String>,
    seen_up: bool,
    seen_down: bool,
}

fn dbmate(file: &Path, text: &str) -> Result<MigrationFile, LayoutError> {
    let mut parts = Parts::default();
    let mut no_tx = false;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if let Some(options) = trimmed.strip_prefix("-- migrate:") {
            let mut words = options.split_whitespace();
            match words.next() {
                Some("up") if !parts.seen_up => parts.seen_up = true,
                Some("down") if parts.seen_up && !parts.seen_down => parts.seen_down = true,
                _ => {
                    return Err(error(
                        file,
                        Some(i + 1),
                        format!("unexpected directive `{trimmed}` (expected `-- migrate:up`, then `-- migrate:down`)"),
                    ))
                }
            }
            if words.any(|w| w == "transaction:false") && !parts.seen_down {
                no_tx = true;
            }
            continue;
        }
        push_line(&mut parts, line, file, i)?;
    }
    finish(file, parts, no_tx, "-- migrate:up")
}

fn goose(file: &Path, text: &str) -> Result<MigrationFile, LayoutError> {
    let mut parts = Parts::default();
    let mut no_tx = false;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if let Some(directive) = trimmed.strip_prefix("-- +goose") {
            match directive.trim().to_ascii_lowercase().as_str() {
                "up" if !parts.seen_up => parts.seen_up = true,
                "down" if parts.seen_up && !parts.seen_down => parts.seen_down = true,
                "no transaction" => no_tx = true,
                // statement boundaries matter to goose's splitter, not to a server that
                // takes the whole part as one multi-statement query
                "statementbegin" | "statementend" => {}
                d if d.starts_with("envsub") => {
                    return Err(error(
                        file,
                        Some(i + 1),
                        "goose's ENVSUB (environment substitution) is not supported: run goose as an `up` command instead",
                    ))
                }
                _ => {
                    return Err(error(
                        file,
                        Some(i + 1),
                        format!("unexpected directive `{trimmed}` (expected `-- +goose Up`, then `-- +goose Down`)"),
                    ))
                }
            }
            continue;
        }
        push_line(&mut parts, line, file, i)?;
    }
    finish(file, parts, no_tx, "-- +goose Up")
}

fn push_line(parts: &mut Parts, line: &str, file: &Path, i: usize) -> Result<(), LayoutError> {
    if parts.seen_down {
        parts.down.push(line.to_owned());
    } else if parts.seen_up {
        parts.up.push(line.to_owned());
    } else if !line.trim().is_empty() && !line.trim().starts_with("--") {
        return Err(error(file, Some(i + 1), "SQL before the up marker"));
    }
    Ok(())
}

fn finish(
    file: &Path,
    parts: Parts,
    no_tx: bool,
    marker: &str,
) -> Result<MigrationFile, LayoutError> {
    if !parts.seen_up {
        return Err(error(file, None, format!("no `{marker}` marker")));
    }
    let up = parts.up.join("\n");
    let down = parts.down.join("\n");
    let has_down = parts.seen_down && !down.trim().is_empty();
    Ok(MigrationFile {
        version: 0,
        description: String::new(),
        no_tx: no_tx || super::manages_its_own_transaction(&up),
        up,
        down: has_down.then_some(down),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    #[test]
    fn sqlx_pairs_and_simple_files() {
        let d = dir(&[
            ("0001_users.up.sql", "CREATE TABLE users (id int);"),
            ("0001_users.down.sql", "DROP TABLE users;"),
            ("0002_add_email.sql", "ALTER TABLE users ADD email text;"),
        ]);
        let (layout, steps) = read(d.path()).unwrap();
        assert_eq!(layout, Layout::Sqlx);
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[0].down.as_deref(), Some("DROP TABLE users;"));
        assert_eq!(steps[1].description, "add email");
        assert_eq!(steps[1].down, None);
    }

    #[test]
    fn a_down_without_its_up_names_the_file() {
        let d = dir(&[("0003_x.down.sql", "DROP TABLE x;")]);
        let e = read(d.path()).unwrap_err();
        assert!(e.to_string().contains("0003_x.down.sql"), "{e}");
    }

    #[test]
    fn diesel_directories_with_metadata() {
        let d = dir(&[
            (
                "2023-01-15-120000_create_users/up.sql",
                "CREATE TABLE users (id int);",
            ),
            (
                "2023-01-15-120000_create_users/down.sql",
                "DROP TABLE users;",
            ),
            (
                "2023-02-01-090000_index/up.sql",
                "CREATE INDEX CONCURRENTLY i ON users (id);",
            ),
            (
                "2023-02-01-090000_index/metadata.toml",
                "run_in_transaction = false\n",
            ),
        ]);
        let (layout, steps) = read(d.path()).unwrap();
        assert_eq!(layout, Layout::Diesel);
        assert_eq!(steps[0].version, 20230115120000);
        assert!(steps[0].down.is_some() && !steps[0].no_tx);
        assert!(steps[1].no_tx && steps[1].down.is_none());
    }

    #[test]
    fn flyway_versions_sort_as_numbers_with_undo_and_repeatables_last() {
        let d = dir(&[
            ("V1__init.sql", "CREATE TABLE a (id int);"),
            ("V1.10__later.sql", "CREATE TABLE c (id int);"),
            ("V1_2__next.sql", "CREATE TABLE b (id int);"),
            ("U1_2__next.sql", "DROP TABLE b;"),
            ("R__views.sql", "CREATE OR REPLACE VIEW v AS SELECT 1;"),
        ]);
        let (layout, steps) = read(d.path()).unwrap();
        assert_eq!(layout, Layout::Flyway);
        let names: Vec<&str> = steps.iter().map(|s| s.description.as_str()).collect();
        assert_eq!(names, ["V1 init", "V1.2 next", "V1.10 later", "R views"]);
        assert_eq!(steps[1].down.as_deref(), Some("DROP TABLE b;"));
        assert_eq!(
            steps.iter().map(|s| s.version).collect::<Vec<_>>(),
            [1, 2, 3, 4]
        );
    }

    #[test]
    fn dbmate_sections_and_options() {
        let d = dir(&[(
            "20240101120000_create_users.sql",
            "-- migrate:up transaction:false\nCREATE TABLE users (id int);\n\n-- migrate:down\nDROP TABLE users;\n",
        )]);
        let (layout, steps) = read(d.path()).unwrap();
        assert_eq!(layout, Layout::Dbmate);
        assert!(steps[0].no_tx);
        assert_eq!(steps[0].up.trim(), "CREATE TABLE users (id int);");
        assert_eq!(
            steps[0].down.as_deref().map(str::trim),
            Some("DROP TABLE users;")
        );
    }

    #[test]
    fn goose_sections_statement_blocks_and_a_bad_directive_with_its_line() {
        let d = dir(&[(
            "00002_fn.sql",
            "-- +goose Up\n-- +goose StatementBegin\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql;\n-- +goose StatementEnd\n-- +goose Down\nDROP FUNCTION f();\n",
        )]);
        let (layout, steps) = read(d.path()).unwrap();
        assert_eq!(layout, Layout::Goose);
        assert!(steps[0].up.contains("CREATE FUNCTION") && !steps[0].up.contains("goose"));
        assert_eq!(
            steps[0].down.as_deref().map(str::trim),
            Some("DROP FUNCTION f();")
        );
        let bad = dir(&[(
            "00001_x.sql",
            "-- +goose Up\nSELECT 1;\n-- +goose Sideways\n",
        )]);
        let e = read(bad.path()).unwrap_err();
        assert!(e.to_string().ends_with(":3: unexpected directive `-- +goose Sideways` (expected `-- +goose Up`, then `-- +goose Down`)"), "{e}");
    }

    #[test]
    fn mixed_layouts_are_refused_naming_both() {
        let d = dir(&[
            ("V1__init.sql", "CREATE TABLE a (id int);"),
            ("0002_b.up.sql", "CREATE TABLE b (id int);"),
        ]);
        let e = read(d.path()).unwrap_err().to_string();
        assert!(
            e.contains("mixes migration layouts")
                && e.contains("V1__init.sql")
                && e.contains("0002_b.up.sql"),
            "{e}"
        );
    }

    #[test]
    fn prisma_migration_directories_have_no_downs() {
        let d = dir(&[
            (
                "20240115093012_init/migration.sql",
                "CREATE TABLE \"User\" (id text);",
            ),
            (
                "20240203141522_billing/migration.sql",
                "CREATE TABLE \"Invoice\" (id text);",
            ),
            ("migration_lock.toml", "provider = \"postgresql\"\n"),
        ]);
        let (layout, steps) = read(d.path()).unwrap();
        assert_eq!(layout, Layout::Prisma);
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[1].description, "billing");
        assert!(steps.iter().all(|s| s.down.is_none()));
    }

    #[test]
    fn a_schema_file_with_psql_meta_commands_says_to_run_psql() {
        let d = dir(&[(
            "schema.sql",
            "SET x = 1;\n\\connect app\nCREATE TABLE a (id int);",
        )]);
        let e = read(&d.path().join("schema.sql")).unwrap_err().to_string();
        assert!(
            e.contains("schema.sql:2: `\\connect` is a psql meta-command"),
            "{e}"
        );
    }

    #[test]
    fn a_schema_file_is_one_step_with_the_drop_file_beside_it_as_its_down() {
        let d = dir(&[("structure.sql", "CREATE TABLE a (id int);")]);
        let (layout, steps) = read(&d.path().join("structure.sql")).unwrap();
        assert_eq!(layout, Layout::SchemaFile);
        assert_eq!(steps.len(), 1);
        assert_eq!(steps[0].description, "structure");
        assert_eq!(steps[0].down, None);
        std::fs::write(d.path().join("drop.sql"), "DROP TABLE a;").unwrap();
        let (_, steps) = read(&d.path().join("structure.sql")).unwrap();
        assert_eq!(steps[0].down.as_deref(), Some("DROP TABLE a;"));
    }
}
