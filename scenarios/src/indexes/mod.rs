//! Claim `indexes`: "Queries stay fast even with 100,000+ users". Proven at scale, on
//! seeded data: every main query uses its index and reads no large table in full
//! ([`ExpectedIndexUsedAtScale`]), its latency grows like an index lookup's
//! ([`LatencyGrowsLikeAnIndexLookup`]), and catalog lints find no foreign key that a
//! delete would have to follow by reading a whole table ([`lints`]).

mod expected_index_used_at_scale;
mod latency_grows_like_an_index_lookup;
mod lint_scenario;
pub mod lints;
pub mod scales;
pub mod workload;

use std::sync::Arc;

use harness::Scenario;

pub use expected_index_used_at_scale::ExpectedIndexUsedAtScale;
pub use latency_grows_like_an_index_lookup::LatencyGrowsLikeAnIndexLookup;
pub use lint_scenario::LintScenario;

pub const CLAIM: &harness::run::scenario::ClaimSpec = &crate::claims::INDEXES;

pub fn scenarios() -> Vec<Arc<dyn Scenario>> {
    let mut scenarios: Vec<Arc<dyn Scenario>> = vec![
        Arc::new(ExpectedIndexUsedAtScale),
        Arc::new(LatencyGrowsLikeAnIndexLookup),
    ];
    scenarios.extend(
        lints::all()
            .into_iter()
            .map(|rule| Arc::new(LintScenario::new(rule)) as Arc<dyn Scenario>),
    );
    scenarios
}
