//! The unprivileged OS user a server runs as when the harness runs as root (`initdb`
//! and `postgres` refuse root): the `postgres` user where it exists, else `nobody`.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;

use nix::unistd::{Gid, Uid, User};

/// An OS user to run server processes as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunAs {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
}

impl RunAs {
    /// `None` when the harness is not root: then the server runs as the harness's own user.
    pub fn choose() -> Result<Option<RunAs>, String> {
        if !Uid::effective().is_root() {
            return Ok(None);
        }
        for name in ["postgres", "nobody"] {
            if let Ok(Some(user)) = User::from_name(name) {
                return Ok(Some(RunAs {
                    name: user.name,
                    uid: user.uid.as_raw(),
                    gid: user.gid.as_raw(),
                }));
            }
        }
        Err("running as root, and there is neither a `postgres` nor a `nobody` user to run the server as".into())
    }

    /// Makes `cmd` run as this user (std also clears supplementary groups when root).
    pub fn apply(&self, cmd: &mut Command) {
        cmd.uid(self.uid).gid(self.gid);
        cmd.env("USER", &self.name)
            .env("LOGNAME", &self.name)
            .env("HOME", "/");
    }

    /// Gives `path` to this user.
    pub fn chown(&self, path: &Path) -> std::io::Result<()> {
        nix::unistd::chown(
            path,
            Some(Uid::from_raw(self.uid)),
            Some(Gid::from_raw(self.gid)),
        )
        .map_err(std::io::Error::from)
    }
}

/// Applies `run_as` to `cmd` when there is one.
pub fn apply(run_as: Option<&RunAs>, cmd: &mut Command) {
    if let Some(user) = run_as {
        user.apply(cmd);
    }
}

/// Gives `path` to `run_as` when there is one.
pub fn chown(run_as: Option<&RunAs>, path: &Path) -> std::io::Result<()> {
    match run_as {
        Some(user) => user.chown(path),
        None => Ok(()),
    }
}
