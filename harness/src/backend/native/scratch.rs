//! Scratch directories with an owner marker, and the reaper that removes those whose
//! owner died without cleaning up (a SIGKILLed run), servers included.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use nix::sys::signal::{self, Signal};
use nix::unistd::Pid;

use super::run_as::{self, RunAs};
use crate::process::wait::Patience;

/// Every scratch directory's name starts with this, inside the system temp directory.
pub const SCRATCH_PREFIX: &str = "readiness-";
/// The marker file naming the owning process: "<pid> <start time>".
const OWNER_MARKER: &str = ".readiness-owner";

/// A directory removed on drop (unless kept), marked with its owner so that a later run
/// can reap it if this process is killed.
#[derive(Debug)]
pub struct ScratchDir {
    path: PathBuf,
    kept: AtomicBool,
}

impl ScratchDir {
    /// Creates `$TMPDIR/readiness-<kind>-XXXXXX`, owned by `run_as` when given.
    pub fn create(kind: &str, run_as: Option<&RunAs>) -> std::io::Result<ScratchDir> {
        ScratchDir::create_in(&std::env::temp_dir(), kind, run_as)
    }

    /// Creates `<root>/readiness-<kind>-XXXXXX`; `root` must be one of [`roots`], so that
    /// the reaper finds it.
    pub fn create_in(
        root: &Path,
        kind: &str,
        run_as: Option<&RunAs>,
    ) -> std::io::Result<ScratchDir> {
        let dir = tempfile::Builder::new()
            .prefix(&format!("{SCRATCH_PREFIX}{kind}-"))
            .tempdir_in(root)?;
        let path = dir.keep();
        let scratch = ScratchDir {
            path,
            kept: AtomicBool::new(false),
        };
        std::fs::write(
            scratch.path.join(OWNER_MARKER),
            owner_line(std::process::id())?,
        )?;
        run_as::chown(run_as, &scratch.path)?;
        Ok(scratch)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Leaves the directory in place when dropped.
    pub fn keep(&self) {
        self.kept.store(true, Ordering::SeqCst);
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        if !self.kept.load(Ordering::SeqCst) {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

pub(crate) fn owner_line(pid: u32) -> std::io::Result<String> {
    let start = process_start_time(pid).unwrap_or(0);
    Ok(format!("{pid} {start}\n"))
}

/// The process's start time in clock ticks since boot (`/proc/<pid>/stat` field 22),
/// which tells a live owner from a new process that reused its pid.
fn process_start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_comm = &stat[stat.rfind(')')? + 2..];
    after_comm.split_whitespace().nth(19)?.parse().ok()
}

pub(crate) fn owner_alive(marker: &str) -> bool {
    let mut parts = marker.split_whitespace();
    let (Some(pid), Some(start)) = (
        parts.next().and_then(|p| p.parse::<u32>().ok()),
        parts.next().and_then(|s| s.parse::<u64>().ok()),
    ) else {
        return false;
    };
    if Path::new("/proc/self/stat").exists() {
        process_start_time(pid).is_some_and(|now| start == 0 || start == now)
    } else {
        signal::kill(Pid::from_raw(pid as i32), None).is_ok()
    }
}

/// Where a memory-backed scratch directory may go: `READINESS_MEMORY_DIR` (empty or `off`
/// for none), else `/dev/shm` when it is a tmpfs with [`MEMORY_HEADROOM`] free.
pub const MEMORY_DIR_ENV: &str = "READINESS_MEMORY_DIR";
/// The free space a memory root must have to be used: a 100k-user dataset and its clones
/// fit well within it.
pub const MEMORY_HEADROOM: u64 = 4 << 30;

/// The memory-backed root for servers whose data need not survive (the fast profile), when
/// this machine has one: `CREATE DATABASE … FILE_COPY` on ext4 costs about 300 ms in
/// file creation alone, on a tmpfs about 15 ms.
pub fn memory_root() -> Option<PathBuf> {
    static ROOT: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    ROOT.get_or_init(|| match std::env::var(MEMORY_DIR_ENV) {
        Ok(v) if v.is_empty() || v == "off" || v == "0" => None,
        Ok(v) => Some(PathBuf::from(v)),
        Err(_) => {
            let shm = Path::new("/dev/shm");
            let stat = nix::sys::statfs::statfs(shm).ok()?;
            let tmpfs = stat.filesystem_type() == nix::sys::statfs::TMPFS_MAGIC;
            let free = stat.blocks_available() as u64 * stat.block_size() as u64;
            let writable = nix::unistd::access(shm, nix::unistd::AccessFlags::W_OK).is_ok();
            (tmpfs && writable && free >= MEMORY_HEADROOM).then(|| shm.to_path_buf())
        }
    })
    .clone()
}

/// Every directory scratch directories are made in: the temp dir, and the memory root.
pub fn roots() -> Vec<PathBuf> {
    let mut roots = vec![std::env::temp_dir()];
    roots.extend(memory_root().filter(|m| !roots.contains(m)));
    roots
}

/// Removes every scratch directory whose owner is gone, after killing any server still
/// running from it. Returns the directories removed.
pub fn reap_stale() -> Vec<PathBuf> {
    reap(|marker| !owner_alive(marker))
}

/// Removes every scratch directory this process made that is still there, after killing
/// any server running from it: on an interrupt, for a directory made before its teardown
/// was registered, or one a copy still being written refilled while it was removed.
pub fn reap_own() -> Vec<PathBuf> {
    let me = std::process::id().to_string();
    reap(|marker| marker.split_whitespace().next() == Some(me.as_str()))
}

fn reap(owned: impl Fn(&str) -> bool) -> Vec<PathBuf> {
    let entries = roots()
        .into_iter()
        .filter_map(|root| std::fs::read_dir(root).ok())
        .flatten();
    let mut reaped = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if !name.to_string_lossy().starts_with(SCRATCH_PREFIX) || !path.is_dir() {
            continue;
        }
        let Ok(marker) = std::fs::read_to_string(path.join(OWNER_MARKER)) else {
            continue;
        };
        if !owned(&marker) {
            continue;
        }
        stop_orphan_servers(&path);
        unmount_inside(&path);
        if remove_until_gone(&path) {
            reaped.push(path);
        }
    }
    reaped
}

/// Removes `dir`, again while something still writing into it (a `cp -a` of the cached
/// cluster) makes a pass fail, for at most a second. Whether it is gone.
pub(crate) fn remove_until_gone(dir: &Path) -> bool {
    let mut patience = Patience::new(Duration::from_secs(1), Duration::from_millis(10));
    loop {
        let _ = std::fs::remove_dir_all(dir);
        if !dir.exists() {
            return true;
        }
        if !patience.another_look_blocking() {
            return false;
        }
    }
}

/// Detaches every filesystem mounted inside `dir` (a killed run's small tmpfs), so that
/// the directory can be removed.
fn unmount_inside(dir: &Path) {
    let Ok(mounts) = std::fs::read_to_string("/proc/self/mounts") else {
        return;
    };
    let prefix = format!("{}/", dir.display());
    for point in mounts.lines().filter_map(|l| l.split_whitespace().nth(1)) {
        // /proc/self/mounts escapes spaces as \040; scratch paths have none
        if point.starts_with(&prefix) {
            let _ = nix::mount::umount2(point, nix::mount::MntFlags::MNT_DETACH);
        }
    }
}

/// Kills the postmaster of every data directory directly under `scratch`, and frees the
/// shared memory a killed postmaster leaves behind.
fn stop_orphan_servers(scratch: &Path) {
    let Ok(entries) = std::fs::read_dir(scratch) else {
        return;
    };
    for entry in entries.flatten() {
        let pid_file = entry.path().join("postmaster.pid");
        if let Some(info) = PostmasterPid::read(&pid_file) {
            if process_mentions(info.pid, scratch) {
                let _ = signal::killpg(Pid::from_raw(info.pid), Signal::SIGKILL);
                wait_gone(info.pid);
            }
            info.remove_shared_memory();
        }
    }
}

fn wait_gone(pid: i32) {
    let mut patience = Patience::new(Duration::from_secs(1), Duration::from_millis(10));
    while patience.another_look_blocking() {
        if signal::kill(Pid::from_raw(pid), None).is_err() {
            return;
        }
    }
}

/// Whether process `pid`'s command line names `dir` (so that a reused pid is never killed).
fn process_mentions(pid: i32, dir: &Path) -> bool {
    match std::fs::read(format!("/proc/{pid}/cmdline")) {
        Ok(cmdline) => String::from_utf8_lossy(&cmdline).contains(&*dir.to_string_lossy()),
        Err(_) => false,
    }
}

/// The parts of `postmaster.pid` the harness uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostmasterPid {
    pub pid: i32,
    /// Line 8: "starting", "ready", "stopping"…
    pub status: String,
    /// Line 7: the System V shared memory id, when one is listed.
    pub shm_id: Option<i32>,
}

impl PostmasterPid {
    pub fn read(path: &Path) -> Option<PostmasterPid> {
        let text = std::fs::read_to_string(path).ok()?;
        let lines: Vec<&str> = text.lines().collect();
        let pid = lines.first()?.trim().parse().ok()?;
        let shm_id = lines
            .get(6)
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|id| id.parse().ok());
        let status = lines
            .get(7)
            .map(|s| s.trim().to_owned())
            .unwrap_or_default();
        Some(PostmasterPid {
            pid,
            status,
            shm_id,
        })
    }

