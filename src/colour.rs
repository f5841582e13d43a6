//! Status words in colour — PROVEN green, REFUTED red, NOT PROVEN yellow — only on a
//! terminal and without `NO_COLOR` (set to anything non-empty: <https://no-color.org>).

use std::ffi::OsStr;
use std::io::IsTerminal;

use console::Style;

/// Whether a stream may carry colour: it is a terminal and `NO_COLOR` is unset or empty.
pub fn wanted(is_terminal: bool, no_color: Option<&OsStr>) -> bool {
    let refused = no_color.is_some_and(|value| !value.is_empty());
    is_terminal && !refused
}

/// [`wanted`] for this process's stdout.
pub fn on_stdout() -> bool {
    wanted(
        std::io::stdout().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    )
}

/// [`wanted`] for this process's stderr.
pub fn on_stderr() -> bool {
    wanted(
        std::io::stderr().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    )
}

/// The status words, "NOT PROVEN" before "PROVEN", which ends it.
const STATUS_WORDS: [&str; 3] = ["NOT PROVEN", "PROVEN", "REFUTED"];

fn style_of(word: &str) -> Style {
    let style = Style::new().force_styling(true);
    match word {
        "PROVEN" => style.green(),
        "REFUTED" => style.red(),
        _ => style.yellow(),
    }
}

/// `label` (a status's label) in its colour; any other word as it is.
pub fn status(label: &str) -> String {
    if STATUS_WORDS.contains(&label) {
        style_of(label).apply_to(label).to_string()
    } else {
        label.to_owned()
    }
}

/// [`status`] when stdout may carry colour, else `label` as it is.
pub fn status_on_stdout(label: &str) -> String {
    if on_stdout() {
        status(label)
    } else {
        label.to_owned()
    }
}

/// The plain scorecard of `harness::report::terminal::render` with the status words of
/// its claims' lines ("  PROVEN      migrations …") and of its totals line
/// ("  3/5 PROVEN · 1 REFUTED · 1 NOT PROVEN · 9.0 s") coloured; evidence is left alone.
pub fn scorecard(plain: &str) -> String {
    plain
        .split_inclusive('\n')
        .map(|line| {
            claim_line(line)
                .or_else(|| totals_line(line))
                .unwrap_or_else(|| line.to_owned())
        })
        .collect()
}

fn claim_line(line: &str) -> Option<String> {
    let rest = line.strip_prefix("  ")?;
    let word = STATUS_WORDS
        .into_iter()
        .find(|word| rest.strip_prefix(word).is_some_and(|r| r.starts_with(' ')))?;
    Some(format!("  {}{}", status(word), &rest[word.len()..]))
}

fn totals_line(line: &str) -> Option<String> {
    let rest = line.strip_prefix("  ")?;
    let parts: Vec<&str> = rest.split(" · ").collect();
    // "3/5 PROVEN", "1 REFUTED": the count and the word
    let split = |part: &str| {
        STATUS_WORDS.into_iter().find_map(|word| {
            let count = part.strip_suffix(word)?.strip_suffix(' ')?.to_owned();
            let is_count =
                !count.is_empty() && count.chars().all(|c| c.is_ascii_digit() || c == '/');
            is_count.then_some((count, word))
        })
    };
    if split(parts.first()?).map(|(_, word)| word) != Some("PROVEN") {
        return None;
    }
    let coloured: Vec<String> = parts
        .iter()
        .map(|part| match split(part) {
            // a word that counts nothing ("0 REFUTED") stays plain
            Some((count, word)) if count.split('/').next() != Some("0") => {
                format!("{count} {}", status(word))
            }
            _ => (*part).to_owned(),
        })
        .collect();
    Some(format!("  {}", coloured.join(" · ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_on_a_terminal_and_never_under_a_non_empty_no_color() {
        assert!(wanted(true, None));
        assert!(wanted(true, Some(OsStr::new(""))));
        assert!(!wanted(true, Some(OsStr::new("1"))));
        assert!(!wanted(true, Some(OsStr::new("0"))));
        assert!(!wanted(false, None));
        assert!(!wanted(false, Some(OsStr::new(""))));
    }

    #[test]
    fn the_claims_status_words_and_the_totals_are_coloured_and_nothing_else() {
        let plain = [
            "",
            "readiness scorecard: instantviz",
            "  native · seed 7",
            "",
            "  PROVEN      migrations      Migrations apply",
            "  NOT PROVEN  backups         Backups restore",
            "  REFUTED     indexes         Indexes",
            "                              ✗ a/b (1.0 s): REFUTED by a PROVEN row",
            "",
            "  1/3 PROVEN · 1 REFUTED · 1 NOT PROVEN · 9.0 s",
            "",
        ]
        .join("\n");
        let plain = plain.as_str();
        let coloured = scorecard(plain);
        let green = |w: &str| format!("\u{1b}[32m{w}\u{1b}[0m");
        let red = |w: &str| format!("\u{1b}[31m{w}\u{1b}[0m");
        let yellow = |w: &str| format!("\u{1b}[33m{w}\u{1b}[0m");
        assert!(coloured.contains(&format!("  {}      migrations", green("PROVEN"))));
        assert!(coloured.contains(&format!("  {}  backups", yellow("NOT PROVEN"))));
        assert!(coloured.contains(&format!("  {}     indexes", red("REFUTED"))));
        assert!(coloured.contains(&format!(
            "  1/3 {} · 1 {} · 1 {} · 9.0 s\n",
            green("PROVEN"),
            red("REFUTED"),
            yellow("NOT PROVEN")
        )));
        assert!(coloured.contains("(1.0 s): REFUTED by a PROVEN row\n"));
        assert!(
            scorecard("  0/2 PROVEN · 0 REFUTED · 2 NOT PROVEN · 1.0 s\n").starts_with(&format!(
                "  0/2 PROVEN · 0 REFUTED · 2 {} · 1.0 s",
                yellow("NOT PROVEN")
            ))
        );
        // without the escapes it is the plain text, byte for byte
        let stripped = console::strip_ansi_codes(&coloured);
        assert_eq!(stripped, plain);
    }
}
