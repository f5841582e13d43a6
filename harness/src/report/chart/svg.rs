//! What the charts share: the SVG frame, escaping, number formats, colours and value axes.

use std::fmt::Write as _;

use crate::report::evidence::Status;

/// One colour per series, in order.
pub(super) const PALETTE: [&str; 10] = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf",
];
pub(super) const GRID: &str = "#ddd";
pub(super) const FRAME: &str = "#444";
pub(super) const MUTED: &str = "#666";
/// A bound that must not be crossed, and what crossed it.
pub(super) const ALARM: &str = "#c62828";

/// The colour of a status, as the HTML report's badges show it.
pub(super) fn status_color(status: Status) -> &'static str {
    match status {
        Status::Proven => "#2e7d32",
        Status::Refuted => "#c62828",
        Status::NotProven => "#e0a000",
        Status::NotApplicable => "#9e9e9e",
    }
}

/// `text` safe inside an SVG element or a double-quoted attribute.
pub(super) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `text` cut to `max` characters, an ellipsis marking the cut.
pub(super) fn shortened(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let kept: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{kept}…")
}

/// A coordinate: one decimal, never `-0.0`.
pub(super) fn px(value: f64) -> String {
    let text = format!("{value:.1}");
    if text == "-0.0" {
        "0.0".to_owned()
    } else {
        text
    }
}

/// A measured value to three significant digits or so: `0.013`, `1.27`, `31.2`, `900`.
pub(super) fn figure(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude >= 100.0 {
        format!("{value:.0}")
    } else if magnitude >= 10.0 {
        format!("{value:.1}")
    } else if magnitude >= 1.0 || magnitude == 0.0 {
        format!("{value:.2}")
    } else {
        format!("{value:.3}")
    }
}

/// 10 to the `decade` as a plain number: `0.01`, `1`, `100`.
pub(super) fn decade_label(decade: i32) -> String {
    if decade >= 0 {
        format!("{}", 10u64.pow(decade as u32))
    } else {
        format!("{:.*}", (-decade) as usize, 10f64.powi(decade))
    }
}

/// An SVG document being written; every chart starts with a title and a white background.
pub(super) struct Svg {
    out: String,
}

impl Svg {
    pub(super) fn new(width: f64, height: f64, title: &str) -> Svg {
        let mut out = String::new();
        let _ = writeln!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12" role="img">"#,
            w = px(width),
            h = px(height),
        );
        let _ = writeln!(out, "<title>{}</title>", escape(title));
        out.push_str("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        Svg { out }
    }

    /// A raw element, already escaped.
    pub(super) fn raw(&mut self, element: &str) {
        self.out.push_str(element);
        self.out.push('\n');
    }

    /// Text at (`x`, `y`); `attributes` are extra, already escaped (`text-anchor="end"`).
    pub(super) fn text(&mut self, x: f64, y: f64, attributes: &str, text: &str) {
        let space = if attributes.is_empty() { "" } else { " " };
        let _ = writeln!(
            self.out,
            "<text x=\"{}\" y=\"{}\"{space}{attributes}>{}</text>",
            px(x),
            px(y),
            escape(text)
        );
    }

    /// A straight line; `attributes` are extra, already escaped (`stroke-dasharray="6 4"`).
    pub(super) fn line(
        &mut self,
        from: (f64, f64),
        to: (f64, f64),
        stroke: &str,
        attributes: &str,
    ) {
        let space = if attributes.is_empty() { "" } else { " " };
        let _ = writeln!(
            self.out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{stroke}\"{space}{attributes}/>",
            px(from.0),
            px(from.1),
            px(to.0),
            px(to.1)
        );
    }

    /// A filled rectangle with a tooltip.
    pub(super) fn bar(&mut self, x: f64, y: f64, width: f64, height: f64, fill: &str, tip: &str) {
        let _ = writeln!(
            self.out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\"><title>{}</title></rect>",
            px(x),
            px(y),
            px(width.max(0.0)),
            px(height),
            escape(tip)
        );
    }

    /// The frame of a plot area.
    pub(super) fn frame(&mut self, x: f64, y: f64, width: f64, height: f64) {
        let _ = writeln!(
            self.out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"{FRAME}\"/>",
            px(x),
            px(y),
            px(width),
            px(height)
        );
    }

    pub(super) fn finish(mut self) -> String {
        self.out.push_str("</svg>\n");
        self.out
    }
}

/// A value axis for bars that start at its low end: linear from 0 when the values are of
/// one order, logarithmic when they span more than [`LOG_SPREAD`] (a 0.1 s step beside a
/// 900 s bound would otherwise be invisible).
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Scale {
    Linear { max: f64, step: f64 },
    Log { low: i32, high: i32 },
}

