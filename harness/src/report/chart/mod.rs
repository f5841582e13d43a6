//! Charts of the HTML report and of `readiness bench`: pure functions from figures to
//! self-contained SVG strings, the same bytes for the same input (no clock, no random ids).
//!
//! Hand-written SVG rather than `plotters`: without a system font library plotters guesses
//! every text's width from its character count, which clips tick labels and overflows legends
//! with the long query and scenario names shown here.

pub mod drill;
pub mod durations;
pub mod latency;
pub mod trend;

mod svg;
