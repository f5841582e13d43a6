//! Median latency against the number of users, one line per query, both axes logarithmic
//! (a table scan is then a line of slope 1, an index lookup a flat one), with the slope
//! above which a query grows with its table drawn as a dashed reference line.

use crate::report::chart::svg::{self, Svg, GRID, MUTED, PALETTE};
use crate::report::figure::LatencySeries;
use crate::schema::dataset::scale_label;

const WIDTH: f64 = 920.0;
const HEIGHT: f64 = 480.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 330.0;
const TOP: f64 = 44.0;
const BOTTOM: f64 = 56.0;
/// Legend entries longer than this are cut (the whole name is in the point tooltips).
const LEGEND_CHARS: usize = 38;
/// Latencies are drawn no lower than this, so that a 0 ms median still has a place.
const FLOOR_MS: f64 = 0.001;

/// The chart titled `title` of `queries`, with the reference slope `max_slope`.
pub fn render(title: &str, max_slope: f64, queries: &[LatencySeries]) -> String {
    let points: Vec<(u64, f64)> = queries
        .iter()
        .flat_map(|q| {
            q.points
                .iter()
                .map(|p| (p.users, p.median_ms.max(FLOOR_MS)))
        })
        .collect();
    let mut users: Vec<u64> = points.iter().map(|(u, _)| *u).collect();
    users.sort_unstable();
    users.dedup();
    let (x_min, x_max) = match (users.first(), users.last()) {
        (Some(&a), Some(&b)) if a < b => ((a as f64).log10(), (b as f64).log10()),
        (Some(&a), _) => ((a as f64).log10() - 0.5, (a as f64).log10() + 0.5),
        _ => (0.0, 1.0),
    };
    let reference = reference_line(&points, max_slope, x_max);
    let mut values: Vec<f64> = points.iter().map(|(_, ms)| *ms).collect();
    values.extend(reference.iter().map(|r| r.end.1));
    let (y_min, y_max) = if values.is_empty() {
        (-2.0, 0.0)
    } else {
        let lowest = values
            .iter()
            .copied()
            .fold(f64::MAX, f64::min)
            .log10()
            .floor();
        let highest = values
            .iter()
            .copied()
            .fold(f64::MIN, f64::max)
            .log10()
            .ceil();
        (lowest, highest.max(lowest + 1.0))
    };
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let x_of_log = |log_users: f64| LEFT + (log_users - x_min) / (x_max - x_min) * plot_w;
    let x = |users: u64| x_of_log((users as f64).log10());
    let y = |ms: f64| TOP + plot_h - (ms.max(FLOOR_MS).log10() - y_min) / (y_max - y_min) * plot_h;

    let mut chart = Svg::new(WIDTH, HEIGHT, title);
    chart.text(LEFT, 24.0, r#"font-size="15" font-weight="bold""#, title);
    // y grid: one line per decade
    for decade in (y_min as i32)..=(y_max as i32) {
        let py = y(10f64.powi(decade));
        chart.line((LEFT, py), (LEFT + plot_w, py), GRID, "");
        let label = format!("{} ms", svg::decade_label(decade));
        chart.text(LEFT - 6.0, py + 4.0, r#"text-anchor="end""#, &label);
    }
    // x ticks: one per scale measured
    for &u in &users {
        let px = x(u);
        chart.line((px, TOP), (px, TOP + plot_h), "#eee", "");
        let at = TOP + plot_h + 18.0;
        chart.text(px, at, r#"text-anchor="middle""#, &scale_label(u));
    }
    chart.frame(LEFT, TOP, plot_w, plot_h);
    let middle = r#"text-anchor="middle""#;
    chart.text(
        LEFT + plot_w / 2.0,
        HEIGHT - 14.0,
        middle,
        "users (log scale)",
    );
    chart.raw(&format!(
        r#"<text transform="translate(16 {}) rotate(-90)" text-anchor="middle">median server time (log scale)</text>"#,
        svg::px(TOP + plot_h / 2.0)
    ));

    let legend_x = LEFT + plot_w + 16.0;
    let mut legend_y = TOP + 10.0;
    if let Some(reference) = &reference {
        let (start, end) = (
            (x_of_log(reference.start.0), y(reference.start.1)),
            (x_of_log(reference.end.0), y(reference.end.1)),
        );
        let dashed = r#"stroke-width="1.5" stroke-dasharray="6 4""#;
        chart.line(start, end, MUTED, dashed);
        let label = format!("slope {max_slope}");
        let attributes = format!(r#"text-anchor="end" fill="{MUTED}""#);
        chart.text(end.0 - 4.0, end.1 - 6.0, &attributes, &label);
        chart.line(
            (legend_x, legend_y),
            (legend_x + 18.0, legend_y),
            MUTED,
            dashed,
        );
        let text = format!("limit: slope {max_slope} (grows with its table)");
        chart.text(legend_x + 24.0, legend_y + 4.0, "", &text);
        legend_y += 20.0;
    }
    for (i, query) in queries.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        let path: Vec<String> = query
            .points
            .iter()
            .map(|p| format!("{},{}", svg::px(x(p.users)), svg::px(y(p.median_ms))))
            .collect();
        chart.raw(&format!(
            r#"<polyline points="{}" fill="none" stroke="{color}" stroke-width="2"/>"#,
            path.join(" ")
        ));
        for p in &query.points {
            chart.raw(&format!(
                r#"<circle cx="{}" cy="{}" r="3.5" fill="{color}"><title>{}: {:.3} ms at {} users</title></circle>"#,
                svg::px(x(p.users)),
                svg::px(y(p.median_ms)),
                svg::escape(&query.query),
                p.median_ms,
                scale_label(p.users)
            ));
        }
        let slope = query
            .slope
            .map(|s| format!(" (slope {s:.2})"))
            .unwrap_or_default();
        let stroke = r#"stroke-width="3""#;
        chart.line(
            (legend_x, legend_y),
            (legend_x + 18.0, legend_y),
            color,
            stroke,
        );
        let text = format!("{}{slope}", svg::shortened(&query.query, LEGEND_CHARS));
        chart.text(legend_x + 24.0, legend_y + 4.0, "", &text);
        legend_y += 20.0;
    }
    chart.finish()
}

/// A line of slope `max_slope` on the log–log axes, in (log10 users, ms).
struct ReferenceLine {
    start: (f64, f64),
    end: (f64, f64),
}

/// The reference line from the lowest point at the smallest scale to the right edge.
fn reference_line(points: &[(u64, f64)], max_slope: f64, x_max: f64) -> Option<ReferenceLine> {
    let smallest = points.iter().map(|(u, _)| *u).min()?;
    let lowest = points
        .iter()
        .filter(|(u, _)| *u == smallest)
        .map(|(_, ms)| *ms)
        .fold(f64::MAX, f64::min);
    let start_x = (smallest as f64).log10();
    let end_ms = lowest * 10f64.powf(max_slope * (x_max - start_x));
    Some(ReferenceLine {
        start: (start_x, lowest),
        end: (x_max, end_ms),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::figure::LatencyPoint;

    fn series(name: &str, slope: Option<f64>, points: &[(u64, f64)]) -> LatencySeries {
        LatencySeries {
            query: name.into(),
            points: points
                .iter()
                .map(|&(users, median_ms)| LatencyPoint { users, median_ms })
                .collect(),
            slope,
        }
    }

    fn two_queries() -> Vec<LatencySeries> {
        vec![
            series(
                "login",
                Some(0.07),
                &[(1_000, 0.03), (10_000, 0.031), (100_000, 0.035)],
            ),
            series(
                "delete <a> user",
                Some(0.94),
                &[(1_000, 1.3), (10_000, 10.5), (100_000, 98.0)],
            ),
        ]
    }

    #[test]
    fn the_chart_has_a_line_and_a_legend_entry_per_query() {
        let svg = render("instantviz: latency", 0.5, &two_queries());
        assert!(svg.starts_with("<svg "), "{svg}");
        assert!(svg.trim_end().ends_with("</svg>"));
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert_eq!(svg.matches("<circle").count(), 6);
        assert!(svg.contains("delete &lt;a&gt; user (slope 0.94)"), "{svg}");
        for tick in [">1k<", ">10k<", ">100k<", ">0.01 ms<", ">100 ms<"] {
            assert!(svg.contains(tick), "{tick} missing");
        }
    }

    #[test]
    fn the_slope_threshold_is_a_labelled_dashed_line_from_the_lowest_point() {
        let svg = render("latency", 0.5, &two_queries());
        let dashed: Vec<&str> = svg
            .lines()
            .filter(|l| l.contains("stroke-dasharray"))
            .collect();
        // the reference line and its legend sample
        assert_eq!(dashed.len(), 2, "{svg}");
        assert!(svg.contains(">slope 0.5<"), "{svg}");
        assert!(svg.contains("limit: slope 0.5"), "{svg}");
        // from (1k, 0.03 ms): two decades later at slope 0.5, 0.3 ms
        let line = reference_line(&[(1_000, 0.03), (1_000, 1.3)], 0.5, 5.0).unwrap();
        assert_eq!(line.start, (3.0, 0.03));
        assert!((line.end.1 - 0.3).abs() < 1e-9, "{}", line.end.1);
    }

    #[test]
    fn no_points_draw_no_reference_line() {
        let svg = render("latency", 0.5, &[]);
        assert!(!svg.contains("stroke-dasharray"), "{svg}");
        assert!(svg.trim_end().ends_with("</svg>"));
    }

    #[test]
    fn the_same_input_gives_the_same_bytes() {
        assert_eq!(
            render("t", 0.5, &two_queries()),
            render("t", 0.5, &two_queries())
        );
    }

    #[test]
    fn the_title_is_escaped() {
        let svg = render("a & \"b\" <c>", 0.5, &two_queries());
        assert!(svg.contains("a &amp; &quot;b&quot; &lt;c&gt;"), "{svg}");
        assert!(!svg.contains("<c>"));
    }
}
