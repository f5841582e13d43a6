//! Claim: migrations ("can roll back if deployment fails"); fault: none; check: one
//! database walked through the history a step at a time. Before each step its tables hold
//! rows (generated from the catalog as it stands, held to the rules the last step's schema
//! adds, a few users' worth, kept from step to step as a live database keeps them); the step goes up, down and up again, and after the
//! down no row, column or value the tables held before the step is gone (values rewritten
//! one for one, filled in, or time stamps moved are shown as changes, not losses). A step the manifest declares destructive may lose data: its losses are
//! shown, not refuted. Steps before `downs_supported_from` are only applied.

use std::collections::BTreeSet;
use std::time::Instant;

use async_trait::async_trait;
use harness::checks::data_prints::{Changes, DataPrints};
use harness::run::scenario::{Context, ScenarioError};
use harness::schema::dataset::load_part_way;
use harness::schema::migrate::Migrations;
use harness::schema::template::Database;
use harness::{Evidence, Outcome, Scenario};
use sqlx::Connection;

use super::command_steps::MAX_STEPS;
use super::failures::StepFailure;
use super::marks::Marks;
use super::up_down_round_trip::{read_catalog, subject_fault};
use super::walk::{NoWalk, Walk};

/// Users' worth of rows the tables hold before each step: enough rows in every table
/// for a lost column or row to show, few enough for a long history.
const USERS: u64 = 3;

pub struct DataSurvivesEachRoundTrip;

#[async_trait]
impl Scenario for DataSurvivesEachRoundTrip {
    fn id(&self) -> &'static str {
        "data-survives-each-round-trip"
    }

    fn claim(&self) -> &'static harness::run::scenario::ClaimSpec {
        super::CLAIM
    }

    fn title(&self) -> &'static str {
        "the rows written before each migration survive its up, down and up again"
    }

    async fn run(&self, ctx: &Context) -> Result<Outcome, ScenarioError> {
        let migrations = ctx.migrations().await?;
        let walk = match Walk::start(ctx, &migrations, "migrations_data").await? {
            Ok(walk) => walk,
            Err(NoWalk::UpOnly) => {
                return Ok(Outcome::not_applicable(Evidence::new(
                    "the subject migrates by `up`/`down` commands only: its rollback drops everything, \
                     so no rollback can keep data; `step_up`/`step_down` commands make each step's rollback testable",
                )))
            }
            Err(NoWalk::UpFails(e)) => {
                return Ok(Outcome::not_proven(Evidence::new(format!(
                    "the up command fails on an empty database: {e}"
                ))))
            }
        };
        let mut marks = Marks::rollbacks(ctx.subject());
        let outcome = walk_with_data(ctx, &migrations, &walk, &mut marks).await?;
        marks.unmatched(ctx.subject())?;
        Ok(outcome)
    }
}

/// What the walk found.
#[derive(Default)]
struct Findings {
    steps: usize,
    /// Steps before `downs_supported_from`: applied, not rolled back.
    only_applied: usize,
    failures: Vec<StepFailure>,
    /// Steps whose up fails on the generated rows: their rollback is not tried.
    not_tried: Vec<String>,
    /// Declared destructive steps and what their rollback loses.
    declared: Vec<(String, Vec<String>)>,
    /// Steps whose round trip changed data without losing any (a backfill its down keeps,
    /// a time stamp a trigger moved), and what changed.
    changed: Vec<(String, Vec<String>)>,
    left_empty: BTreeSet<String>,
    rows_at_last_step: u64,
}

async fn walk_with_data(
    ctx: &Context,
    migrations: &Migrations,
    walk: &Walk,
    marks: &mut Marks,
) -> Result<Outcome, ScenarioError> {
    let started = Instant::now();
    let mut found = Findings::default();
    let mut db = ctx.empty_database("migrations_data").await?;
    loop {
        if found.steps == MAX_STEPS {
            return Ok(Outcome::not_proven(Evidence::new(format!(
                "`step_up` ran {MAX_STEPS} times without reaching the schema the up command gives"
            ))));
        }
        let load = load_part_way(&db, ctx.subject(), USERS, ctx.seed(), walk.head()).await?;
        found
            .left_empty
            .extend(load.left_empty.into_iter().map(|e| e.table));
        let before = prints(&db, migrations).await?;
        found.rows_at_last_step = before.total_rows();
        let Some(named) = walk.next(migrations, &db, found.steps).await? else {
            break;
        };
        let applied = walk.step_up(migrations, &db, found.steps).await;
        found.steps += 1;
        let (label, names) = named
            .label(migrations, &db, found.steps, applied.is_ok())
            .await?;
        // asked of every step, so that each mark meets the step it names
        let destructive = marks.destructive(&names);
        let down_supported = marks.down_supported(&names);
        if let Err(e) = applied {
            found
                .not_tried
                .push(format!("{label}: {}", subject_fault(e)?));
            db = walk.fresh_at(ctx, migrations, found.steps).await?;
            continue;
        }
        if !down_supported {
            found.only_applied += 1;
            continue;
        }
        let failure = match round_trip(walk, migrations, &db, found.steps, &before).await? {
            Ok(Changes { lost, changed }) => {
                if !changed.is_empty() {
                    found.changed.push((label.clone(), changed));
                }
                if lost.is_empty() {
                    None
                } else if destructive {
                    found.declared.push((label, lost));
                    None
                } else {
                    Some(StepFailure::new(
                        &label,
                        "up then down loses rows or values written before the step",
                        lost,
                    ))
                }
            }
            Err((what, error)) => Some(StepFailure::new(&label, what, vec![error])),
        };
        if let Some(failure) = failure {
            found.failures.push(failure);
            db = walk.fresh_at(ctx, migrations, found.steps).await?;
        }
    }
    let mut evidence = Evidence::new("").seed(ctx.seed());
    evidence.push_timing("walk with data", started.elapsed());
    Ok(judge(found, marks, evidence))
}

