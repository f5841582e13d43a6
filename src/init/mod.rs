//! `readiness init [DIR]`: looks at a project and writes a commented `readiness.toml` for
//! its owner to review — how its schema is built, its config files and scripts, and, from
//! a scratch database migrated the project's own way, the constraints its schema has and
//! an orphan-row invariant per foreign key. Never overwrites a manifest without `--force`.

mod render;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use harness::schema::catalog::Catalog;
use harness::schema::migrate::{layout, Migrations};
use harness::schema::template::TemplatePool;
use harness::subject::discover::{self, Discovered, SchemaSource};
use harness::subject::manifest::{MigrationSource, DEFAULT_BOOKKEEPING_TABLES};
use harness::ServerProfile;

use crate::cli::InitArgs;
use crate::exit;

pub async fn run(args: InitArgs) -> ExitCode {
    match init(&args).await {
        Ok(()) => ExitCode::from(exit::PROVEN),
        Err(e) => exit::report_error(&e),
    }
}

async fn init(args: &InitArgs) -> anyhow::Result<()> {
    let root = args
        .dir
        .canonicalize()
        .with_context(|| format!("project directory {} does not exist", args.dir.display()))?;
    let manifest = root.join("readiness.toml");
    if manifest.exists() && !args.force {
        anyhow::bail!(
            "{} already exists: review it, or pass --force to replace it",
            manifest.display()
        );
    }
    let found = discover::discover(&root);
    let (schema, layout_note) = choose_schema(&root, &found)?;
    let mut notes = Vec::new();
    notes.push(layout_note);
    let schema_facts = match migrate_scratch(&root, &schema, args).await {
        Ok(facts) => Some(facts),
        Err(e) => {
            notes.push(format!(
                "could not migrate a scratch database ({e:#}): constraints, invariants and main queries are not listed"
            ));
            None
        }
    };
    let name = root
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("project")
        .to_owned();
    let text = render::manifest(&name, &schema, &found, schema_facts.as_ref());
    std::fs::write(&manifest, text)
        .with_context(|| format!("failed to write {}", manifest.display()))?;
    print_summary(&manifest, &schema, &found, schema_facts.as_ref(), &notes);
    Ok(())
}

/// The first schema source that reads (a files source must parse as a known layout);
/// with what was chosen, in words.
fn choose_schema(root: &Path, found: &Discovered) -> anyhow::Result<(SchemaSource, String)> {
    let mut refused = Vec::new();
    for source in &found.schema {
        match source {
            SchemaSource::Files(path) => match layout::read(&root.join(path)) {
                Ok((layout, steps)) if !steps.is_empty() => {
                    let note = format!(
                        "migrations: {} ({}, {} step(s))",
                        path.display(),
                        layout.name(),
                        steps.len()
                    );
                    return Ok((source.clone(), note));
                }
                Ok(_) => refused.push(format!("{}: no migration in it", path.display())),
                Err(e) => refused.push(e.to_string()),
            },
            SchemaSource::Commands { tool, up, .. } => {
                return Ok((source.clone(), format!("migrations: {tool}, by `{up}`")));
            }
        }
    }
    let mut message = "found no way to build the schema: no migrations directory (migrations/, db/migrations/ …), no schema file (db/structure.sql, schema.sql …), and no alembic.ini, manage.py or prisma/migrations".to_owned();
    if !refused.is_empty() {
        message.push_str(&format!("; not readable: {}", refused.join("; ")));
    }
    anyhow::bail!(message)
}

/// What the migrated schema holds.
pub struct SchemaFacts {
    pub catalog: Catalog,
    pub main_queries: harness::schema::main_queries::MainQueries,
    /// Per single-column check: values the server accepts and rejects.
    pub check_examples: std::collections::BTreeMap<String, (Vec<String>, Vec<String>)>,
}

async fn migrate_scratch(
    root: &Path,
    schema: &SchemaSource,
    args: &InitArgs,
) -> anyhow::Result<SchemaFacts> {
    let source = match schema {
        SchemaSource::Files(path) => MigrationSource::Dir(root.join(path)),
        SchemaSource::Commands {
            up,
            down,
            steps,
            workdir,
            watch,
            ..
        } => MigrationSource::Commands {
            up: up.clone(),
            down: down.clone(),
            steps: steps.clone(),
            workdir: root.join(workdir),
            watch: watch.iter().map(|w| root.join(w)).collect(),
        },
    };
    let bookkeeping: Vec<String> = DEFAULT_BOOKKEEPING_TABLES
        .iter()
        .map(|t| t.to_string())
        .collect();
    let migrations = Migrations::load(source, bookkeeping.clone()).await?;
    let backend = crate::verify::select_backend(&args.backend).await?;
    let server = backend.start(ServerProfile::Fast).await?;
    let db = TemplatePool::new(server)
        .migrated(&migrations, "init")
        .await
        .context("failed to apply the migrations")?;
    let read = harness::schema::main_queries::derive_from(&db, &bookkeeping).await;
    let (catalog, main_queries) = match read {
        Ok(read) => read,
        Err(e) => {
            db.drop_database().await?;
            return Err(anyhow::Error::new(e).context("failed to read the migrated schema"));
        }
    };
    let examples = harness::schema::rowgen::fit::check_examples_in(&db, &catalog).await;
    db.drop_database().await?;
    Ok(SchemaFacts {
        catalog,
        main_queries,
        check_examples: examples.context("failed to judge the checks' examples")?,
    })
}

fn print_summary(
    manifest: &Path,
    schema: &SchemaSource,
    found: &Discovered,
    facts: Option<&SchemaFacts>,
    notes: &[String],
) {
    println!("wrote {}", manifest.display());
    for note in notes {
        // a failed migration's output may hold the scratch server's URL and password
        println!("  {}", harness::report::redact::redact(note));
    }
    let show = |what: &str, path: &Option<PathBuf>| match path {
        Some(p) => println!("  {what}: {}", p.display()),
        None => println!("  {what}: not found"),
    };
    show("docker compose file", &found.docker_compose);
    show(".env", &found.env);
    show("postgresql.conf", &found.postgresql_conf);
    show("pg_hba.conf", &found.pg_hba_conf);
    show("backup script", &found.backup_script);
    show("restore script", &found.restore_script);
    show("monitoring script", &found.monitor_script);
    show("pg_stat_statements export", &found.statements_snapshot);
    if let Some(facts) = facts {
        let (constraints, invariants) = render::counts(&facts.catalog);
        println!(
            "  from the migrated schema: {} table(s), {constraints} constraint(s), {invariants} orphan-row invariant(s), {} main query(ies) derivable",
            facts.catalog.tables.len(),
            facts.main_queries.queries.len()
        );
    }
    if let SchemaSource::Commands {
        down: None, tool, ..
    } = schema
    {
        println!("  {tool}: no command rolls every migration back; add `down` to check rollbacks");
    }
    println!(
        "review it, then: readiness verify --subject {}",
        manifest.parent().unwrap_or(Path::new(".")).display()
    );
}
