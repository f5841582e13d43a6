//! The per-step round trip for stacks that migrate by command (`step_up` / `step_down`,
//! e.g. `alembic upgrade +1` / `alembic downgrade -1`): from an empty database, one step
//! forward, one back (which must give exactly the schema and the tool's records before it),
//! and forward again (exactly the schema after it), until the database stands where the `up`
//! command takes a fresh one. Every step that does not round-trip is reported.

use std::time::Instant;

use harness::run::scenario::{Context, ScenarioError};
use harness::schema::migrate::position::Position;
use harness::schema::migrate::Migrations;
use harness::schema::template::Database;
use harness::{Evidence, Outcome};
use sqlx::Connection;

use super::failures::{self, StepFailure};
use super::marks::Marks;
use super::up_down_round_trip::{check_invariants, compare, diff_by_meaning, subject_fault};

/// A history longer than this is taken as a `step_up` that never reaches the head.
pub(super) const MAX_STEPS: usize = 2000;

pub(super) async fn round_trip(
    ctx: &Context,
    migrations: &Migrations,
) -> Result<Outcome, ScenarioError> {
    let mut evidence = Evidence::new("").observe("migrations", "by command, one step at a time");

    // where the history ends: what `up` makes of a fresh database
    let head_db = ctx.empty_database("migrations_head").await?;
    let started = Instant::now();
    if let Err(e) = migrations.up(&head_db.admin()).await {
        evidence.summary = "the up command fails on an empty database".into();
        evidence.push_counterexample("apply from empty", vec![subject_fault(e)?]);
        return Ok(Outcome::refuted(evidence));
    }
    evidence.push_timing("up", started.elapsed());
    let head = position(&head_db, migrations).await?;

    let mut db = ctx.empty_database("migrations_steps").await?;
    let mut before = position(&db, migrations).await?;
    if before.reached(&head) {
        evidence.summary =
            "the up command succeeded but created nothing: there is no schema to round-trip".into();
        return Ok(Outcome::not_proven(evidence));
    }
    let mut marks = Marks::downs_only(ctx.subject());
    let mut steps = 0;
    let mut names = Vec::new();
    let mut failures: Vec<StepFailure> = Vec::new();
    let started = Instant::now();
    loop {
        if steps == MAX_STEPS {
            evidence.summary = format!(
                "`step_up` ran {MAX_STEPS} times without reaching the schema the up command gives"
            );
            return Ok(Outcome::not_proven(evidence));
        }
        let applied = migrations.step_up(&db.admin()).await;
        let after = position(&db, migrations).await?;
        if after.same(&before) {
            if before.reached(&head) {
                break; // at the head, where a step forward fails or does nothing
            }
            let label = format!("step {}", steps + 1);
            if let Err(e) = applied {
                evidence.summary = format!(
                    "{label} does not apply on the database migrated up to the step before it"
                );
                evidence.push_counterexample(
                    format!("{label}: apply from the step before"),
                    vec![subject_fault(e)?],
                );
                return Ok(Outcome::refuted(evidence));
            }
            // not the subject's fault for sure: the command given may not be a step
            evidence.summary = format!(
                "{label}: `step_up` succeeded and changed nothing, short of what the up command makes; check the command"
            );
            return Ok(Outcome::not_proven(evidence));
        }
        steps += 1;
        let label = step_label(steps, &after, &before);
        if let Err(e) = applied {
            // it failed after changing something: a half-applied step
            evidence.summary = format!("{label} fails part way, leaving part of it applied");
            evidence.push_counterexample(
                format!("{label}: apply from the step before"),
                vec![subject_fault(e)?],
            );
            return Ok(Outcome::refuted(evidence));
        }
        names.push(label.clone());
        if !marks.down_supported(std::slice::from_ref(&label)) {
            before = after;
            continue;
        }
        if let Some((what, details)) = step_back_and_forth(migrations, &db, &before, &after).await?
        {
            failures.push(StepFailure::new(&label, what, details));
            db = stepped_to(ctx, migrations, steps).await?;
        }
        before = after;
    }
    evidence.push_timing("step through all", started.elapsed());
    marks.unmatched(ctx.subject())?;
    if let Some(from) = marks.downs_from() {
        evidence.push_observation("downs supported from", from);
    }
    evidence.push_observation("steps", span(&names));
    if let Some(outcome) = check_invariants(ctx, &db, &mut evidence, "after the last step").await? {
        return Ok(outcome);
    }
    if let Some(refuted) = failures::refuted(&mut evidence, failures, steps, "migration steps") {
        return Ok(refuted);
    }
    evidence.summary = format!(
        "all {steps} migration steps apply one at a time from empty ({} tables), each rolls back to exactly the schema before it, and re-applies",
        head.catalog.tables.len()
    );
    Ok(Outcome::proven(evidence))
}

/// One step back from `after` and forward again: the failure's title and details, if any.
async fn step_back_and_forth(
    migrations: &Migrations,
    db: &Database,
    before: &Position,
    after: &Position,
) -> Result<Option<(String, Vec<String>)>, ScenarioError> {
    if let Err(e) = migrations.step_down(&db.admin()).await {
        return Ok(Some(("rolling back fails".into(), vec![subject_fault(e)?])));
    }
    let back = position(db, migrations).await?;
    let mut diff = diff_by_meaning(db, &before.catalog, &back.catalog).await?;
    diff.extend(back.bookkeeping_diff(before));
    if !diff.is_empty() {
        return Ok(Some((
            "rolling back does not restore the schema before it (- expected, + found)".into(),
            diff,
        )));
    }
    if let Err(e) = migrations.step_up(&db.admin()).await {
        return Ok(Some((
            "does not apply again after its rollback".into(),
            vec![subject_fault(e)?],
        )));
    }
    let diff = compare(db, migrations, &after.catalog).await?;
    if !diff.is_empty() {
        return Ok(Some((
            "re-applying after its rollback gives a different schema (- first time, + second time)"
                .into(),
            diff,
        )));
    }
    Ok(None)
}

/// "step 3 (alembic_version: (c2f1a9e3b4d5))": the number, and the tool's record of it.
pub(super) fn step_label(number: usize, after: &Position, before: &Position) -> String {
    let recorded = after.recorded_since(before);
    match recorded.first() {
        Some(record) if recorded.len() == 1 => format!("step {number} ({record})"),
        _ => format!("step {number}"),
    }
}

/// "3: step 1 (…), step 2 (…), step 3 (…)", or for a long history its count, its first and
/// last few, and how many between.
fn span(names: &[String]) -> String {
    format!("{}: {}", names.len(), harness::report::summarised(names))
}

/// A fresh database moved `steps` steps forward, to go on from after a step that could not
/// be rolled back cleanly.
pub(super) async fn stepped_to(
    ctx: &Context,
    migrations: &Migrations,
    steps: usize,
) -> Result<Database, ScenarioError> {
    let db = ctx.empty_database("migrations_steps").await?;
    for step in 1..=steps {
        migrations.step_up(&db.admin()).await.map_err(|e| {
            ScenarioError::Other(format!(
                "failed to step a fresh database forward to step {step}: {e}"
            ))
        })?;
    }
    Ok(db)
}

pub(super) async fn position(
    db: &Database,
    migrations: &Migrations,
) -> Result<Position, ScenarioError> {
    let mut conn = db
        .connect_admin()
        .await
        .map_err(|e| ScenarioError::sql("connect to the scenario database", e))?;
    let read = Position::read(&mut conn, migrations.bookkeeping_tables()).await;
    let _ = conn.close().await;
    read.map_err(|e| ScenarioError::sql("read where the migrations stand", e))
}
