//! The mutation score of `readiness mutate`: each mutant (one protection removed) judged
//! by its claim's scenarios against the unmutated subject's, as report.json and
//! report.html show it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::report::evidence::{ScenarioReport, Scorecard, Status};

/// The mutation score and every mutant's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MutationScore {
    /// Mutants a scenario of their claim caught.
    pub caught: usize,
    /// Mutants run.
    pub total: usize,
    /// `caught / total` (1 when there is no mutant).
    pub score: f64,
    /// Each mutant, in the order run.
    pub mutants: Vec<MutantOutcome>,
    /// Kinds of mutant the subject gives none of, and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_derived: Vec<NotDerived>,
}

impl MutationScore {
    pub fn new(mutants: Vec<MutantOutcome>, not_derived: Vec<NotDerived>) -> MutationScore {
        let caught = mutants
            .iter()
            .filter(|m| m.verdict == Verdict::Caught)
            .count();
        let total = mutants.len();
        MutationScore {
            caught,
            total,
            score: if total == 0 {
                1.0
            } else {
                caught as f64 / total as f64
            },
            mutants,
            not_derived,
        }
    }

    /// The mutants not caught first (they are the news: holes in the suite), then the
    /// caught ones, each in the order run.
    pub fn uncaught_first(&self) -> Vec<&MutantOutcome> {
        let mut ordered: Vec<&MutantOutcome> = self.mutants.iter().collect();
        ordered.sort_by_key(|m| m.verdict == Verdict::Caught);
        ordered
    }
}

/// One protection removed, as the report names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Mutant {
    /// What it removes, e.g. `drop unique users(stripe_customer_id)`.
    pub label: String,
    /// Its kind, as `--only` spells it (`drop-constraint`, `backup-truncated`, …).
    pub kind: String,
    /// The claim whose scenarios must catch it.
    pub claim: String,
    /// What changed: SQL, a file's new text, a command.
    pub change: String,
    /// Text the mutant writes where the subject wrote other text (a wrapped command, as
    /// evidence quotes it), with the subject's: put back before comparing evidence, so
    /// that the changed text itself is never a catch.
    #[serde(skip)]
    #[schemars(skip)]
    pub rewrites: Vec<(String, String)>,
}

/// A kind of mutant the subject gives none of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NotDerived {
    pub kind: String,
    pub why: String,
}

impl NotDerived {
    pub fn new(kind: &str, why: impl Into<String>) -> NotDerived {
        NotDerived {
            kind: kind.to_owned(),
            why: why.into(),
        }
    }
}

/// What one mutant's run came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// A scenario of the expected claim came out REFUTED where the unmutated subject's did
    /// not, or with a finding or counterexample it did not have.
    Caught,
    /// Every scenario of the expected claim came out as on the unmutated subject: a hole in
    /// the suite.
    Survived,
    /// Nothing refuted, something not proven: the suite could not tell.
    NotProven,
}

impl Verdict {
    /// "caught", "SURVIVED", "NOT PROVEN".
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Caught => "caught",
            Verdict::Survived => "SURVIVED",
            Verdict::NotProven => "NOT PROVEN",
        }
    }
}

/// One mutant's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MutantOutcome {
    pub mutant: Mutant,
    pub verdict: Verdict,
    /// The scenario that caught it, or that could not tell.
    pub scenario: Option<String>,
    /// One line of the deciding scenario's evidence.
    pub evidence: String,
    pub duration_ms: f64,
}

