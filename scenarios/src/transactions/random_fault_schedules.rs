//! Claim: transactions; fault: random schedules (proptest) of flows, fault points and
//! faults (application error, backend terminated, TCP reset, black hole, or none), run one
//! after another on one database, shrunk to a minimal failing schedule when one fails;
//! check: after every step, that step's rows are all there or none, and no invariant
//! broke. The seed is in the evidence and replays the schedules.

use std::time::{Duration, Instant};

use async_trait::async_trait;
use harness::run::scenario::{Context, ScenarioError};
use harness::{Evidence, Outcome, Scenario};
use proptest::collection::vec;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::case::{self, Case, CaseReport};
use super::faults::Fault;
use super::rig::Rig;
use super::units::{SubjectFlows, Unit, NO_FLOWS};

/// Schedules tried when `READINESS_PROPTEST_CASES` does not say.
const DEFAULT_CASES: u32 = 8;
/// Steps per schedule, at most.
const MAX_STEPS: usize = 4;
/// Shrinking stops after this many attempts.
const MAX_SHRINK_ITERS: u32 = 24;

/// One step: a flow, and maybe a fault at one of its points.
#[derive(Debug, Clone, Copy)]
struct Step {
    unit: Unit,
    fault: Option<(u32, Fault)>,
}

pub struct RandomFaultSchedules;

#[async_trait]
impl Scenario for RandomFaultSchedules {
    fn id(&self) -> &'static str {
        "random-fault-schedules"
    }

    fn claim(&self) -> &'static harness::run::scenario::ClaimSpec {
        super::CLAIM
    }

    fn title(&self) -> &'static str {
        "random schedules of flows × fault points × faults (proptest, seeded, shrunk) leave all or nothing"
    }

    fn deadline(&self) -> Duration {
        Duration::from_secs(180)
    }

    async fn run(&self, ctx: &Context) -> Result<Outcome, ScenarioError> {
        let mut flows = SubjectFlows::load(ctx.subject())?;
        if flows.is_empty() {
            return Ok(Outcome::not_proven(Evidence::new(NO_FLOWS)));
        }
        let rig = Rig::new(ctx.migrated_database("tx_schedules").await?, true).await?;
        flows.prepare_commands(&rig, ctx.subject()).await?;
        let cases = ctx.options().proptest_cases.unwrap_or(DEFAULT_CASES).max(1);
        let mut runner = runner(ctx.seed(), cases);
        let strategy = schedules(&flows);
        let started = Instant::now();
        let mut evidence = Evidence::new("").seed(ctx.seed()).observe(
            "schedules",
            format!(
                "{cases} of up to {MAX_STEPS} steps (READINESS_PROPTEST_CASES changes how many)"
            ),
        );
        let mut steps_run = 0;
        let mut faults_fired = 0;
        for n in 1..=cases {
            let mut tree = strategy
                .new_tree(&mut runner)
                .map_err(|e| ScenarioError::Other(format!("failed to generate a schedule: {e}")))?;
            let schedule = tree.current();
            steps_run += schedule.len();
            let Some(failure) =
                first_failure(&rig, ctx, &flows, &schedule, &mut faults_fired).await?
            else {
                continue;
            };
            let (minimal, failure, shrinks) =
                shrink(&rig, ctx, &flows, &mut tree, schedule.clone(), failure).await?;
            evidence.push_timing("schedules", started.elapsed());
            let mut details = vec![format!(
                "schedule {n} of {cases}, as generated: {}",
                describe(&flows, &schedule)
            )];
            details.push(format!(
                "shrunk in {shrinks} runs to: {}",
                describe(&flows, &minimal)
            ));
            details.push(format!("failing step: {}", failure.label));
            details.extend(failure.details());
            evidence.push_counterexample("minimal failing schedule", details);
            evidence.summary = format!(
                "a random schedule left a partial write; shrunk to {} step(s), failing at {}",
                minimal.len(),
                failure.label
            );
            return Ok(Outcome::refuted(evidence));
        }
        evidence.push_timing("schedules", started.elapsed());
        if faults_fired == 0 {
            evidence.summary = format!(
                "{cases} random schedules ({steps_run} steps) ran, but no fault point was reached, so no fault was injected"
            );
            return Ok(Outcome::not_proven(evidence));
        }
        evidence.summary = format!(
            "all {cases} random schedules ({steps_run} steps, {faults_fired} faults injected) left all or nothing at every step, with every invariant intact"
        );
        Ok(Outcome::proven(evidence))
    }
}

