//! `report.json`: the scorecard as data.

use crate::report::evidence::Scorecard;

pub fn render(scorecard: &Scorecard) -> String {
    let mut text = serde_json::to_string_pretty(scorecard).expect("a scorecard always serializes");
    text.push('\n');
    text
}
