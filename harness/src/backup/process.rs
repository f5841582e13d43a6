//! Running a client program or a subject's command to completion under a deadline, with
//! its output kept for the evidence and its exit status as the only verdict.

use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use tokio::process::Command;

use super::BackupError;
use crate::process_group::GroupKill;

/// How many lines of a program's output the evidence keeps.
const OUTPUT_LINES: usize = 12;

/// A program that ran to its end.
#[derive(Debug, Clone)]
pub struct Finished {
    pub program: String,
    pub status: ExitStatus,
    /// The last lines of stderr, then stdout, joined with " | ".
    pub output: String,
    /// Everything it wrote.
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Finished {
    pub fn success(&self) -> bool {
        self.status.success()
    }

    /// "exited with 1", "was killed by signal 9".
    pub fn describe_status(&self) -> String {
        describe(self.status)
    }

    /// The error for a run that did not succeed.
    pub fn into_error(self, what: impl Into<String>, partial_bytes: Option<u64>) -> BackupError {
        BackupError::Failed {
            what: what.into(),
            status: self.describe_status(),
            program: self.program,
            output: self.output,
            partial_bytes,
        }
    }
}

/// Runs `cmd` (stdin closed, output captured) until it exits or `deadline` passes; a
/// program still running at the deadline is killed with its whole process group and
/// reported as timed out.
pub async fn run(
    mut cmd: Command,
    program: &str,
    what: &str,
    deadline: Duration,
) -> Result<Finished, BackupError> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let started = Instant::now();
    let child = GroupKill::isolate(&mut cmd)
        .spawn()
        .map_err(|source| BackupError::Spawn {
            program: program.to_owned(),
            source,
        })?;
    let group = GroupKill::arm(&child);
    let output = match tokio::time::timeout(deadline, child.wait_with_output()).await {
        Err(_) => {
            drop(group);
            return Err(BackupError::TimedOut {
                what: what.to_owned(),
                program: program.to_owned(),
                seconds: deadline.as_secs(),
            });
        }
        Ok(Err(e)) => return Err(BackupError::io(format!("wait for `{program}`"), e)),
        Ok(Ok(output)) => {
            group.disarm();
            output
        }
    };
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let mut text = stderr.clone();
    if !stdout.trim().is_empty() {
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&stdout);
    }
    Ok(Finished {
        program: program.to_owned(),
        status: output.status,
        output: tail(&text, OUTPUT_LINES),
        stdout,
        stderr,
        elapsed: started.elapsed(),
    })
}

/// The last `lines` non-empty lines of `text`, joined with " | ".
pub fn tail(text: &str, lines: usize) -> String {
    let kept: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let start = kept.len().saturating_sub(lines);
    kept[start..].join(" | ")
}

/// "exited with 1", "was killed by signal 9".
pub fn describe(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exited with {code}"),
        (None, Some(signal)) => format!("was killed by signal {signal}"),
        (None, None) => "ended without a status".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tails_keep_the_last_non_empty_lines() {
        assert_eq!(tail("a\n\nb\nc\n", 2), "b | c");
        assert_eq!(tail("", 3), "");
    }

    #[tokio::test]
    async fn exit_status_is_the_verdict() {
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg("echo partial > /dev/null; echo oops >&2; exit 3");
        let finished = run(cmd, "sh", "run a test", Duration::from_secs(10))
            .await
            .unwrap();
        assert!(!finished.success());
        assert_eq!(finished.describe_status(), "exited with 3");
        assert_eq!(finished.output, "oops");
    }

    #[tokio::test]
    async fn a_program_past_its_deadline_is_stopped() {
        let mut cmd = Command::new("sleep");
        cmd.arg("30");
        let err = run(cmd, "sleep", "sleep", Duration::from_millis(100))
            .await
            .unwrap_err();
        assert!(matches!(err, BackupError::TimedOut { .. }), "{err}");
    }
}
