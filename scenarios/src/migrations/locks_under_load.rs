//! Claim: migrations (safe to deploy); fault: a live workload; check: one database walked
//! through the history a step at a time, its tables filled before each step (generated
//! from the catalog as it stands and held to the rules later steps add, at
//! `lock_trace_users` users, kept from step to step).
//! Each step is applied while a reader and a writer per table holding rows, and the main
//! queries that read, run on their own connections, and a second session samples
//! `pg_locks` (see [`harness::checks::lock_trace`]). Per step and table: the strongest lock
//! taken, how long it was held, the longest a workload query waited behind it, and whether
//! the table was rewritten. A step whose lock kept a query waiting longer than
//! `lock_budget_ms` is refuted; a step that took no lock conflicting with the workload
//! never is, however slow the machine. The static lint's findings on each traced step are
//! checked against the trace ([`super::cross_check`]). Steps through `deployed_through`
//! are applied, not judged. Directory layouts go file by file, command stacks by
//! `step_up`; with only an `up` command there is no step to trace.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use harness::checks::lock_trace::{
    ms, reading_queries, LockTracer, StepTrace, TableTrace, TracedTable, Wait, MAX_TABLES,
};
use harness::run::scenario::{Context, ScenarioError};
use harness::schema::catalog::Catalog;
use harness::schema::dataset::{load_part_way, scale_label};
use harness::schema::main_queries::MainQueries;
use harness::schema::migrate::Migrations;
use harness::schema::template::Database;
use harness::{Evidence, Outcome, Scenario};

use super::command_steps::MAX_STEPS;
use super::cross_check;
use super::marks::Marks;
use super::up_down_round_trip::subject_fault;
use super::walk::{NoWalk, Walk};

/// The most time one migration may keep a workload query waiting, unless the manifest's
/// `lock_budget_ms` says otherwise.
pub const DEFAULT_LOCK_BUDGET_MS: u64 = 1000;

pub struct LocksStayShortUnderLoad;

#[async_trait]
impl Scenario for LocksStayShortUnderLoad {
    fn id(&self) -> &'static str {
        "locks-stay-short-under-load"
    }

    fn claim(&self) -> &'static harness::run::scenario::ClaimSpec {
        super::CLAIM
    }

    fn title(&self) -> &'static str {
        "each migration, applied under a live workload, keeps no query waiting longer than the lock budget"
    }

    fn deadline(&self) -> Duration {
        // a long history at the largest verify scale: every step under load, and the
        // tables filled as each appears
        Duration::from_secs(900)
    }

    async fn run(&self, ctx: &Context) -> Result<Outcome, ScenarioError> {
        let migrations = ctx.migrations().await?;
        let settings = Settings::of(ctx)?;
        let walk = match Walk::start(ctx, &migrations, "migrations_locks").await? {
            Ok(walk) => walk,
            Err(NoWalk::UpOnly) => {
                return Ok(Outcome::not_applicable(Evidence::new(
                    "the subject migrates by one `up` command: it builds the whole schema on an empty \
                     database, where no lock blocks anyone; `step_up`/`step_down` commands let each \
                     migration be applied under load to tables holding rows",
                )))
            }
            Err(NoWalk::UpFails(e)) => {
                return Ok(Outcome::not_proven(Evidence::new(format!(
                    "the up command fails on an empty database: {e}"
                ))))
            }
        };
        // without main queries the readers and writers still show every lock
        let main = match ctx.main_queries().await {
            Ok(main) => Some(main),
            Err(e) => {
                tracing::info!("the lock trace runs without main queries: {e}");
                None
            }
        };
        // named before anything runs, then checked against the trace
        let findings = match walk {
            Walk::Dir(..) => cross_check::lint_steps(&migrations),
            Walk::Commands(_) => BTreeMap::new(),
        };
        let mut marks = Marks::deployed_only(ctx.subject());
        let found = walk_under_load(
            ctx,
            &migrations,
            &walk,
            &settings,
            main.as_deref(),
            &mut marks,
        )
        .await?;
        marks.unmatched(ctx.subject())?;
        let findings_checked: Vec<(String, String)> = found
            .traces
            .iter()
            .filter_map(|trace| {
                let of_step = findings.get(&trace.step).filter(|f| !f.is_empty())?;
                Some(cross_check::judge_findings(of_step, trace, settings.budget))
            })
            .flatten()
            .collect();
        let mut outcome = judge(found, &settings, main.as_deref(), &marks, ctx.seed());
        for (id, text) in findings_checked {
            outcome.evidence.push_finding(id, text);
        }
        Ok(outcome)
    }
}

