//! The scorecard's renderings: terminal text, `report.json`, JUnit XML and Markdown.
//! Every rendering is built from an already redacted scorecard.

pub mod evidence;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod redact;
pub mod terminal;

use std::path::{Path, PathBuf};

use crate::report::evidence::{Evidence, Scorecard};

/// Writes `report.json`, `junit.xml` and `summary.md` into `dir` (created if missing) and
/// returns their paths.
pub fn write_all(scorecard: &Scorecard, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let files = [
        ("report.json", json::render(scorecard)),
        ("junit.xml", junit::render(scorecard)),
        ("summary.md", markdown::render(scorecard)),
    ];
    let mut written = Vec::new();
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::write(&path, text)?;
        written.push(path);
    }
    Ok(written)
}

/// Evidence as indented lines: observations, counterexamples, timings, seed.
pub(crate) fn evidence_lines(evidence: &Evidence, limit: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for o in &evidence.observations {
        lines.push(format!("{}: {}", o.label, o.value));
    }
    for (i, c) in evidence.counterexamples.iter().enumerate() {
        if i == limit {
            lines.push(format!(
                "… and {} more counterexamples in report.json",
                evidence.counterexamples.len() - limit
            ));
            break;
        }
        lines.push(format!("counterexample: {}", c.title));
        lines.extend(c.details.iter().map(|d| format!("  {d}")));
    }
    if !evidence.timings.is_empty() {
        let timings: Vec<String> = evidence
            .timings
            .iter()
            .map(|t| format!("{} {:.1} ms", t.label, t.ms))
            .collect();
        lines.push(format!("timings: {}", timings.join(", ")));
    }
    if let Some(seed) = evidence.seed {
        lines.push(format!("seed: {seed}"));
    }
    lines
}
/// "1.2 MB".
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}
