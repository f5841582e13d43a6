//! The `indexes` claim at 1k and 10k users, which already show what 100k does:
//! REFUTED on instantviz by the one cascade the report left unindexed
//! (projects.workspace_id), PROVEN once a migration indexes it, REFUTED on
//! instantviz-before by sequential scans; the report's duplicate indexes reported as
//! evidence; bad queries are manifest errors naming the query.

use crate::common;

use harness::Status;
use scenarios::indexes::ExpectedIndexUsedAtScale;
use scenarios::subjects::{INSTANTVIZ, INSTANTVIZ_BEFORE};
use scenarios::testing::{
    assert_claim, assert_scenario, evidence_text, finding_ids, verify_dir, verify_with,
};

use common::{subject_copy, SMALL_SCALES};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn indexes_refuted_on_instantviz_by_the_unindexed_cascade_only() {
    let dir = subject_copy(INSTANTVIZ, SMALL_SCALES);
    let scorecard = verify_dir(dir.path(), &["indexes"]).await;
    assert_claim(&scorecard, "indexes", Status::Refuted);

    assert_scenario(
        &scorecard,
        "indexes",
        "unindexed-foreign-key",
        Status::Refuted,
    );
    let lint = evidence_text(&scorecard, "indexes", "unindexed-foreign-key");
    assert!(
        lint.contains("projects(workspace_id) → workspaces"),
        "{lint}"
    );
    assert!(
        lint.contains("projects_workspace_id_fkey, ON DELETE CASCADE"),
        "{lint}"
    );
    let claim = scorecard.claim("indexes").unwrap();
    let lint_report = claim
        .scenarios
        .iter()
        .find(|s| s.id == "unindexed-foreign-key")
        .unwrap();
    assert_eq!(lint_report.evidence.counterexamples.len(), 1, "{lint}");
    assert_eq!(
        finding_ids(&scorecard, "indexes", "unindexed-foreign-key"),
        ["unindexed-foreign-key public.projects.projects_workspace_id_fkey"]
    );

    // the cascade is the one query that grows, and the only plan that fails
    assert_scenario(
        &scorecard,
        "indexes",
        "latency-grows-like-an-index-lookup",
        Status::Refuted,
    );
    let growth = claim
        .scenarios
        .iter()
        .find(|s| s.id == "latency-grows-like-an-index-lookup")
        .unwrap();
    assert_eq!(
        growth.evidence.counterexamples.len(),
        1,
        "{:#?}",
        growth.evidence
    );
    let curve = &growth.evidence.counterexamples[0];
    assert!(
        curve
            .title
            .starts_with("`delete a user` grows with the table"),
        "{curve:?}"
    );
    assert!(
        curve
            .details
            .iter()
            .any(|d| d.contains("reads projects (40000 rows) in full")),
        "{curve:?}"
    );
    assert!(
        curve
            .details
            .iter()
            .any(|d| d.contains("trigger for projects_workspace_id_fkey on workspaces")),
        "{curve:?}"
    );
    assert_scenario(
        &scorecard,
        "indexes",
        "expected-index-used-at-scale",
        Status::Refuted,
    );
    let plans = claim
        .scenarios
        .iter()
        .find(|s| s.id == "expected-index-used-at-scale")
        .unwrap();
    assert!(
        plans
            .evidence
            .counterexamples
            .iter()
            .all(|c| c.title.starts_with("`delete a user`")),
        "{:#?}",
        plans.evidence.counterexamples
    );
    assert!(plans
        .evidence
        .summary
        .contains("reads projects (40000 rows) in full inside a trigger"));

    // the report's duplicate indexes are evidence, not a refutation
    assert_scenario(&scorecard, "indexes", "duplicate-index", Status::Proven);
    let duplicates = evidence_text(&scorecard, "indexes", "duplicate-index");
    assert!(duplicates.contains("index users_stripe_customer_id_idx on users duplicates UNIQUE constraint users_stripe_customer_id_key"), "{duplicates}");
    assert!(duplicates.contains("index project_visualizations_project_id_slide_number_idx on project_visualizations duplicates UNIQUE constraint project_visualizations_project_id_slide_number_key"), "{duplicates}");
    // one finding each, named by the rule and the index to drop
    assert_eq!(
        finding_ids(&scorecard, "indexes", "duplicate-index"),
        [
            "duplicate-index public.project_visualizations_project_id_slide_number_idx",
            "duplicate-index public.users_stripe_customer_id_idx",
        ]
    );
    for clean in ["invalid-index", "redundant-index", "unused-index"] {
        assert_scenario(&scorecard, "indexes", clean, Status::Proven);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn indexes_proven_once_a_migration_indexes_projects_workspace_id() {
    let dir = subject_copy(INSTANTVIZ, SMALL_SCALES);
    let migrations = dir.path().join("migrations");
    std::fs::write(
        migrations.join("0004_index_projects_workspace_id.up.sql"),
        "CREATE INDEX projects_workspace_id_idx ON projects (workspace_id);\n",
    )
    .unwrap();
    std::fs::write(
        migrations.join("0004_index_projects_workspace_id.down.sql"),
        "DROP INDEX projects_workspace_id_idx;\n",
    )
    .unwrap();

    let scorecard = verify_dir(dir.path(), &["indexes"]).await;
    assert_claim(&scorecard, "indexes", Status::Proven);
    let growth = evidence_text(&scorecard, "indexes", "latency-grows-like-an-index-lookup");
    assert!(
        growth.contains("all 8 main queries grow like index lookups"),
        "{growth}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn indexes_refuted_on_instantviz_before_by_sequential_scans() {
    let dir = subject_copy(INSTANTVIZ_BEFORE, SMALL_SCALES);
    let scorecard = verify_dir(dir.path(), &["indexes"]).await;
    assert_claim(&scorecard, "indexes", Status::Refuted);
    assert_scenario(
        &scorecard,
        "indexes",
        "expected-index-used-at-scale",
        Status::Refuted,
    );
    let plans = evidence_text(&scorecard, "indexes", "expected-index-used-at-scale");
    for scan in [
        "`my recent workspaces` at 10k users: reads workspaces (20000 rows) in full",
        "`ordered slides` at 10k users: reads project_visualizations (240000 rows) in full",
        "`login` at 10k users: reads users (10000 rows) in full",
    ] {
        assert!(plans.contains(scan), "{scan} not in {plans}");
    }
    assert_scenario(
        &scorecard,
        "indexes",
        "latency-grows-like-an-index-lookup",
        Status::Refuted,
    );
    let growth = evidence_text(&scorecard, "indexes", "latency-grows-like-an-index-lookup");
    for query in [
        "`login` grows",
        "`my projects` grows",
        "`ordered slides` grows",
    ] {
        assert!(growth.contains(query), "{query} not in {growth}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_query_with_a_syntax_error_is_a_manifest_error_naming_it() {
    let error = manifest_error(|toml| {
        toml.replace(
            "SELECT id, password_hash FROM users WHERE email = $1",
            "SELEC id, password_hash FROM users WHERE email = $1",
        )
    })
    .await;
    assert!(error.contains("`queries[0].sql`"), "{error}");
    assert!(
        error.contains("query `login` does not prepare: syntax error"),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parameters_that_do_not_match_are_manifest_errors_naming_the_query() {
    let error = manifest_error(|toml| {
        toml.replace(
            "params = [\"SELECT email FROM users ORDER BY id DESC LIMIT 1\"]",
            "params = [\"SELECT email FROM users ORDER BY id DESC LIMIT 1\", \"SELECT 1\"]",
        )
    })
    .await;
    assert!(error.contains("`queries[0].params`"), "{error}");
    assert!(
        error.contains("query `login` takes 1 parameter(s) but `params` gives 2"),
        "{error}"
    );

    let error = manifest_error(|toml| {
        toml.replacen(
            "params = [\"SELECT max(owner_id) FROM workspaces\"]",
            "params = [\"SELECT 'nobody'\"]",
            1,
        )
    })
    .await;
    assert!(error.contains("`queries[3].params[0]`"), "{error}");
    assert!(
        error.contains("parameter $1 of query `my recent workspaces` is 'nobody', which does not match its type bigint"),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claimed_index_the_schema_lacks_refutes_the_claim() {
    // the manifest states the claim; a schema without the claimed index fails it (a
    // mutant of instantviz without users_email_idx)
    let dir = subject_copy(INSTANTVIZ, &["10k"]);
    scenarios::testing::edit(
        dir.path(),
        "migrations/0003_indexes.up.sql",
        "CREATE INDEX users_email_idx ON users (email);",
        "",
    );
    let scorecard = verify_with(
        dir.path(),
        &["indexes"],
        &[std::sync::Arc::new(ExpectedIndexUsedAtScale)],
    )
    .await;
    assert!(
        scorecard.input_errors.is_empty(),
        "{:?}",
        scorecard.input_errors
    );
    assert_claim(&scorecard, "indexes", Status::Refuted);
    let evidence = evidence_text(&scorecard, "indexes", "expected-index-used-at-scale");
    assert!(
        evidence.contains(
            "the manifest expects index users_email_idx, which the migrated schema does not have"
        ),
        "{evidence}"
    );
}

/// Runs the plan check at 1k users on instantviz with its manifest edited by `edit`,
/// and returns the one manifest error it must report.
async fn manifest_error(edit: impl FnOnce(String) -> String) -> String {
    let dir = subject_copy(INSTANTVIZ, &["1k"]);
    let path = dir.path().join("readiness.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = edit(text.clone());
    assert_ne!(edited, text, "the edit changed nothing");
    std::fs::write(&path, edited).unwrap();
    let scorecard = verify_with(
        dir.path(),
        &["indexes"],
        &[std::sync::Arc::new(ExpectedIndexUsedAtScale)],
    )
    .await;
    assert_claim(&scorecard, "indexes", Status::NotProven);
    assert_eq!(
        scorecard.input_errors.len(),
        1,
        "{:?}",
        scorecard.input_errors
    );
    let error = scorecard.input_errors[0].message.clone();
    assert!(error.contains("readiness.toml:"), "{error}");
    error
}

/// A subject with no `[scale]` and no `[[queries]]`: accounts whose projects cascade from
/// them, and notes from the projects (indexed). `index_projects` adds the index the
/// cascade from accounts needs.
fn zero_config_subject(index_projects: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let migrations = dir.path().join("migrations");
    std::fs::create_dir(&migrations).unwrap();
    std::fs::write(
        migrations.join("0001_schema.up.sql"),
        "CREATE TABLE accounts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL UNIQUE);\n\
         CREATE TABLE projects (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n\
             account_id bigint NOT NULL REFERENCES accounts ON DELETE CASCADE, title text NOT NULL);\n\
         CREATE TABLE notes (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n\
             project_id bigint NOT NULL REFERENCES projects ON DELETE CASCADE, body text);\n\
         CREATE INDEX notes_project_id_idx ON notes (project_id);\n",
    )
    .unwrap();
    if index_projects {
        std::fs::write(
            migrations.join("0002_index.up.sql"),
            "CREATE INDEX projects_account_id_idx ON projects (account_id);\n",
        )
        .unwrap();
    }
    std::fs::write(
        dir.path().join("readiness.toml"),
        "[subject]\nname = \"zero-config\"\n\n[migrations]\ndir = \"migrations\"\n",
    )
    .unwrap();
    dir
}

/// Derived main queries can fail: deleting an account reads `projects` in full when
/// nothing indexes the cascade, and the derived root delete shows it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn derived_queries_refute_an_unindexed_cascade_and_prove_it_once_indexed() {
    let unindexed = zero_config_subject(false);
    let scorecard = verify_dir(unindexed.path(), &["indexes"]).await;
    assert_scenario(
        &scorecard,
        "indexes",
        "expected-index-used-at-scale",
        Status::Refuted,
    );
    let plans = evidence_text(&scorecard, "indexes", "expected-index-used-at-scale");
    assert!(plans.contains("derived from the catalog"), "{plans}");
    assert!(plans.contains("`delete a accounts row`"), "{plans}");
    assert!(plans.contains("projects"), "{plans}");

    let indexed = zero_config_subject(true);
    let scorecard = verify_dir(indexed.path(), &["indexes"]).await;
    assert_claim(&scorecard, "indexes", Status::Proven);
    let plans = evidence_text(&scorecard, "indexes", "expected-index-used-at-scale");
    assert!(plans.contains("`projects by account_id`"), "{plans}");
}

/// The statements the application runs most, from a `pg_stat_statements` snapshot, are main
/// queries too: on alembic-saas they use its indexes; a frequent lookup by an unindexed
/// column, added to the snapshot, refutes the claim and is named.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_most_frequent_statements_of_a_snapshot_are_checked_and_an_unindexed_one_refutes() {
    let dir = scenarios::testing::copy_corpus_subject("alembic-saas");
    let scorecard = verify_dir(dir.path(), &["indexes"]).await;
    assert_claim(&scorecard, "indexes", Status::Proven);
    let evidence = evidence_text(&scorecard, "indexes", "expected-index-used-at-scale");
    for words in [
        "the manifest's [[queries]] and the 6 most frequent statements of",
        "statement 3 (48210 calls): SELECT users.id",
    ] {
        assert!(evidence.contains(words), "{words}: {evidence}");
    }

    let snapshot = dir.path().join("infra/stats/pg_stat_statements.csv");
    let mut text = std::fs::read_to_string(&snapshot).unwrap();
    text.push_str("\"SELECT clients.id, clients.name FROM clients WHERE clients.email = $1\",15730,2210.5,15730\n");
    std::fs::write(&snapshot, text).unwrap();
    let scorecard = verify_dir(dir.path(), &["indexes"]).await;
    assert_claim(&scorecard, "indexes", Status::Refuted);
    let evidence = evidence_text(&scorecard, "indexes", "expected-index-used-at-scale");
    assert!(
        evidence.contains(
            "(15730 calls): SELECT clients.id, clients.name FROM clients WHERE clients.email = $1"
        ),
        "{evidence}"
    );
}
