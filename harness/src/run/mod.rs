//! Running scenarios: the scenario contract and its context, the runner that turns
//! outcomes, errors, panics and timeouts into a scorecard, seeds, and progress reports.

pub mod progress;
pub mod runner;
pub mod scenario;
pub mod seed;
