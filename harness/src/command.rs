//! Running a subject's own commands (migrations, backup, restore and monitoring scripts)
//! against a disposable database: `sh -c` in the subject's directory, with the database's
//! `PG*` variables and `DATABASE_URL`, the server's client tools first on `PATH`, a
//! deadline after which the whole process group is killed, and the output captured.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::backend::{ConnInfo, PgTools};
use crate::process_group::GroupKill;

/// A command to run, built up with `with_*` methods.
#[derive(Debug, Clone)]
pub struct SubjectCommand {
    command: String,
    workdir: PathBuf,
    env: Vec<(String, String)>,
    path_prefix: Option<PathBuf>,
    deadline: Duration,
}

/// What a command did.
#[derive(Debug, Clone)]
pub struct CommandOutput {
    /// The exit code; `None` when it was killed (by a signal or the deadline).
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
    pub timed_out: bool,
}

impl CommandOutput {
    pub fn succeeded(&self) -> bool {
        self.code == Some(0)
    }

    /// "exited with 1", "killed after the 60 s deadline"…
    pub fn outcome(&self) -> String {
        match (self.code, self.timed_out) {
            (_, true) => "was killed at its deadline".to_owned(),
            (Some(code), _) => format!("exited with {code}"),
            (None, _) => "was killed by a signal".to_owned(),
        }
    }

    /// The last `lines` lines of stderr then stdout, for evidence.
    pub fn tail(&self, lines: usize) -> String {
        let text = format!("{}{}", self.stderr, self.stdout);
        let all: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        all[all.len().saturating_sub(lines)..].join("\n")
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

    /// Points `PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE` and `DATABASE_URL`
    /// at `conn`.
    pub fn with_database(mut self, conn: &ConnInfo) -> Self {
        self.env
            .extend(conn.env().into_iter().map(|(k, v)| (k.to_owned(), v)));
        self
    }

    /// Puts the server's client programs first on `PATH`, so that `psql` and `pg_dump`
    /// match the server.
    pub fn with_tools(mut self, tools: Option<&PgTools>) -> Self {
        self.path_prefix = tools.map(|t| t.bin_dir.clone());
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
        let mut cmd = tokio::process::Command::new("sh");
        cmd.arg("-c").arg(&self.command).current_dir(&self.workdir);
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        GroupKill::isolate(&mut cmd);
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
        let started = Instant::now();
        let child = cmd.spawn()?;
        let group = GroupKill::arm(&child);
        match tokio::time::timeout(self.deadline, child.wait_with_output()).await {
            Ok(output) => {
                group.disarm();
                let output = output?;
                Ok(CommandOutput {
                    code: output.status.code(),
                    stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
                    stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
                    elapsed: started.elapsed(),
                    timed_out: false,
                })
            }
            Err(_) => {
                drop(group);
                Ok(CommandOutput {
                    code: None,
                    stdout: String::new(),
                    stderr: String::new(),
                    elapsed: started.elapsed(),
                    timed_out: true,
                })
            }
        }
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
        assert_eq!(ok.code, Some(3));
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