/// Caught when a scenario of the mutant's claim is newly REFUTED: it was not on the
/// unmutated subject (`baseline`), or it names a finding or counterexample the baseline's
/// did not. Survived when nothing new is refuted and every scenario is PROVEN or refuted
/// as on the baseline; else not proven.
pub fn judge(
    mutant: Mutant,
    scorecard: &Scorecard,
    baseline: &Scorecard,
    duration_ms: f64,
) -> MutantOutcome {
    let scenarios = claim_scenarios(scorecard, &mutant.claim);
    let before = claim_scenarios(baseline, &mutant.claim);
    let newly_red: Vec<(&ScenarioReport, String)> = scenarios
        .iter()
        .filter(|s| s.status == Status::Refuted)
        .filter_map(|s| {
            let was_red = before
                .iter()
                .find(|b| b.id == s.id && b.status == Status::Refuted);
            let known = was_red.map(|b| red_lines(b, &[])).unwrap_or_default();
            match red_lines(s, &mutant.rewrites)
                .into_iter()
                .find(|(key, _)| !known.iter().any(|(known_key, _)| known_key == key))
            {
                Some((_, line)) => Some((*s, line)),
                // refuted now and not before, with nothing listed: its summary says why
                None if was_red.is_none() => Some((
                    *s,
                    first_line(&rewrite(&mutant.rewrites, &s.evidence.summary)),
                )),
                None => None,
            }
        })
        .collect();
    let not_proven = scenarios
        .iter()
        .find(|s| s.status == Status::NotProven)
        .copied();
    let (verdict, scenario, evidence) = match (newly_red.first(), not_proven) {
        (Some((s, line)), _) => (Verdict::Caught, Some(*s), line.clone()),
        (None, Some(s)) => (Verdict::NotProven, Some(s), first_line(&s.evidence.summary)),
        (None, None) if scenarios.is_empty() => (
            Verdict::NotProven,
            None,
            scorecard
                .input_errors
                .first()
                .map(|e| first_line(&e.message))
                .unwrap_or_else(|| "no scenario of the claim ran".into()),
        ),
        (None, None) => (Verdict::Survived, None, survived(&before)),
    };
    MutantOutcome {
        mutant,
        verdict,
        scenario: scenario.map(|s| s.id.clone()),
        evidence,
        duration_ms,
    }
}

/// Why a survivor survived: the protection may already be missing from the subject (a
/// retention policy its script never applied), which the scenarios already refuted.
fn survived(before: &[&ScenarioReport]) -> String {
    let mut line = "every scenario of the claim came out as on the unmutated subject".to_owned();
    let refuted: Vec<String> = before
        .iter()
        .filter(|s| s.status == Status::Refuted)
        .map(|s| format!("{}: {}", s.id, first_line(&s.evidence.summary)))
        .collect();
    if !refuted.is_empty() {
        line.push_str(&format!(
            ", where these were already REFUTED (the protection may be missing there too): {}",
            refuted.join("; ")
        ));
    }
    line
}

fn claim_scenarios<'a>(scorecard: &'a Scorecard, claim: &str) -> Vec<&'a ScenarioReport> {
    scorecard
        .claim(claim)
        .map(|c| c.scenarios.iter().collect())
        .unwrap_or_default()
}

/// What a refuted scenario holds against the subject, each as a key that stays the same
/// from run to run (a finding's id; a counterexample's title, and the first line of each of
/// its details, with volatile figures and names masked) and a line for people. A mutant
/// that adds one problem under a title the subject already had (a monitor that now also
/// exits 0 when the database is down) adds a detail.
fn red_lines(scenario: &ScenarioReport, rewrites: &[(String, String)]) -> Vec<(String, String)> {
    // the subject's own text back first: a wrapper may span lines
    let rewrite = |text: &str| rewrite(rewrites, text);
    let key = |text: &str| without_figures(&crate::report::volatile::stable(text));
    let findings = scenario
        .evidence
        .findings
        .iter()
        .map(|f| (f.id.clone(), f.text.clone()));
    let counterexamples = scenario.evidence.counterexamples.iter().flat_map(|c| {
        // the people's line reads as the subject's too: the mutant's label says what changed
        let title = rewrite(&c.title);
        let line = match c.details.first() {
            Some(detail) => format!("{title}: {}", rewrite(detail)),
            None => title.clone(),
        };
        let details: Vec<(String, String)> = c
            .details
            .iter()
            .map(|detail| {
                let first = first_line(&rewrite(detail));
                (
                    format!("{}\0{}", key(&title), key(&first)),
                    format!("{title}: {first}"),
                )
            })
            .collect();
        std::iter::once((key(&title), line)).chain(details)
    });
    findings.chain(counterexamples).collect()
}

/// `text` with each mutant's text in it put back as the subject wrote it.
fn rewrite(rewrites: &[(String, String)], text: &str) -> String {
    rewrites
        .iter()
        .fold(text.to_owned(), |text, (mutant, subject)| {
            text.replace(mutant, subject)
        })
}

