//! Running programs to their end: the one runner every subprocess goes through (stdin
//! closed, output captured, a process group of its own killed whole at the deadline), and
//! the subject's own commands (migrations, backup, restore and monitoring scripts) against
//! a disposable database: `sh -c` in the subject's directory, with the database's `PG*`
//! variables and `DATABASE_URL`, the server's client tools first on `PATH`.

use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::process::group::GroupKill;

/// A command to run, built up with `with_*` methods.
#[derive(Debug, Clone)]
pub struct SubjectCommand {
    command: String,
    workdir: PathBuf,
    env: Vec<(String, String)>,
    path_prefix: Option<PathBuf>,
    deadline: Duration,
}

/// What a program did.
#[derive(Debug, Clone)]
pub struct CommandOutput {
    /// How it ended; `None` when it was killed at its deadline.
    pub status: Option<ExitStatus>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
    pub timed_out: bool,
}

impl CommandOutput {
    /// The exit code; `None` when it was killed (by a signal or the deadline).
    pub fn code(&self) -> Option<i32> {
        self.status.and_then(|s| s.code())
    }

    pub fn succeeded(&self) -> bool {
        self.code() == Some(0)
    }

    /// "exited with 1", "was killed by signal 9", "was killed at its deadline".
    pub fn outcome(&self) -> String {
        match self.status {
            None => "was killed at its deadline".to_owned(),
            Some(status) => exit_outcome(status),
        }
    }

    /// The last `lines` non-empty lines of stderr, then stdout, one per line.
    pub fn tail(&self, lines: usize) -> String {
        self.last_lines(lines).join("\n")
    }

    /// The last `lines` non-empty lines of stderr, then stdout.
    pub fn last_lines(&self, lines: usize) -> Vec<&str> {
        let all: Vec<&str> = self
            .stderr
            .lines()
            .chain(self.stdout.lines())
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        all[all.len().saturating_sub(lines)..].to_vec()
    }
}

/// "exited with 1", "was killed by signal 9".
pub fn exit_outcome(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exited with {code}"),
        (None, Some(signal)) => format!("was killed by signal {signal}"),
        (None, None) => "ended without a status".to_owned(),
    }
}

/// Runs `cmd` to its end: stdin closed, output captured, in a process group of its own
/// that is killed whole when `deadline` passes (the output is then lost). An error only
/// when the program could not be started or waited for.
pub async fn run_to_end(
    mut cmd: tokio::process::Command,
    deadline: Duration,
) -> std::io::Result<CommandOutput> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    GroupKill::isolate(&mut cmd);
    let started = Instant::now();
    let child = cmd.spawn()?;
    let group = GroupKill::arm(&child);
    match tokio::time::timeout(deadline, child.wait_with_output()).await {
        Ok(output) => {
            group.disarm();
            let output = output?;
            Ok(CommandOutput {
                status: Some(output.status),
                stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
                elapsed: started.elapsed(),
                timed_out: false,
            })
        }
        Err(_) => {
            drop(group);
            Ok(CommandOutput {
                status: None,
                stdout: String::new(),
                stderr: String::new(),
                elapsed: started.elapsed(),
                timed_out: true,
            })
        }
    }
}

impl SubjectCommand {
    pub fn new(command: &str, workdir: &Path) -> SubjectCommand {
        SubjectCommand {
            command: command.to_owned(),
            workdir: workdir.to_owned(),
            env: Vec::new(),
            path_prefix: None,
            deadline: Duration::from_secs(600),
        }
    }

    /// Sets a database's variables (`ConnInfo::env`: `PGHOST`, `PGPORT`, `PGUSER`,
    /// `PGPASSWORD`, `PGDATABASE` and `DATABASE_URL`).
    pub fn with_database(mut self, env: Vec<(&'static str, String)>) -> Self {
        self.env
            .extend(env.into_iter().map(|(k, v)| (k.to_owned(), v)));
        self
    }

    /// Puts a directory of programs first on `PATH` (the server's client tools, so that
    /// `psql` and `pg_dump` match the server).
    pub fn with_programs_first(mut self, bin_dir: Option<PathBuf>) -> Self {
        self.path_prefix = bin_dir;
        self
    }

    pub fn with_env(mut self, key: &str, value: impl Into<String>) -> Self {
        self.env.push((key.to_owned(), value.into()));
        self
    }

    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    pub fn command(&self) -> &str {
        &self.command
    }

    /// Runs the command; an error only when it could not be started at all.
    pub async fn run(&self) -> std::io::Result<CommandOutput> {
        run_to_end(self.build()?.into(), self.deadline).await
    }

    /// The `sh -c` process, its environment and `PATH` set.
    pub(crate) fn build(&self) -> std::io::Result<std::process::Command> {
        let mut cmd = std::process::Command::new("sh");
        cmd.arg("-c").arg(&self.command).current_dir(&self.workdir);
        for (key, value) in &self.env {
            cmd.env(key, value);
        }
        if let Some(prefix) = &self.path_prefix {
            let path = std::env::var_os("PATH").unwrap_or_default();
            let joined = std::env::join_paths(
                std::iter::once(prefix.clone()).chain(std::env::split_paths(&path)),
            )
            .map_err(std::io::Error::other)?;
            cmd.env("PATH", joined);
        }
        Ok(cmd)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn commands_report_exit_codes_output_and_deadlines() {
        let dir = tempfile::tempdir().unwrap();
        let ok = SubjectCommand::new("echo hello; echo oops >&2; exit 3", dir.path())
            .run()
            .await
            .unwrap();
        assert_eq!(ok.code(), Some(3));
        assert_eq!(ok.stdout.trim(), "hello");
        assert_eq!(ok.tail(5), "oops\nhello");
        assert_eq!(ok.outcome(), "exited with 3");

        let env = SubjectCommand::new("echo $PGDATABASE-$X", dir.path())
            .with_env("X", "y")
            .with_env("PGDATABASE", "db");
        assert_eq!(env.run().await.unwrap().stdout.trim(), "db-y");

        let slow = SubjectCommand::new("sleep 30", dir.path())
            .with_deadline(Duration::from_millis(200))
            .run()
            .await
            .unwrap();
        assert!(slow.timed_out && !slow.succeeded());
        assert!(slow.elapsed < Duration::from_secs(5));
    }
}
