//! Claim: transactions ("either operation fully succeeds or fully rolls back"); fault: at
//! every fault point of every flow in turn, an application error, the session terminated
//! by the server (`pg_terminate_backend`), the TCP connection reset by the fault proxy,
//! and a network black hole; check: after each, the flow's rows are all there or none
//! are, and no invariant broke.

use async_trait::async_trait;
use harness::run::scenario::{Context, ScenarioError};
use harness::{Evidence, Outcome, Scenario};

use super::faults::Fault;
use super::matrix;
use super::rig::Rig;
use super::units::{SubjectFlows, NO_FLOWS};

pub struct AllOrNothingUnderFaults;

#[async_trait]
impl Scenario for AllOrNothingUnderFaults {
    fn id(&self) -> &'static str {
        "all-or-nothing-under-faults"
    }

    fn claim(&self) -> &'static harness::run::scenario::ClaimSpec {
        super::CLAIM
    }

    fn title(&self) -> &'static str {
        "every flow interrupted at every fault point (app error, backend terminated, TCP reset, black hole) leaves all or nothing"
    }

    fn deadline(&self) -> std::time::Duration {
        std::time::Duration::from_secs(240)
    }

    async fn run(&self, ctx: &Context) -> Result<Outcome, ScenarioError> {
        let mut flows = SubjectFlows::load(ctx.subject())?;
        if flows.is_empty() {
            return Ok(Outcome::not_proven(Evidence::new(NO_FLOWS)));
        }
        let db = ctx.migrated_database("tx_faults").await?;
        let rig = Rig::new(db, true).await?;
        matrix::run(ctx, &rig, &mut flows, &Fault::CONNECTION).await
    }
}
