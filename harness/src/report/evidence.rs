//! Evidence and verdicts: what each scenario tried and saw, its status, and the scorecard
//! that gathers every claim.

use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::report::figure::Figure;

/// A verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Observation {
    /// What was observed.
    pub label: String,
    /// What it was.
    pub value: String,
}

/// One thing found wrong or risky: a lint's finding, a lock a step held too long.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    /// Stable from run to run within its scenario: the rule or kind and the object it is
    /// about (`index-without-concurrently public.users`), never a measured figure.
    pub id: String,
    /// The finding in one line, for people.
    pub text: String,
}

/// A minimal case where the claim does not hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Counterexample {
    /// The case in one line.
    pub title: String,
    /// What was done and what the database did, one line each.
    pub details: Vec<String>,
}

/// A measured step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Timing {
    /// The step measured.
    pub label: String,
    /// Its time in milliseconds.
    pub ms: f64,
}

/// What a scenario tried and what happened.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Evidence {
    /// One sentence: the verdict's reason.
    pub summary: String,
    /// Facts observed, label and value (values may hold several lines).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub observations: Vec<Observation>,
    /// Things found wrong or risky, one each, with an id that stays the same from run to
    /// run (a baseline compares them by it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
    /// Minimal cases where the claim does not hold.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub counterexamples: Vec<Counterexample>,
    /// How long each measured step took.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timings: Vec<Timing>,
    /// Figures as data, for the charts of the HTML report and for trends across runs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub figures: Vec<Figure>,
    /// The seed that replays this scenario's randomness.
    #[serde(default, skip_serializing_if = "Option::is_none")]
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

    /// Appends a finding in place: `id` stays the same from run to run (the rule and the
    /// object), `text` says it in one line. An id already there is told apart by its
    /// occurrence (`… #2`), so that every finding of a scenario has its own.
    pub fn push_finding(&mut self, id: impl Into<String>, text: impl Into<String>) {
        let mut id = id.into();
        if self.findings.iter().any(|f| f.id == id) {
            let mut n = 2;
            while self.findings.iter().any(|f| f.id == format!("{id} #{n}")) {
                n += 1;
            }
            id = format!("{id} #{n}");
        }
        self.findings.push(Finding {
            id,
            text: text.into(),
        });
    }

    /// Appends a figure in place.
    pub fn push_figure(&mut self, figure: Figure) {
        self.figures.push(figure);
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ScenarioReport {
    /// The scenario's id, unique within its claim and stable across runs.
    pub id: String,
    /// What the scenario proves, in one line.
    pub title: String,
    /// Its verdict.
    pub status: Status,
    /// What it tried and what it saw.
    pub evidence: Evidence,
    /// How long it took.
    pub duration_ms: f64,
    /// How to reach what was kept for inspection (`READINESS_KEEP=1` and a failure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept: Option<String>,
    /// The input error (its index in [`Scorecard::input_errors`]) that stopped it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped_by: Option<usize>,
}

/// One claim's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ClaimReport {
    /// The claim's id (`backups`, `transactions`, …), as `--only` takes it.
    pub id: String,
    /// The checklist line, as the report words it.
    pub title: String,
    /// What the report claims, in its own words.
    pub statement: String,
    /// The report's summary table: what it says there was before.
    #[serde(default)]
    pub claimed_before: String,
    /// The report's summary table: what it says there is now; `status` says whether it holds.
    #[serde(default)]
    pub claimed_after: String,
    /// Its scenarios' statuses combined: any REFUTED refutes it; N/A counts for nothing.
    pub status: Status,
    /// Why, in one line.
    pub reason: String,
    /// Each scenario that proves or refutes an aspect of it.
    pub scenarios: Vec<ScenarioReport>,
}

/// A problem with the input, said once, with the scenarios it stopped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct InputError {
    /// The error, naming the file, line and key at fault.
    pub message: String,
    /// `claim/scenario` of each scenario it stopped.
    pub scenarios: Vec<String>,
}

/// The version of `report.json`'s layout (`docs/report.schema.json`): raised when a field
/// is removed or changes meaning, not when one is added.
pub const SCHEMA_VERSION: u32 = 1;

/// The whole run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Scorecard {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The subject's name (`[subject] name`, else its directory's).
    pub subject: String,
    /// Where the servers came from: native binaries, a container image, or a URL (redacted).
    pub backend: String,
    /// The shared server the scenarios ran on, and its PostgreSQL version.
    pub server: String,
    /// The run's seed: `--seed` with it replays the run.
    pub seed: u64,
    /// When the run started (RFC 3339, UTC).
    pub started_at: String,
    /// How long the whole run took.
    pub duration_ms: f64,
    /// Each selected claim, in the report's order.
    pub claims: Vec<ClaimReport>,
    /// Problems with the input (the manifest) found while running: these make the run a
    /// usage error rather than a verdict.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub input_errors: Vec<InputError>,
    /// Figures that got worse than the median of the last runs (`--history`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regressions: Vec<Regression>,
    /// Each figure across the last runs and this one (`--history`), for the charts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trends: Vec<Trend>,
    /// This run against an earlier report (`--baseline`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineComparison>,
    /// `readiness mutate`'s score: each mutant of the subject and whether its claim's
    /// scenarios caught it (the claims above are the unmutated subject's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mutation: Option<crate::report::mutation::MutationScore>,
}

impl Scorecard {
    /// Whether every selected claim is PROVEN.
    pub fn all_proven(&self) -> bool {
        !self.claims.is_empty() && self.claims.iter().all(|c| c.status == Status::Proven)
    }

    pub fn claim(&self, id: &str) -> Option<&ClaimReport> {
        self.claims.iter().find(|c| c.id == id)
    }

    /// Every input error's message, one per line.
    pub fn input_error_text(&self) -> String {
        let messages: Vec<&str> = self
            .input_errors
            .iter()
            .map(|e| e.message.as_str())
            .collect();
        messages.join("\n")
    }

    /// How many claims have `status`.
    pub fn count(&self, status: Status) -> usize {
        self.claims.iter().filter(|c| c.status == status).count()
    }
}

pub use crate::report::baseline::BaselineComparison;
pub use crate::report::history::{Regression, Trend};

fn round_ms(elapsed: Duration) -> f64 {
    (elapsed.as_secs_f64() * 1e5).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finding_id_seen_before_is_told_apart_by_its_occurrence() {
        let mut evidence = Evidence::new("");
        evidence.push_finding("rule public.users", "first");
        evidence.push_finding("rule public.notes", "other");
        evidence.push_finding("rule public.users", "second");
        evidence.push_finding("rule public.users", "third");
        let ids: Vec<&str> = evidence.findings.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "rule public.users",
                "rule public.notes",
                "rule public.users #2",
                "rule public.users #3"
            ]
        );
    }

    #[test]
    fn claims_combine_their_scenarios() {
        use Status::*;
        assert_eq!(Status::combine([]), NotProven);
        assert_eq!(Status::combine([Proven, Proven]), Proven);
        assert_eq!(Status::combine([Proven, NotProven]), NotProven);
        assert_eq!(Status::combine([NotProven, Refuted, Proven]), Refuted);
    }
}
