//! Baseline mode: this run against an earlier `report.json`, scenario by scenario and
//! finding by finding, matched by their stable ids so that a reordering changes nothing.
//! A CI gate passes when nothing got worse, so a team can adopt readiness on a database
//! that fails some claims today and still stop the next regression.

use std::collections::BTreeMap;
use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::report::evidence::{Finding, Scorecard, Status, SCHEMA_VERSION};

/// What changed against the baseline.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BaselineComparison {
    /// The baseline report, as given.
    pub path: String,
    /// When the baseline ran.
    pub started_at: String,
    /// What got worse: a scenario's status, or a finding the baseline did not have.
    pub regressed: Vec<Change>,
    /// What got better: a scenario's status, or a finding gone.
    pub improved: Vec<Change>,
    /// Scenarios in this run the baseline did not have (a newer readiness, another
    /// selection), or had as N/A: listed, never counted against the run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub new: Vec<Change>,
    /// Scenarios that had a verdict in the baseline and have nothing to check now (the
    /// subject stopped declaring what they test, or marked every migration deployed):
    /// listed, never counted against the run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub no_longer_apply: Vec<Change>,
    /// Scenarios of the baseline this run did not run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_run: Vec<String>,
    /// Scenarios whose status and findings are as in the baseline.
    pub unchanged: usize,
}

/// One scenario or finding that moved: `id` is `claim/scenario`, or
/// `claim/scenario/finding-id` for a finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Change {
    /// `claim/scenario`, or `claim/scenario/finding-id` for a finding.
    pub id: String,
    /// As it was in the baseline.
    pub before: String,
    /// As it is in this run.
    pub after: String,
}

impl BaselineComparison {
    /// Whether nothing got worse.
    pub fn holds(&self) -> bool {
        self.regressed.is_empty()
    }

    /// What got worse in the scenario `claim/scenario`: its status, and its new findings.
    pub fn regressions_of<'a>(&'a self, scenario: &'a str) -> impl Iterator<Item = &'a Change> {
        self.regressed.iter().filter(move |c| {
            c.id == scenario
                || c.id
                    .strip_prefix(scenario)
                    .is_some_and(|rest| rest.starts_with('/'))
        })
    }

    /// Whether the scenario `claim/scenario` got worse (its status, or a new finding).
    pub fn regressed(&self, scenario: &str) -> bool {
        self.regressions_of(scenario).next().is_some()
    }

    /// Whether the scenario `claim/scenario` is new to the baseline.
    pub fn is_new(&self, scenario: &str) -> bool {
        self.new.iter().any(|c| c.id == scenario)
    }

    /// Every change, one line each, under a heading per kind; empty kinds left out.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for (heading, changes) in [
            ("regressed", &self.regressed),
            ("improved", &self.improved),
            ("new", &self.new),
            ("no longer applies", &self.no_longer_apply),
        ] {
            for c in changes.iter() {
                lines.push(format!("{heading}: {}: {} → {}", c.id, c.before, c.after));
            }
        }
        if !self.not_run.is_empty() {
            lines.push(format!(
                "not run: {}",
                crate::report::summarised(&self.not_run)
            ));
        }
        lines
    }

    /// "nothing got worse against main/report.json (3 improved, 10 unchanged)".
    pub fn verdict(&self) -> String {
        let counts = format!(
            "{} regressed, {} improved, {} unchanged",
            self.regressed.len(),
            self.improved.len(),
            self.unchanged
        );
        if self.holds() {
            format!(
                "nothing got worse than the baseline {} ({counts})",
                self.path
            )
        } else {
            format!("worse than the baseline {} ({counts})", self.path)
        }
    }
}

/// A baseline that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("failed to read the baseline {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("failed to read the baseline {path}: not a readiness report.json: {source}")]
    Parse {
        path: String,
        source: serde_json::Error,
    },
    #[error("failed to read the baseline {path}: its schema_version {found} is newer than this readiness reads ({SCHEMA_VERSION})")]
    Newer { path: String, found: u32 },
}

/// The parts of a report a baseline needs: lenient, so that a report from an older
/// readiness (no `schema_version`, fewer fields) still serves.
#[derive(Debug, Deserialize)]
struct BaselineReport {
    #[serde(default)]
    schema_version: Option<u32>,
    #[serde(default)]
    started_at: String,
    claims: Vec<BaselineClaim>,
}

#[derive(Debug, Deserialize)]
struct BaselineClaim {
    id: String,
    scenarios: Vec<BaselineScenario>,
}