/// The manifest's budget and data volume.
struct Settings {
    users: u64,
    budget: Duration,
}

impl Settings {
    fn of(ctx: &Context) -> Result<Settings, ScenarioError> {
        let section = &ctx.subject().manifest.migrations;
        let users = match section.lock_trace_users {
            Some(0) => {
                return Err(ScenarioError::Manifest(
                    ctx.subject()
                        .invalid("migrations.lock_trace_users", "must be at least 1"),
                ))
            }
            Some(users) => users,
            None => crate::indexes::scales::verify_scales(ctx.subject())?
                .last()
                .copied()
                .unwrap_or(1_000),
        };
        Ok(Settings {
            users,
            budget: Duration::from_millis(section.lock_budget_ms.unwrap_or(DEFAULT_LOCK_BUDGET_MS)),
        })
    }
}

/// What the walk found.
#[derive(Default)]
struct Findings {
    /// Steps applied before any table held rows (nothing to block).
    before_rows: usize,
    /// Steps up to `deployed_through` applied under load (those of a command stack, known
    /// only once applied), not judged.
    deployed: Vec<StepTrace>,
    /// Steps up to `deployed_through` applied without a trace (or failing on the rows).
    deployed_before_rows: usize,
    /// Every step applied with rows in the tables, in order.
    traces: Vec<StepTrace>,
    /// Steps that do not apply on the generated rows: "label: error".
    failed: Vec<String>,
    left_empty: BTreeSet<String>,
    loading: Duration,
    under_load: Duration,
}

async fn walk_under_load(
    ctx: &Context,
    migrations: &Migrations,
    walk: &Walk,
    settings: &Settings,
    main: Option<&MainQueries>,
    marks: &mut Marks,
) -> Result<Findings, ScenarioError> {
    let bookkeeping = migrations.bookkeeping_tables().to_vec();
    let mut found = Findings::default();
    let mut db = ctx.empty_database("migrations_locks").await?;
    let mut tracer = LockTracer::new(db.admin(), bookkeeping.clone());
    // tables a load was tried for: one the generator leaves empty is not tried again
    let mut tried: BTreeSet<String> = BTreeSet::new();
    let mut done = 0;
    loop {
        if done == MAX_STEPS {
            return Err(ScenarioError::Other(format!(
                "`step_up` ran {MAX_STEPS} times without reaching the schema the up command gives"
            )));
        }
        // a directory step is known before it runs: a deployed one is applied untraced
        if let Walk::Dir(steps, _) = walk {
            let Some(step) = steps.get(done) else {
                break;
            };
            if marks.deployed(&[step.version.to_string(), step.label()]) {
                if let Err(e) = walk.step_up(migrations, &db, done).await {
                    found
                        .failed
                        .push(format!("{}: {}", step.label(), subject_fault(e)?));
                    return Ok(found);
                }
                done += 1;
                found.deployed_before_rows += 1;
                continue;
            }
        }
        let tables = fill(
            ctx,
            &db,
            walk.head(),
            &mut tracer,
            settings,
            &mut tried,
            &mut found,
        )
        .await?;
        let Some(named) = walk.next(migrations, &db, done).await? else {
            break;
        };
        let apply = walk.step_up(migrations, &db, done);
        let (trace, applied) = if tables.iter().any(|t| t.rows > 0) {
            let started = Instant::now();
            let (trace, applied) = tracer
                .trace(&tables, main.map(|m| (ctx.subject(), m)), apply)
                .await?;
            found.under_load += started.elapsed();
            (Some(trace), applied)
        } else {
            (None, apply.await)
        };
        done += 1;
        let (label, _) = named.label(migrations, &db, done, applied.is_ok()).await?;
        // a command step is known only once applied
        let deployed = match walk {
            Walk::Dir(..) => false,
            Walk::Commands(_) => marks.deployed(std::slice::from_ref(&label)),
        };
        if let Err(e) = applied {
            let failure = format!("{label}: {}", subject_fault(e)?);
            if deployed {
                found.deployed_before_rows += 1;
            } else {
                found.failed.push(failure);
            }
            // go on from a fresh database at the step after it, refilled before the next
            tracer.close().await;
            db = walk.fresh_at(ctx, migrations, done).await?;
            tracer = LockTracer::new(db.admin(), bookkeeping.clone());
            tried.clear();
            continue;
        }
        match trace {
            Some(mut trace) => {
                trace.step = label;
                if deployed {
                    found.deployed.push(trace);
                } else {
                    found.traces.push(trace);
                }
            }
            None if deployed => found.deployed_before_rows += 1,
            None => found.before_rows += 1,
        }
    }
    tracer.close().await;
    Ok(found)
}

