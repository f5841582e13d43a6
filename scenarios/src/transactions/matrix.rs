//! Every flow × every fault point × each of some faults, one case at a time, gathered into
//! one verdict: PROVEN when every case left all or nothing with the invariants intact.

use std::collections::BTreeMap;
use std::time::Instant;

use harness::run::scenario::{Context, ScenarioError};
use harness::{Evidence, Outcome};

use super::case::{self, Case, CaseReport, BLACKHOLE_DEADLINE};
use super::command_flow;
use super::faults::Fault;
use super::footprint::Verdict;
use super::rig::Rig;
use super::units::SubjectFlows;

/// How many failing cases are shown in full; the rest are counted.
const SHOWN: usize = 8;

pub async fn run(
    ctx: &Context,
    rig: &Rig,
    flows: &mut SubjectFlows,
    faults: &[Fault],
) -> Result<Outcome, ScenarioError> {
    let started = Instant::now();
    flows.prepare_commands(rig, ctx.subject()).await?;
    let flows = &*flows;
    let points = flows.points_of_all();
    let mut reports: Vec<(Fault, CaseReport)> = Vec::new();
    for (unit, point) in &points {
        for fault in faults.iter().filter(|f| unit.can_suffer(**f)) {
            let case = Case {
                unit: *unit,
                fault: Some((*point, *fault)),
            };
            reports.push((*fault, case::run(rig, ctx.subject(), flows, case).await?));
        }
    }
    let mut evidence = Evidence::new("").observe(
        "cases",
        format!(
            "{} ({} fault points of {} flow{} × {} fault{})",
            reports.len(),
            points.len(),
            flows.units().len(),
            if flows.units().len() == 1 { "" } else { "s" },
            faults.len(),
            if faults.len() == 1 { "" } else { "s" }
        ),
    );
    let unprotected = command_flow::observe_calibrations(flows, &mut evidence);
    let mut per_fault: BTreeMap<Fault, [usize; 3]> = BTreeMap::new();
    for (fault, report) in &reports {
        let slot = match report.verdict {
            Verdict::Nothing => 0,
            Verdict::Everything => 1,
            Verdict::Partial(_) => 2,
        };
        per_fault.entry(*fault).or_default()[slot] += 1;
    }
    for (fault, [nothing, everything, partial]) in &per_fault {
        evidence.push_observation(
            format!("{fault}"),
            format!("left nothing {nothing}, everything {everything}, a partial write {partial}"),
        );
    }
    let timed_out = reports.iter().filter(|(_, r)| r.timed_out).count();
    if timed_out > 0 {
        evidence.push_observation(
            "flows that hung",
            format!(
                "{timed_out}, each stopped {BLACKHOLE_DEADLINE:?} after its black hole opened (or at its deadline) and checked like the others"
            ),
        );
    }
    evidence.push_timing("all cases", started.elapsed());

    let unreached: Vec<&CaseReport> = reports
        .iter()
        .map(|(_, r)| r)
        .filter(|r| !r.fired)
        .collect();
    let failing: Vec<&CaseReport> = reports
        .iter()
        .map(|(_, r)| r)
        .filter(|r| !r.holds())
        .collect();
    for report in failing.iter().take(SHOWN) {
        evidence.push_counterexample(report.label.clone(), report.details());
    }
    if failing.len() > SHOWN {
        evidence.push_observation("failing cases not shown", failing.len() - SHOWN);
    }
    if let Some(first) = failing.first() {
        let found = match &first.verdict {
            Verdict::Partial(found) => found.clone(),
            _ => first.violations.join("; "),
        };
        evidence.summary = format!(
            "{} of {} interrupted executions left a partial write or broke an invariant, e.g. {}: {found}{}",
            failing.len(),
            reports.len(),
            first.label,
            unprotected
                .map(|u| format!("; {u}"))
                .unwrap_or_default()
        );
        return Ok(Outcome::refuted(evidence));
    }
    if reports.is_empty() {
        evidence.summary =
            "no flow has a fault point: each one's work is a single statement, which no fault can split, so nothing was interrupted".into();
        return Ok(Outcome::not_proven(evidence));
    }
    if !unreached.is_empty() {
        evidence.summary = format!(
            "{} fault point(s) were never reached, e.g. {} ({}): those cases prove nothing",
            unreached.len(),
            unreached[0].label,
            unreached[0].flow
        );
        return Ok(Outcome::not_proven(evidence));
    }
    evidence.summary = format!(
        "all {} interrupted executions of {} flow{} left all of their rows or none, and every invariant held",
        reports.len(),
        flows.units().len(),
        if flows.units().len() == 1 { "" } else { "s" }
    );
    Ok(Outcome::proven(evidence))
}
