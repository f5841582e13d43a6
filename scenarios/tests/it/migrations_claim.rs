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
