//! Running scenarios: each in turn, under its deadline, with panics and errors turned
//! into NOT PROVEN verdicts, gathered by claim into a scorecard.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::report::evidence::{
    ClaimReport, Evidence, InputError, Outcome, ScenarioReport, Scorecard, Status, SCHEMA_VERSION,
};
use crate::report::redact::redact;
use crate::run::scenario::{ClaimSpec, Context, Run, Scenario, ScenarioError};

/// Watches a run as it goes (the binary prints progress; tests ignore it).
pub trait Observer: Send + Sync {
    fn scenario_started(&self, _claim: &str, _scenario: &str, _title: &str) {}
    fn scenario_finished(&self, _claim: &str, _report: &ScenarioReport) {}
}

/// An observer that says nothing.
#[derive(Debug, Default)]
pub struct Quiet;

impl Observer for Quiet {}

/// The scorecard's `server` when no scenario used the shared server.
pub const NO_SHARED_SERVER: &str = "dedicated servers only";

/// Runs the scenarios of `claims` (all of them, in order) and builds the scorecard.
pub async fn run(
    claims: &[ClaimSpec],
    scenarios: &[Arc<dyn Scenario>],
    run: Arc<Run>,
    observer: &dyn Observer,
) -> Scorecard {
    let started = Instant::now();
    let started_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut input_errors: Vec<InputError> = Vec::new();
    let mut reports = Vec::new();
    for claim in claims {
        let mut scenario_reports = Vec::new();
        for scenario in scenarios.iter().filter(|s| s.claim().id == claim.id) {
            observer.scenario_started(claim.id, scenario.id(), scenario.title());
            let (mut report, input_error) = run_one(scenario.clone(), run.clone()).await;
            // one bad key makes every scenario that reads it fail: say it once, with the
            // scenarios it stopped
            if let Some(message) = input_error {
                let stopped = format!("{}/{}", claim.id, scenario.id());
                let index = match input_errors.iter().position(|e| e.message == message) {
                    Some(index) => index,
                    None => {
                        input_errors.push(InputError {
                            message,
                            scenarios: Vec::new(),
                        });
                        input_errors.len() - 1
                    }
                };
                input_errors[index].scenarios.push(stopped);
                report.stopped_by = Some(index);
                report.evidence.summary = format!("stopped by input error #{}", index + 1);
            }
            observer.scenario_finished(claim.id, &report);
            scenario_reports.push(report);
        }
        reports.push(claim_report(claim, scenario_reports));
    }
    let server = run
        .started_server()
        .map(|s| s.describe())
        .unwrap_or_else(|| NO_SHARED_SERVER.into());
    Scorecard {
        schema_version: SCHEMA_VERSION,
        subject: run.subject.name().to_owned(),
        backend: redact(&run.backend.describe()),
        server: redact(&server),
        seed: run.options.seed,
        started_at,
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        claims: reports,
        input_errors,
        regressions: Vec::new(),
        trends: Vec::new(),
        baseline: None,
        mutation: None,
    }
}

/// Runs one scenario on a task of its own (so that a panic is caught) under its deadline.
async fn run_one(scenario: Arc<dyn Scenario>, run: Arc<Run>) -> (ScenarioReport, Option<String>) {
    let started = Instant::now();
    let deadline = scenario.deadline();
    let ctx = Arc::new(Context::new(
        run,
        &format!("{}/{}", scenario.claim().id, scenario.id()),
    ));
    let task = {
        let scenario = scenario.clone();
        let ctx = ctx.clone();
        tokio::spawn(async move { tokio::time::timeout(deadline, scenario.run(&ctx)).await })
    };
    let mut input_error = None;
    let outcome = match task.await {
        Ok(Ok(Ok(outcome))) => outcome,
        Ok(Ok(Err(ScenarioError::Manifest(e)))) => {
            input_error = Some(redact(&e.to_string()));
            Outcome::not_proven(Evidence::new(format!("manifest error: {e}")))
        }
        Ok(Ok(Err(e))) => could_not_run(&e.to_string()),
        Ok(Err(_elapsed)) => Outcome::not_proven(Evidence::new(format!(
            "timed out: no verdict within the scenario's deadline of {}",
            human(deadline)
        ))),
        Err(join) if join.is_panic() => Outcome::not_proven(Evidence::new(format!(
            "the scenario panicked (a harness bug): {}",
            panic_message(join.into_panic())
        ))),
        Err(_) => Outcome::not_proven(Evidence::new("the scenario was cancelled")),
    };
    let kept = ctx.finish(outcome.status).await;
    let mut evidence = outcome.evidence;
    redact_evidence(&mut evidence);
    let report = ScenarioReport {
        id: scenario.id().to_owned(),
        title: scenario.title().to_owned(),
        status: outcome.status,
        evidence,
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        kept: kept.map(|k| redact(&k)),
        stopped_by: None,
    };
    (report, input_error)
}

