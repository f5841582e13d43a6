//! `report.json`: the scorecard as data, and its JSON Schema.

use crate::report::evidence::Scorecard;

pub fn render(scorecard: &Scorecard) -> String {
    let mut text = serde_json::to_string_pretty(scorecard).expect("a scorecard always serializes");
    text.push('\n');
    text
}

/// `report.json`'s JSON Schema, as committed in `docs/report.schema.json`: generated from
/// the report types, their doc comments its descriptions.
pub fn schema() -> String {
    let schema = schemars::schema_for!(Scorecard);
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema always serializes");
    text.push('\n');
    text
}
