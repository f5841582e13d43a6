//! `report.html`: the scorecard as one self-contained page (inline CSS and SVG charts, no
//! script that fetches anything, nothing from the network), the same bytes for the same
//! scorecard.

mod claims;
mod evidence;
mod history;
mod mutation;
mod page;
mod status;
#[cfg(test)]
mod tests;

use crate::report::evidence::Scorecard;

/// The whole page of `scorecard`.
pub fn render(scorecard: &Scorecard) -> String {
    page::page(scorecard).into_string()
}
