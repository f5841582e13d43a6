//! Exit codes, in one place.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | every selected claim is PROVEN |
//! | 1 | some claim is REFUTED or NOT PROVEN |
//! | 2 | usage or environment error: bad arguments, bad manifest, no PostgreSQL |
//! | 130 | interrupted (Ctrl-C); everything started was torn down |

use std::process::ExitCode;

pub const PROVEN: u8 = 0;
pub const NOT_ALL_PROVEN: u8 = 1;
pub const USAGE: u8 = 2;
pub const INTERRUPTED: u8 = 130;

/// Prints the error chain once, redacted, and returns the usage exit code.
pub fn report_error(error: &anyhow::Error) -> ExitCode {
    let chain: Vec<String> = error.chain().map(|e| e.to_string()).collect();
    eprintln!("error: {}", harness::redact::redact(&chain.join(": ")));
    ExitCode::from(USAGE)
}
