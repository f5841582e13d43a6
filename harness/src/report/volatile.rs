//! What changes from run to run, masked with fixed placeholders, so that a rendering can be
//! compared with a snapshot: secrets, the run id in created names, times of day, durations
//! and timings, ports, temporary paths, seeds and pids. One redactor for every snapshot.

use std::sync::OnceLock;

use regex::Regex;

use crate::backend::names::PREFIX;
use crate::report::redact::redact;

/// `text` with secrets redacted and the run id inside created names masked
/// (`readiness_1a2b3c4d_…` → `readiness_[run]_…`); nothing else changes.
pub fn without_run_ids(text: &str) -> String {
    let text = redact(text);
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find(PREFIX) {
        let (before, after) = rest.split_at(at + PREFIX.len());
        out.push_str(before);
        let run_id = after.len() >= 9
            && after.as_bytes()[8] == b'_'
            && after[..8].bytes().all(|b| b.is_ascii_hexdigit());
        if run_id {
            out.push_str("[run]");
            rest = &after[8..];
        } else {
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// Every pattern and its placeholder, in the order they apply.
fn masks() -> &'static [(Regex, &'static str)] {
    static MASKS: OnceLock<Vec<(Regex, &'static str)>> = OnceLock::new();
    MASKS.get_or_init(|| {
        let rules: [(&str, &str); 14] = [
            // times of day first, so that their digits are not read as durations
            (
                r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?",
                "[time]",
            ),
            // JSON and XML figures measured in time
            (
                r#""(\w*_ms|ms|\w*seconds|duration|value|median)": -?\d+(\.\d+)?(e-?\d+)?"#,
                r#""$1": 0"#,
            ),
            (r#"\b(time|timestamp)="[^"]*""#, r#"$1="[t]""#),
            (r"/tmp/[^\s\x22'<>)`,;]+", "[tmp]"),
            (
                r"(127\.0\.0\.1|localhost|\[::1\]|0\.0\.0\.0):\d+",
                "$1:[port]",
            ),
            (r"\b(port) \d+", "$1 [port]"),
            (r"\b(pid|PID) \d+", "$1 [pid]"),
            (
                r#"("seed": |seed:? `?|seed <code>|<dt>seed</dt><dd><code>|--seed |READINESS_SEED=)\d+"#,
                "$1[seed]",
            ),
            (r"\bPostgreSQL (\d+)\.\d+\b", "PostgreSQL $1.x"),
            // durations and rates: "1.2 s", "340 ms", "12.5 µs", "3 min", "1.2 MB/s"
            (
                r"\b\d+(\.\d+)?\s?(ms|µs|us|ns|s|sec|seconds?|min|minutes?|h)\b",
                "[duration]",
            ),
            (r"\b\d+(\.\d+)?(\s?[A-Za-z]+)?/s\b", "[rate]"),
            (r"\b(per second:?) \d+(\.\d+)?", "$1 [rate]"),
            (r"\b\d+(\.\d+)?\s?(MB|KB|GB|kB)\b", "[size]"),
            (r"\b\d+(\.\d+)?×", "[ratio]"),
        ];
        rules
            .into_iter()
            .map(|(pattern, with)| (Regex::new(pattern).expect("a valid mask"), with))
            .collect()
    })
}

/// The workspace this harness was built from: where the bundled subjects are read from,
/// a different directory in every clone.
fn workspace_root() -> &'static str {
    static ROOT: OnceLock<String> = OnceLock::new();
    ROOT.get_or_init(|| {
        let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        manifest.parent().unwrap_or(manifest).display().to_string()
    })
}

/// `text` as it reads in every run: [`without_run_ids`], the workspace's path as `[repo]`,
/// then every volatile figure masked.
pub fn stable(text: &str) -> String {
    let mut out = without_run_ids(text).replace(workspace_root(), "[repo]");
    for (pattern, with) in masks() {
        out = pattern.replace_all(&out, *with).into_owned();
    }
    out
}

/// [`stable`], with each inline chart (`<svg>…</svg>`) replaced by `<svg>[chart]</svg>`:
/// for a real run's rendering, whose charts draw measured times, down to how many ticks an
/// axis has (a fixed scorecard's charts are compared whole).
pub fn stable_shape(text: &str) -> String {
    let text = stable(text);
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(start) = rest.find("<svg") {
        let Some(length) = rest[start..].find("</svg>") else {
            break;
        };
        out.push_str(&rest[..start]);
        out.push_str("<svg>[chart]</svg>");
        rest = &rest[start + length + "</svg>".len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_ids_are_masked_and_nothing_else() {
        assert_eq!(
            without_run_ids("db readiness_0a1b2c3d_4_x and readiness_notarun"),
            "db readiness_[run]_4_x and readiness_notarun"
        );
    }

    #[test]
    fn times_ports_paths_seeds_and_durations_are_masked() {
        let text = "started 2026-11-30T23:16:43Z on 127.0.0.1:54321 (port 5433, pid 4242) \
                    in /tmp/.tmpAbC12/data, seed 1234, seed: 99, took 12.5 s and 340 ms, PostgreSQL 15.14 (fast profile), \
                    restored 3.2 MB/s, 1200 rows/s, 741 cases/s, cases per second: 741, backup 1.2 MB, 1.26× direct";
        assert_eq!(
            stable(text),
            "started [time] on 127.0.0.1:[port] (port [port], pid [pid]) \
             in [tmp], seed [seed], seed: [seed], took [duration] and [duration], PostgreSQL 15.x (fast profile), \
             restored [rate], [rate], [rate], cases per second: [rate], backup [size], [ratio] direct"
        );
    }

    #[test]
    fn a_real_runs_charts_are_masked_and_the_page_kept() {
        assert_eq!(
            stable_shape(r#"<div width="3"><svg width="9"><rect x="1.5"/></svg><p>1 ms</p></div>"#),
            r#"<div width="3"><svg>[chart]</svg><p>[duration]</p></div>"#
        );
    }

    #[test]
    fn the_workspace_path_is_masked_wherever_the_clone_is() {
        let path = format!("{}/scenarios/subjects/instantviz", workspace_root());
        assert_eq!(
            stable(&format!("migrations read: 3 from {path}")),
            "migrations read: 3 from [repo]/scenarios/subjects/instantviz"
        );
    }

    #[test]
    fn json_and_junit_figures_are_masked() {
        assert_eq!(
            stable(r#"{"duration_ms": 12.25, "rto_seconds": 3.5, "seed": 99, "rows": 12}"#),
            r#"{"duration_ms": 0, "rto_seconds": 0, "seed": [seed], "rows": 12}"#
        );
        assert_eq!(
            stable("<dt>seed</dt><dd><code>7</code></dd> and seed <code>99</code>"),
            "<dt>seed</dt><dd><code>[seed]</code></dd> and seed <code>[seed]</code>"
        );
        assert_eq!(
            stable(r#"<testcase name="x" time="1.234" timestamp="2026-11-30T23:16:43Z">"#),
            r#"<testcase name="x" time="[t]" timestamp="[t]">"#
        );
    }
}
