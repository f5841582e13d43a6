//! The `unsafe-ddl-named` scenario: on a copy of instantviz with a migration that builds an
//! index without CONCURRENTLY on a table an earlier migration created, that index is named
//! with its lock and weighed by rows, and the same index built CONCURRENTLY under a
//! `lock_timeout` is not; the bundled subject's own findings (the report's constraints and
//! indexes, added to the tables of 0001) are exactly the true ones; the corpus histories,
//! read statically, give the findings the README lists; a subject migrated by command with
//! no SQL to read is N/A.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use harness::schema::lint::Linter;
use harness::schema::migrate::layout;
use harness::Status;
use scenarios::subjects::INSTANTVIZ;
use scenarios::testing::{
    assert_scenario, copy_corpus_subject, copy_subject, edit, evidence_text, finding_ids,
    verify_bundled, verify_with,
};

const SCENARIO: &str = "unsafe-ddl-named";

/// The scorecard of the `unsafe-ddl-named` scenario alone on `dir`'s subject.
async fn unsafe_ddl(dir: &Path) -> harness::report::evidence::Scorecard {
    let scenarios: Vec<Arc<dyn harness::Scenario>> =
        vec![Arc::new(scenarios::migrations::UnsafeDdlNamed)];
    verify_with(dir, &["migrations"], &scenarios).await
}

fn add_migration(dir: &Path, name: &str, up: &str, down: &str) {
    let migrations = dir.join("migrations");
    std::fs::write(migrations.join(format!("{name}.up.sql")), up).unwrap();
    std::fs::write(migrations.join(format!("{name}.down.sql")), down).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_index_built_without_concurrently_on_an_existing_table_is_named() {
    let dir = copy_subject(INSTANTVIZ);
    add_migration(
        dir.path(),
        "0004_add_index",
        "CREATE INDEX projects_workspace_id_idx ON projects (workspace_id);\n",
        "DROP INDEX projects_workspace_id_idx;\n",
    );
    let scorecard = unsafe_ddl(dir.path()).await;
    assert_scenario(&scorecard, "migrations", SCENARIO, Status::NotProven);
    let evidence = evidence_text(&scorecard, "migrations", SCENARIO);
    for words in [
        "0004 add index: index-without-concurrently on public.projects — CREATE INDEX projects_workspace_id_idx ON projects (workspace_id) takes a SHARE lock (blocks writes); use CREATE INDEX CONCURRENTLY in its own migration",
        "0004 add index: missing-lock-timeout on public.projects",
        // weighed by the seeded database's rows, scaled to the claimed 100k users
        "at the claimed 100k users",
        "counted in a database seeded at 1k users",
        "static guesses, not proof",
    ] {
        assert!(evidence.contains(words), "{words}: {evidence}");
    }
    // one finding each, named by the step, the rule, the table and the index, never by
    // its weight
    assert_eq!(
        finding_ids(&scorecard, "migrations", SCENARIO),
        [
            "step 0004 add index: index-without-concurrently public.projects projects_workspace_id_idx",
            "step 0004 add index: missing-lock-timeout public.projects",
        ],
        "{evidence}"
    );

    // the safe way: CONCURRENTLY, alone in its file (a file of several statements runs as
    // one transaction, which CONCURRENTLY refuses); its SHARE UPDATE EXCLUSIVE lock lets
    // writes go on, so it needs no lock_timeout
    add_migration(
        dir.path(),
        "0004_add_index",
        "CREATE INDEX CONCURRENTLY projects_workspace_id_idx ON projects (workspace_id);\n",
        "DROP INDEX projects_workspace_id_idx;\n",
    );
    let scorecard = unsafe_ddl(dir.path()).await;
    let evidence = evidence_text(&scorecard, "migrations", SCENARIO);
    assert!(!evidence.contains("0004 add index"), "{evidence}");
}

/// A NOT NULL column with no default added to a table holding rows fails for certain:
/// the one static finding that refutes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_not_null_column_without_a_default_on_a_table_with_rows_is_refuted() {
    let dir = copy_subject(INSTANTVIZ);
    add_migration(
        dir.path(),
        "0004_add_source",
        "SET lock_timeout = '2s';\nALTER TABLE stripe_events ADD COLUMN source text NOT NULL;\n",
        "ALTER TABLE stripe_events DROP COLUMN source;\n",
    );
    let scorecard = unsafe_ddl(dir.path()).await;
    assert_scenario(&scorecard, "migrations", SCENARIO, Status::Refuted);
    let evidence = evidence_text(&scorecard, "migrations", SCENARIO);
    for words in [
        "add a NOT NULL column without a default to a table holding rows",
        "0004 add source: add-column-not-null-without-default on public.stripe_events",
    ] {
        assert!(evidence.contains(words), "{words}: {evidence}");
    }
    assert!(
        finding_ids(&scorecard, "migrations", SCENARIO).contains(
            &"step 0004 add source: add-column-not-null-without-default public.stripe_events source"
                .to_owned()
        ),
        "{evidence}"
    );
}

