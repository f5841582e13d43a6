//! A claim's section: its statement, its verdict's reason and a folding `<details>` per
//! scenario, open when the scenario is REFUTED so that its counterexamples show, with the
//! scenario's charts under it.

use maud::{html, Markup};

use crate::report::evidence::{ClaimReport, ScenarioReport, Status};
use crate::report::html::evidence;
use crate::report::html::status::{badge, duration, slug};

/// The fragment id of a claim's section.
pub(super) fn claim_anchor(claim: &str) -> String {
    format!("claim-{claim}")
}

/// The fragment id of a scenario's `<details>`, from `claim/scenario`.
pub(super) fn scenario_anchor(id: &str) -> String {
    format!("scenario-{}", id.replace('/', "-"))
}

pub(super) fn section(claim: &ClaimReport) -> Markup {
    html! {
        section.claim id=(claim_anchor(&claim.id)) data-claim=(claim.id) {
            h2 { (badge(claim.status)) " " code { (claim.id) } " " (claim.title) }
            blockquote { (claim.statement) }
            p.reason { (claim.reason) }
            @for scenario in &claim.scenarios {
                (details(&claim.id, scenario))
            }
            p.back { a href="#scorecard" { "↑ scorecard" } }
        }
    }
}

fn details(claim: &str, scenario: &ScenarioReport) -> Markup {
    let id = scenario_anchor(&format!("{claim}/{}", scenario.id));
    html! {
        details.scenario id=(id) data-status=(slug(scenario.status))
            open[scenario.status == Status::Refuted] {
            summary {
                (badge(scenario.status)) " "
                code { (scenario.id) } " "
                span.title { (scenario.title) } " "
                span.duration { (duration(scenario.duration_ms)) }
            }
            div.body { (evidence::body(scenario)) }
        }
        // outside the fold: a chart shows whatever the verdict
        @if !scenario.evidence.figures.is_empty() {
            div.figures { (evidence::figures(&scenario.evidence.figures)) }
        }
    }
}
