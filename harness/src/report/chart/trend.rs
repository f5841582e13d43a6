//! Figures across runs (`--history`) as small multiples: one small line chart per figure,
//! run after run, with the figures flagged as regressions framed in red beside the median
//! they were judged against.

use crate::report::chart::svg::{self, Svg, ALARM, FRAME, GRID, MUTED, PALETTE};
use crate::report::history::{Regression, Trend};

const WIDTH: f64 = 920.0;
const COLUMNS: usize = 3;
const MARGIN: f64 = 16.0;
const GAP: f64 = 14.0;
const CELL_H: f64 = 150.0;
const TOP: f64 = 40.0;
/// Inside a cell: room for the title above, the value labels left, the run labels below.
const PLOT_LEFT: f64 = 52.0;
const PLOT_RIGHT: f64 = 12.0;
const PLOT_TOP: f64 = 26.0;
const PLOT_BOTTOM: f64 = 30.0;
/// Cell titles longer than this are cut (the whole name is the cell's tooltip).
const TITLE_CHARS: usize = 44;

/// One small chart per trend, those named by a regression flagged.
pub fn render(trends: &[Trend], regressions: &[Regression]) -> String {
    let cell_w = (WIDTH - 2.0 * MARGIN - (COLUMNS as f64 - 1.0) * GAP) / COLUMNS as f64;
    let rows = trends.len().div_ceil(COLUMNS).max(1);
    let height = TOP + rows as f64 * (CELL_H + GAP);
    let title = "figures across the last runs";
    let mut chart = Svg::new(WIDTH, height, title);
    chart.text(MARGIN, 24.0, r#"font-size="15" font-weight="bold""#, title);
    for (i, trend) in trends.iter().enumerate() {
        let x = MARGIN + (i % COLUMNS) as f64 * (cell_w + GAP);
        let y = TOP + (i / COLUMNS) as f64 * (CELL_H + GAP);
        let regression = regressions.iter().find(|r| r.figure == trend.figure);
        chart.raw(&format!(
            r#"<g transform="translate({} {})"><title>{}</title>"#,
            svg::px(x),
            svg::px(y),
            svg::escape(&trend.figure)
        ));
        cell(&mut chart, cell_w, trend, regression);
        chart.raw("</g>");
    }
    chart.finish()
}

/// One trend's chart, in the cell's own coordinates.
fn cell(chart: &mut Svg, width: f64, trend: &Trend, regression: Option<&Regression>) {
    let unit = trend.unit.symbol();
    let (border, line) = match regression {
        Some(_) => (ALARM, ALARM),
        None => (GRID, PALETTE[0]),
    };
    let frame_width = if regression.is_some() { "2" } else { "1" };
    chart.raw(&format!(
        r#"<rect width="{}" height="{}" fill="none" stroke="{border}" stroke-width="{frame_width}"/>"#,
        svg::px(width),
        svg::px(CELL_H)
    ));
    let heading = svg::shortened(&trend.figure, TITLE_CHARS);
    let weight = if regression.is_some() {
        format!(r#"font-weight="bold" fill="{ALARM}""#)
    } else {
        r#"font-weight="bold""#.to_owned()
    };
    chart.text(8.0, 17.0, &weight, &heading);

    let plot_w = width - PLOT_LEFT - PLOT_RIGHT;
    let plot_h = CELL_H - PLOT_TOP - PLOT_BOTTOM;
    let mut values: Vec<f64> = trend.points.iter().map(|p| p.value).collect();
    values.extend(regression.map(|r| r.median));
    let (low, high) = value_range(&values);
    let runs = trend.points.len();
    let x = |i: usize| {
        if runs <= 1 {
            PLOT_LEFT + plot_w / 2.0
        } else {
            PLOT_LEFT + i as f64 / (runs - 1) as f64 * plot_w
        }
    };
    let y = |value: f64| PLOT_TOP + plot_h - (value - low) / (high - low) * plot_h;

    chart.line(
        (PLOT_LEFT, PLOT_TOP),
        (PLOT_LEFT, PLOT_TOP + plot_h),
        FRAME,
        "",
    );
    chart.line(
        (PLOT_LEFT, PLOT_TOP + plot_h),
        (PLOT_LEFT + plot_w, PLOT_TOP + plot_h),
        FRAME,
        "",
    );
    let end = r#"text-anchor="end" font-size="10""#;
    let high_label = format!("{} {unit}", svg::figure(high));
    chart.text(PLOT_LEFT - 4.0, PLOT_TOP + 8.0, end, &high_label);
    let low_label = format!("{} {unit}", svg::figure(low));
    chart.text(PLOT_LEFT - 4.0, PLOT_TOP + plot_h, end, &low_label);

    if let Some(regression) = regression {
        let py = y(regression.median);
        let dashed = r#"stroke-dasharray="4 3""#;
        chart.line((PLOT_LEFT, py), (PLOT_LEFT + plot_w, py), MUTED, dashed);
        let label = format!("median {} {unit}", svg::figure(regression.median));
        let attributes = format!(r#"font-size="10" fill="{MUTED}""#);
        chart.text(PLOT_LEFT + 4.0, py - 3.0, &attributes, &label);
    }
    let path: Vec<String> = trend
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{},{}", svg::px(x(i)), svg::px(y(p.value))))
        .collect();
    chart.raw(&format!(
        r#"<polyline points="{}" fill="none" stroke="{line}" stroke-width="1.5"/>"#,
        path.join(" ")
    ));
    for (i, point) in trend.points.iter().enumerate() {
        let flagged = regression.is_some() && i + 1 == runs;
        let (color, radius) = if flagged { (ALARM, 4.5) } else { (line, 2.5) };
        chart.raw(&format!(
            r#"<circle cx="{}" cy="{}" r="{radius}" fill="{color}"><title>{}: {} {unit}</title></circle>"#,
            svg::px(x(i)),
            svg::px(y(point.value)),
            svg::escape(&point.started_at),
            svg::figure(point.value)
        ));
    }
    let below = PLOT_TOP + plot_h + 14.0;
    let small = r#"font-size="10""#;
    if let Some(first) = trend.points.first() {
        chart.text(PLOT_LEFT, below, small, &to_the_minute(&first.started_at));
    }
    if let (Some(last), true) = (trend.points.last(), runs > 1) {
        let attributes = r#"font-size="10" text-anchor="end""#;
        let label = to_the_minute(&last.started_at);
        chart.text(PLOT_LEFT + plot_w, below, attributes, &label);
    }
    let count = if runs == 1 {
        "1 run".to_owned()
    } else {
        format!("{runs} runs")
    };
    let middle = format!(r#"font-size="10" text-anchor="middle" fill="{MUTED}""#);
    chart.text(PLOT_LEFT + plot_w / 2.0, below + 12.0, &middle, &count);
}

/// `2026-11-30T04:00:00Z` as `2026-11-30 04:00`, short enough for two under a cell; a
/// time in another form as it is.
fn to_the_minute(started_at: &str) -> String {
    match (started_at.get(..10), started_at.get(11..16)) {
        (Some(date), Some(time)) if started_at.as_bytes().get(10) == Some(&b'T') => {
            format!("{date} {time}")
        }
        _ => started_at.to_owned(),
    }
}

/// The value axis of a cell: the values with a margin, never of zero height.
fn value_range(values: &[f64]) -> (f64, f64) {
    let low = values.iter().copied().fold(f64::MAX, f64::min);
    let high = values.iter().copied().fold(f64::MIN, f64::max);
    if values.is_empty() {
        return (0.0, 1.0);
    }
    let pad = if high > low {
        (high - low) * 0.1
    } else {
        (high.abs() * 0.1).max(1.0)
    };
    ((low - pad).max(0.0_f64.min(low)), high + pad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::history::{TrendPoint, Unit};

    fn trend(figure: &str, values: &[f64]) -> Trend {
        Trend {
            figure: figure.into(),
            unit: Unit::Seconds,
            points: values
                .iter()
                .enumerate()
                .map(|(i, &value)| TrendPoint {
                    started_at: format!("2026-11-{:02}T04:00:00Z", i + 1),
                    value,
                })
                .collect(),
        }
    }

    fn regression(figure: &str) -> Regression {
        Regression {
            figure: figure.into(),
            unit: Unit::Seconds,
            value: 12.0,
            median: 8.5,
            runs: 5,
            tolerance: 0.25,
        }
    }

    #[test]
    fn one_small_chart_per_trend_labelled_with_its_first_and_last_run() {
        let trends = [
            trend("RTO at 10k users", &[8.0, 9.0, 8.5, 12.0]),
            trend("suite duration", &[60.0, 61.0]),
        ];
        let svg = render(&trends, &[]);
        assert_eq!(svg.matches("<polyline").count(), 2, "{svg}");
        assert_eq!(svg.matches("<g transform").count(), 2);
        assert!(svg.contains(">2026-11-01 04:00<"), "{svg}");
        assert!(svg.contains(">2026-11-04 04:00<"), "{svg}");
        assert!(svg.contains(">4 runs<"));
        assert!(!svg.contains(ALARM), "nothing flagged: {svg}");
    }

    #[test]
    fn a_regression_is_framed_in_red_beside_its_median() {
        let trends = [
            trend("RTO at 10k users", &[8.0, 9.0, 8.5, 12.0]),
            trend("suite duration", &[60.0, 61.0]),
        ];
        let svg = render(&trends, &[regression("RTO at 10k users")]);
        assert!(
            svg.contains(&format!("stroke=\"{ALARM}\" stroke-width=\"2\"")),
            "{svg}"
        );
        assert!(svg.contains(">median 8.50 s<"), "{svg}");
        assert_eq!(
            svg.matches(&format!("r=\"4.5\" fill=\"{ALARM}\"")).count(),
            1
        );
    }

    #[test]
    fn figure_names_are_escaped() {
        let svg = render(&[trend("latency of `a<b>` & \"c\"", &[1.0])], &[]);
        assert!(
            svg.contains("latency of `a&lt;b&gt;` &amp; &quot;c&quot;"),
            "{svg}"
        );
    }

    #[test]
    fn run_times_are_shown_to_the_minute() {
        assert_eq!(to_the_minute("2026-11-30T04:05:06Z"), "2026-11-30 04:05");
        assert_eq!(to_the_minute("t1"), "t1");
    }

    #[test]
    fn a_flat_trend_has_a_range_of_its_own() {
        assert_eq!(value_range(&[5.0, 5.0]), (4.0, 6.0));
        assert_eq!(value_range(&[]), (0.0, 1.0));
    }
}
