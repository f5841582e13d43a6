//! `readiness mutate`'s score: each mutant, the claim that had to catch it, its verdict and
//! the evidence that caught it; those not caught first, as the holes in the suite they are.

use maud::{html, Markup};

use crate::report::evidence::Scorecard;
use crate::report::html::claims::scenario_anchor;
use crate::report::mutation::Verdict;

pub(super) fn section(scorecard: &Scorecard) -> Markup {
    let Some(score) = &scorecard.mutation else {
        return html! {};
    };
    html! {
        section #mutation .alert[score.caught < score.total] {
            h2 { "Mutation score" }
            p {
                strong { (score.caught) "/" (score.total) " mutants caught" }
                " (" (format!("{:.0}", score.score * 100.0)) "%). Each mutant is the subject with one protection removed; "
                "it is caught when a scenario of its claim turns red where the unmutated subject's did not."
            }
            div.table-wrap { table.mutants {
                thead { tr { th { "mutant" } th { "claim" } th { "verdict" } th { "caught by" } th { "evidence" } } }
                tbody {
                    @for m in score.uncaught_first() {
                        tr class=(verdict_class(m.verdict)) {
                            td {
                                details {
                                    summary { (m.mutant.label) }
                                    pre { (m.mutant.change) }
                                }
                            }
                            td { code { (m.mutant.claim) } }
                            td { strong { (m.verdict.word()) } }
                            td {
                                @if let Some(scenario) = &m.scenario {
                                    @let id = format!("{}/{scenario}", m.mutant.claim);
                                    a href={ "#" (scenario_anchor(&id)) } { code { (scenario) } }
                                }
                            }
                            td { (m.evidence) }
                        }
                    }
                }
            } }
            @if !score.not_derived.is_empty() {
                h3 { "Kinds with no mutant on this subject" }
                ul.not-derived {
                    @for n in &score.not_derived { li { code { (n.kind) } ": " (n.why) } }
                }
            }
        }
    }
}

fn verdict_class(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Caught => "caught",
        Verdict::Survived => "survived",
        Verdict::NotProven => "not-proven",
    }
}
