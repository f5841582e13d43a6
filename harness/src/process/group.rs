//! A child's whole process group, killed when the run stops waiting for it: at its deadline,
//! or when the future waiting on it is dropped because the run was interrupted. Killing the
//! child alone would leave what a shell script started (a `pg_dump`, a `sleep`) running.

use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;
use tokio::process::{Child, Command};

/// Kills the group on drop unless [`GroupKill::disarm`] was called.
#[derive(Debug)]
pub struct GroupKill {
    group: Option<Pid>,
}

impl GroupKill {
    /// Makes the command lead a process group of its own; call before spawning it.
    pub fn isolate(cmd: &mut Command) -> &mut Command {
        cmd.process_group(0)
    }

    /// Arms the kill for a child spawned from an isolated command.
    pub fn arm(child: &Child) -> GroupKill {
        GroupKill {
            group: child.id().map(|pid| Pid::from_raw(pid as i32)),
        }
    }

    /// The child ran to its end: leave its group alone.
    pub fn disarm(mut self) {
        self.group = None;
    }
}

impl Drop for GroupKill {
    fn drop(&mut self) {
        if let Some(group) = self.group.take() {
            let _ = killpg(group, Signal::SIGKILL);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::wait::Patience;
    use std::time::Duration;

    #[tokio::test]
    async fn dropping_the_guard_kills_what_the_child_started() {
        let dir = tempfile::tempdir().unwrap();
        let pidfile = dir.path().join("grandchild.pid");
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(format!("sleep 30 & echo $! > {}; wait", pidfile.display()));
        let mut child = GroupKill::isolate(&mut cmd).spawn().unwrap();
        let guard = GroupKill::arm(&child);
        let mut grandchild = None;
        let mut patience = Patience::new(Duration::from_secs(10), Duration::from_millis(10));
        while grandchild.is_none() && patience.another_look().await {
            if let Ok(text) = std::fs::read_to_string(&pidfile) {
                grandchild = text.trim().parse::<i32>().ok().map(Pid::from_raw);
            }
        }
        let grandchild = grandchild.expect("the shell started its sleep");
        drop(guard);
        let _ = child.wait().await;
        let mut gone = false;
        let mut patience = Patience::new(Duration::from_secs(10), Duration::from_millis(10));
        while patience.another_look().await {
            // reparented to init when the shell died: gone once reaped, or a zombie
            let stat = std::fs::read_to_string(format!("/proc/{grandchild}/stat"));
            let zombie = stat.is_ok_and(|s| {
                s.rsplit(')')
                    .next()
                    .is_some_and(|r| r.trim_start().starts_with('Z'))
            });
            if zombie || nix::sys::signal::kill(grandchild, None).is_err() {
                gone = true;
                break;
            }
        }
        assert!(
            gone,
            "the grandchild {grandchild} outlived its group's kill"
        );
    }
}
