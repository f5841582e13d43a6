//! The scales the `indexes` scenarios measure: `READINESS_SCALES` (e.g. `1k,10k,100k`),
//! else the manifest's `scale.verify_scales`, else 1k, 10k and the claimed number of users.

use harness::run::scenario::ScenarioError;
use harness::schema::dataset::{parse_scales, scale_label, scale_of};
use harness::subject::Subject;

/// The environment variable that overrides the manifest's scales.
pub const SCALES_ENV: &str = "READINESS_SCALES";

/// The numbers of users to measure at, smallest first.
pub fn verify_scales(subject: &Subject) -> Result<Vec<u64>, ScenarioError> {
    let scale = scale_of(subject)?;
    match std::env::var(SCALES_ENV) {
        Ok(text) if !text.trim().is_empty() => {
            parse_scales(&text).map_err(|e| ScenarioError::failed(format!("read {SCALES_ENV}"), e))
        }
        _ => Ok(scale.verify_users()),
    }
}

/// "1k, 10k, 100k".
pub fn labels(scales: &[u64]) -> String {
    scales
        .iter()
        .map(|u| scale_label(*u))
        .collect::<Vec<_>>()
        .join(", ")
}
