//! Stripe's delivery habits on the app's own webhook endpoint, run as a command
//! (`[flows.webhooks]`): the event files delivered once each in order give the reference
//! state; each event twice, newest first, shuffled with repeats, and every event twice all
//! at once must end in the same state (the `state` query's rows, as a set), each on a
//! fresh database. A delivery that fails is retried, as Stripe retries it.

use std::path::{Path, PathBuf};

use harness::checks::invariants;
use harness::process::command::SubjectCommand;
use harness::run::scenario::{Context, ScenarioError};
use harness::schema::template::Database;
use harness::subject::manifest::CommandWebhooks;
use harness::subject::Subject;
use harness::{Evidence, Outcome};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sqlx::{Connection, PgConnection};
use tokio::task::JoinSet;

use super::case::broken_since;
use super::command_flow::{app_command, ran, run_setup};
use super::delivery::Delivery;

/// How often a failed delivery is tried, as Stripe retries it.
const ATTEMPTS: usize = 3;

/// What one delivery plan left.
struct Delivered {
    /// Each delivery's file name and how it went.
    log: Vec<String>,
    state: Vec<String>,
    broken: Vec<String>,
}

pub async fn run(ctx: &Context, hooks: &CommandWebhooks) -> Result<Outcome, ScenarioError> {
    let subject = ctx.subject();
    let events = event_files(subject, hooks)?;
    let mut rng = ChaCha8Rng::seed_from_u64(ctx.seed());
    let mut evidence = Evidence::new("").seed(ctx.seed()).observe(
        "events",
        events
            .iter()
            .map(|e| file_name(e))
            .collect::<Vec<_>>()
            .join(", "),
    );
    let reference = deliver(ctx, hooks, &events, false).await?;
    if let Some(failed) = reference.log.iter().find(|l| l.contains("failed")) {
        return Err(ScenarioError::Manifest(subject.invalid(
            "flows.webhooks.deliver",
            format!("the in-order delivery of each event once fails: {failed}"),
        )));
    }
    evidence.push_observation(
        "in-order delivery, each event once",
        format!(
            "{} row(s) of state: {}",
            reference.state.len(),
            reference.state.join(", ")
        ),
    );
    let mut differing = Vec::new();
    for delivery in Delivery::ALL {
        let plan = delivery.plan(&events, &mut rng);
        let found = deliver(ctx, hooks, &plan, delivery == Delivery::Concurrent).await?;
        let same = found.state == reference.state;
        let retried = found.log.iter().filter(|l| l.contains("attempt")).count();
        let failed = found.log.iter().filter(|l| l.contains("failed")).count();
        evidence.push_observation(
            delivery.to_string(),
            format!(
                "{} deliveries ({retried} succeeded on a retry, {failed} failed every attempt): {}",
                found.log.len(),
                if same {
                    "ends as the in-order delivery"
                } else {
                    "ends differently"
                }
            ),
        );
        if !same || !found.broken.is_empty() {
            let mut details = vec![format!("delivered: {}", found.log.join(", "))];
            details.extend(state_difference(&reference.state, &found.state));
            details.extend(
                found
                    .broken
                    .iter()
                    .map(|b| format!("invariant broken: {b}")),
            );
            evidence.push_counterexample(format!("the endpoint cannot absorb {delivery}"), details);
            differing.push(delivery);
        }
    }
    if let Some(first) = differing.first() {
        evidence.summary = format!(
            "{} of {} delivery patterns ended differently from one in-order delivery (or broke an invariant), e.g. {first}",
            differing.len(),
            Delivery::ALL.len()
        );
        return Ok(Outcome::refuted(evidence));
    }
    evidence.summary = format!(
        "the {} events delivered twice, newest first, shuffled with repeats and all at once each ended as one in-order delivery does",
        events.len()
    );
    Ok(Outcome::proven(evidence))
}