/// NOT PROVEN by an error: its first line in the summary, and the whole of an error of
/// several lines (a command's output) as an observation, shown under its label.
fn could_not_run(error: &str) -> Outcome {
    let mut lines = error.lines().filter(|l| !l.trim().is_empty());
    let first = lines.next().unwrap_or_default().trim_end();
    let mut evidence = Evidence::new(format!("could not run: {first}"));
    if lines.next().is_some() {
        evidence.push_observation("error", error);
    }
    Outcome::not_proven(evidence)
}

/// A claim's report from its scenarios': its status combined, and why in one line.
pub fn claim_report(claim: &ClaimSpec, scenarios: Vec<ScenarioReport>) -> ClaimReport {
    let status = Status::combine(scenarios.iter().map(|s| s.status));
    let not_applicable = scenarios
        .iter()
        .filter(|s| s.status == Status::NotApplicable)
        .count();
    let reason = if scenarios.is_empty() {
        "not implemented: no scenario proves this claim yet".to_owned()
    } else if status == Status::Proven {
        // every scenario's summary is in its own line: the claim's says how many
        let judged = scenarios.len() - not_applicable;
        let na = if not_applicable > 0 {
            format!(" ({not_applicable} N/A)")
        } else {
            String::new()
        };
        if judged == 1 {
            format!("its one scenario PROVEN{na}")
        } else {
            format!("all {judged} scenarios PROVEN{na}")
        }
    } else {
        let deciding: Vec<String> = scenarios
            .iter()
            .filter(|s| s.status == status)
            .map(|s| format!("{}: {}", s.id, s.evidence.summary))
            .collect();
        deciding.join("; ")
    };
    ClaimReport {
        id: claim.id.to_owned(),
        title: claim.title.to_owned(),
        statement: claim.statement.to_owned(),
        claimed_before: claim.before.to_owned(),
        claimed_after: claim.after.to_owned(),
        status,
        reason,
        scenarios,
    }
}

fn redact_evidence(evidence: &mut crate::report::evidence::Evidence) {
    evidence.summary = redact(&evidence.summary);
    for o in &mut evidence.observations {
        o.value = redact(&o.value);
    }
    for f in &mut evidence.findings {
        f.text = redact(&f.text);
    }
    for c in &mut evidence.counterexamples {
        c.title = redact(&c.title);
        for d in &mut c.details {
            *d = redact(d);
        }
    }
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".into())
}

fn human(d: Duration) -> String {
    format!("{} s", d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_of_several_lines_keeps_its_first_in_the_summary_and_all_in_the_evidence() {
        let one = could_not_run("failed to connect");
        assert_eq!(one.evidence.summary, "could not run: failed to connect");
        assert!(one.evidence.observations.is_empty());
        let output = "`./migrate.sh` exited with 1: starting\n\nERROR: relation \"users\" exists\n";
        let several = could_not_run(output);
        assert_eq!(
            several.evidence.summary,
            "could not run: `./migrate.sh` exited with 1: starting"
        );
        assert_eq!(several.evidence.observations[0].value, output);
        assert_eq!(several.status, Status::NotProven);
    }
}
