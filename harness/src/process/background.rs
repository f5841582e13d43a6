//! A program left running in the background (the subject's app): stdin closed, its output
//! in a log file, in a process group of its own that is killed whole and reaped when the
//! handle drops, however the scenario ends (an error, a panic, its deadline).

use std::io::Read as _;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;

use crate::process::wait::Patience;

/// How long a dropped handle waits for its killed child to be reaped.
const REAP_WITHIN: Duration = Duration::from_secs(5);

/// How much of the log [`Background::log_tail`] reads, from the end.
const TAIL_BYTES: u64 = 64 * 1024;

#[derive(Debug)]
pub struct Background {
    child: Child,
    group: Pid,
    log: tempfile::NamedTempFile,
    ended: Option<ExitStatus>,
}

impl Background {
    /// Spawns `cmd` with its stdout and stderr going to a fresh log file.
    pub fn spawn(mut cmd: Command) -> std::io::Result<Background> {
        use std::os::unix::process::CommandExt as _;
        let log = tempfile::Builder::new()
            .prefix("readiness-app-")
            .suffix(".log")
            .tempfile()?;
        // one open file for both, so that they share an offset and interleave
        let out = log.reopen()?;
        cmd.stdin(Stdio::null())
            .stderr(out.try_clone()?)
            .stdout(out)
            .process_group(0);
        let child = cmd.spawn()?;
        let group = Pid::from_raw(child.id() as i32);
        Ok(Background {
            child,
            group,
            log,
            ended: None,
        })
    }

    /// How it ended, once it has; `None` while it runs.
    pub fn ended(&mut self) -> Option<ExitStatus> {
        if self.ended.is_none() {
            self.ended = self.child.try_wait().ok().flatten();
        }
        self.ended
    }

    /// The last `lines` non-empty lines of its output.
    pub fn log_tail(&self, lines: usize) -> String {
        let mut text = Vec::new();
        if let Ok(mut file) = self.log.reopen() {
            use std::io::Seek as _;
            let length = file.metadata().map(|m| m.len()).unwrap_or(0);
            let _ = file.seek(std::io::SeekFrom::Start(length.saturating_sub(TAIL_BYTES)));
            let _ = file.read_to_end(&mut text);
        }
        let text = String::from_utf8_lossy(&text);
        let all: Vec<&str> = text
            .lines()
            .map(str::trim_end)
            .filter(|l| !l.trim().is_empty())
            .collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        // the group outlives its leader when the leader left children behind
        let _ = killpg(self.group, Signal::SIGKILL);
        let mut patience = Patience::new(REAP_WITHIN, Duration::from_millis(5));
        while self.ended.is_none() && patience.another_look_blocking() {
            self.ended();
        }
        if self.ended.is_none() {
            tracing::warn!(
                "background process {} was not reaped {REAP_WITHIN:?} after SIGKILL",
                self.group
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shell(script: &str) -> Command {
        let mut cmd = Command::new("sh");
        cmd.arg("-c").arg(script);
        cmd
    }

    #[test]
    fn its_output_is_kept_and_its_end_is_seen() {
        let mut done =
            Background::spawn(shell("echo starting; echo 'no such module' >&2; exit 3")).unwrap();
        let mut patience = Patience::new(Duration::from_secs(10), Duration::from_millis(5));
        while done.ended().is_none() && patience.another_look_blocking() {}
        assert_eq!(done.ended().and_then(|s| s.code()), Some(3));
        assert_eq!(done.log_tail(1), "no such module");
        assert_eq!(done.log_tail(5), "starting\nno such module");
    }

    #[test]
    fn dropping_it_kills_and_reaps_the_whole_group() {
        let dir = tempfile::tempdir().unwrap();
        let pidfile = dir.path().join("grandchild.pid");
        let mut running = Background::spawn(shell(&format!(
            "sleep 30 & echo $! > {}; wait",
            pidfile.display()
        )))
        .unwrap();
        let leader = running.child.id() as i32;
        let mut grandchild = None;
        let mut patience = Patience::new(Duration::from_secs(10), Duration::from_millis(5));
        while grandchild.is_none() && patience.another_look_blocking() {
            grandchild = std::fs::read_to_string(&pidfile)
                .ok()
                .and_then(|t| t.trim().parse::<i32>().ok());
        }
        let grandchild = grandchild.expect("the shell started its sleep");
        assert!(running.ended().is_none());
        drop(running);
        // the leader was reaped by the drop: no zombie left under this pid
        assert!(nix::sys::signal::kill(Pid::from_raw(leader), None).is_err());
        let mut patience = Patience::new(Duration::from_secs(10), Duration::from_millis(5));
        let mut gone = false;
        while !gone && patience.another_look_blocking() {
            let stat = std::fs::read_to_string(format!("/proc/{grandchild}/stat"));
            gone = stat.map_or(true, |s| {
                s.rsplit(')')
                    .next()
                    .is_some_and(|r| r.trim_start().starts_with('Z'))
            });
        }
        assert!(gone, "the grandchild {grandchild} outlived the drop");
    }
}
