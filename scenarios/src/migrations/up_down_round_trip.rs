//! Claim: migrations; fault: none; check: on an empty database every migration applies,
//! each one rolls back to exactly the schema before it (compared catalog to catalog), and
//! all of them apply again afterwards, with every invariant holding. Command stacks with
//! step commands go one step at a time too ([`super::command_steps`]); with only `up` and
//! `down`, the whole schema round-trips.

use std::time::Instant;

use async_trait::async_trait;
use harness::checks::invariants;
use harness::run::scenario::{Context, ScenarioError};
use harness::schema::catalog::Catalog;
use harness::schema::migrate::{MigrateError, Migrations};
use harness::schema::template::Database;
use harness::{Evidence, Outcome, Scenario};

use super::failures::{self, StepFailure};
use super::marks::Marks;
use sqlx::Connection;

pub struct UpDownRoundTrip;

#[async_trait]
impl Scenario for UpDownRoundTrip {
    fn id(&self) -> &'static str {
        "up-down-round-trip"
    }

    fn claim(&self) -> &'static harness::run::scenario::ClaimSpec {
        super::CLAIM
    }

    fn title(&self) -> &'static str {
        "every migration applies from empty, rolls back to the schema before it, and re-applies"
    }

    async fn run(&self, ctx: &Context) -> Result<Outcome, ScenarioError> {
        let migrations = ctx.migrations().await?;
        if migrations.has_step_commands() {
            return super::command_steps::round_trip(ctx, &migrations).await;
        }
        let db = ctx.empty_database("migrations_round_trip").await?;
        let empty = read_catalog(&db, &migrations).await?;
        if migrations.is_stepwise() {
            stepwise(ctx, &migrations, &db, empty).await
        } else {
            whole(ctx, &migrations, &db, empty).await
        }
    }
}

/// Directory migrations: up one step at a time, down one step at a time, up again.
async fn stepwise(
    ctx: &Context,
    migrations: &Migrations,
    db: &Database,
    empty: Catalog,
) -> Result<Outcome, ScenarioError> {
    let steps = migrations.steps();
    if steps.is_empty() {
        let mut summary = "the subject has no migrations to try".to_owned();
        if let harness::subject::manifest::MigrationSource::Dir(dir) = migrations.source() {
            let unread: Vec<String> = std::fs::read_dir(dir)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".sql"))
                .collect();
            if let Some(example) = unread.first() {
                summary = format!(
                    "no migration read from {}: its {} .sql file(s) are not named <version>_<name>[.up|.down].sql (e.g. {example})",
                    dir.display(),
                    unread.len()
                );
            }
        }
        return Ok(Outcome::not_proven(Evidence::new(summary)));
    }
    let mut evidence = Evidence::new("").observe("migrations", span(&steps));

    let started = Instant::now();
    let mut after_step = Vec::with_capacity(steps.len());
    for step in &steps {
        if let Err(e) = migrations.up_to(&db.admin(), step.version).await {
            let e = subject_fault(e)?;
            evidence.summary = format!(
                "migration {} does not apply on an empty database",
                step.label()
            );
            evidence.push_counterexample("apply from empty", vec![e]);
            return Ok(Outcome::refuted(evidence));
        }
        after_step.push(read_catalog(db, migrations).await?);
    }
    evidence.push_timing("apply all", started.elapsed());
    if let Some(outcome) =
        check_invariants(ctx, db, &mut evidence, "after applying every migration").await?
    {
        return Ok(outcome);
    }

    // every step that cannot be rolled back is reported, not only the first: after one
    // that fails or leaves a different schema, the rollback goes on from a fresh database
    // migrated up to the step before it
    let mut failures: Vec<StepFailure> = Vec::new();
    let mut marks = Marks::downs_only(ctx.subject());
    let supported_from = steps
        .iter()
        .position(|s| marks.down_supported(&[s.version.to_string(), s.label()]))
        .unwrap_or(steps.len());
    marks.unmatched(ctx.subject())?;
    if let Some(from) = marks.downs_from() {
        evidence.push_observation(
            "downs supported from",
            format!("{from} ({supported_from} earlier steps not rolled back)"),
        );
    }
    let first_without_down = steps
        .iter()
        .enumerate()
        .skip(supported_from)
        .filter(|(_, s)| !s.has_down)
        .map(|(i, _)| i)
        .next_back();
    for step in steps.iter().skip(supported_from).filter(|s| !s.has_down) {
        failures.push(StepFailure::new(
            &step.label(),
            "no down migration",
            vec!["roll back after a failed deployment: there is nothing to run".into()],
        ));
    }
    let reversible_from = first_without_down.map_or(supported_from, |i| i + 1);
    let started = Instant::now();
    let mut db = db.clone();
    for (i, step) in steps.iter().enumerate().skip(reversible_from).rev() {
        let target = if i == 0 { 0 } else { steps[i - 1].version };
        let before = if i == 0 { &empty } else { &after_step[i - 1] };
        let failure = match migrations.down_to(&db.admin(), target).await {
            Err(e) => Some(StepFailure::new(
                &step.label(),
                "rolling back fails",
                vec![subject_fault(e)?],
            )),
            Ok(()) => {
                let diff = compare(&db, migrations, before).await?;
                (!diff.is_empty()).then(|| {
                    StepFailure::new(
                        &step.label(),
                        "rolling back does not restore the schema before it (- expected, + found)",
                        diff,
                    )
                })
            }
        };
        if let Some(failure) = failure {
            failures.push(failure);
            db = migrated_to(ctx, migrations, target).await?;
        }
    }
    evidence.push_timing("roll back all", started.elapsed());
    if let Some(refuted) = failures::refuted(&mut evidence, failures, steps.len(), "migrations") {
        return Ok(refuted);
    }

    let started = Instant::now();
    if let Err(e) = migrations.up(&db.admin()).await {
        let e = subject_fault(e)?;
        evidence.summary = "the migrations do not apply again after a full rollback".into();
        evidence.push_counterexample("re-apply", vec![e]);
        return Ok(Outcome::refuted(evidence));
    }
    evidence.push_timing("re-apply all", started.elapsed());
    let diff = compare(
        &db,
        migrations,
        after_step.last().expect("steps is not empty"),
    )
    .await?;
    if !diff.is_empty() {
        evidence.summary = "re-applying after a full rollback gives a different schema".into();
        evidence.push_counterexample(
            "schema after re-applying (- first time, + second time)",
            diff,
        );
        return Ok(Outcome::refuted(evidence));
    }
    if let Some(outcome) = check_invariants(ctx, &db, &mut evidence, "after re-applying").await? {
        return Ok(outcome);
    }
    let tables = after_step.last().map(|c| c.tables.len()).unwrap_or(0);
    let each = match steps.get(supported_from) {
        Some(first) if supported_from > 0 => format!("each from {} on", first.label()),
        _ => "each".to_owned(),
    };
    evidence.summary = format!(
        "all {} migrations apply from empty ({tables} tables), {each} rolls back to exactly the schema before it, and all re-apply",
        steps.len()
    );
    Ok(Outcome::proven(evidence))
}

