//! The restore drill: a horizontal bar per step (back up, provision, restore, verify) and
//! one for the RTO, with the claimed bound and the RTO extrapolated to the claimed users as
//! vertical lines.

use crate::report::chart::svg::{self, Scale, Svg, ALARM, GRID, MUTED, PALETTE};
use crate::report::figure::DrillFigure;
use crate::schema::dataset::scale_label;

const WIDTH: f64 = 920.0;
const LEFT: f64 = 200.0;
const RIGHT: f64 = 60.0;
const TOP: f64 = 52.0;
const ROW: f64 = 30.0;
const BAR: f64 = 18.0;
/// The axis labels and the legend under the plot.
const BOTTOM: f64 = 64.0;
const WITHIN_BOUND: &str = "#2e7d32";
const EXTRAPOLATED: &str = "#6a1b9a";

/// The chart of `drill`.
pub fn render(drill: &DrillFigure) -> String {
    let title = format!("restore drill at {} users", scale_label(drill.users));
    let mut rows: Vec<(String, f64, &str)> = drill
        .steps
        .iter()
        .map(|s| (s.step.clone(), s.seconds, PALETTE[0]))
        .collect();
    let over_bound = |seconds: f64| drill.bound_seconds.is_some_and(|b| seconds > b);
    let rto_color = if over_bound(drill.rto_seconds) {
        ALARM
    } else {
        WITHIN_BOUND
    };
    rows.push((
        "RTO (restore to verified)".to_owned(),
        drill.rto_seconds,
        rto_color,
    ));
    let mut values: Vec<f64> = rows.iter().map(|r| r.1).collect();
    values.extend(drill.bound_seconds);
    values.extend(drill.extrapolated_rto_seconds);
    let scale = Scale::for_values(&values);

    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = rows.len() as f64 * ROW;
    let height = TOP + plot_h + BOTTOM;
    let x = |seconds: f64| LEFT + scale.fraction(seconds) * plot_w;

    let mut chart = Svg::new(WIDTH, height, &title);
    chart.text(LEFT, 24.0, r#"font-size="15" font-weight="bold""#, &title);
    for (value, label) in scale.ticks() {
        let px = x(value);
        chart.line((px, TOP), (px, TOP + plot_h), GRID, "");
        let text = format!("{label} s");
        chart.text(px, TOP + plot_h + 16.0, r#"text-anchor="middle""#, &text);
    }
    let axis = if scale.is_log() {
        "seconds (log scale)"
    } else {
        "seconds"
    };
    let middle = r#"text-anchor="middle""#;
    chart.text(LEFT + plot_w / 2.0, TOP + plot_h + 34.0, middle, axis);
    for (i, (label, seconds, color)) in rows.iter().enumerate() {
        let top = TOP + i as f64 * ROW + (ROW - BAR) / 2.0;
        let end = x(*seconds);
        let tip = format!("{label}: {} s", svg::figure(*seconds));
        chart.bar(LEFT, top, end - LEFT, BAR, color, &tip);
        let middle_y = top + BAR / 2.0 + 4.0;
        chart.text(LEFT - 8.0, middle_y, r#"text-anchor="end""#, label);
        let value = format!("{} s", svg::figure(*seconds));
        chart.text(end + 4.0, middle_y, &format!(r#"fill="{MUTED}""#), &value);
    }
    chart.frame(LEFT, TOP, plot_w, plot_h);

    let mut legend_x = LEFT;
    let legend_y = height - 10.0;
    if let Some(bound) = drill.bound_seconds {
        let px = x(bound);
        chart.line(
            (px, TOP - 8.0),
            (px, TOP + plot_h),
            ALARM,
            r#"stroke-width="2""#,
        );
        let text = format!("claimed bound {} s", svg::figure(bound));
        chart.text(px, TOP - 12.0, &anchored(px, ALARM), &text);
        legend_x = legend_entry(&mut chart, legend_x, legend_y, ALARM, "", &text);
    }
    if let Some(extrapolated) = drill.extrapolated_rto_seconds {
        let color = if over_bound(extrapolated) {
            ALARM
        } else {
            EXTRAPOLATED
        };
        let px = x(extrapolated);
        let dashed = r#"stroke-width="2" stroke-dasharray="6 4""#;
        chart.line((px, TOP), (px, TOP + plot_h + 4.0), color, dashed);
        let text = format!(
            "RTO extrapolated to the claimed users {} s",
            svg::figure(extrapolated)
        );
        legend_entry(&mut chart, legend_x, legend_y, color, dashed, &text);
    }
    chart.finish()
}

/// Text attributes for a label at `x`: to the left of a line in the plot's right half.
fn anchored(x: f64, color: &str) -> String {
    let anchor = if x > LEFT + (WIDTH - LEFT - RIGHT) / 2.0 {
        "end"
    } else {
        "start"
    };
    format!(r#"text-anchor="{anchor}" fill="{color}""#)
}

/// A sample line and its text; returns where the next entry starts.
fn legend_entry(chart: &mut Svg, x: f64, y: f64, color: &str, style: &str, text: &str) -> f64 {
    let style = if style.is_empty() {
        r#"stroke-width="2""#
    } else {
        style
    };
    chart.line((x, y - 4.0), (x + 20.0, y - 4.0), color, style);
    chart.text(x + 26.0, y, "", text);
    // roughly 6.5 px a character at 12 px
    x + 26.0 + text.chars().count() as f64 * 6.5 + 24.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::figure::DrillStep;

    fn drill(bound: Option<f64>, extrapolated: Option<f64>) -> DrillFigure {
        DrillFigure {
            users: 10_000,
            steps: ["back up", "provision", "restore", "verify"]
                .iter()
                .zip([0.8, 1.9, 2.1, 0.4])
                .map(|(step, seconds)| DrillStep {
                    step: (*step).into(),
                    seconds,
                })
                .collect(),
            rto_seconds: 2.5,
            extrapolated_rto_seconds: extrapolated,
            bound_seconds: bound,
        }
    }

    #[test]
    fn every_step_and_the_rto_have_a_bar() {
        let svg = render(&drill(Some(900.0), Some(25.0)));
        assert_eq!(svg.matches("<rect x=").count() - 1, 5, "{svg}");
        for label in [
            "back up",
            "provision",
            "restore",
            "verify",
            "RTO (restore to verified)",
        ] {
            assert!(
                svg.contains(&format!(">{label}<")),
                "{label} missing: {svg}"
            );
        }
        assert!(svg.contains("restore drill at 10k users"));
    }

    #[test]
    fn the_bound_and_the_extrapolated_rto_are_vertical_lines() {
        let svg = render(&drill(Some(900.0), Some(25.0)));
        assert!(svg.contains(">claimed bound 900 s<"), "{svg}");
        assert!(
            svg.contains("RTO extrapolated to the claimed users 25.0 s"),
            "{svg}"
        );
        let vertical = svg
            .lines()
            .filter(|l| l.starts_with("<line") && l.contains("stroke=\"#c62828\""))
            .filter(|l| {
                let x1 = l.split("x1=\"").nth(1).unwrap().split('"').next().unwrap();
                let x2 = l.split("x2=\"").nth(1).unwrap().split('"').next().unwrap();
                x1 == x2
            })
            .count();
        assert_eq!(vertical, 1, "the bound: {svg}");
        // 0.4 s beside 900 s: a log axis, or the steps would not show
        assert!(svg.contains("seconds (log scale)"));
    }

    #[test]
    fn an_rto_over_the_bound_is_red() {
        let svg = render(&drill(Some(2.0), None));
        let rto = svg
            .lines()
            .find(|l| l.contains("<title>RTO (restore to verified)"))
            .unwrap();
        assert!(rto.contains("fill=\"#c62828\""), "{rto}");
        assert!(!svg.contains("extrapolated"));
    }

    #[test]
    fn no_bound_draws_no_bound_line() {
        let svg = render(&drill(None, None));
        assert!(!svg.contains("claimed bound"));
        assert!(svg.contains("seconds<"), "a linear axis: {svg}");
    }

    #[test]
    fn step_names_are_escaped() {
        let mut figure = drill(None, None);
        figure.steps[0].step = "dump <all> & \"more\"".into();
        let svg = render(&figure);
        assert!(
            svg.contains("dump &lt;all&gt; &amp; &quot;more&quot;"),
            "{svg}"
        );
    }
}
