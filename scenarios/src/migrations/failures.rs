//! The steps that could not be rolled back, gathered over one run and reported together.

use harness::{Evidence, Outcome};

/// One step that could not be rolled back cleanly.
pub struct StepFailure {
    /// The step's name ("0002 add constraints", "step 4 (alembic_version: (2c4bc19b6c0f))").
    pub step: String,
    /// What went wrong ("rolling back fails").
    pub what: String,
    pub details: Vec<String>,
}

impl StepFailure {
    pub fn new(step: &str, what: impl Into<String>, details: Vec<String>) -> StepFailure {
        StepFailure {
            step: step.to_owned(),
            what: what.into(),
            details,
        }
    }
}

/// REFUTED, naming the failed steps in the summary (the first and last few of a long
/// list, and how many between) and giving each a counterexample;
/// `None` when there is no failure. `total` counts the steps tried, called `steps_noun`.
pub fn refuted(
    evidence: &mut Evidence,
    failures: Vec<StepFailure>,
    total: usize,
    steps_noun: &str,
) -> Option<Outcome> {
    if failures.is_empty() {
        return None;
    }
    let names: Vec<&str> = failures.iter().map(|f| f.step.as_str()).collect();
    evidence.summary = format!(
        "{} of {total} {steps_noun} cannot be rolled back to the schema before them: {}",
        failures.len(),
        harness::report::summarised(&names)
    );
    for failure in failures {
        evidence.push_counterexample(
            format!("{}: {}", failure.step, failure.what),
            failure.details,
        );
    }
    Some(Outcome::refuted(evidence.clone()))
}