/// "3: 0001 init, 0002 users, 0003 indexes", or for a long history its count, its first
/// and last few, and how many between.
fn span(steps: &[harness::schema::migrate::Step]) -> String {
    if steps.is_empty() {
        return "none".into();
    }
    let labels: Vec<String> = steps.iter().map(|s| s.label()).collect();
    format!("{}: {}", steps.len(), harness::report::summarised(&labels))
}

/// Command migrations: up, down, up again, comparing the whole schema each time.
async fn whole(
    ctx: &Context,
    migrations: &Migrations,
    db: &Database,
    empty: Catalog,
) -> Result<Outcome, ScenarioError> {
    let mut evidence = Evidence::new("").observe("migrations", "by command");
    let started = Instant::now();
    if let Err(e) = migrations.up(&db.admin()).await {
        let e = subject_fault(e)?;
        evidence.summary = "the up command fails on an empty database".into();
        evidence.push_counterexample("apply from empty", vec![e]);
        return Ok(Outcome::refuted(evidence));
    }
    evidence.push_timing("up", started.elapsed());
    let applied = read_catalog(db, migrations).await?;
    if empty.diff(&applied).is_empty() {
        evidence.summary =
            "the up command succeeded but created nothing: there is no schema to round-trip".into();
        return Ok(Outcome::not_proven(evidence));
    }
    if let Some(outcome) = check_invariants(ctx, db, &mut evidence, "after up").await? {
        return Ok(outcome);
    }
    let started = Instant::now();
    match migrations.down_to(&db.admin(), 0).await {
        Ok(()) => {}
        Err(e @ MigrateError::NoDownCommand) => {
            evidence.summary =
                "the migrations cannot be rolled back: there is no down command".into();
            evidence
                .push_counterexample("roll back after a failed deployment", vec![e.to_string()]);
            return Ok(Outcome::refuted(evidence));
        }
        Err(e) => {
            let e = subject_fault(e)?;
            evidence.summary = "the down command fails".into();
            evidence.push_counterexample("roll back", vec![e]);
            return Ok(Outcome::refuted(evidence));
        }
    }
    evidence.push_timing("down", started.elapsed());
    let mut diff = compare(db, migrations, &empty).await?;
    if !diff.is_empty() {
        evidence.summary = "rolling everything back leaves schema behind".into();
        if diff.iter().any(|l| l.starts_with("+ table ")) {
            diff.push(
                "(a table your migration tool keeps for itself belongs in migrations.bookkeeping_tables)"
                    .into(),
            );
        }
        evidence.push_counterexample("schema after down (- expected, + found)", diff);
        return Ok(Outcome::refuted(evidence));
    }
    if let Err(e) = migrations.up(&db.admin()).await {
        let e = subject_fault(e)?;
        evidence.summary = "the up command fails after a rollback".into();
        evidence.push_counterexample("re-apply", vec![e]);
        return Ok(Outcome::refuted(evidence));
    }
    let diff = compare(db, migrations, &applied).await?;
    if !diff.is_empty() {
        evidence.summary = "re-applying after a rollback gives a different schema".into();
        evidence.push_counterexample(
            "schema after re-applying (- first time, + second time)",
            diff,
        );
        return Ok(Outcome::refuted(evidence));
    }
    evidence.summary = format!(
        "up, down and up again: the schema ({} tables) round-trips exactly",
        applied.tables.len()
    );
    Ok(Outcome::proven(evidence))
}

