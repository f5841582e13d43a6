//! A scenario's evidence: its summary, observations as a definition list, findings,
//! counterexamples, timings, the seed and what was kept; and its figures as charts.

use maud::{html, Markup, PreEscaped};

use crate::report::chart;
use crate::report::evidence::ScenarioReport;
use crate::report::figure::Figure;
use crate::schema::dataset::scale_label;

/// A value as it reads: multi-line values keep their lines in a `<pre>`.
pub(super) fn text(value: &str) -> Markup {
    html! {
        @if value.contains('\n') { pre { (value) } } @else { p { (value) } }
    }
}

pub(super) fn body(scenario: &ScenarioReport) -> Markup {
    let evidence = &scenario.evidence;
    html! {
        div.summary { (text(&evidence.summary)) }
        @if let Some(error) = scenario.stopped_by {
            p.stopped {
                "stopped by " a href={ "#input-error-" (error + 1) } { "input error " (error + 1) }
            }
        }
        @if !evidence.observations.is_empty() {
            dl.observations {
                @for observation in &evidence.observations {
                    dt { (observation.label) }
                    dd {
                        @if observation.value.contains('\n') { pre { (observation.value) } }
                        @else { (observation.value) }
                    }
                }
            }
        }
        @if !evidence.findings.is_empty() {
            h4 { "Findings" }
            ul.findings {
                @for finding in &evidence.findings {
                    li { code { (finding.id) } " " (finding.text) }
                }
            }
        }
        @if !evidence.counterexamples.is_empty() {
            h4 { "Counterexamples" }
            @for counterexample in &evidence.counterexamples {
                div.counterexample {
                    p { strong { (counterexample.title) } }
                    @if !counterexample.details.is_empty() {
                        pre { (counterexample.details.join("\n")) }
                    }
                }
            }
        }
        @if !evidence.timings.is_empty() {
            h4 { "Timings" }
            table.timings {
                @for timing in &evidence.timings {
                    tr { td { (timing.label) } td.number { (format!("{:.1} ms", timing.ms)) } }
                }
            }
        }
        @if let Some(seed) = evidence.seed {
            p.seed { "seed " code { (seed) } }
        }
        @if let Some(kept) = &scenario.kept {
            div.kept { p { "kept for inspection:" } pre { (kept) } }
        }
    }
}

/// Latency and drill figures as charts; dataset figures gathered in one small table.
pub(super) fn figures(figures: &[Figure]) -> Markup {
    let datasets: Vec<(u64, f64, Option<f64>)> = figures
        .iter()
        .filter_map(|f| match f {
            Figure::Dataset {
                users,
                build_ms,
                clone_ms,
            } => Some((*users, *build_ms, *clone_ms)),
            _ => None,
        })
        .collect();
    html! {
        @for figure in figures {
            @match figure {
                Figure::Latency { max_slope, queries } => {
                    div.chart {
                        (PreEscaped(chart::latency::render(
                            "median latency of the main queries by scale",
                            *max_slope,
                            queries,
                        )))
                    }
                }
                Figure::Drill(drill) => {
                    div.chart { (PreEscaped(chart::drill::render(drill))) }
                }
                Figure::Dataset { .. } => {}
            }
        }
        @if !datasets.is_empty() {
            h4 { "Datasets" }
            table.datasets {
                thead { tr { th { "users" } th { "built in" } th { "cloned in" } } }
                tbody {
                    @for (users, build_ms, clone_ms) in &datasets {
                        tr {
                            td.number { (scale_label(*users)) }
                            td.number { (format!("{build_ms:.1} ms")) }
                            td.number {
                                @if let Some(clone_ms) = clone_ms { (format!("{clone_ms:.1} ms")) }
                                @else { "–" }
                            }
                        }
                    }
                }
            }
        }
    }
}
