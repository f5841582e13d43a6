//! The scorecard's renderings — terminal text, `report.json`, `report.html` with its
//! charts, JUnit XML and Markdown — and what they draw on: figures, trends across runs,
//! a baseline comparison. Every rendering is built from an already redacted scorecard.

pub mod baseline;
pub mod chart;
pub mod evidence;
pub mod figure;
pub mod history;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod mutation;
pub mod redact;
pub mod terminal;
pub mod volatile;

use std::path::{Path, PathBuf};

use crate::report::evidence::{Evidence, Scorecard};

/// One report file written: where, how big, and how long it took to render.
#[derive(Debug, Clone)]
pub struct Written {
    pub path: PathBuf,
    pub bytes: usize,
    pub render: std::time::Duration,
}

impl std::fmt::Display for Written {
    /// "readiness-report/report.html (97.3 KB, rendered in 2.1 ms)".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}, rendered in {:.1} ms)",
            self.path.display(),
            human_bytes(self.bytes as u64),
            self.render.as_secs_f64() * 1000.0
        )
    }
}

/// Writes `report.json`, `junit.xml`, `summary.md` and `report.html` into `dir` (created
/// if missing).
pub fn write_all(scorecard: &Scorecard, dir: &Path) -> std::io::Result<Vec<Written>> {
    std::fs::create_dir_all(dir)?;
    type Render = fn(&Scorecard) -> String;
    let renderings: [(&str, Render); 4] = [
        ("report.json", json::render),
        ("junit.xml", junit::render),
        ("summary.md", markdown::render),
        ("report.html", html::render),
    ];
    let mut written = Vec::new();
    for (name, render) in renderings {
        let started = std::time::Instant::now();
        let text = render(scorecard);
        let render = started.elapsed();
        let path = dir.join(name);
        std::fs::write(&path, &text)?;
        written.push(Written {
            path,
            bytes: text.len(),
            render,
        });
    }
    Ok(written)
}

/// How many lines of a value of several lines (a command's output) the human renderings
/// show: its last ones, after a line saying how many were left out. `report.json` keeps
/// them all.
pub const TAIL_LINES: usize = 8;

/// How many findings the human renderings show for each counterexample they show (their
/// `limit`); `report.json` keeps them all.
const FINDINGS_PER_LIMIT: usize = 4;

/// The indentation of the lines of a value of several lines, under its label.
const TAIL_INDENT: &str = "    ";

