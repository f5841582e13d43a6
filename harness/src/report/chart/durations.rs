//! How long each scenario of a run took: a horizontal bar per scenario, in the scorecard's
//! order, coloured by its status.

use crate::report::chart::svg::{self, Scale, Svg, GRID, MUTED};
use crate::report::evidence::{Scorecard, Status};

const WIDTH: f64 = 920.0;
const LEFT: f64 = 330.0;
const RIGHT: f64 = 70.0;
const TOP: f64 = 56.0;
const ROW: f64 = 20.0;
const BAR: f64 = 13.0;
const BOTTOM: f64 = 44.0;
/// Row labels longer than this are cut (the whole id is in the bar's tooltip).
const LABEL_CHARS: usize = 50;

/// The chart of every scenario's duration in `scorecard`.
pub fn render(scorecard: &Scorecard) -> String {
    let title = format!("{}: scenario durations", scorecard.subject);
    let rows: Vec<(String, f64, Status)> = scorecard
        .claims
        .iter()
        .flat_map(|c| {
            c.scenarios.iter().map(move |s| {
                (
                    format!("{}/{}", c.id, s.id),
                    s.duration_ms / 1000.0,
                    s.status,
                )
            })
        })
        .collect();
    let longest = rows.iter().map(|r| r.1).fold(0.0, f64::max);
    let scale = Scale::linear(longest);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = (rows.len().max(1)) as f64 * ROW;
    let height = TOP + plot_h + BOTTOM;
    let x = |seconds: f64| LEFT + scale.fraction(seconds) * plot_w;

    let mut chart = Svg::new(WIDTH, height, &title);
    chart.text(16.0, 24.0, r#"font-size="15" font-weight="bold""#, &title);
    legend(&mut chart);
    for (value, label) in scale.ticks() {
        let px = x(value);
        chart.line((px, TOP), (px, TOP + plot_h), GRID, "");
        let text = format!("{label} s");
        chart.text(px, TOP + plot_h + 16.0, r#"text-anchor="middle""#, &text);
    }
    let middle = r#"text-anchor="middle""#;
    chart.text(LEFT + plot_w / 2.0, TOP + plot_h + 34.0, middle, "seconds");
    let mut previous_claim = None;
    for (i, (id, seconds, status)) in rows.iter().enumerate() {
        let row_top = TOP + i as f64 * ROW;
        let claim = id.split('/').next();
        if previous_claim.is_some() && previous_claim != claim {
            chart.line((16.0, row_top), (LEFT + plot_w, row_top), GRID, "");
        }
        previous_claim = claim;
        let top = row_top + (ROW - BAR) / 2.0;
        let end = x(*seconds);
        let tip = format!("{id}: {} s, {}", svg::figure(*seconds), status.label());
        chart.bar(LEFT, top, end - LEFT, BAR, svg::status_color(*status), &tip);
        let baseline = top + BAR / 2.0 + 4.0;
        let label = svg::shortened(id, LABEL_CHARS);
        chart.text(LEFT - 8.0, baseline, r#"text-anchor="end""#, &label);
        let value = format!("{} s", svg::figure(*seconds));
        chart.text(end + 4.0, baseline, &format!(r#"fill="{MUTED}""#), &value);
    }
    chart.frame(LEFT, TOP, plot_w, plot_h);
    chart.finish()
}

/// One swatch per status, under the title.
fn legend(chart: &mut Svg) {
    let mut x = 16.0;
    for status in [
        Status::Proven,
        Status::Refuted,
        Status::NotProven,
        Status::NotApplicable,
    ] {
        chart.bar(
            x,
            34.0,
            12.0,
            12.0,
            svg::status_color(status),
            status.label(),
        );
        chart.text(x + 16.0, 44.0, "", status.label());
        x += 30.0 + status.label().len() as f64 * 7.5;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scorecard read as `report.json` would be, so that fields added later need no change.
    fn scorecard() -> Scorecard {
        let scenario = |id: &str, status: &str, duration_ms: f64| {
            serde_json::json!({"id": id, "title": id, "status": status,
                "evidence": {"summary": "why"}, "duration_ms": duration_ms})
        };
        let claim = |id: &str, scenarios: Vec<serde_json::Value>| {
            serde_json::json!({"id": id, "title": id, "statement": id, "status": "proven",
                "reason": "", "scenarios": scenarios})
        };
        serde_json::from_value(serde_json::json!({
            "schema_version": 1, "subject": "instantviz & <co>", "backend": "native",
            "server": "PostgreSQL 15", "seed": 7, "started_at": "2026-11-30T12:00:00Z",
            "duration_ms": 30000.0,
            "claims": [
                claim("backups", vec![
                    scenario("pg-dump-round-trip", "proven", 4200.0),
                    scenario("retention-policy", "refuted", 900.0),
                ]),
                claim("indexes", vec![
                    scenario("expected-index-used-at-scale", "not_proven", 12500.0),
                ]),
            ],
        }))
        .unwrap()
    }

    #[test]
    fn each_scenario_has_a_bar_in_the_scorecards_order_coloured_by_status() {
        let svg = render(&scorecard());
        let bars: Vec<&str> = svg
            .lines()
            .filter(|l| l.starts_with("<rect x=") && l.contains(" s, "))
            .collect();
        assert_eq!(bars.len(), 3, "{svg}");
        assert!(bars[0].contains("backups/pg-dump-round-trip: 4.20 s, PROVEN"));
        assert!(bars[0].contains("#2e7d32"));
        assert!(bars[1].contains("backups/retention-policy"));
        assert!(bars[1].contains("#c62828"));
        assert!(bars[2].contains("#e0a000"));
    }

    #[test]
    fn the_subject_is_escaped() {
        let svg = render(&scorecard());
        assert!(
            svg.contains("instantviz &amp; &lt;co&gt;: scenario durations"),
            "{svg}"
        );
    }

    #[test]
    fn an_empty_run_still_draws_a_chart() {
        let mut empty = scorecard();
        empty.claims.clear();
        let svg = render(&empty);
        assert!(svg.trim_end().ends_with("</svg>"));
    }
}
