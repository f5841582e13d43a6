//! This run against others: the baseline comparison (`--baseline`), the figures flagged as
//! regressions and their trends across the last runs (`--history`).

use maud::{html, Markup, PreEscaped};

use crate::report::baseline::Change;
use crate::report::chart;
use crate::report::evidence::Scorecard;

pub(super) fn baseline(scorecard: &Scorecard) -> Markup {
    html! {
        @if let Some(baseline) = &scorecard.baseline {
            section #baseline {
                h2 { "Against the baseline" }
                p {
                    code { (baseline.path) }
                    @if !baseline.started_at.is_empty() { " (run " (baseline.started_at) ")" }
                    ": "
                    @if baseline.holds() {
                        strong.holds { "holds" } ", nothing got worse"
                    } @else {
                        strong.fails { "does not hold" } ", " (baseline.regressed.len()) " regressed"
                    }
                    "; " (baseline.unchanged) " unchanged."
                }
                (changes("Regressed", "regressed", &baseline.regressed))
                (changes("Improved", "improved", &baseline.improved))
                (changes("New (not in the baseline, or N/A there)", "new", &baseline.new))
                (changes("No longer applies (N/A now, not counted)", "no-longer-apply", &baseline.no_longer_apply))
                @if !baseline.not_run.is_empty() {
                    h3 { "Not run (in the baseline only)" }
                    ul.not-run { @for id in &baseline.not_run { li { code { (id) } } } }
                }
            }
        }
    }
}

fn changes(heading: &str, class: &str, changes: &[Change]) -> Markup {
    html! {
        @if !changes.is_empty() {
            h3 { (heading) }
            ul class=(class) {
                @for change in changes {
                    li { code { (change.id) } ": " (change.before) " → " strong { (change.after) } }
                }
            }
        }
    }
}

pub(super) fn regressions(scorecard: &Scorecard) -> Markup {
    html! {
        @if !scorecard.regressions.is_empty() {
            section #regressions .alert {
                h2 { "Regressions against the last runs" }
                p { "Figures worse than the median of the last runs beyond the tolerance: news, not verdicts." }
                ul.regressed {
                    @for regression in &scorecard.regressions { li { (regression.describe()) } }
                }
            }
        }
    }
}

pub(super) fn trends(scorecard: &Scorecard) -> Markup {
    html! {
        @if !scorecard.trends.is_empty() {
            section #trends {
                h2 { "Figures across runs" }
                div.chart {
                    (PreEscaped(chart::trend::render(&scorecard.trends, &scorecard.regressions)))
                }
            }
        }
    }
}
