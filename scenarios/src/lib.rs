//! The claims of a production-readiness report as executable scenarios, and the bundled
//! subjects they are proven (and refuted) on.
//!
//! One module per claim, one file per scenario; [`all`] lists every scenario, in the
//! order the scorecard shows them.

pub mod access_control;
pub mod backups;
pub mod claims;
pub mod constraints;
pub mod flows;
pub mod indexes;
pub mod migrations;
pub mod monitoring;
pub mod mutants;
pub mod restore_drill;
pub mod subjects;
#[cfg(feature = "testing")]
pub mod testing;
pub mod transactions;

use std::sync::Arc;

use harness::Scenario;

pub use claims::CLAIMS;

/// Every scenario, grouped by claim.
pub fn all() -> Vec<Arc<dyn Scenario>> {
    let mut scenarios: Vec<Arc<dyn Scenario>> = Vec::new();
    scenarios.extend(indexes::scenarios());
    scenarios.extend(constraints::scenarios());
    scenarios.extend(migrations::scenarios());
    scenarios.extend(access_control::scenarios());
    scenarios.extend(monitoring::scenarios());
    scenarios.extend(backups::scenarios());
    scenarios.extend(restore_drill::scenarios());
    scenarios.extend(transactions::scenarios());
    scenarios
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn every_scenario_names_a_known_claim_and_every_claim_has_scenarios() {
        let all = all();
        let ids: BTreeSet<&str> = CLAIMS.iter().map(|c| c.id).collect();
        assert_eq!(ids.len(), CLAIMS.len(), "claim ids are unique");
        for claim in CLAIMS {
            assert!(
                claim.id.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "claim id {}",
                claim.id
            );
            let scenarios: Vec<&str> = all
                .iter()
                .filter(|s| s.claim().id == claim.id)
                .map(|s| s.id())
                .collect();
            assert!(!scenarios.is_empty(), "{} has no scenario", claim.id);
            let unique: BTreeSet<&str> = scenarios.iter().copied().collect();
            assert_eq!(unique.len(), scenarios.len(), "{}: {scenarios:?}", claim.id);
        }
        for scenario in &all {
            let claim = scenario.claim();
            assert!(
                CLAIMS
                    .iter()
                    .any(|c| c.id == claim.id && c.title == claim.title),
                "{} names an unregistered claim {}",
                scenario.id(),
                claim.id
            );
            assert!(
                scenario.id().split('-').all(|w| !w.is_empty()
                    && w.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())),
                "scenario id {} is not kebab-case",
                scenario.id()
            );
        }
    }
}
