//! Evidence and verdicts: what each scenario tried and saw, its status, and the scorecard
//! that gathers every claim.

use std::time::Duration;

use serde::Serialize;

/// A verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Shown by behaviour observed in this run.
    Proven,
    /// Shown false, with a counterexample.
    Refuted,
    /// Neither: not implemented, unsupported by the backend, or the harness could not run it.
    NotProven,
    /// The scenario has nothing to check on this subject (it tests a kind of flow the
    /// subject does not declare): shown, and left out of its claim's verdict.
    NotApplicable,
}

impl Status {
    /// "PROVEN", "REFUTED", "NOT PROVEN".
    pub fn label(self) -> &'static str {
        match self {
            Status::Proven => "PROVEN",
            Status::Refuted => "REFUTED",
            Status::NotProven => "NOT PROVEN",
            Status::NotApplicable => "N/A",
        }
    }

    /// A claim's status from its scenarios': any refutation refutes it; otherwise anything
    /// short of proof leaves it not proven; scenarios that do not apply count for nothing,
    /// and nothing at all proves nothing.
    pub fn combine(statuses: impl IntoIterator<Item = Status>) -> Status {
        let mut any = false;
        let mut all_proven = true;
        for status in statuses {
            match status {
                Status::Refuted => return Status::Refuted,
                Status::NotProven => all_proven = false,
                Status::Proven => {}
                Status::NotApplicable => continue,
            }
            any = true;
        }
        if any && all_proven {
            Status::Proven
        } else {
            Status::NotProven
        }
    }
}

/// One thing observed: "acknowledged commits" = "412".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Observation {
    pub label: String,
    pub value: String,
}

/// A minimal case where the claim does not hold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Counterexample {
    pub title: String,
    /// What was done and what the database did, one line each.
    pub details: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timing {
    pub label: String,
    pub ms: f64,
}

/// What a scenario tried and what happened.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Evidence {
    /// One sentence: the verdict's reason.
    pub summary: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub observations: Vec<Observation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub counterexamples: Vec<Counterexample>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub timings: Vec<Timing>,
    /// The seed that replays this scenario's randomness.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
}

impl Evidence {
    pub fn new(summary: impl Into<String>) -> Evidence {
        Evidence {
            summary: summary.into(),
            ..Evidence::default()
        }
    }

    pub fn observe(mut self, label: impl Into<String>, value: impl ToString) -> Evidence {
        self.observations.push(Observation {
            label: label.into(),
            value: value.to_string(),
        });
        self
    }

    pub fn counterexample(mut self, title: impl Into<String>, details: Vec<String>) -> Evidence {
        self.counterexamples.push(Counterexample {
            title: title.into(),
            details,
        });
        self
    }

    pub fn timing(mut self, label: impl Into<String>, elapsed: Duration) -> Evidence {
        self.timings.push(Timing {
            label: label.into(),
            ms: round_ms(elapsed),
        });
        self
    }

    pub fn seed(mut self, seed: u64) -> Evidence {
        self.seed = Some(seed);
        self
    }

    /// Appends an observation in place.
    pub fn push_observation(&mut self, label: impl Into<String>, value: impl ToString) {
        self.observations.push(Observation {
            label: label.into(),
            value: value.to_string(),
        });
    }

    /// Appends a counterexample in place.
    pub fn push_counterexample(&mut self, title: impl Into<String>, details: Vec<String>) {
        self.counterexamples.push(Counterexample {
            title: title.into(),
            details,
        });
    }

    /// Appends a timing in place.
    pub fn push_timing(&mut self, label: impl Into<String>, elapsed: Duration) {
        self.timings.push(Timing {
            label: label.into(),
            ms: round_ms(elapsed),
        });
    }
}

/// A scenario's verdict and its evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub status: Status,
    pub evidence: Evidence,
}

impl Outcome {
    pub fn proven(evidence: Evidence) -> Outcome {
        Outcome {
            status: Status::Proven,
            evidence,
        }
    }

    pub fn refuted(evidence: Evidence) -> Outcome {
        Outcome {
            status: Status::Refuted,
            evidence,
        }
    }

    pub fn not_proven(evidence: Evidence) -> Outcome {
        Outcome {
            status: Status::NotProven,
            evidence,
        }
    }

    /// PROVEN when `holds`, else REFUTED, with the same evidence.
    /// Nothing to check on this subject; `evidence.summary` says why.
    pub fn not_applicable(evidence: Evidence) -> Outcome {
        Outcome {
            status: Status::NotApplicable,
            evidence,
        }
    }

    pub fn decide(holds: bool, evidence: Evidence) -> Outcome {
        if holds {
            Outcome::proven(evidence)
        } else {
            Outcome::refuted(evidence)
        }
    }
}

/// One scenario's result in the scorecard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioReport {
    pub id: String,
    pub title: String,
    pub status: Status,
    pub evidence: Evidence,
    pub duration_ms: f64,
    /// How to reach what was kept for inspection (`READINESS_KEEP=1` and a failure).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kept: Option<String>,
}

/// One claim's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClaimReport {
    pub id: String,
    pub title: String,
    /// What the report claims, in its own words.
    pub statement: String,
    pub status: Status,
    /// Why, in one line.
    pub reason: String,
    pub scenarios: Vec<ScenarioReport>,
}

/// The whole run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scorecard {
    pub subject: String,
    pub backend: String,
    pub server: String,
    pub seed: u64,
    pub started_at: String,
    pub duration_ms: f64,
    pub claims: Vec<ClaimReport>,
    /// Problems with the input (the manifest) found while running: these make the run a
    /// usage error rather than a verdict.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub input_errors: Vec<String>,
}

impl Scorecard {
    /// Whether every selected claim is PROVEN.
    pub fn all_proven(&self) -> bool {
        !self.claims.is_empty() && self.claims.iter().all(|c| c.status == Status::Proven)
    }

    pub fn claim(&self, id: &str) -> Option<&ClaimReport> {
        self.claims.iter().find(|c| c.id == id)
    }

    /// How many claims have `status`.
    pub fn count(&self, status: Status) -> usize {
        self.claims.iter().filter(|c| c.status == status).count()
    }
}

fn round_ms(elapsed: Duration) -> f64 {
    (elapsed.as_secs_f64() * 1e5).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_combine_their_scenarios() {
        use Status::*;
        assert_eq!(Status::combine([]), NotProven);
        assert_eq!(Status::combine([Proven, Proven]), Proven);
        assert_eq!(Status::combine([Proven, NotProven]), NotProven);
        assert_eq!(Status::combine([NotProven, Refuted, Proven]), Refuted);
    }
}
