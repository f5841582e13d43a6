//! `summary.md`: the scorecard for a pull request comment or a CI job summary.

use std::fmt::Write as _;

use crate::report::evidence::{Scorecard, Status};
use crate::report::mutation::Verdict;

pub fn render(scorecard: &Scorecard) -> String {
    let mut out = String::new();
    let proven = scorecard.count(Status::Proven);
    let _ = writeln!(out, "# readiness: {}\n", scorecard.subject);
    let _ = writeln!(
        out,
        "**{proven}/{} claims PROVEN** · {} REFUTED · {} NOT PROVEN · seed `{}` · {}\n",
        scorecard.claims.len(),
        scorecard.count(Status::Refuted),
        scorecard.count(Status::NotProven),
        scorecard.seed,
        scorecard.server
    );
    if let Some(baseline) = &scorecard.baseline {
        let _ = writeln!(
            out,
            "{} **{}**\n",
            if baseline.holds() { "✅" } else { "❌" },
            baseline.verdict()
        );
        for line in baseline.lines() {
            let _ = writeln!(out, "- {line}");
        }
        out.push('\n');
    }
    if let Some(score) = &scorecard.mutation {
        let _ = writeln!(
            out,
            "{} **mutation score: {}/{} mutants caught**\n",
            if score.caught == score.total {
                "✅"
            } else {
                "❌"
            },
            score.caught,
            score.total
        );
        for m in score
            .mutants
            .iter()
            .filter(|m| m.verdict != Verdict::Caught)
        {
            let _ = writeln!(
                out,
                "- {} `{}` ({}): {}",
                m.verdict.word(),
                m.mutant.label,
                m.mutant.claim,
                m.evidence
            );
        }
        out.push('\n');
    }
    if !scorecard.regressions.is_empty() {
        let _ = writeln!(out, "**Figures worse than the last runs' median:**\n");
        for regression in &scorecard.regressions {
            let _ = writeln!(out, "- 📉 {}", regression.describe());
        }
        out.push('\n');
    }
    // the report's own summary table, with whether its After holds
    let _ = writeln!(
        out,
        "| check | before (the report) | after (the report) | proven? | why |\n|---|---|---|---|---|"
    );
    for claim in &scorecard.claims {
        let _ = writeln!(
            out,
            "| {} (`{}`) | {} | {} | {} | {} |",
            claim.title,
            claim.id,
            cell(&claim.claimed_before),
            cell(&claim.claimed_after),
            badge(claim.status),
            cell(&claim.reason)
        );
    }
    for claim in &scorecard.claims {
        let _ = writeln!(
            out,
            "\n## {} — {}\n\n> {}\n",
            claim.id,
            badge(claim.status),
            claim.statement
        );
        for s in &claim.scenarios {
            let _ = writeln!(
                out,
                "- **{}** {} ({:.0} ms): {}",
                s.id,
                badge(s.status),
                s.duration_ms,
                s.evidence.summary
            );
            for line in super::evidence_lines(&s.evidence, 10) {
                let text = line.trim_start();
                // a command's output, under its label, is a list of its own
                let nested = if line.starts_with(super::TAIL_INDENT) {
                    "  "
                } else {
                    ""
                };
                let _ = writeln!(out, "  {nested}- {text}");
            }
        }
    }
    if !scorecard.input_errors.is_empty() {
        let _ = writeln!(out, "\n## Input errors\n");
        for (i, e) in scorecard.input_errors.iter().enumerate() {
            let _ = writeln!(
                out,
                "{}. {} (stopped {})",
                i + 1,
                e.message,
                super::summarised(&e.scenarios)
            );
        }
    }
    out
}

fn badge(status: Status) -> &'static str {
    match status {
        Status::Proven => "✅ PROVEN",
        Status::Refuted => "❌ REFUTED",
        Status::NotProven => "⚠️ NOT PROVEN",
        Status::NotApplicable => "➖ N/A",
    }
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
