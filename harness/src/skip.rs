//! For test suites: a test whose prerequisite (a Docker engine, an image, root) is missing
//! prints one `SKIP` line and returns, unless the environment variable that promises the
//! prerequisite is `1` (`.ci/run` sets it where the machine has it), which fails the test.

use std::io::Write as _;

/// Promises a Docker engine and the test image.
pub const REQUIRE_DOCKER: &str = "READINESS_REQUIRE_DOCKER";
/// Promises root (mounting a small tmpfs).
pub const REQUIRE_ROOT: &str = "READINESS_REQUIRE_ROOT";

/// Whether `switch` is set to `1`.
pub fn required(switch: &str) -> bool {
    std::env::var(switch).is_ok_and(|v| v == "1")
}

/// Reports that `test` is skipped because `why`; fails instead when `switch` is `1`.
#[track_caller]
pub fn skip(test: &str, why: &str, switch: &str) {
    assert!(!required(switch), "{switch}=1 but {test}: {why}");
    // straight to stderr, past the test harness's capture (which only takes `eprintln!`),
    // so that every run shows it; one write, so that it is not interleaved with others
    let line = format!("SKIP {test}: {why} ({switch}=1 makes this a failure)\n");
    let _ = std::io::stderr().write_all(line.as_bytes());
}
