//! The terminal table of `readiness mutate`: one mutant a line, those not caught first.

use harness::report::mutation::{MutantOutcome, MutationScore};

/// The table: one mutant a line (those not caught first: they are the news), the kinds with no
/// mutant on this subject, then the score.
pub fn render(report: &MutationScore) -> String {
    let width = |cell: fn(&MutantOutcome) -> String, heading: &str| {
        report
            .mutants
            .iter()
            .map(|m| cell(m).chars().count())
            .chain([heading.len()])
            .max()
            .unwrap_or_default()
    };
    let label: fn(&MutantOutcome) -> String = |m| m.mutant.label.clone();
    let claim: fn(&MutantOutcome) -> String = |m| m.mutant.claim.clone();
    let by: fn(&MutantOutcome) -> String = |m| m.scenario.clone().unwrap_or_else(|| "-".into());
    let (w_label, w_claim, w_by) = (
        width(label, "mutant"),
        width(claim, "claim"),
        width(by, "caught by"),
    );
    let mut out = format!(
        "\n{:<w_label$}  {:<w_claim$}  {:<10}  {:<w_by$}  evidence\n",
        "mutant", "claim", "verdict", "caught by"
    );
    for m in report.uncaught_first() {
        out.push_str(&format!(
            "{:<w_label$}  {:<w_claim$}  {:<10}  {:<w_by$}  {}\n",
            label(m),
            claim(m),
            m.verdict.word(),
            by(m),
            m.evidence
        ));
    }
    if !report.not_derived.is_empty() {
        out.push_str("\nno mutant of these kinds on this subject:\n");
        for n in &report.not_derived {
            out.push_str(&format!("  {}: {}\n", n.kind, n.why));
        }
    }
    out.push_str(&format!(
        "\nmutation score: {}/{} caught ({:.0}%)\n",
        report.caught,
        report.total,
        report.score * 100.0
    ));
    out
}
