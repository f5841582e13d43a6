//! The page's frame: the head with its inline style, the run's header, input errors, the
//! scorecard table and the durations chart, then the history and each claim's section.

use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::report::chart;
use crate::report::evidence::{ClaimReport, Scorecard, Status};
use crate::report::html::status::{badge, duration, slug};
use crate::report::html::{claims, evidence, history, mutation};

const STYLE: &str = include_str!("style.css");
/// Nothing may be fetched: no script, image, font or style from anywhere but the page.
const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";
/// Closed `<details>` print as their summary only: printing opens them all.
const PRINT_OPENS_DETAILS: &str = "window.addEventListener('beforeprint', () => { \
     for (const d of document.querySelectorAll('details')) d.open = true; });";

pub(super) fn page(scorecard: &Scorecard) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta http-equiv="Content-Security-Policy" content=(CONTENT_SECURITY_POLICY);
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "readiness: " (scorecard.subject) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                (header(scorecard))
                main {
                    (input_errors(scorecard))
                    (table(scorecard))
                    (mutation::section(scorecard))
                    (history::baseline(scorecard))
                    (history::regressions(scorecard))
                    (history::trends(scorecard))
                    section #durations {
                        h2 { "Scenario durations" }
                        div.chart { (PreEscaped(chart::durations::render(scorecard))) }
                    }
                    @for claim in &scorecard.claims {
                        (claims::section(claim))
                    }
                }
                script { (PreEscaped(PRINT_OPENS_DETAILS)) }
            }
        }
    }
}

fn header(scorecard: &Scorecard) -> Markup {
    let proven = scorecard.count(Status::Proven);
    html! {
        header {
            h1 { "readiness: " (scorecard.subject) }
            p.count {
                strong { (proven) "/" (scorecard.claims.len()) " PROVEN" }
                " · " (scorecard.count(Status::Refuted)) " REFUTED"
                " · " (scorecard.count(Status::NotProven)) " NOT PROVEN"
            }
            dl.run {
                dt { "subject" } dd { (scorecard.subject) }
                dt { "server" } dd { (scorecard.server) }
                dt { "backend" } dd { (scorecard.backend) }
                dt { "seed" } dd { code { (scorecard.seed) } }
                dt { "started" } dd { (scorecard.started_at) }
                dt { "took" } dd { (duration(scorecard.duration_ms)) }
            }
        }
    }
}

fn input_errors(scorecard: &Scorecard) -> Markup {
    html! {
        @if !scorecard.input_errors.is_empty() {
            section #input-errors .alert {
                h2 { "Input errors" }
                p { "Problems with the input stopped these scenarios before they could prove anything." }
                ol {
                    @for (i, error) in scorecard.input_errors.iter().enumerate() {
                        li id={ "input-error-" (i + 1) } {
                            (evidence::text(&error.message))
                            p.stopped {
                                "stopped " (error.scenarios.len()) " scenarios: "
                                @for (n, scenario) in error.scenarios.iter().enumerate() {
                                    @if n > 0 { ", " }
                                    a href={ "#" (claims::scenario_anchor(scenario)) } { code { (scenario) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The scorecard as the report's own summary table (check, Before, After) with a column
/// saying whether the After holds: one row per claim, linking to its section.
fn table(scorecard: &Scorecard) -> Markup {
    html! {
        section #scorecard {
            h2 { "Scorecard" }
            div.table-wrap {
                table.scorecard {
                    thead {
                        tr {
                            th { "check" }
                            th { "before (the report)" }
                            th { "after (the report)" }
                            th { "proven?" }
                            th { "why" }
                        }
                    }
                    tbody {
                        @for claim in &scorecard.claims {
                            tr id={ "row-" (claim.id) } data-claim=(claim.id) {
                                td.statement {
                                    a href={ "#" (claims::claim_anchor(&claim.id)) } { strong { (claim.title) } }
                                    br;
                                    code.claim-id { (claim.id) }
                                }
                                td.claimed { (claimed(&claim.claimed_before)) }
                                td.claimed { (claimed(&claim.claimed_after)) }
                                td.status data-status=(slug(claim.status)) { (badge(claim.status)) }
                                td.reason { (why(claim)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The report's Before or After, its leading emoji mark drawn as a plain, coloured sign
/// (a browser without an emoji font shows an empty box for ✅).
fn claimed(text: &str) -> Markup {
    let marks = [
        ("✅", "yes", "✓"),
        ("❌", "no", "✗"),
        ("⚠️", "partial", "!"),
        ("⚠", "partial", "!"),
    ];
    for (emoji, class, sign) in marks {
        if let Some(rest) = text.strip_prefix(emoji) {
            return html! { span.mark.(class) { (sign) } " " (rest.trim_start()) };
        }
    }
    html! { (text) }
}

/// Why, at a glance: a proven claim's count, else each deciding scenario linked to its
/// evidence with its summary cut short (the whole of it is in the claim's section).
fn why(claim: &ClaimReport) -> Markup {
    const GLANCE: usize = 160;
    let deciding: Vec<_> = claim
        .scenarios
        .iter()
        .filter(|s| s.status == claim.status)
        .collect();
    if claim.status == Status::Proven || deciding.is_empty() {
        return html! { (claim.reason) };
    }
    html! {
        ul.why {
            @for s in deciding {
                li {
                    a href={ "#" (claims::scenario_anchor(&format!("{}/{}", claim.id, s.id))) } { (s.id) }
                    ": " (cut(&s.evidence.summary, GLANCE))
                }
            }
        }
    }
}

/// `text` cut to about `limit` characters, on a character boundary, with "…".
pub(super) fn cut(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        Some((at, _)) => format!("{}…", text[..at].trim_end()),
        None => text.to_owned(),
    }
}
