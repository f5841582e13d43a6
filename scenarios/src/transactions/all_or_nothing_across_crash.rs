//! Claim: transactions; fault: at every fault point of every flow in turn, the server is
//! killed with SIGKILL mid-flow and restarted (a durable server of the scenario's own);
//! check: after recovery, the flow's rows are all there or none are, and no invariant
//! broke.

use async_trait::async_trait;
use harness::run::scenario::{Context, ScenarioError};
use harness::{Evidence, Outcome, Scenario};

use super::faults::Fault;
use super::matrix;
use super::rig;
use super::units::{SubjectFlows, NO_FLOWS};

pub struct AllOrNothingAcrossCrash;

#[async_trait]
impl Scenario for AllOrNothingAcrossCrash {
    fn id(&self) -> &'static str {
        "all-or-nothing-across-crash"
    }

    fn claim(&self) -> &'static harness::run::scenario::ClaimSpec {
        super::CLAIM
    }

    fn title(&self) -> &'static str {
        "every flow whose server is killed (SIGKILL) at any fault point leaves all or nothing after recovery"
    }

    fn deadline(&self) -> std::time::Duration {
        std::time::Duration::from_secs(300)
    }

    async fn run(&self, ctx: &Context) -> Result<Outcome, ScenarioError> {
        let mut flows = SubjectFlows::load(ctx.subject())?;
        if flows.is_empty() {
            return Ok(Outcome::not_proven(Evidence::new(NO_FLOWS)));
        }
        let rig = rig::crash_rig(ctx, "tx_crash").await?;
        matrix::run(ctx, &rig, &mut flows, &[Fault::ServerKill]).await
    }
}