#[derive(Debug, Deserialize)]
struct BaselineScenario {
    id: String,
    status: Status,
    #[serde(default)]
    evidence: BaselineEvidence,
}

#[derive(Debug, Default, Deserialize)]
struct BaselineEvidence {
    #[serde(default)]
    findings: Vec<Finding>,
}

/// A baseline read from `path`.
#[derive(Debug)]
pub struct Baseline {
    path: String,
    report: BaselineReport,
}

impl Baseline {
    pub fn read(path: &Path) -> Result<Baseline, BaselineError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Read {
            path: shown.clone(),
            source,
        })?;
        let report: BaselineReport =
            serde_json::from_str(&text).map_err(|source| BaselineError::Parse {
                path: shown.clone(),
                source,
            })?;
        match report.schema_version {
            Some(found) if found > SCHEMA_VERSION => {
                Err(BaselineError::Newer { path: shown, found })
            }
            _ => Ok(Baseline {
                path: shown,
                report,
            }),
        }
    }

    /// `scorecard` against this baseline.
    pub fn compare(&self, scorecard: &Scorecard) -> BaselineComparison {
        let mut before: BTreeMap<String, &BaselineScenario> = BTreeMap::new();
        for claim in &self.report.claims {
            for s in &claim.scenarios {
                before.insert(format!("{}/{}", claim.id, s.id), s);
            }
        }
        let mut comparison = BaselineComparison {
            path: self.path.clone(),
            started_at: self.report.started_at.clone(),
            ..BaselineComparison::default()
        };
        for claim in &scorecard.claims {
            for s in &claim.scenarios {
                let id = format!("{}/{}", claim.id, s.id);
                let Some(old) = before.remove(&id) else {
                    comparison.new.push(Change {
                        id,
                        before: "not in the baseline".into(),
                        after: s.status.label().into(),
                    });
                    continue;
                };
                let moved = compare_status(old.status, s.status);
                let change = || Change {
                    id: id.clone(),
                    before: old.status.label().into(),
                    after: s.status.label().into(),
                };
                let mut changed = false;
                match moved {
                    Moved::NoLongerApplies => {
                        comparison.no_longer_apply.push(change());
                        changed = true;
                    }
                    Moved::NowApplies => {
                        comparison.new.push(change());
                        changed = true;
                    }
                    Moved::Worse => {
                        comparison.regressed.push(change());
                        changed = true;
                    }
                    Moved::Better => {
                        comparison.improved.push(change());
                        changed = true;
                    }
                    Moved::Same => {}
                }
                let old_ids: Vec<&str> = old
                    .evidence
                    .findings
                    .iter()
                    .map(|f| f.id.as_str())
                    .collect();
                let new_ids: Vec<&str> =
                    s.evidence.findings.iter().map(|f| f.id.as_str()).collect();
                for finding in &s.evidence.findings {
                    if !old_ids.contains(&finding.id.as_str()) {
                        comparison.regressed.push(Change {
                            id: format!("{id}/{}", finding.id),
                            before: "no such finding".into(),
                            after: format!("new finding: {}", finding.text),
                        });
                        changed = true;
                    }
                }
                for finding in &old.evidence.findings {
                    if !new_ids.contains(&finding.id.as_str()) {
                        comparison.improved.push(Change {
                            id: format!("{id}/{}", finding.id),
                            before: format!("finding: {}", finding.text),
                            after: "gone".into(),
                        });
                        changed = true;
                    }
                }
                if !changed {
                    comparison.unchanged += 1;
                }
            }
        }
        comparison.not_run = before.into_keys().collect();
        comparison
    }
}

enum Moved {
    Better,
    Worse,
    Same,
    NoLongerApplies,
    NowApplies,
}