fn event_files(subject: &Subject, hooks: &CommandWebhooks) -> Result<Vec<PathBuf>, ScenarioError> {
    let dir = subject.path(Path::new(&hooks.events));
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| {
            ScenarioError::Manifest(subject.invalid(
                "flows.webhooks.events",
                format!("cannot read {}: {e}", dir.display()),
            ))
        })?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(ScenarioError::Manifest(subject.invalid(
            "flows.webhooks.events",
            format!("{} holds no event file", dir.display()),
        )));
    }
    Ok(files)
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Delivers `plan` on a fresh database (after the setup), one after another or all at
/// once; what each delivery did, the state, and the invariants it broke.
async fn deliver(
    ctx: &Context,
    hooks: &CommandWebhooks,
    plan: &[PathBuf],
    at_once: bool,
) -> Result<Delivered, ScenarioError> {
    let subject = ctx.subject();
    let db = ctx.migrated_database("tx_webhook_delivery").await?;
    if let Some(setup) = &hooks.setup {
        let setup = command(subject, hooks, setup, &db);
        run_setup(subject, "flows.webhooks.setup", setup).await?;
    }
    let mut admin = db
        .connect_admin()
        .await
        .map_err(|e| ScenarioError::sql("connect to the webhook database", e))?;
    let baseline = invariants::check(&mut admin, subject).await?;
    let mut log = Vec::new();
    if at_once {
        let mut deliveries = JoinSet::new();
        for (i, event) in plan.iter().enumerate() {
            let text = hooks.deliver.replace("{file}", &quoted(event));
            let command = command(subject, hooks, &text, &db);
            let name = file_name(event);
            deliveries.spawn(async move { (i, attempt(&command, &name).await) });
        }
        let mut done = Vec::new();
        while let Some(finished) = deliveries.join_next().await {
            done.push(finished.map_err(|e| ScenarioError::failed("wait for a delivery", e))?);
        }
        done.sort_by_key(|(i, _)| *i);
        for (_, line) in done {
            log.push(line?);
        }
    } else {
        for event in plan {
            let text = hooks.deliver.replace("{file}", &quoted(event));
            log.push(attempt(&command(subject, hooks, &text, &db), &file_name(event)).await?);
        }
    }
    let state = read_state(&mut admin, subject, &hooks.state).await?;
    let broken = broken_since(&baseline, &invariants::check(&mut admin, subject).await?);
    let _ = admin.close().await;
    Ok(Delivered { log, state, broken })
}

/// Runs one delivery until it succeeds, at most [`ATTEMPTS`] times.
async fn attempt(command: &SubjectCommand, name: &str) -> Result<String, ScenarioError> {
    let mut last = String::new();
    for attempt in 1..=ATTEMPTS {
        let output = command
            .run()
            .await
            .map_err(|e| ScenarioError::failed(format!("start `{}`", command.command()), e))?;
        if output.succeeded() {
            return Ok(if attempt == 1 {
                format!("{name} → ok")
            } else {
                format!("{name} → ok on attempt {attempt}")
            });
        }
        last = ran(&output);
    }
    Ok(format!("{name} → failed {ATTEMPTS} times: {last}"))
}

fn command(
    subject: &Subject,
    hooks: &CommandWebhooks,
    text: &str,
    db: &Database,
) -> SubjectCommand {
    app_command(
        &subject.dir,
        hooks.workdir.as_deref(),
        text,
        &db.app(),
        db.server(),
        hooks.timeout(),
    )
}

/// `path` quoted for `sh`.
fn quoted(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}

/// The state query's rows, each as JSON, sorted: compared as a set.
async fn read_state(
    admin: &mut PgConnection,
    subject: &Subject,
    state: &str,
) -> Result<Vec<String>, ScenarioError> {
    let wrapped = format!("SELECT row_to_json(s)::text FROM ({state}) AS s");
    let mut rows: Vec<String> = sqlx::query_scalar(&wrapped)
        .fetch_all(&mut *admin)
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(db) => ScenarioError::Manifest(subject.invalid(
                "flows.webhooks.state",
                format!("the query fails: {}", db.message()),
            )),
            other => ScenarioError::sql("read the webhook state", other),
        })?;
    rows.sort();
    Ok(rows)
}

/// The rows only one of the two states has.
fn state_difference(expected: &[String], found: &[String]) -> Vec<String> {
    let missing = expected.iter().filter(|r| !found.contains(r));
    let extra = found.iter().filter(|r| !expected.contains(r));
    missing
        .map(|r| format!("in-order delivery has: {r}"))
        .chain(extra.map(|r| format!("this delivery has instead: {r}")))
        .collect()
}
