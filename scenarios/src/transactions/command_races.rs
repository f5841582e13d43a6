//! Lost updates in the app's own code: N concurrent executions of a command flow that
//! declares an `expect` counter, each held by the fault proxy just before its first write
//! until all N got there (and once more left to the scheduler); the counter must rise by
//! exactly the number of executions that succeeded, and no invariant may break.

use std::time::Instant;

use harness::checks::invariants;
use harness::run::scenario::{Context, ScenarioError};
use harness::subject::manifest::CommandFlow;
use harness::{Evidence, Outcome};
use sqlx::{Connection, PgConnection};
use tokio::task::JoinSet;

use super::case::broken_since;
use super::command_flow::{self, Calibration};
use super::rig::Rig;
use super::sql_flow::count;
use super::units::SubjectFlows;

/// How many executions race, in turn (each is a process of the app's own).
const CONCURRENCY: [usize; 2] = [2, 6];

/// Races every command flow with an `expect` counter; `None` when none has one.
pub async fn run(ctx: &Context, flows: &SubjectFlows) -> Result<Option<Outcome>, ScenarioError> {
    let counted: Vec<usize> = (0..flows.commands.len())
        .filter(|i| flows.commands[*i].expect.is_some())
        .collect();
    if counted.is_empty() {
        return Ok(None);
    }
    let rig = Rig::new(ctx.migrated_database("tx_command_races").await?, true).await?;
    let mut calibrations = Vec::new();
    for &index in &counted {
        let flow = &flows.commands[index];
        command_flow::setup(&rig, ctx.subject(), index, flow).await?;
        calibrations.push(command_flow::calibrate(&rig, ctx.subject(), index, flow).await?);
    }
    let mut admin = rig.connect_admin().await?;
    let baseline = invariants::check(&mut admin, ctx.subject()).await?;
    let mut evidence = Evidence::new("");
    let (mut lost_any, mut failed_any) = (Vec::new(), Vec::new());
    let started = Instant::now();
    for (index, calibration) in counted.into_iter().zip(&calibrations) {
        let flow = &flows.commands[index];
        let Some((message, first_write)) = first_write(calibration) else {
            evidence.push_observation(
                format!("command flow `{}`", flow.name),
                "its clean run wrote nothing: no race to run",
            );
            continue;
        };
        for n in CONCURRENCY {
            for met in [true, false] {
                let race = Race {
                    rig: &rig,
                    ctx,
                    index,
                    flow,
                    meet_at: met.then_some(message),
                };
                let result = race.run(n, &mut admin).await?;
                let how = if met {
                    format!(
                        "each held before {first_write} until {} of {n} got there",
                        result.met
                    )
                } else {
                    "free-running".to_owned()
                };
                let label = format!("{n} concurrent runs of `{}`, {how}", flow.name);
                let line = format!(
                    "{} succeeded, `expect` rose by {}{}",
                    result.succeeded,
                    result.rose,
                    result
                        .failure
                        .as_ref()
                        .map(|f| format!("; a failed run: {f}"))
                        .unwrap_or_default()
                );
                evidence.push_observation(&label, &line);
                if result.rose != result.succeeded as i64 {
                    lost_any.push(format!("{label}: {line}"));
                } else if result.succeeded < n {
                    failed_any.push(format!("{label}: {line}"));
                }
            }
        }
    }
    evidence.push_timing("races", started.elapsed());
    let broken = broken_since(
        &baseline,
        &invariants::check(&mut admin, ctx.subject()).await?,
    );
    let _ = admin.close().await;
    if !lost_any.is_empty() {
        evidence.push_counterexample(
            "updates lost (or runs that failed yet counted)",
            lost_any.clone(),
        );
    }
    if !broken.is_empty() {
        evidence.push_counterexample("invariants broken by the races", broken.clone());
    }
    if let Some(first) = lost_any.first() {
        evidence.summary = format!("concurrent runs of the app's flow lose updates: {first}");
        return Ok(Some(Outcome::refuted(evidence)));
    }
    if let Some(first) = broken.first() {
        evidence.summary = format!("the races broke an invariant: {first}");
        return Ok(Some(Outcome::refuted(evidence)));
    }
    if let Some(first) = failed_any.first() {
        evidence.summary = format!(
            "no update was lost, but runs failed, and a failed run could hide a lost one: {first}"
        );
        return Ok(Some(Outcome::not_proven(evidence)));
    }
    evidence.summary = format!(
        "every concurrent run counted ({} at once, held together before their first write and free-running)",
        CONCURRENCY.map(|n| n.to_string()).join(", ")
    );
    Ok(Some(Outcome::proven(evidence)))
}

/// The first write of a clean run: its number among its connection's statements, and
/// what to call it.
fn first_write(calibration: &Calibration) -> Option<(u64, String)> {
    let write = calibration.statements.iter().find(|s| s.writes())?;
    let on_its_connection = calibration
        .statements
        .iter()
        .filter(|s| s.connection == write.connection && s.number <= write.number)
        .count();
    Some((on_its_connection as u64, calibration.describe(write.number)))
}

/// One race of one flow.
struct Race<'a> {
    rig: &'a Rig,
    ctx: &'a Context,
    index: usize,
    flow: &'a CommandFlow,
    /// Hold each execution's statement of this number until all got there.
    meet_at: Option<u64>,
}

struct RaceResult {
    succeeded: usize,
    rose: i64,
    met: usize,
    failure: Option<String>,
}

impl Race<'_> {
    async fn run(&self, n: usize, admin: &mut PgConnection) -> Result<RaceResult, ScenarioError> {
        let key = format!("flows.command[{}].expect", self.index);
        let expect = self.flow.expect.as_deref().unwrap_or_default();
        let subject = self.ctx.subject();
        let before = count(admin, subject, &key, expect, 0, &self.flow.name).await?;
        let proxy = self.rig.proxy().expect("a rig with a proxy");
        if let Some(message) = self.meet_at {
            proxy.meet_at(message, n);
        }
        let mut runs = JoinSet::new();
        for _ in 0..n {
            let command = command_flow::command_for_run(
                self.rig,
                &subject.dir,
                self.flow,
                self.rig.next_run(),
            );
            runs.spawn(async move { command.run().await });
        }
        let (mut succeeded, mut met, mut failure) = (0, 0, None);
        while let Some(ran) = runs.join_next().await {
            met = met.max(proxy.arrived());
            // one that ended either passed the meeting or never comes: the rest go on
            proxy.end_meeting();
            let output = ran
                .map_err(|e| ScenarioError::failed("wait for a racing run", e))?
                .map_err(|e| ScenarioError::failed("start a racing run", e))?;
            if output.succeeded() {
                succeeded += 1;
            } else {
                failure.get_or_insert_with(|| command_flow::ran(&output));
            }
        }
        let after = count(admin, subject, &key, expect, 0, &self.flow.name).await?;
        Ok(RaceResult {
            succeeded,
            rose: after - before,
            met,
            failure,
        })
    }
}