/// A proptest runner whose randomness comes from `seed` alone.
fn runner(seed: u64, cases: u32) -> TestRunner {
    let mut bytes = [0u8; 32];
    ChaCha8Rng::seed_from_u64(seed).fill_bytes(&mut bytes);
    let config = Config {
        cases,
        max_shrink_iters: MAX_SHRINK_ITERS,
        failure_persistence: None,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
}

/// Schedules of 1 to [`MAX_STEPS`] steps over the subject's flows.
fn schedules(flows: &SubjectFlows) -> impl Strategy<Value = Vec<Step>, Tree: Send> {
    let units = flows.units();
    // a flow without fault points still runs, with its fault at a point never reached
    let points: Vec<Vec<u32>> = units
        .iter()
        .map(|u| {
            Some(flows.points(*u))
                .filter(|p| !p.is_empty())
                .unwrap_or(vec![1])
        })
        .collect();
    let faults: Vec<Option<Fault>> = std::iter::once(None)
        .chain(Fault::CONNECTION.into_iter().map(Some))
        .collect();
    let step = (0..units.len(), 0..u32::MAX, 0..faults.len()).prop_map(move |(u, p, f)| Step {
        unit: units[u],
        fault: faults[f]
            .filter(|fault| units[u].can_suffer(*fault))
            .map(|fault| (points[u][p as usize % points[u].len()], fault)),
    });
    vec(step, 1..=MAX_STEPS)
}

/// Runs a schedule step by step; the first step that does not hold, if any.
async fn first_failure(
    rig: &Rig,
    ctx: &Context,
    flows: &SubjectFlows,
    schedule: &[Step],
    faults_fired: &mut usize,
) -> Result<Option<CaseReport>, ScenarioError> {
    for step in schedule {
        let case = Case {
            unit: step.unit,
            fault: step.fault,
        };
        let report = case::run(rig, ctx.subject(), flows, case).await?;
        *faults_fired += usize::from(report.fired);
        if !report.holds() {
            return Ok(Some(report));
        }
    }
    Ok(None)
}

/// proptest's shrinking, driven by hand so that each attempt can await the database.
async fn shrink(
    rig: &Rig,
    ctx: &Context,
    flows: &SubjectFlows,
    tree: &mut (impl ValueTree<Value = Vec<Step>> + Send),
    mut minimal: Vec<Step>,
    mut failure: CaseReport,
) -> Result<(Vec<Step>, CaseReport, u32), ScenarioError> {
    let mut runs = 0;
    if !tree.simplify() {
        return Ok((minimal, failure, runs));
    }
    while runs < MAX_SHRINK_ITERS {
        runs += 1;
        let candidate = tree.current();
        let more = match first_failure(rig, ctx, flows, &candidate, &mut 0).await? {
            Some(found) => {
                minimal = candidate;
                failure = found;
                tree.simplify()
            }
            None => tree.complicate(),
        };
        if !more {
            break;
        }
    }
    Ok((minimal, failure, runs))
}

fn describe(flows: &SubjectFlows, schedule: &[Step]) -> String {
    schedule
        .iter()
        .map(|s| {
            case::label(
                flows,
                Case {
                    unit: s.unit,
                    fault: s.fault,
                },
            )
        })
        .collect::<Vec<_>>()
        .join(" ; ")
}