/// The failure as evidence against the subject; a connection the harness could not open or a
/// migration directory it could not read says nothing about the migrations, so it ends the
/// scenario as NOT PROVEN instead.
pub(super) fn subject_fault(error: MigrateError) -> Result<String, ScenarioError> {
    match error {
        MigrateError::Connect { .. } | MigrateError::Resolve { .. } => Err(error.into()),
        error => Ok(error.to_string()),
    }
}

/// How the schema of `db` now differs from `expected` (`- ` expected only, `+ ` found
/// only), with expressions compared by meaning, not by PostgreSQL's printed text.
pub(super) async fn compare(
    db: &Database,
    migrations: &Migrations,
    expected: &Catalog,
) -> Result<Vec<String>, ScenarioError> {
    let now = read_catalog(db, migrations).await?;
    diff_by_meaning(db, expected, &now).await
}

/// How `now` (read from `db`) differs from `expected`, expressions compared by meaning on
/// `db`'s server.
pub(super) async fn diff_by_meaning(
    db: &Database,
    expected: &Catalog,
    now: &Catalog,
) -> Result<Vec<String>, ScenarioError> {
    let mut conn = db
        .connect_admin()
        .await
        .map_err(|e| ScenarioError::sql("connect to the scenario database", e))?;
    let aligned = harness::schema::catalog::reparse::align(&mut conn, expected, now)
        .await
        .map_err(|e| ScenarioError::sql("compare catalogs", e));
    let _ = conn.close().await;
    Ok(aligned?.diff())
}

/// A fresh database with the migrations applied up to `version` (none for 0), to go on
/// from after a step that could not be rolled back cleanly.
pub(super) async fn migrated_to(
    ctx: &Context,
    migrations: &Migrations,
    version: i64,
) -> Result<Database, ScenarioError> {
    let db = ctx.empty_database("migrations_round_trip").await?;
    if version > 0 {
        migrations.up_to(&db.admin(), version).await.map_err(|e| {
            ScenarioError::Other(format!(
                "failed to migrate a fresh database up to {version}: {e}"
            ))
        })?;
    }
    Ok(db)
}

pub(super) async fn read_catalog(
    db: &Database,
    migrations: &Migrations,
) -> Result<Catalog, ScenarioError> {
    db.read_catalog(migrations.bookkeeping_tables())
        .await
        .map_err(|e| ScenarioError::sql("read the catalog", e))
}

/// REFUTED when an invariant returns rows at this point.
pub(super) async fn check_invariants(
    ctx: &Context,
    db: &Database,
    evidence: &mut Evidence,
    when: &str,
) -> Result<Option<Outcome>, ScenarioError> {
    let mut conn = db
        .connect_admin()
        .await
        .map_err(|e| ScenarioError::sql("connect to the scenario database", e))?;
    let violations = invariants::check(&mut conn, ctx.subject()).await?;
    let _ = conn.close().await;
    if violations.is_empty() {
        return Ok(None);
    }
    evidence.summary = format!("{} invariant(s) fail {when}", violations.len());
    evidence.push_counterexample(when, violations.iter().map(|v| v.describe()).collect());
    Ok(Some(Outcome::refuted(evidence.clone())))
}
