//! A client program or a subject's command judged by its exit status: the harness's one
//! runner ([`crate::process::command::run_to_end`]), with what failed put into a [`BackupError`]
//! and the output kept for the evidence.

use std::process::ExitStatus;
use std::time::Duration;

use tokio::process::Command;

use super::BackupError;
use crate::process::command::{run_to_end, CommandOutput};

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
        CommandOutput {
            status: Some(self.status),
            stdout: String::new(),
            stderr: String::new(),
            elapsed: self.elapsed,
            timed_out: false,
        }
        .outcome()
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

/// Runs `cmd` until it exits or `deadline` passes; a program still running at the
/// deadline is killed with its whole process group and reported as timed out.
pub async fn run(
    cmd: Command,
    program: &str,
    what: &str,
    deadline: Duration,
) -> Result<Finished, BackupError> {
    let ran = run_to_end(cmd, deadline)
        .await
        .map_err(|source| BackupError::Spawn {
            program: program.to_owned(),
            source,
        })?;
    finished(ran, program, what, deadline)
}

/// A run's output as a [`Finished`], or the timeout it came to.
pub fn finished(
    ran: CommandOutput,
    program: &str,
    what: &str,
    deadline: Duration,
) -> Result<Finished, BackupError> {
    let Some(status) = ran.status else {
        return Err(BackupError::TimedOut {
            what: what.to_owned(),
            program: program.to_owned(),
            seconds: deadline.as_secs(),
        });
    };
    Ok(Finished {
        program: program.to_owned(),
        status,
        output: ran.last_lines(OUTPUT_LINES).join(" | "),
        stdout: ran.stdout,
        stderr: ran.stderr,
        elapsed: ran.elapsed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