/// The ratio of the largest to the smallest value above which an axis is logarithmic.
pub(super) const LOG_SPREAD: f64 = 100.0;

impl Scale {
    /// An axis that holds every value of `values` (negatives and non-finite ones ignored).
    pub(super) fn for_values(values: &[f64]) -> Scale {
        let positive: Vec<f64> = values
            .iter()
            .copied()
            .filter(|v| v.is_finite() && *v > 0.0)
            .collect();
        let max = positive.iter().copied().fold(0.0, f64::max);
        let min = positive.iter().copied().fold(f64::MAX, f64::min);
        if max > 0.0 && max / min > LOG_SPREAD {
            let low = min.log10().floor() as i32;
            let high = (max.log10().ceil() as i32).max(low + 1);
            return Scale::Log { low, high };
        }
        Scale::linear(max)
    }

    /// A linear axis from 0 to `max` or a little past it, in steps of 1, 2 or 5 × 10ⁿ.
    pub(super) fn linear(max: f64) -> Scale {
        if max <= 0.0 {
            return Scale::Linear {
                max: 1.0,
                step: 0.2,
            };
        }
        let rough = max / 5.0;
        let magnitude = 10f64.powf(rough.log10().floor());
        let step = [1.0, 2.0, 5.0, 10.0]
            .into_iter()
            .map(|m| m * magnitude)
            .find(|s| *s >= rough)
            .unwrap_or(10.0 * magnitude);
        Scale::Linear {
            max: (max / step).ceil() * step,
            step,
        }
    }

    /// Where `value` falls, from 0 (the low end) to 1 (the high end).
    pub(super) fn fraction(&self, value: f64) -> f64 {
        let fraction = match *self {
            Scale::Linear { max, .. } => value / max,
            Scale::Log { low, high } => {
                if value <= 0.0 {
                    0.0
                } else {
                    (value.log10() - f64::from(low)) / f64::from(high - low)
                }
            }
        };
        if fraction.is_finite() {
            fraction.clamp(0.0, 1.0)
        } else {
            0.0
        }
    }

    /// The values worth a grid line, and their labels.
    pub(super) fn ticks(&self) -> Vec<(f64, String)> {
        match *self {
            Scale::Linear { max, step } => {
                let count = (max / step).round() as u32;
                (0..=count)
                    .map(|i| {
                        let value = f64::from(i) * step;
                        (value, figure_tick(value, step))
                    })
                    .collect()
            }
            Scale::Log { low, high } => (low..=high)
                .map(|d| (10f64.powi(d), decade_label(d)))
                .collect(),
        }
    }

    pub(super) fn is_log(&self) -> bool {
        matches!(self, Scale::Log { .. })
    }
}

/// A tick's label with as many decimals as its step needs.
fn figure_tick(value: f64, step: f64) -> String {
    let decimals = if step >= 1.0 {
        0
    } else {
        (-step.log10().floor()) as usize
    };
    format!("{value:.decimals$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape(r#"a & <b> "c""#), "a &amp; &lt;b&gt; &quot;c&quot;");
    }

    #[test]
    fn decades_read_as_plain_numbers() {
        assert_eq!(decade_label(-2), "0.01");
        assert_eq!(decade_label(0), "1");
        assert_eq!(decade_label(2), "100");
    }

    #[test]
    fn a_linear_axis_ends_on_a_round_step() {
        assert_eq!(
            Scale::linear(9.3),
            Scale::Linear {
                max: 10.0,
                step: 2.0
            }
        );
        assert_eq!(
            Scale::linear(0.31),
            Scale::Linear {
                max: 0.4,
                step: 0.1
            }
        );
        let labels: Vec<String> = Scale::linear(0.31)
            .ticks()
            .into_iter()
            .map(|t| t.1)
            .collect();
        assert_eq!(labels, ["0.0", "0.1", "0.2", "0.3", "0.4"]);
    }

    #[test]
    fn values_far_apart_get_a_log_axis() {
        let scale = Scale::for_values(&[0.1, 0.3, 900.0]);
        assert_eq!(scale, Scale::Log { low: -1, high: 3 });
        assert_eq!(scale.fraction(1.0), 0.25);
        assert!(!Scale::for_values(&[1.0, 20.0]).is_log());
    }

    #[test]
    fn long_text_is_cut_with_an_ellipsis() {
        assert_eq!(shortened("abcdef", 4), "abc…");
        assert_eq!(shortened("abc", 4), "abc");
    }
}
