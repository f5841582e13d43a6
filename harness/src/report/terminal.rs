//! The scorecard as plain terminal text.

use std::fmt::Write as _;

use crate::report::evidence::{Scorecard, Status};

/// Renders the scorecard; `detail` adds each scenario's evidence.
pub fn render(scorecard: &Scorecard, detail: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\nreadiness scorecard: {}", scorecard.subject);
    let _ = writeln!(out, "  {} · seed {}\n", scorecard.server, scorecard.seed);
    for claim in &scorecard.claims {
        let _ = writeln!(
            out,
            "  {:<11} {:<15} {}",
            claim.status.label(),
            claim.id,
            claim.title
        );
        if claim.scenarios.is_empty() {
            let _ = writeln!(out, "  {:<11} {:<15} └ {}", "", "", claim.reason);
        }
        for s in &claim.scenarios {
            let mark = match s.status {
                Status::Proven => "✓",
                Status::Refuted => "✗",
                Status::NotProven => "?",
                Status::NotApplicable => "-",
            };
            let _ = writeln!(
                out,
                "  {:<27} {mark} {} ({:.1} s): {}",
                "",
                s.id,
                s.duration_ms / 1000.0,
                s.evidence.summary
            );
            if detail || s.status == Status::Refuted {
                for line in super::evidence_lines(&s.evidence, 5) {
                    let _ = writeln!(out, "  {:<31} {line}", "");
                }
            }
            if let Some(kept) = &s.kept {
                let _ = writeln!(out, "  {:<31} kept: {kept}", "");
            }
        }
    }
    let _ = writeln!(
        out,
        "\n  {}/{} PROVEN · {} REFUTED · {} NOT PROVEN · {:.1} s",
        scorecard.count(Status::Proven),
        scorecard.claims.len(),
        scorecard.count(Status::Refuted),
        scorecard.count(Status::NotProven),
        scorecard.duration_ms / 1000.0
    );
    for regression in &scorecard.regressions {
        let _ = writeln!(out, "  regression: {}", regression.describe());
    }
    if let Some(baseline) = &scorecard.baseline {
        let _ = writeln!(out, "  baseline: {}", baseline.verdict());
        for line in baseline.lines() {
            let _ = writeln!(out, "    {line}");
        }
    }
    for (i, e) in scorecard.input_errors.iter().enumerate() {
        let _ = writeln!(out, "  input error #{}: {}", i + 1, e.message);
        let _ = writeln!(out, "    stopped: {}", super::summarised(&e.scenarios));
    }
    out
}