/// A finding on a table the claimed scale leaves empty (`stripe_events`, with unlisted
/// tables left empty) is listed as harmless at this size and leaves nothing unproven.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn findings_only_on_empty_tables_are_listed_as_harmless() {
    let dir = copy_subject(INSTANTVIZ);
    edit(
        dir.path(),
        "readiness.toml",
        "seq_scan_max_rows = 1000\n",
        "seq_scan_max_rows = 1000\nunlisted_tables = \"empty\"\n",
    );
    for step in ["0002_constraints", "0003_indexes"] {
        add_migration(dir.path(), step, "SELECT 1;\n", "SELECT 1;\n");
    }
    add_migration(
        dir.path(),
        "0004_add_index",
        "CREATE INDEX stripe_events_customer_id_idx ON stripe_events (customer_id);\n",
        "DROP INDEX stripe_events_customer_id_idx;\n",
    );
    let scorecard = unsafe_ddl(dir.path()).await;
    let evidence = evidence_text(&scorecard, "migrations", SCENARIO);
    assert_scenario(&scorecard, "migrations", SCENARIO, Status::Proven);
    for words in [
        "are all minor or on tables empty at this size",
        "0004 add index: index-without-concurrently on public.stripe_events",
        "[empty at the claimed 100k users: harmless at this size]",
    ] {
        assert!(evidence.contains(words), "{words}: {evidence}");
    }
}

/// instantviz adds the report's constraints (0002) and indexes (0003) to the tables 0001
/// created, the way the report's fixes went onto a live database. They are deployed
/// (`deployed_through = "0003"`), so nothing is judged; judged, each is named, and nothing
/// else is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bundled_subject_gives_only_its_true_findings() {
    let scorecard = verify_bundled(INSTANTVIZ, &["migrations"]).await;
    assert_scenario(&scorecard, "migrations", SCENARIO, Status::NotApplicable);
    let evidence = evidence_text(&scorecard, "migrations", SCENARIO);
    assert!(
        evidence.contains("3 steps through 0003 (deployed_through), with 25 findings"),
        "{evidence}"
    );

    let dir = copy_subject(INSTANTVIZ);
    edit(
        dir.path(),
        "readiness.toml",
        "deployed_through = \"0003\"\n",
        "",
    );
    let scorecard = unsafe_ddl(dir.path()).await;
    assert_scenario(&scorecard, "migrations", SCENARIO, Status::NotProven);
    let evidence = evidence_text(&scorecard, "migrations", SCENARIO);
    for words in [
        "25 findings in 2 of 3 migrations",
        "(7 index-without-concurrently, 7 constraint-without-not-valid, 8 missing-lock-timeout, 3 unique-without-index)",
        "0002 constraints: constraint-without-not-valid on public.users — ALTER TABLE users ADD CONSTRAINT users_usage_count_check CHECK (usage_count >= 0) takes an ACCESS EXCLUSIVE lock",
        "0003 indexes: index-without-concurrently on public.users — CREATE INDEX users_email_idx ON users (email) takes a SHARE lock",
    ] {
        assert!(evidence.contains(words), "{words}: {evidence}");
    }
    // one finding each, every one with an id of its own: the step, the rule, the table
    // and the constraint or index
    let ids = finding_ids(&scorecard, "migrations", SCENARIO);
    assert_eq!(ids.len(), 25, "{ids:#?}");
    let distinct: std::collections::BTreeSet<&String> = ids.iter().collect();
    assert_eq!(distinct.len(), 25, "{ids:#?}");
    assert!(!ids.iter().any(|i| i.contains('#')), "{ids:#?}");
    for id in [
        "step 0002 constraints: constraint-without-not-valid public.users users_usage_count_check",
        "step 0002 constraints: missing-lock-timeout public.users",
        "step 0003 indexes: index-without-concurrently public.users users_email_idx",
        "step 0003 indexes: index-without-concurrently public.users users_created_at_idx",
    ] {
        assert!(ids.iter().any(|i| i == id), "no {id} in {ids:#?}");
    }
    assert!(!evidence.contains("0001 "), "{evidence}");
}

