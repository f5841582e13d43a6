//! `summary.md`: the scorecard for a pull request comment or a CI job summary.

use std::fmt::Write as _;

use crate::report::evidence::{Scorecard, Status};

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
    let _ = writeln!(out, "| claim | status | why |\n|---|---|---|");
    for claim in &scorecard.claims {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            claim.id,
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
                let _ = writeln!(out, "  - {}", line.trim_start());
            }
        }
    }
    if !scorecard.input_errors.is_empty() {
        let _ = writeln!(out, "\n## Input errors\n");
        for e in &scorecard.input_errors {
            let _ = writeln!(out, "- {e}");
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
