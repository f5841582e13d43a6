//! Exit codes, in one place.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | every selected claim is PROVEN; with `--baseline`, nothing got worse than the baseline |
//! | 1 | some claim is REFUTED or NOT PROVEN; with `--baseline`, something got worse than the baseline |
//! | 2 | usage or environment error: bad arguments, bad manifest, no PostgreSQL |
//! | 130 | interrupted (Ctrl-C); everything started was torn down |

use std::process::ExitCode;

pub const PROVEN: u8 = 0;
pub const NOT_ALL_PROVEN: u8 = 1;
pub const USAGE: u8 = 2;
pub const INTERRUPTED: u8 = 130;

/// Prints the error chain once, redacted, and returns the usage exit code.
pub fn report_error(error: &anyhow::Error) -> ExitCode {
    eprintln!(
        "error: {}",
        harness::report::redact::redact(&chain_text(error))
    );
    ExitCode::from(USAGE)
}

/// The chain of causes in one line, each cause once: an error whose message already ends
/// with its source's (`failed to X: <source>`) is not followed by the source again.
fn chain_text(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain().map(|e| e.to_string()) {
        if text.ends_with(&cause) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&cause);
    }
    text
}

/// A scorecard's exit code: input errors first; then, against a baseline, whether anything
/// got worse; else anything not proven.
pub fn of_scorecard(scorecard: &harness::report::evidence::Scorecard) -> u8 {
    if !scorecard.input_errors.is_empty() {
        USAGE
    } else if let Some(baseline) = &scorecard.baseline {
        if baseline.holds() {
            PROVEN
        } else {
            NOT_ALL_PROVEN
        }
    } else if scorecard.all_proven() {
        PROVEN
    } else {
        NOT_ALL_PROVEN
    }
}

/// One outcome's exit code.
pub fn of_status(status: harness::Status) -> u8 {
    if status == harness::Status::Proven {
        PROVEN
    } else {
        NOT_ALL_PROVEN
    }
}

/// The exit code of several runs: a usage error first, then anything not proven.
pub fn worst(a: u8, b: u8) -> u8 {
    let rank = |code: u8| match code {
        USAGE => 2,
        NOT_ALL_PROVEN => 1,
        _ => 0,
    };
    if rank(b) > rank(a) {
        b
    } else {
        a
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cause_already_in_its_message_is_not_repeated() {
        let inner = harness::run::scenario::ScenarioError::failed(
            "connect",
            std::io::Error::other("refused"),
        );
        let error = anyhow::Error::new(inner).context("failed to start");
        assert_eq!(
            chain_text(&error),
            "failed to start: failed to connect: refused"
        );
    }

    #[test]
    fn usage_errors_outrank_refutations() {
        assert_eq!(worst(NOT_ALL_PROVEN, USAGE), USAGE);
        assert_eq!(worst(USAGE, PROVEN), USAGE);
        assert_eq!(worst(PROVEN, NOT_ALL_PROVEN), NOT_ALL_PROVEN);
    }
}
