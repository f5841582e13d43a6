//! The `migrations` claim: PROVEN on instantviz, REFUTED on instantviz-before (no down
//! migrations), and REFUTED on a mutant whose down migration forgets an index, in a
//! directory and in an Alembic history stepped by its own commands; and the models'
//! drift check (Alembic, Django) REFUTED on a model field no migration carries.

use harness::Status;
use scenarios::subjects::{INSTANTVIZ, INSTANTVIZ_BEFORE};
use scenarios::testing::{
    assert_claim, copy_corpus_subject, copy_subject, edit, evidence_text, verify_bundled,
    verify_dir,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_round_trip_on_instantviz() {
    let scorecard = verify_bundled(INSTANTVIZ, &["migrations"]).await;
    assert_claim(&scorecard, "migrations", Status::Proven);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_refuted_without_down_migrations() {
    let scorecard = verify_bundled(INSTANTVIZ_BEFORE, &["migrations"]).await;
    assert_claim(&scorecard, "migrations", Status::Refuted);
    let evidence = evidence_text(&scorecard, "migrations", "up-down-round-trip");
    assert!(
        evidence.contains("0001 create all: no down migration"),
        "{evidence}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_refuted_when_a_down_migration_leaves_an_index_behind() {
    let dir = copy_subject(INSTANTVIZ);
    edit(
        dir.path(),
        "migrations/0003_indexes.down.sql",
        "DROP INDEX users_email_idx;\n",
        "",
    );

    let scorecard = verify_dir(dir.path(), &["migrations"]).await;
    assert_claim(&scorecard, "migrations", Status::Refuted);
    let evidence = evidence_text(&scorecard, "migrations", "up-down-round-trip");
    assert!(
        evidence.contains("0003 indexes: rolling back does not restore the schema before it"),
        "{evidence}"
    );
    assert!(evidence.contains("+ index users_email_idx"), "{evidence}");
}

/// Alembic stepped by `alembic upgrade +1` / `alembic downgrade -1`: the per-step round trip
/// proves the corpus subject, and finds the one downgrade that forgets an index. Rolling
/// everything back at once could not: dropping the table drops the index with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alembic_steps_round_trip_and_a_downgrade_that_forgets_an_index_is_named() {
    let dir = copy_corpus_subject("alembic-saas");
    let scorecard = verify_dir(dir.path(), &["migrations"]).await;
    assert_claim(&scorecard, "migrations", Status::Proven);
    let evidence = evidence_text(&scorecard, "migrations", "up-down-round-trip");
    assert!(
        evidence.contains("all 4 migration steps apply one at a time"),
        "{evidence}"
    );

    edit(
        dir.path(),
        "backend/alembic/versions/2c4bc19b6c0f_add_users_last_login_at_and_overdue_.py",
        "    op.drop_index('ix_invoices_status_due_on', table_name='invoices')\n",
        "",
    );
    let scorecard = verify_dir(dir.path(), &["migrations"]).await;
    assert_claim(&scorecard, "migrations", Status::Refuted);
    let evidence = evidence_text(&scorecard, "migrations", "up-down-round-trip");
    for words in [
        "1 of 4 migration steps cannot be rolled back to the schema before them: step 4 (alembic_version: (2c4bc19b6c0f))",
        "ix_invoices_status_due_on",
    ] {
        assert!(evidence.contains(words), "{words}: {evidence}");
    }
}

/// The `models-match-migrations` scenario of `dir`'s subject.
async fn drift_check(dir: &std::path::Path) -> harness::report::evidence::Scorecard {
    let scenarios: Vec<std::sync::Arc<dyn harness::Scenario>> = vec![std::sync::Arc::new(
        scenarios::migrations::ModelsMatchMigrations,
    )];
    scenarios::testing::verify_with(dir, &["migrations"], &scenarios).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_model_field_no_migration_carries_is_named_by_alembic_check_and_django() {
    for (subject, model, from, to, says) in [
        (
            "alembic-saas",
            "backend/models/client.py",
            "    email: Mapped[str | None] = mapped_column(String(320))\n",
            "    email: Mapped[str | None] = mapped_column(String(320))\n    phone: Mapped[str | None] = mapped_column(String(40))\n",
            "New upgrade operations detected",
        ),
        (
            "django-shop",
            "catalog/models.py",
            "    sku = models.CharField(max_length=32, unique=True)\n",
            "    sku = models.CharField(max_length=32, unique=True)\n    barcode = models.CharField(max_length=14, blank=True, default=\"\")\n",
            "barcode",
        ),
    ] {
        let dir = copy_corpus_subject(subject);
        let scorecard = drift_check(dir.path()).await;
        assert_claim(&scorecard, "migrations", Status::Proven);
        edit(dir.path(), model, from, to);
        let scorecard = drift_check(dir.path()).await;
        assert_claim(&scorecard, "migrations", Status::Refuted);
        let evidence = evidence_text(&scorecard, "migrations", "models-match-migrations");
        assert!(evidence.contains("the models drifted"), "{subject}: {evidence}");
        assert!(evidence.contains(says), "{subject}: no `{says}` in {evidence}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_drift_tool_that_is_not_installed_proves_nothing() {
    let dir = copy_corpus_subject("alembic-saas");
    edit(
        dir.path(),
        "readiness.toml",
        "drift_command = \"alembic check\"",
        "drift_command = \"alembic-drift-linter check\"",
    );
    let scorecard = drift_check(dir.path()).await;
    assert_claim(&scorecard, "migrations", Status::NotProven);
    let evidence = evidence_text(&scorecard, "migrations", "models-match-migrations");
    assert!(
        evidence.contains("could not run (exited with 127)"),
        "{evidence}"
    );
}

/// The `data-survives-each-round-trip` scenario of `dir`'s subject.
async fn data_round_trip(dir: &std::path::Path) -> harness::report::evidence::Scorecard {
    let scenarios: Vec<std::sync::Arc<dyn harness::Scenario>> = vec![std::sync::Arc::new(
        scenarios::migrations::DataSurvivesEachRoundTrip,
    )];
    scenarios::testing::verify_with(dir, &["migrations"], &scenarios).await
}

/// A rename whose down drops the renamed column and adds back an empty one: the schema
/// round-trips, the data does not. Declared destructive, the loss is shown, not refuted;
/// a declaration that names no step is an input error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rollback_that_drops_a_column_holding_data_is_refuted_unless_declared() {
    let dir = copy_subject(INSTANTVIZ);
    let scorecard = data_round_trip(dir.path()).await;
    assert_claim(&scorecard, "migrations", Status::Proven);
    let evidence = evidence_text(&scorecard, "migrations", "data-survives-each-round-trip");
    assert!(
        evidence.contains("each of 3 steps keeps every row and value"),
        "{evidence}"
    );

    std::fs::write(
        dir.path().join("migrations/0004_rename_full_name.up.sql"),
        "ALTER TABLE users RENAME COLUMN full_name TO display_name;\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("migrations/0004_rename_full_name.down.sql"),
        "ALTER TABLE users DROP COLUMN display_name;\nALTER TABLE users ADD COLUMN full_name text;\n",
    )
    .unwrap();
    let scorecard = data_round_trip(dir.path()).await;
    assert_claim(&scorecard, "migrations", Status::Refuted);
    let evidence = evidence_text(&scorecard, "migrations", "data-survives-each-round-trip");
    for words in [
        "1 of 4 steps do not round-trip the data written before them: 0004 rename full name",
        "0004 rename full name: up then down loses rows or values written before the step",
        "column public.users.full_name: ",
        "after (the rest NULL)",
    ] {
        assert!(evidence.contains(words), "{words}: {evidence}");
    }

    edit(
        dir.path(),
        "readiness.toml",
        "dir = \"migrations\"\n",
        "dir = \"migrations\"\ndestructive = [\"4\"]\n",
    );
    let scorecard = data_round_trip(dir.path()).await;
    assert_claim(&scorecard, "migrations", Status::Proven);
    let evidence = evidence_text(&scorecard, "migrations", "data-survives-each-round-trip");
    for words in [
        "except the 1 declared destructive",
        "0004 rename full name (declared destructive) loses",
        "column public.users.full_name: ",
    ] {
        assert!(evidence.contains(words), "{words}: {evidence}");
    }

    edit(
        dir.path(),
        "readiness.toml",
        "destructive = [\"4\"]",
        "destructive = [\"4\", \"drop_everything\"]",
    );
    let scorecard = data_round_trip(dir.path()).await;
    let errors = scorecard.input_error_text();
    assert!(
        errors.contains("migrations.destructive[1]") && errors.contains("names no migration step"),
        "{errors}"
    );
}

/// A history whose first migration has no down, with `downs_supported_from` naming the
/// step after it (pytest-alembic's minimum downgrade revision): both round trips start
/// there; without the key the missing down refutes; a key that names no step is an input
/// error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn downs_supported_from_a_later_step_leaves_the_earlier_ones_unrolled() {
    let dir = copy_subject(INSTANTVIZ);
    std::fs::remove_file(dir.path().join("migrations/0001_initial_schema.down.sql")).unwrap();
    let round_trips = || -> Vec<std::sync::Arc<dyn harness::Scenario>> {
        vec![
            std::sync::Arc::new(scenarios::migrations::UpDownRoundTrip),
            std::sync::Arc::new(scenarios::migrations::DataSurvivesEachRoundTrip),
        ]
    };
    let scorecard =
        scenarios::testing::verify_with(dir.path(), &["migrations"], &round_trips()).await;
    assert_claim(&scorecard, "migrations", Status::Refuted);
    let evidence = evidence_text(&scorecard, "migrations", "up-down-round-trip");
    assert!(
        evidence.contains("0001 initial schema: no down migration"),
        "{evidence}"
    );

    edit(
        dir.path(),
        "readiness.toml",
        "dir = \"migrations\"\n",
        "dir = \"migrations\"\ndowns_supported_from = \"0002\"\n",
    );
    let scorecard =
        scenarios::testing::verify_with(dir.path(), &["migrations"], &round_trips()).await;
    assert_claim(&scorecard, "migrations", Status::Proven);
    let evidence = evidence_text(&scorecard, "migrations", "up-down-round-trip");
    assert!(
        evidence.contains("each from 0002 constraints on rolls back"),
        "{evidence}"
    );
    let evidence = evidence_text(&scorecard, "migrations", "data-survives-each-round-trip");
    assert!(
        evidence.contains("3 applied with rows in the tables, 2 rolled back"),
        "{evidence}"
    );

    edit(
        dir.path(),
        "readiness.toml",
        "downs_supported_from = \"0002\"",
        "downs_supported_from = \"0009\"",
    );
    let scorecard =
        scenarios::testing::verify_with(dir.path(), &["migrations"], &round_trips()).await;
    let errors = scorecard.input_error_text();
    assert!(
        errors.contains("migrations.downs_supported_from"),
        "{errors}"
    );
}

/// The `schema-matches-its-snapshot` scenario of `dir`'s subject.
async fn snapshot_check(dir: &std::path::Path) -> harness::report::evidence::Scorecard {
    let scenarios: Vec<std::sync::Arc<dyn harness::Scenario>> = vec![std::sync::Arc::new(
        scenarios::migrations::SchemaMatchesSnapshot,
    )];
    scenarios::testing::verify_with(dir, &["migrations"], &scenarios).await
}

/// A committed schema dump (here the three up migrations in one file, as a `schema.sql`)
/// matches what the directory builds; an index the dump has and the migrations lost is
/// named.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_committed_schema_dump_is_compared_with_what_the_migrations_build() {
    let dir = copy_subject(INSTANTVIZ);
    let dump: String = ["0001_initial_schema", "0002_constraints", "0003_indexes"]
        .iter()
        .map(|m| {
            std::fs::read_to_string(dir.path().join(format!("migrations/{m}.up.sql"))).unwrap()
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(dir.path().join("schema.sql"), dump).unwrap();
    edit(
        dir.path(),
        "readiness.toml",
        "dir = \"migrations\"\n",
        "dir = \"migrations\"\nschema_snapshot = \"schema.sql\"\n",
    );
    let scorecard = snapshot_check(dir.path()).await;
    assert_claim(&scorecard, "migrations", Status::Proven);

    edit(
        dir.path(),
        "migrations/0003_indexes.up.sql",
        "CREATE INDEX users_email_idx",
        "CREATE INDEX users_email_lookup_idx",
    );
    let scorecard = snapshot_check(dir.path()).await;
    assert_claim(&scorecard, "migrations", Status::Refuted);
    let evidence = evidence_text(&scorecard, "migrations", "schema-matches-its-snapshot");
    for words in ["- index users_email_idx", "+ index users_email_lookup_idx"] {
        assert!(evidence.contains(words), "{words}: {evidence}");
    }
}

/// A snapshot in readiness's own rendering (the repository's reviewed catalog snapshot of
/// instantviz): missing, it asks to be written; committed, it holds; a column the
/// migrations add and the snapshot lacks is named with its table.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rendered_catalog_snapshot_names_the_objects_that_drifted() {
    let dir = copy_subject(INSTANTVIZ);
    edit(
        dir.path(),
        "readiness.toml",
        "dir = \"migrations\"\n",
        "dir = \"migrations\"\nschema_snapshot = \"schema.snapshot\"\n",
    );
    let scorecard = snapshot_check(dir.path()).await;
    assert_claim(&scorecard, "migrations", Status::NotProven);
    let evidence = evidence_text(&scorecard, "migrations", "schema-matches-its-snapshot");
    assert!(
        evidence.contains("READINESS_UPDATE_SNAPSHOTS=1"),
        "{evidence}"
    );

    let reviewed = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../snapshots/catalog-instantviz.snap"),
    )
    .unwrap();
    let rendered = reviewed
        .splitn(3, "---\n")
        .nth(2)
        .expect("an insta snapshot");
    std::fs::write(dir.path().join("schema.snapshot"), rendered).unwrap();
    let scorecard = snapshot_check(dir.path()).await;
    assert_claim(&scorecard, "migrations", Status::Proven);

    std::fs::write(
        dir.path().join("migrations/0004_nickname.up.sql"),
        "ALTER TABLE users ADD COLUMN nickname text;\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("migrations/0004_nickname.down.sql"),
        "ALTER TABLE users DROP COLUMN nickname;\n",
    )
    .unwrap();
    let scorecard = snapshot_check(dir.path()).await;
    assert_claim(&scorecard, "migrations", Status::Refuted);
    let evidence = evidence_text(&scorecard, "migrations", "schema-matches-its-snapshot");
    assert!(
        evidence.contains("+ table public.users: column nickname text"),
        "{evidence}"
    );
}