/// `text` with every run of digits as `#`: a counterexample's title may carry a measured
/// figure (a latency, a row count), and a figure that moved is not a new refutation.
fn without_figures(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_digit() {
            if !out.ends_with('#') {
                out.push('#');
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or("").to_owned()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A scorecard of one claim, `monitoring`, whose one scenario came out `status` with a
    /// counterexample of these details.
    fn card(status: &str, details: &[&str]) -> Scorecard {
        let counterexamples = if details.is_empty() {
            json!([])
        } else {
            json!([{"title": "the monitor does not show what it claims", "details": details}])
        };
        serde_json::from_value(json!({
            "schema_version": 1, "subject": "s", "backend": "native", "server": "PostgreSQL",
            "seed": 7, "started_at": "2026-12-01T00:00:00Z", "duration_ms": 1.0,
            "claims": [{
                "id": "monitoring", "title": "Monitoring", "statement": "s", "status": status,
                "reason": "r",
                "scenarios": [{
                    "id": "monitor-reports-health", "title": "t", "status": status,
                    "duration_ms": 1.0,
                    "evidence": {"summary": "the first problem", "counterexamples": counterexamples}
                }]
            }]
        }))
        .unwrap()
    }

    fn mutant(rewrites: &[(&str, &str)]) -> Mutant {
        Mutant {
            label: "monitor always exits 0".into(),
            kind: "monitor-always-healthy".into(),
            claim: "monitoring".into(),
            change: "monitoring.command = (\nmon.sh\n); exit 0".into(),
            rewrites: rewrites
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        }
    }

    const LEFT_OUT: &str = "the report leaves out table(s) users (1 of 1)";

    #[test]
    fn newly_refuted_is_caught_and_as_before_survives_naming_what_was_refuted() {
        let proven = card("proven", &[]);
        let refuted = card("refuted", &[LEFT_OUT]);
        let caught = judge(mutant(&[]), &refuted, &proven, 1.0);
        assert_eq!(caught.verdict, Verdict::Caught);
        assert_eq!(caught.scenario.as_deref(), Some("monitor-reports-health"));
        let survived = judge(mutant(&[]), &refuted, &refuted, 1.0);
        assert_eq!(survived.verdict, Verdict::Survived);
        assert!(
            survived
                .evidence
                .contains("already REFUTED (the protection may be missing there too): monitor-reports-health: the first problem"),
            "{}",
            survived.evidence
        );
    }

    #[test]
    fn a_new_problem_under_a_known_title_is_caught_and_a_moved_figure_is_not() {
        let before = card("refuted", &[LEFT_OUT]);
        let moved = card(
            "refuted",
            &["the report leaves out table(s) users (2 of 2)"],
        );
        assert_eq!(
            judge(mutant(&[]), &moved, &before, 1.0).verdict,
            Verdict::Survived
        );
        let more = card(
            "refuted",
            &[
                LEFT_OUT,
                "with the database stopped, `mon.sh` still exits 0",
            ],
        );
        let caught = judge(mutant(&[]), &more, &before, 1.0);
        assert_eq!(caught.verdict, Verdict::Caught);
        assert!(
            caught.evidence.ends_with("still exits 0"),
            "{}",
            caught.evidence
        );
    }

    #[test]
    fn the_mutants_own_command_in_the_evidence_is_no_catch() {
        let before = card("refuted", &["with no backup, `mon.sh` exited with 0"]);
        let wrapped = "(\nmon.sh\n); exit 0";
        let after = card(
            "refuted",
            &["with no backup, `(\nmon.sh\n); exit 0` exited with 0"],
        );
        assert_eq!(
            judge(mutant(&[]), &after, &before, 1.0).verdict,
            Verdict::Caught,
            "without the rewrite, the wrapper reads as a new problem"
        );
        assert_eq!(
            judge(mutant(&[(wrapped, "mon.sh")]), &after, &before, 1.0).verdict,
            Verdict::Survived
        );
    }

    #[test]
    fn a_scenario_that_could_not_tell_is_not_proven() {
        let proven = card("proven", &[]);
        let unsure = card("not_proven", &[]);
        assert_eq!(
            judge(mutant(&[]), &unsure, &proven, 1.0).verdict,
            Verdict::NotProven
        );
    }

    #[test]
    fn a_moved_figure_leaves_a_counterexample_the_same() {
        assert_eq!(
            without_figures("`login` grows: 1k: 0.393 ms, 3k: 0.743 ms"),
            without_figures("`login` grows: 1k: 0.41 ms, 3k: 12.5 ms")
        );
        assert_ne!(
            without_figures("reads projects in full"),
            without_figures("reads users in full")
        );
    }
}
