//! The bench chart: median latency against the number of users, one line per query, both
//! axes logarithmic (a table scan is then a line of slope 1, an index lookup a flat one),
//! written as a self-contained SVG.

use std::fmt::Write as _;

use harness::checks::growth::Curve;
use harness::schema::dataset::scale_label;

const WIDTH: f64 = 920.0;
const HEIGHT: f64 = 480.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 330.0;
const TOP: f64 = 44.0;
const BOTTOM: f64 = 56.0;
const COLORS: [&str; 10] = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf",
];

/// The chart for `curves` of `subject`.
pub fn render(subject: &str, curves: &[&Curve]) -> String {
    let points: Vec<(u64, f64)> = curves
        .iter()
        .flat_map(|c| c.points.iter().map(|p| (p.users, p.median_ms.max(0.001))))
        .collect();
    let mut users: Vec<u64> = points.iter().map(|(u, _)| *u).collect();
    users.sort_unstable();
    users.dedup();
    let (x_min, x_max) = match (users.first(), users.last()) {
        (Some(&a), Some(&b)) if a < b => ((a as f64).log10(), (b as f64).log10()),
        (Some(&a), _) => ((a as f64).log10() - 0.5, (a as f64).log10() + 0.5),
        _ => (0.0, 1.0),
    };
    let lowest = points.iter().map(|(_, ms)| *ms).fold(f64::MAX, f64::min);
    let highest = points.iter().map(|(_, ms)| *ms).fold(f64::MIN, f64::max);
    let (y_min, y_max) = if points.is_empty() {
        (-2.0, 0.0)
    } else {
        (
            lowest.log10().floor(),
            highest.log10().ceil().max(lowest.log10().floor() + 1.0),
        )
    };
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let x = |users: u64| LEFT + ((users as f64).log10() - x_min) / (x_max - x_min) * plot_w;
    let y = |ms: f64| TOP + plot_h - (ms.max(0.001).log10() - y_min) / (y_max - y_min) * plot_h;

    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(svg, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        svg,
        r#"<text x="{LEFT}" y="24" font-size="15" font-weight="bold">{}: median latency of the main queries by scale</text>"#,
        escape(subject)
    );
    // y grid: one line per decade
    for decade in (y_min as i32)..=(y_max as i32) {
        let ms = 10f64.powi(decade);
        let py = y(ms);
        let _ = writeln!(
            svg,
            r##"<line x1="{LEFT}" y1="{py:.1}" x2="{:.1}" y2="{py:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{} ms</text>"##,
            LEFT + plot_w,
            LEFT - 6.0,
            py + 4.0,
            decade_label(decade)
        );
    }
    // x ticks: one per scale measured
    for &u in &users {
        let px = x(u);
        let _ = writeln!(
            svg,
            r##"<line x1="{px:.1}" y1="{TOP}" x2="{px:.1}" y2="{:.1}" stroke="#eee"/><text x="{px:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
            TOP + plot_h,
            TOP + plot_h + 18.0,
            scale_label(u)
        );
    }
    let _ = writeln!(
        svg,
        r##"<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#444"/>"##
    );
    let _ = writeln!(
        svg,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">users (log scale)</text>"#,
        LEFT + plot_w / 2.0,
        HEIGHT - 14.0
    );
    let _ = writeln!(
        svg,
        r#"<text transform="translate(16 {:.1}) rotate(-90)" text-anchor="middle">median server time (log scale)</text>"#,
        TOP + plot_h / 2.0
    );
    for (i, curve) in curves.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let path: Vec<String> = curve
            .points
            .iter()
            .map(|p| format!("{:.1},{:.1}", x(p.users), y(p.median_ms)))
            .collect();
        let _ = writeln!(
            svg,
            r#"<polyline points="{}" fill="none" stroke="{color}" stroke-width="2"/>"#,
            path.join(" ")
        );
        for p in &curve.points {
            let _ = writeln!(
                svg,
                r#"<circle cx="{:.1}" cy="{:.1}" r="3.5" fill="{color}"><title>{}: {:.3} ms at {} users</title></circle>"#,
                x(p.users),
                y(p.median_ms),
                escape(&curve.query),
                p.median_ms,
                scale_label(p.users)
            );
        }
        let ly = TOP + 10.0 + i as f64 * 20.0;
        let lx = LEFT + plot_w + 16.0;
        let slope = curve
            .slope()
            .map(|s| format!(" (slope {s:.2})"))
            .unwrap_or_default();
        let _ = writeln!(
            svg,
            r#"<line x1="{lx:.1}" y1="{ly:.1}" x2="{:.1}" y2="{ly:.1}" stroke="{color}" stroke-width="3"/><text x="{:.1}" y="{:.1}">{}{slope}</text>"#,
            lx + 18.0,
            lx + 24.0,
            ly + 4.0,
            escape(&curve.query)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

fn decade_label(decade: i32) -> String {
    if decade >= 0 {
        format!("{}", 10u64.pow(decade as u32))
    } else {
        format!("{:.*}", (-decade) as usize, 10f64.powi(decade))
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use harness::checks::growth::Point;

    use super::*;

    fn curve(name: &str, points: &[(u64, f64)]) -> Curve {
        Curve {
            query: name.into(),
            points: points
                .iter()
                .map(|&(users, median_ms)| Point {
                    users,
                    rows: users * 31,
                    median_ms,
                    runs: 9,
                })
                .collect(),
            left_out: Vec::new(),
        }
    }

    #[test]
    fn the_chart_has_a_line_and_a_legend_entry_per_query() {
        let lookup = curve("login", &[(1_000, 0.03), (10_000, 0.031), (100_000, 0.035)]);
        let scan = curve(
            "delete <a> user",
            &[(1_000, 1.3), (10_000, 10.5), (100_000, 98.0)],
        );
        let svg = render("instantviz", &[&lookup, &scan]);
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
    fn decades_read_as_plain_numbers() {
        assert_eq!(decade_label(-2), "0.01");
        assert_eq!(decade_label(0), "1");
        assert_eq!(decade_label(2), "100");
    }
}