/// Alembic and Django migrate with Python, Rails and the dump through `psql -f` of one
/// schema: no migrations directory to read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subject_migrated_by_command_with_no_sql_to_read_is_not_applicable() {
    for subject in [
        "alembic-saas",
        "django-shop",
        "rails-structure",
        "dvdrental-dump",
    ] {
        let dir = copy_corpus_subject(subject);
        let scorecard = unsafe_ddl(dir.path()).await;
        let evidence = evidence_text(&scorecard, "migrations", SCENARIO);
        assert!(
            evidence.contains("no watched directory holds migration SQL"),
            "{subject}: {evidence}"
        );
        assert_scenario(&scorecard, "migrations", SCENARIO, Status::NotApplicable);
    }
}

/// Prisma Migrate runs `prisma/migrations` through a script: the watched directory is read,
/// and its findings are all minor at the claimed 50k users.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watched_prisma_migrations_directory_is_read() {
    let dir = copy_corpus_subject("prisma-app");
    let scorecard = unsafe_ddl(dir.path()).await;
    // minor findings only: listed for the lock trace, proving nothing wrong
    assert_scenario(&scorecard, "migrations", SCENARIO, Status::Proven);
    let evidence = evidence_text(&scorecard, "migrations", SCENARIO);
    for words in [
        "0 major, 5 minor",
        "(watched, Prisma Migrate layout)",
        "20240203141522 billing: index-without-concurrently on public.Workspace — CREATE UNIQUE INDEX \\\"Workspace_stripeCustomerId_key\\\"",
    ] {
        assert!(evidence.contains(words), "{words}: {evidence}");
    }
}

/// Findings per rule of a migrations directory read statically, as the scenario reads it.
fn findings_by_rule(dir: &Path) -> BTreeMap<&'static str, usize> {
    let (_, files) = layout::read(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut linter = Linter::new();
    let mut counts = BTreeMap::new();
    for file in files {
        let lint = linter.lint_migration(&file.up);
        assert!(
            lint.parse_errors.is_empty(),
            "{} {}: {:?}",
            file.version,
            file.description,
            lint.parse_errors
        );
        for finding in lint.findings {
            *counts.entry(finding.rule.id()).or_default() += 1;
        }
    }
    counts
}

/// The corpus's directory histories, read without a database: what each finding is is in
/// the README ("Static DDL lints"); these counts keep them from drifting.
#[test]
fn corpus_histories_read_statically_give_the_expected_findings() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus");
    let expect = |subject: &str, path: &str, expected: &[(&str, usize)]| {
        let found = findings_by_rule(&corpus.join(subject).join(path));
        let expected: BTreeMap<&str, usize> = expected.iter().copied().collect();
        assert_eq!(found, expected, "{subject}");
    };
    expect(
        "go-migrate-api",
        "migrations",
        &[("missing-lock-timeout", 5)],
    );
    expect(
        "prisma-app",
        "prisma/migrations",
        &[
            ("index-without-concurrently", 1),
            ("missing-lock-timeout", 4),
        ],
    );
    expect(
        "long-history",
        "migrations",
        &[
            ("add-column-volatile-default", 1),
            ("column-type-rewrite", 2),
            ("constraint-without-not-valid", 9),
            ("drop-column", 4),
            ("index-without-concurrently", 27),
            ("missing-lock-timeout", 135),
            ("rename-in-use", 3),
            ("set-not-null-without-check", 2),
            ("unique-without-index", 3),
        ],
    );
}