/// Evidence as indented lines: observations, findings (one a line), counterexamples,
/// timings, seed. An observation or a counterexample detail of several lines is shown as
/// its label (a detail's first line), then its lines indented under it and cut by
/// [`tail_lines`]. At most `limit` counterexamples are shown, and `limit` × 4 findings.
pub(crate) fn evidence_lines(evidence: &Evidence, limit: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for o in &evidence.observations {
        if is_multiline(&o.value) {
            lines.push(format!("{}:", o.label));
            lines.extend(indented_tail(&o.value));
        } else {
            lines.push(format!("{}: {}", o.label, o.value.trim()));
        }
    }
    let findings_shown = limit.saturating_mul(FINDINGS_PER_LIMIT);
    for (i, f) in evidence.findings.iter().enumerate() {
        if i == findings_shown {
            lines.push(format!(
                "… and {} more findings in report.json",
                evidence.findings.len() - findings_shown
            ));
            break;
        }
        lines.push(format!("finding: {}", one_line(&f.text)));
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
        for d in &c.details {
            if is_multiline(d) {
                let (head, rest) = d
                    .trim_start_matches('\n')
                    .split_once('\n')
                    .unwrap_or((d, ""));
                lines.push(format!("  {}", head.trim_end()));
                lines.extend(indented_tail(rest));
            } else {
                lines.push(format!("  {}", d.trim()));
            }
        }
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

/// Whether `text` has more than one line with something on it.
fn is_multiline(text: &str) -> bool {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .nth(1)
        .is_some()
}

/// `text` on one line: its lines joined by a space.
fn one_line(text: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    lines.join(" ")
}

/// [`tail_lines`] of `text`, each indented under its label.
fn indented_tail(text: &str) -> Vec<String> {
    tail_lines(text, TAIL_LINES)
        .into_iter()
        .map(|l| format!("{TAIL_INDENT}{l}"))
        .collect()
}

/// The last `n` lines of `text` that have something on them (their ends trimmed), after a
/// line `(… K earlier lines left out)` when there were more: how the human renderings cut
/// a command's output.
pub fn tail_lines(text: &str, n: usize) -> Vec<String> {
    let all: Vec<&str> = text
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect();
    let left_out = all.len().saturating_sub(n);
    let mut lines = Vec::with_capacity(all.len() - left_out + 1);
    match left_out {
        0 => {}
        1 => lines.push("(… 1 earlier line left out)".to_owned()),
        k => lines.push(format!("(… {k} earlier lines left out)")),
    }
    lines.extend(all[left_out..].iter().map(|l| (*l).to_owned()));
    lines
}

/// A long list said in short: the first and last few items and how many were left out
/// between them ("a, b, c, … 279 more …, x, y, z").
pub fn summarised<S: AsRef<str>>(items: &[S]) -> String {
    const EACH_END: usize = 3;
    let items: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
    if items.len() <= 2 * EACH_END + 1 {
        return items.join(", ");
    }
    format!(
        "{}, … {} more …, {}",
        items[..EACH_END].join(", "),
        items.len() - 2 * EACH_END,
        items[items.len() - EACH_END..].join(", ")
    )
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::evidence::Evidence;

    fn numbered(n: usize) -> String {
        (1..=n).map(|i| format!("line {i}\n")).collect()
    }

    #[test]
    fn a_tail_keeps_the_last_lines_and_counts_the_others() {
        assert_eq!(tail_lines("one\ntwo\n", 8), ["one", "two"]);
        assert_eq!(
            tail_lines(&numbered(10), 8),
            [
                "(… 2 earlier lines left out)",
                "line 3",
                "line 4",
                "line 5",
                "line 6",
                "line 7",
                "line 8",
                "line 9",
                "line 10"
            ]
        );
        assert_eq!(
            tail_lines(&numbered(3), 2),
            ["(… 1 earlier line left out)", "line 2", "line 3"]
        );
        // blank lines say nothing and count for nothing; ends are trimmed, not starts
        assert_eq!(tail_lines("\n  a  \n\n   \r\nb\r\n", 8), ["  a", "b"]);
        assert!(tail_lines("", 8).is_empty());
    }

    #[test]
    fn a_long_list_keeps_its_ends_and_counts_the_middle() {
        let names: Vec<String> = (1..=285).map(|i| format!("{i:04}")).collect();
        assert_eq!(
            summarised(&names),
            "0001, 0002, 0003, … 279 more …, 0283, 0284, 0285"
        );
        assert_eq!(summarised(&["a", "b", "c"]), "a, b, c");
        assert_eq!(summarised::<&str>(&[]), "");
    }

    #[test]
    fn evidence_reads_one_finding_a_line_and_output_under_its_label() {
        let mut evidence = Evidence::new("summary")
            .observe("command", "./monitor.sh")
            .observe("output", numbered(12))
            .counterexample(
                "the monitor does not show what it claims",
                vec![
                    "exits 0 with the database down".into(),
                    format!(
                        "with a fresh backup, `./monitor.sh` exited with 1; its output:\n{}",
                        numbered(3)
                    ),
                ],
            );
        evidence.push_finding(
            "rule-a public.users",
            "rule-a on public.users:\nuse the other way",
        );
        evidence.push_finding("rule-b public.notes", "rule-b on public.notes");
        assert_eq!(
            evidence_lines(&evidence, 5),
            [
                "command: ./monitor.sh",
                "output:",
                "    (… 4 earlier lines left out)",
                "    line 5",
                "    line 6",
                "    line 7",
                "    line 8",
                "    line 9",
                "    line 10",
                "    line 11",
                "    line 12",
                "finding: rule-a on public.users: use the other way",
                "finding: rule-b on public.notes",
                "counterexample: the monitor does not show what it claims",
                "  exits 0 with the database down",
                "  with a fresh backup, `./monitor.sh` exited with 1; its output:",
                "    line 1",
                "    line 2",
                "    line 3",
            ]
        );
        // the scorecard keeps every line
        assert_eq!(evidence.observations[1].value, numbered(12));
    }

    #[test]
    fn findings_beyond_what_a_rendering_shows_are_counted() {
        let mut evidence = Evidence::new("summary");
        for i in 0..7 {
            evidence.push_finding(format!("rule t{i}"), format!("rule on t{i}"));
        }
        let lines = evidence_lines(&evidence, 1);
        assert_eq!(lines.len(), 5, "{lines:?}");
        assert_eq!(lines[4], "… and 3 more findings in report.json");
        assert_eq!(evidence_lines(&evidence, usize::MAX).len(), 7);
    }
}
