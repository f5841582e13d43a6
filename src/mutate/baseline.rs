//! The unmutated subject's verdicts that mutants are judged against: each scenario run
//! once, when a mutant's run of it first needs comparing (a mutant stops at the scenario
//! that catches it, so most scenarios of a claim are never needed).

use std::sync::Arc;

use harness::report::evidence::Scorecard;
use harness::run::runner::{self, Quiet};
use harness::run::scenario::{ClaimSpec, Run};
use harness::Scenario;

pub struct Baseline {
    run: Arc<Run>,
    scorecard: Scorecard,
}

impl Baseline {
    pub async fn new(run: Arc<Run>) -> Baseline {
        let scorecard = runner::run(&[], &[], run.clone(), &Quiet).await;
        Baseline { run, scorecard }
    }

    /// The unmutated verdicts with `scenario`'s among them, run now if it is not yet.
    pub async fn of(&mut self, claim: &ClaimSpec, scenario: &Arc<dyn Scenario>) -> &Scorecard {
        let known = self
            .scorecard
            .claim(claim.id)
            .is_some_and(|c| c.scenarios.iter().any(|s| s.id == scenario.id()));
        if !known {
            eprintln!(
                "        (the unmutated subject's {}/{})",
                claim.id,
                scenario.id()
            );
            let ran = runner::run(
                &[*claim],
                std::slice::from_ref(scenario),
                self.run.clone(),
                &Quiet,
            )
            .await;
            merge(&mut self.scorecard, ran);
        }
        &self.scorecard
    }

    /// Every verdict so far.
    pub fn scorecard(&self) -> &Scorecard {
        &self.scorecard
    }

    /// The scorecard of the scenarios run, each claim's status from them, in the claims'
    /// order.
    pub fn finish(mut self) -> Scorecard {
        let claims = std::mem::take(&mut self.scorecard.claims);
        self.scorecard.claims = scenarios::CLAIMS
            .iter()
            .filter_map(|spec| {
                let claim = claims.iter().find(|c| c.id == spec.id)?;
                Some(runner::claim_report(spec, claim.scenarios.clone()))
            })
            .collect();
        self.scorecard
    }
}

/// `from`'s scenarios and input errors added to `into`'s, claim by claim.
pub fn merge(into: &mut Scorecard, mut from: Scorecard) {
    if from.server != runner::NO_SHARED_SERVER {
        into.server = std::mem::take(&mut from.server);
    }
    for claim in from.claims {
        match into.claims.iter_mut().find(|c| c.id == claim.id) {
            Some(known) => known.scenarios.extend(claim.scenarios),
            None => into.claims.push(claim),
        }
    }
    into.input_errors.append(&mut from.input_errors);
}
