//! One execution of one flow with (at most) one fault at one fault point, checked: its
//! footprint is all there or not at all, and no invariant breaks that held before.

use std::future::Future;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use harness::checks::invariants::{self, Violation};
use harness::run::scenario::ScenarioError;
use harness::subject::Subject;
use sqlx::Connection;

use super::faults::{Fault, Injector};
use super::footprint::{self, Verdict};
use super::rig::Rig;
use super::units::{SubjectFlows, Unit};

/// How long a flow may run before it is stopped and reported as timed out.
pub const FLOW_DEADLINE: Duration = Duration::from_secs(20);
/// How long a flow sent into a black hole may go on after the black hole opened: it can
/// only hang, so wait briefly (counted from the fault, so a slow machine still reaches it).
pub const BLACKHOLE_DEADLINE: Duration = Duration::from_millis(250);
/// How often a running flow is checked against the black-hole deadline.
const DEADLINE_TICK: Duration = Duration::from_millis(10);

/// What to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Case {
    pub unit: Unit,
    /// The fault point and the fault there; `None` runs the flow undisturbed.
    pub fault: Option<(u32, Fault)>,
}

/// What happened.
#[derive(Debug, Clone)]
pub struct CaseReport {
    /// `auth.signup, pg_terminate_backend at fault point 2`.
    pub label: String,
    /// What the flow returned, its error, or its timeout.
    pub flow: String,
    pub timed_out: bool,
    /// Whether the fault point was reached and the fault injected.
    pub fired: bool,
    pub verdict: Verdict,
    /// Invariants that broke in this execution.
    pub violations: Vec<String>,
}

impl CaseReport {
    /// All or nothing, and every invariant intact.
    pub fn holds(&self) -> bool {
        !matches!(self.verdict, Verdict::Partial(_)) && self.violations.is_empty()
    }

    /// The lines of a counterexample.
    pub fn details(&self) -> Vec<String> {
        let mut lines = vec![format!("the flow: {}", self.flow)];
        match &self.verdict {
            Verdict::Partial(found) => lines.push(format!("left a partial write: {found}")),
            Verdict::Nothing => lines.push("left none of its rows".into()),
            Verdict::Everything => lines.push("left all of its rows".into()),
        }
        lines.extend(
            self.violations
                .iter()
                .map(|v| format!("invariant broken: {v}")),
        );
        lines
    }
}

/// The label of a case.
pub fn label(flows: &SubjectFlows, case: Case) -> String {
    match case.fault {
        None => format!("{}, undisturbed", flows.name(case.unit)),
        Some((point, fault)) => format!(
            "{}, {fault} at {}",
            flows.name(case.unit),
            flows.point_label(case.unit, point)
        ),
    }
}

pub async fn run(
    rig: &Rig,
    subject: &Subject,
    flows: &SubjectFlows,
    case: Case,
) -> Result<CaseReport, ScenarioError> {
    let mut admin = rig.connect_admin().await?;
    let fixture = case.unit.prepare(rig.next_run(), &mut admin).await?;
    let baseline = invariants::check(&mut admin, subject).await?;
    let _ = admin.close().await;

    let fault = case.fault.map(|(_, f)| f);
    let through_proxy = fault.is_some_and(Fault::needs_proxy);
    let mut conn = rig.connect_app(through_proxy).await?;
    let mut injector = Injector::new(rig, case.fault);
    let hang_after = (fault == Some(Fault::ProxyBlackhole)).then(|| injector.fired_at());
    let ran = until_hung(
        flows.execute(&fixture, &mut conn, &mut injector),
        hang_after,
    )
    .await;
    let (flow, timed_out) = match ran {
        Ok(Ok(reported)) => (reported, false),
        Ok(Err(error)) => (format!("error: {error}"), false),
        Err(stopped) => (stopped, true),
    };
    let fired = injector.fired;
    if let Some(failure) = injector.failure.take() {
        return Err(failure);
    }
    recover(rig, fault, fired, conn).await?;

    let mut admin = rig.connect_admin().await?;
    let verdict = footprint::observe(&fixture, subject, &mut admin).await?;
    let after = invariants::check(&mut admin, subject).await?;
    let _ = admin.close().await;
    Ok(CaseReport {
        label: label(flows, case),
        flow,
        timed_out,
        fired,
        verdict,
        violations: broken_since(&baseline, &after),
    })
}

/// Runs `flow` until it ends, [`FLOW_DEADLINE`] passes, or (with `black_hole_at`)
/// [`BLACKHOLE_DEADLINE`] has passed since the black hole opened; `Err` says which stopped it.
async fn until_hung<F: Future>(
    flow: F,
    black_hole_at: Option<Arc<OnceLock<Instant>>>,
) -> Result<F::Output, String> {
    let started = Instant::now();
    tokio::pin!(flow);
    loop {
        let hung_since = black_hole_at.as_ref().and_then(|at| at.get().copied());
        if let Some(at) = hung_since.filter(|at| at.elapsed() >= BLACKHOLE_DEADLINE) {
            return Err(format!(
                "hung in the black hole, stopped {} ms after it opened",
                at.elapsed().as_millis()
            ));
        }
        if started.elapsed() >= FLOW_DEADLINE {
            return Err(format!("timed out after {FLOW_DEADLINE:?}, stopped"));
        }
        tokio::select! {
            out = &mut flow => return Ok(out),
            _ = tokio::time::sleep(DEADLINE_TICK) => {}
        }
    }
}

/// Puts the world back after a fault: the proxy healed, the flow's connection closed
/// (which rolls back whatever it left open), a killed server restarted.
async fn recover(
    rig: &Rig,
    fault: Option<Fault>,
    fired: bool,
    conn: sqlx::PgConnection,
) -> Result<(), ScenarioError> {
    if let Some(proxy) = rig.proxy() {
        proxy.heal();
    }
    let _ = tokio::time::timeout(Duration::from_secs(2), conn.close()).await;
    if let Some(proxy) = rig.proxy() {
        proxy.cut_all().await;
    }
    if fault == Some(Fault::ServerKill) && fired {
        rig.restart_server().await?;
    }
    Ok(())
}

/// Invariants that return more rows now than before.
pub fn broken_since(before: &[Violation], after: &[Violation]) -> Vec<String> {
    after
        .iter()
        .filter(|v| {
            before
                .iter()
                .find(|b| b.invariant == v.invariant)
                .is_none_or(|b| v.rows > b.rows)
        })
        .map(Violation::describe)
        .collect()
}