/// The step just applied to `db` goes down and up again: what the down lost or changed of
/// `before`, or the failure (what, and the error).
async fn round_trip(
    walk: &Walk,
    migrations: &Migrations,
    db: &Database,
    step: usize,
    before: &DataPrints,
) -> Result<Result<Changes, (&'static str, String)>, ScenarioError> {
    if let Err(e) = walk.step_down(migrations, db, step).await {
        return Ok(Err((
            "rolling back fails with rows in the tables",
            subject_fault(e)?,
        )));
    }
    let after_down = prints(db, migrations).await?;
    let changes = before.changes_in(&after_down);
    if let Err(e) = walk.step_up(migrations, db, step - 1).await {
        return Ok(Err((
            "does not apply again after its rollback, with the rows back",
            subject_fault(e)?,
        )));
    }
    Ok(Ok(changes))
}

fn judge(found: Findings, marks: &Marks, mut evidence: Evidence) -> Outcome {
    let tried = found.steps - found.only_applied - found.not_tried.len();
    evidence.push_observation(
        "steps",
        format!(
            "{} applied with rows in the tables, {tried} rolled back and re-applied",
            found.steps
        ),
    );
    evidence.push_observation("rows before the last step", found.rows_at_last_step);
    if let Some(from) = marks.downs_from() {
        evidence.push_observation(
            "downs supported from",
            format!("{from} ({} earlier steps only applied)", found.only_applied),
        );
    }
    if !found.left_empty.is_empty() {
        let tables: Vec<&str> = found.left_empty.iter().map(String::as_str).collect();
        evidence.push_observation(
            "tables that could not be filled",
            harness::report::summarised(&tables),
        );
    }
    if !found.changed.is_empty() {
        // one step a line: the renderings show the last few and count the others
        let lines: Vec<String> = found
            .changed
            .iter()
            .map(|(step, what)| format!("{step}: {}", what.join("; ")))
            .collect();
        evidence.push_observation("changed by the round trip, not lost", lines.join("\n"));
    }
    for (step, lost) in &found.declared {
        evidence.push_observation(
            format!("{step} (declared destructive) loses"),
            lost.join("; "),
        );
    }
    if !found.failures.is_empty() {
        let names: Vec<&str> = found.failures.iter().map(|f| f.step.as_str()).collect();
        evidence.summary = format!(
            "{} of {tried} steps do not round-trip the data written before them: {}",
            found.failures.len(),
            harness::report::summarised(&names)
        );
        for failure in found.failures {
            evidence.push_counterexample(
                format!("{}: {}", failure.step, failure.what),
                failure.details,
            );
        }
        return Outcome::refuted(evidence);
    }
    if !found.not_tried.is_empty() {
        evidence.summary = format!(
            "{} step(s) do not apply on the generated rows, so their rollback was not tried with data (if your rows would fail too, so would the deploy)",
            found.not_tried.len()
        );
        evidence.push_counterexample("up fails with rows in the tables", found.not_tried);
        return Outcome::not_proven(evidence);
    }
    if found.rows_at_last_step == 0 || tried == 0 {
        evidence.summary = if tried == 0 {
            "no step was rolled back with data".into()
        } else {
            "no table could be given rows, so no rollback was tried with data".into()
        };
        return Outcome::not_proven(evidence);
    }
    evidence.summary = format!(
        "each of {tried} steps keeps every row and value written before it through up, down and up again{}",
        if found.declared.is_empty() {
            String::new()
        } else {
            format!(
                " except the {} declared destructive, whose losses are listed",
                found.declared.len()
            )
        }
    );
    Outcome::proven(evidence)
}

async fn prints(db: &Database, migrations: &Migrations) -> Result<DataPrints, ScenarioError> {
    let catalog = read_catalog(db, migrations).await?;
    let mut conn = db
        .connect_admin()
        .await
        .map_err(|e| ScenarioError::sql("connect to the scenario database", e))?;
    let read = DataPrints::read(&mut conn, &catalog).await;
    let _ = conn.close().await;
    read.map_err(|e| ScenarioError::sql("read what the tables hold", e))
}
