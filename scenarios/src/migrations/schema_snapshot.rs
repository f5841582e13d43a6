//! Claim: migrations ("schema changes versioned": what is committed as the schema is what
//! the migrations build); check: the catalog of a freshly migrated database against the
//! subject's committed `schema_snapshot` — a schema dump (`.sql`, loaded into an empty
//! database and compared catalog to catalog, expressions by meaning) or readiness's own
//! rendering of the catalog (compared line by line). Each difference names the object.

use std::collections::BTreeSet;
use std::path::Path;

use async_trait::async_trait;
use harness::run::scenario::{Context, ScenarioError};
use harness::schema::catalog::Catalog;
use harness::schema::migrate::Migrations;
use harness::subject::manifest::MigrationSource;
use harness::{Evidence, Outcome, Scenario};

use super::up_down_round_trip::{diff_by_meaning, read_catalog, subject_fault};

/// Set to rewrite a rendered snapshot from the migrated schema.
pub const UPDATE_VARIABLE: &str = "READINESS_UPDATE_SNAPSHOTS";
const HEADER: &str = "# readiness schema snapshot: the catalog the migrations build. \
                      READINESS_UPDATE_SNAPSHOTS=1 readiness verify --only migrations rewrites it.";

pub struct SchemaMatchesSnapshot;

#[async_trait]
impl Scenario for SchemaMatchesSnapshot {
    fn id(&self) -> &'static str {
        "schema-matches-its-snapshot"
    }

    fn claim(&self) -> &'static harness::run::scenario::ClaimSpec {
        super::CLAIM
    }

    fn title(&self) -> &'static str {
        "the migrations build exactly the schema committed as the schema snapshot"
    }

    async fn run(&self, ctx: &Context) -> Result<Outcome, ScenarioError> {
        let subject = ctx.subject();
        let Some(relative) = subject.manifest.migrations.schema_snapshot.clone() else {
            return Ok(Outcome::not_applicable(Evidence::new(
                "the subject declares no `migrations.schema_snapshot` (a schema dump or a rendered catalog)",
            )));
        };
        let path = subject.path(&relative);
        let migrations = ctx.migrations().await?;
        let db = ctx.migrated_database("migrations_snapshot").await?;
        let built = read_catalog(&db, &migrations).await?;
        let evidence = Evidence::new("").observe("snapshot", relative.display());
        let is_dump = path.extension().is_some_and(|e| e == "sql");
        if is_dump {
            if !path.is_file() {
                return Err(ScenarioError::Manifest(subject.invalid(
                    "migrations.schema_snapshot",
                    format!("{} is not a file", path.display()),
                )));
            }
            let dumped = match load_dump(ctx, &path, &migrations, evidence.clone()).await? {
                Ok(catalog) => catalog,
                Err(outcome) => return Ok(outcome),
            };
            let diff = diff_by_meaning(&db, &dumped, &built).await?;
            return Ok(judge(evidence, diff, built.tables.len()));
        }
        rendered(ctx, &path, &relative, &built, evidence)
    }
}

/// The catalog a schema dump builds on an empty database, or the outcome when it does not
/// load.
async fn load_dump(
    ctx: &Context,
    path: &Path,
    migrations: &Migrations,
    mut evidence: Evidence,
) -> Result<Result<Catalog, Outcome>, ScenarioError> {
    let dump = Migrations::load(
        MigrationSource::Dir(path.to_path_buf()),
        migrations.bookkeeping_tables().to_vec(),
    )
    .await?;
    let db = ctx.empty_database("migrations_snapshot_dump").await?;
    if let Err(e) = dump.up(&db.admin()).await {
        evidence.summary = format!(
            "the schema snapshot does not load on an empty database, so nothing was compared: {}",
            subject_fault(e)?
        );
        return Ok(Err(Outcome::not_proven(evidence)));
    }
    Ok(Ok(read_catalog(&db, &dump).await?))
}

/// A rendered snapshot: compared line by line, or written when asked.
fn rendered(
    ctx: &Context,
    path: &Path,
    relative: &Path,
    built: &Catalog,
    mut evidence: Evidence,
) -> Result<Outcome, ScenarioError> {
    let now = built.render();
    if std::env::var_os(UPDATE_VARIABLE).is_some_and(|v| v == "1") {
        std::fs::write(path, format!("{HEADER}\n{now}")).map_err(|e| {
            ScenarioError::failed(format!("write the schema snapshot {}", path.display()), e)
        })?;
        evidence.summary = format!(
            "wrote the migrated schema to {} ({UPDATE_VARIABLE}=1): review and commit it; nothing was compared",
            relative.display()
        );
        return Ok(Outcome::not_proven(evidence));
    }
    let committed = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            evidence.summary = format!(
                "there is no snapshot at {} yet: run `{UPDATE_VARIABLE}=1 readiness verify --only migrations` to write it from the migrated schema, then review and commit it",
                relative.display()
            );
            return Ok(Outcome::not_proven(evidence));
        }
        Err(e) => {
            return Err(ScenarioError::Manifest(ctx.subject().invalid(
                "migrations.schema_snapshot",
                format!("{} cannot be read: {e}", path.display()),
            )))
        }
    };
    let expected = qualified_lines(&committed);
    let found = qualified_lines(&now);
    let mut diff: Vec<String> = expected
        .difference(&found)
        .map(|l| format!("- {l}"))
        .collect();
    diff.extend(found.difference(&expected).map(|l| format!("+ {l}")));
    Ok(judge(evidence, diff, built.tables.len()))
}

fn judge(mut evidence: Evidence, diff: Vec<String>, tables: usize) -> Outcome {
    if diff.is_empty() {
        evidence.summary =
            format!("the migrations build exactly the committed schema ({tables} tables)");
        return Outcome::proven(evidence);
    }
    evidence.summary = format!(
        "the migrations and the committed schema differ in {} object(s)",
        diff.len()
    );
    evidence.push_counterexample(
        "schema (- committed snapshot only, + built by the migrations only)",
        diff,
    );
    Outcome::refuted(evidence)
}

/// A rendered catalog's lines, each object qualified by its table ("table public.users:
/// column email text not null"); comments and blank lines left out.
fn qualified_lines(rendered: &str) -> BTreeSet<String> {
    let mut table = String::new();
    let mut lines = BTreeSet::new();
    for line in rendered.lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        match line.strip_prefix("  ") {
            Some(object) => {
                lines.insert(format!("{table}: {}", object.trim()));
            }
            None => {
                table = line.trim().to_owned();
                lines.insert(table.clone());
            }
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_are_named_by_their_table_and_comments_are_skipped() {
        let text = "# header\nschema public\ntable public.users\n  column id bigint\n\ntable public.orgs\n  column id bigint\n";
        let lines: Vec<String> = qualified_lines(text).into_iter().collect();
        assert_eq!(
            lines,
            vec![
                "schema public",
                "table public.orgs",
                "table public.orgs: column id bigint",
                "table public.users",
                "table public.users: column id bigint",
            ]
        );
    }
}