    /// Removes the segment a SIGKILLed postmaster leaves behind; a no-op when it is gone
    /// or still attached (the kernel then removes it when the last process detaches).
    pub fn remove_shared_memory(&self) {
        if let Some(id) = self.shm_id {
            // SAFETY: IPC_RMID with a null buffer only marks segment `id` for removal.
            unsafe {
                libc::shmctl(id, libc::IPC_RMID, std::ptr::null_mut());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tests that reap must not reap each other's half-built directories: one at a time.
    static REAPING: std::sync::Mutex<()> = std::sync::Mutex::new(());

    #[test]
    fn scratch_dirs_are_marked_and_removed_on_drop() {
        let dir = ScratchDir::create("unit", None).unwrap();
        let path = dir.path().to_path_buf();
        let marker = std::fs::read_to_string(path.join(OWNER_MARKER)).unwrap();
        assert!(
            owner_alive(&marker),
            "our own marker must read as alive: {marker}"
        );
        drop(dir);
        assert!(!path.exists());
    }

    /// A scratch directory in `root` whose owner marker names a process that cannot exist.
    fn dead_scratch_in(root: &Path) -> PathBuf {
        let dir = ScratchDir::create_in(root, "unit", None).unwrap();
        dir.keep();
        let path = dir.path().to_path_buf();
        std::fs::write(path.join(OWNER_MARKER), "999999999 1\n").unwrap();
        path
    }

    #[test]
    fn dead_owners_are_reaped_in_every_root() {
        let _one = REAPING.lock().unwrap_or_else(|e| e.into_inner());
        // the temp dir always, and the memory root where this machine has one
        let dead: Vec<PathBuf> = roots().iter().map(|root| dead_scratch_in(root)).collect();
        let reaped = reap_stale();
        for path in dead {
            // another test process (nextest runs one per test) may reap it first: what
            // counts is that it is gone
            assert!(
                !path.exists(),
                "{} not reaped (this call reaped {reaped:?})",
                path.display()
            );
        }
    }

    #[test]
    fn a_dead_runs_mounts_are_detached_before_its_directory_is_removed() {
        let _one = REAPING.lock().unwrap_or_else(|e| e.into_inner());
        if !nix::unistd::Uid::effective().is_root() {
            crate::skip::skip(
                "a_dead_runs_mounts_are_detached_before_its_directory_is_removed",
                "mounting needs root",
                crate::skip::REQUIRE_ROOT,
            );
            return;
        }
        let path = dead_scratch_in(&std::env::temp_dir());
        let point = path.join("fs");
        std::fs::create_dir(&point).unwrap();
        nix::mount::mount(
            Some("tmpfs"),
            &point,
            Some("tmpfs"),
            nix::mount::MsFlags::empty(),
            Some("size=64k"),
        )
        .unwrap();
        reap_stale();
        assert!(!path.exists(), "the directory and its mount are gone");
        let mounts = std::fs::read_to_string("/proc/self/mounts").unwrap();
        assert!(!mounts.contains(&*point.to_string_lossy()));
    }

    #[test]
    fn postmaster_pid_files_parse() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("postmaster.pid");
        std::fs::write(
            &file,
            "4242\n/data\n1700000000\n5432\n/tmp\n127.0.0.1\n  5432001     98306\nready   \n",
        )
        .unwrap();
        let info = PostmasterPid::read(&file).unwrap();
        assert_eq!(
            info,
            PostmasterPid {
                pid: 4242,
                status: "ready".into(),
                shm_id: Some(98306)
            }
        );
    }
}