/// Fills the tables that are still empty (when a step made new ones) and lists them all.
async fn fill(
    ctx: &Context,
    db: &Database,
    head: &Catalog,
    tracer: &mut LockTracer,
    settings: &Settings,
    tried: &mut BTreeSet<String>,
    found: &mut Findings,
) -> Result<Vec<TracedTable>, ScenarioError> {
    let tables = tracer.tables().await?;
    let empty: BTreeSet<String> = tables
        .iter()
        .filter(|t| t.rows == 0)
        .map(|t| t.display_name())
        .collect();
    if empty.is_subset(tried) {
        return Ok(tables);
    }
    let load = load_part_way(db, ctx.subject(), settings.users, ctx.seed(), head).await?;
    found.loading += load.elapsed;
    tried.extend(empty);
    let tables = tracer.tables().await?;
    found.left_empty = tables
        .iter()
        .filter(|t| t.rows == 0)
        .map(|t| t.display_name())
        .collect();
    Ok(tables)
}

/// "writes on users waited 2300 ms behind its SHARE lock".
fn blame(table: Option<&TableTrace>, wait: &Wait) -> String {
    let by = wait.by.describe();
    let waited = ms(wait.waited);
    match table {
        Some(t) => match t.strongest_lock {
            Some(mode) => format!(
                "{by} on {} waited {waited} behind its {} lock",
                t.table,
                mode.name()
            ),
            None => format!("{by} on {} waited {waited} behind it", t.table),
        },
        None => format!("{by} waited {waited} on a row it locked"),
    }
}