/// REFUTED, NOT PROVEN, PROVEN, from worst to best. N/A stands outside that order: a
/// scenario that starts to apply is judged by its new verdict (PROVEN is an improvement,
/// anything else a new verdict the baseline never had, not a regression), and one that no
/// longer applies is listed apart: a deploy that marks every migration deployed makes the
/// lock trace N/A, and that must not fail the gate.
fn compare_status(before: Status, after: Status) -> Moved {
    use Status::*;
    let rank = |s: Status| match s {
        Refuted => 0,
        NotProven => 1,
        Proven => 2,
        NotApplicable => unreachable!("N/A is handled before ranking"),
    };
    match (before, after) {
        (a, b) if a == b => Moved::Same,
        (_, NotApplicable) => Moved::NoLongerApplies,
        (NotApplicable, Proven) => Moved::Better,
        (NotApplicable, _) => Moved::NowApplies,
        (a, b) if rank(b) > rank(a) => Moved::Better,
        _ => Moved::Worse,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scorecard of one claim whose scenarios are `(id, status, finding ids)`.
    fn card(scenarios: &[(&str, &str, &[&str])]) -> String {
        let scenarios: Vec<serde_json::Value> = scenarios
            .iter()
            .map(|(id, status, findings)| {
                serde_json::json!({
                    "id": id, "title": "t", "status": status, "duration_ms": 1.0,
                    "evidence": {"summary": "s", "findings": findings.iter().map(|f| serde_json::json!({"id": f, "text": format!("{f} found")})).collect::<Vec<_>>()}
                })
            })
            .collect();
        serde_json::json!({
            "schema_version": SCHEMA_VERSION, "subject": "s", "backend": "b", "server": "v", "seed": 1,
            "started_at": "t", "duration_ms": 1.0,
            "claims": [{"id": "indexes", "title": "t", "statement": "s", "status": "proven", "reason": "r", "scenarios": scenarios}]
        })
        .to_string()
    }

    fn compare(before: &str, after: &str) -> BaselineComparison {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        std::fs::write(&path, before).unwrap();
        let scorecard: Scorecard = serde_json::from_str(after).unwrap();
        Baseline::read(&path).unwrap().compare(&scorecard)
    }

    #[test]
    fn findings_are_matched_by_id_whatever_their_order() {
        let before = card(&[
            ("lint", "proven", &["a on t1", "b on t2"]),
            ("scan", "refuted", &[]),
        ]);
        // reordered scenarios and findings: nothing changed
        let same = card(&[
            ("scan", "refuted", &[]),
            ("lint", "proven", &["b on t2", "a on t1"]),
        ]);
        let comparison = compare(&before, &same);
        assert!(
            comparison.holds() && comparison.improved.is_empty(),
            "{comparison:?}"
        );
        assert_eq!(comparison.unchanged, 2);
        // one finding gone, one new: the new one regresses even though the status held
        let moved = card(&[
            ("lint", "proven", &["a on t1", "c on t3"]),
            ("scan", "refuted", &[]),
        ]);
        let comparison = compare(&before, &moved);
        assert!(!comparison.holds());
        assert_eq!(comparison.regressed[0].id, "indexes/lint/c on t3");
        assert_eq!(comparison.regressed[0].after, "new finding: c on t3 found");
        assert_eq!(comparison.improved[0].id, "indexes/lint/b on t2");
        assert!(comparison.regressed("indexes/lint") && !comparison.regressed("indexes/li"));
    }

    #[test]
    fn scenarios_new_or_not_run_are_listed_but_not_counted() {
        let before = card(&[("lint", "proven", &[]), ("gone", "proven", &[])]);
        let after = card(&[("lint", "proven", &[]), ("fresh", "refuted", &[])]);
        let comparison = compare(&before, &after);
        assert!(comparison.holds(), "{comparison:?}");
        assert_eq!(comparison.new[0].id, "indexes/fresh");
        assert_eq!(comparison.not_run, vec!["indexes/gone".to_owned()]);
    }

    #[test]
    fn a_report_from_a_newer_readiness_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        std::fs::write(
            &path,
            card(&[]).replace(
                &format!("\"schema_version\":{SCHEMA_VERSION}"),
                "\"schema_version\":99",
            ),
        )
        .unwrap();
        let error = Baseline::read(&path).unwrap_err().to_string();
        assert!(error.contains("schema_version 99 is newer"), "{error}");
    }

    #[test]
    fn a_proof_lost_is_a_regression_and_a_refutation_mended_an_improvement() {
        use Status::*;
        assert!(matches!(compare_status(Proven, Refuted), Moved::Worse));
        assert!(matches!(compare_status(Proven, NotProven), Moved::Worse));
        assert!(matches!(
            compare_status(Proven, NotApplicable),
            Moved::NoLongerApplies
        ));
        assert!(matches!(
            compare_status(Refuted, NotApplicable),
            Moved::NoLongerApplies
        ));
        assert!(matches!(compare_status(NotProven, Refuted), Moved::Worse));
        assert!(matches!(compare_status(Refuted, Proven), Moved::Better));
        assert!(matches!(compare_status(Refuted, NotProven), Moved::Better));
        assert!(matches!(
            compare_status(NotApplicable, Refuted),
            Moved::NowApplies
        ));
        assert!(matches!(
            compare_status(NotApplicable, Proven),
            Moved::Better
        ));
        assert!(matches!(compare_status(Refuted, Refuted), Moved::Same));
    }
}
