//! The subjects bundled with readiness: `instantviz` (the report's app after the fixes)
//! and `instantviz-before` (the negative control).

use std::path::PathBuf;

/// The directory holding the bundled subjects.
pub fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("subjects")
}

/// A bundled subject's directory, e.g. `bundled("instantviz")`.
pub fn bundled(name: &str) -> PathBuf {
    dir().join(name)
}

pub const INSTANTVIZ: &str = "instantviz";
pub const INSTANTVIZ_BEFORE: &str = "instantviz-before";