fn judge(
    found: Findings,
    settings: &Settings,
    main: Option<&MainQueries>,
    marks: &Marks,
    seed: u64,
) -> Outcome {
    let budget = settings.budget;
    let mut evidence = Evidence::new("").seed(seed);
    if let Some(through) = marks.deployed_through() {
        let worst = found
            .deployed
            .iter()
            .filter_map(|t| {
                t.worst()
                    .map(|(table, wait)| (t, wait.waited, blame(table, wait)))
            })
            .max_by_key(|(_, waited, _)| *waited);
        evidence.push_observation(
            "already deployed, not judged",
            format!(
                "{} steps through {through} (deployed_through){}",
                found.deployed.len() + found.deployed_before_rows,
                worst.map_or(String::new(), |(t, _, blamed)| format!(
                    "; the worst, {}: {blamed}",
                    t.step
                ))
            ),
        );
        if found.traces.is_empty() && found.before_rows == 0 && found.failed.is_empty() {
            evidence.summary = format!(
                "every migration is already deployed (deployed_through = {through}): none is left to judge"
            );
            return Outcome::not_applicable(evidence);
        }
    }
    evidence.push_observation(
        "data",
        format!(
            "{} users' worth of rows in every table (lock_trace_users), generated before each step from the catalog as it stands, held to the rules later steps add",
            scale_label(settings.users)
        ),
    );
    let reading = main.map_or(0, |m| reading_queries(m).len());
    evidence.push_observation(
        "workload",
        format!(
            "per table holding rows (the {} largest), a reader and a writer (a no-op UPDATE, rolled back){}; waits measured by the clients, attributed to the step by pg_blocking_pids",
            MAX_TABLES,
            if reading > 0 {
                format!(", and {reading} main queries that read (at each step, those that prepare on its schema)")
            } else {
                String::new()
            }
        ),
    );
    evidence.push_observation(
        "budget",
        format!(
            "{} of blocked workload per migration (lock_budget_ms)",
            ms(budget)
        ),
    );
    let touched: Vec<&StepTrace> = found.traces.iter().filter(|t| t.touched()).collect();
    evidence.push_observation(
        "steps",
        format!(
            "{} applied under load ({} touched a table holding rows, {} did not), {} applied before any table held rows",
            found.traces.len(),
            touched.len(),
            found.traces.len() - touched.len(),
            found.before_rows
        ),
    );
    for trace in &touched {
        for table in &trace.tables {
            evidence.push_observation(&trace.step, table.describe());
        }
        if let Some(wait) = &trace.other_wait {
            evidence.push_observation(&trace.step, blame(None, wait));
        }
        if !trace.workload_errors.is_empty() {
            // one a line: the renderings show the last few and count the others
            evidence.push_observation(
                format!("{}: workload queries that failed", trace.step),
                trace.workload_errors.join("\n"),
            );
        }
    }
    if !found.left_empty.is_empty() {
        let tables: Vec<&str> = found.left_empty.iter().map(String::as_str).collect();
        evidence.push_observation(
            "tables that could not be filled",
            harness::report::summarised(&tables),
        );
    }
    evidence.push_timing("fill the tables", found.loading);
    evidence.push_timing("steps under load", found.under_load);

    let worst_of = |t: &StepTrace| {
        t.worst()
            .map(|(table, wait)| (wait.waited, blame(table, wait)))
    };
    let mut over: Vec<(&StepTrace, Duration, String)> = found
        .traces
        .iter()
        .filter_map(|t| worst_of(t).map(|(w, blamed)| (t, w, blamed)))
        .filter(|(_, waited, _)| *waited > budget)
        .collect();
    over.sort_by_key(|o| std::cmp::Reverse(o.1));
    if let Some((worst, _, blamed)) = over.first() {
        evidence.summary = format!(
            "{} of {} migrations keep the workload waiting longer than the {} budget; the worst, {}: {blamed}",
            over.len(),
            found.traces.len(),
            ms(budget),
            worst.step
        );
        for (trace, _, blamed) in &over {
            let (table, wait) = trace.worst().expect("a step over the budget has a wait");
            // every wait over the budget, not only the worst (which of two is worst can
            // change from run to run): its id names the step and the table, not the time
            let on_tables = trace
                .tables
                .iter()
                .filter_map(|t| t.longest_wait.as_ref().map(|w| (Some(t), w)));
            for (on, waited) in on_tables.chain(trace.other_wait.iter().map(|w| (None, w))) {
                if waited.waited > budget {
                    // qualified as the lint's findings are (the trace names `public` bare)
                    let what = on.map_or("(a row it locked)".to_owned(), |t| {
                        if t.table.contains('.') {
                            t.table.clone()
                        } else {
                            format!("public.{}", t.table)
                        }
                    });
                    evidence.push_finding(
                        format!("step {}: wait-over-budget {what}", trace.step),
                        format!(
                            "{}: {} (budget {})",
                            trace.step,
                            blame(on, waited),
                            ms(budget)
                        ),
                    );
                }
            }
            let mut details = Vec::new();
            if let Some(statement) = &wait.statement {
                details.push(format!("statement: {statement}"));
            }
            if let Some(table) = table {
                details.push(table.describe());
            }
            evidence.push_counterexample(
                format!("{}: {blamed} (budget {})", trace.step, ms(budget)),
                details,
            );
        }
        if !found.failed.is_empty() {
            evidence.push_observation(
                "steps that do not apply on the generated rows",
                found.failed.join("\n"),
            );
        }
        return Outcome::refuted(evidence);
    }
    if !found.failed.is_empty() {
        evidence.summary = format!(
            "{} step(s) do not apply on the generated rows, so their locks were not traced (if your rows would fail too, so would the deploy)",
            found.failed.len()
        );
        evidence.push_counterexample("up fails with rows in the tables", found.failed);
        return Outcome::not_proven(evidence);
    }
    if found.traces.is_empty() {
        evidence.summary = if found.before_rows <= 1 {
            "the only migration runs on an empty database, where no lock blocks anyone".into()
        } else {
            "no table could be given rows, so no step was applied under load".into()
        };
        return if found.before_rows <= 1 {
            Outcome::not_applicable(evidence)
        } else {
            Outcome::not_proven(evidence)
        };
    }
    let worst = found
        .traces
        .iter()
        .filter_map(|t| worst_of(t).map(|(w, blamed)| (t, w, blamed)))
        .max_by_key(|(_, w, _)| *w);
    evidence.summary = match worst {
        Some((trace, _, blamed)) => format!(
            "{} migrations applied under load at {} users keep no query waiting longer than {}; the worst, {}: {blamed}",
            found.traces.len(),
            scale_label(settings.users),
            ms(budget),
            trace.step
        ),
        None => format!(
            "{} migrations applied under load at {} users: no workload query waited behind any of them",
            found.traces.len(),
            scale_label(settings.users)
        ),
    };
    Outcome::proven(evidence)
}
