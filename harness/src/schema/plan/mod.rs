//! Query plans: `EXPLAIN (FORMAT JSON, ANALYZE)` output read into a tree ([`tree`]), the
//! indexes and sequential scans in it, and a rendering without costs, timings or buffers
//! that is stable enough to snapshot ([`render`]).

pub mod render;
pub mod tree;

pub use render::render_redacted;
pub use tree::{Explained, PlanError, PlanNode, TriggerTime};
