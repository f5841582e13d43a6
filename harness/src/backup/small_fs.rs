//! A deliberately small filesystem (a tmpfs of a chosen size) to back up into, so that
//! the backup runs out of space: unmounted and removed on drop, and on Ctrl-C.

use std::path::{Path, PathBuf};

use nix::mount::{mount, umount2, MntFlags, MsFlags};

use crate::backend::cleanup::{self, Registration};
use crate::backend::native::scratch::ScratchDir;

/// Why no small filesystem could be had.
#[derive(Debug, thiserror::Error)]
pub enum MountError {
    #[error("failed to mount a small filesystem: mounting a tmpfs needs root, and the harness runs as uid {0}")]
    NotRoot(u32),
    #[error("failed to mount a small filesystem at {}: {why}", path.display())]
    Failed { path: PathBuf, why: String },
}

/// A mounted tmpfs of a fixed size.
#[derive(Debug)]
pub struct SmallFilesystem {
    mount_point: PathBuf,
    bytes: u64,
    // dropped after the unmount in `Drop`: the scratch directory holds the mount point
    _scratch: ScratchDir,
    _on_interrupt: Registration,
}

impl SmallFilesystem {
    /// For test suites: the filesystem, or `None` after a `SKIP` line naming `test` when
    /// this process is not root; under `READINESS_REQUIRE_ROOT=1` that fails the test instead.
    pub fn mount_or_skip(bytes: u64, test: &str) -> Option<SmallFilesystem> {
        match SmallFilesystem::mount(bytes) {
            Ok(fs) => Some(fs),
            Err(e @ MountError::NotRoot(_)) => {
                crate::skip::skip(test, &e.to_string(), crate::skip::REQUIRE_ROOT);
                None
            }
            Err(e) => panic!("{test}: {e}"),
        }
    }

    /// Mounts a tmpfs of `bytes` (rounded up to whole pages by the kernel).
    pub fn mount(bytes: u64) -> Result<SmallFilesystem, MountError> {
        let uid = nix::unistd::Uid::effective();
        if !uid.is_root() {
            return Err(MountError::NotRoot(uid.as_raw()));
        }
        let scratch = ScratchDir::create("small-fs", None).map_err(|e| MountError::Failed {
            path: std::env::temp_dir(),
            why: e.to_string(),
        })?;
        let mount_point = scratch.path().join("fs");
        std::fs::create_dir(&mount_point).map_err(|e| MountError::Failed {
            path: mount_point.clone(),
            why: e.to_string(),
        })?;
        let options = format!("size={bytes},mode=0755");
        mount(
            Some("readiness-small-fs"),
            &mount_point,
            Some("tmpfs"),
            MsFlags::MS_NOSUID | MsFlags::MS_NODEV,
            Some(options.as_str()),
        )
        .map_err(|e| MountError::Failed {
            path: mount_point.clone(),
            why: e.to_string(),
        })?;
        let on_interrupt = {
            let point = mount_point.clone();
            let registered = cleanup::register(format!("tmpfs at {}", point.display()), {
                let point = point.clone();
                move || {
                    let _ = umount2(&point, MntFlags::MNT_DETACH);
                }
            });
            match registered {
                Ok(registration) => registration,
                Err(e) => {
                    // mounted just now, with nothing left to unmount it
                    let _ = umount2(&point, MntFlags::MNT_DETACH);
                    return Err(MountError::Failed {
                        path: point,
                        why: e.to_string(),
                    });
                }
            }
        };
        Ok(SmallFilesystem {
            mount_point,
            bytes,
            _scratch: scratch,
            _on_interrupt: on_interrupt,
        })
    }

    /// Where to write.
    pub fn path(&self) -> &Path {
        &self.mount_point
    }

    pub fn bytes(&self) -> u64 {
        self.bytes
    }
}

impl Drop for SmallFilesystem {
    fn drop(&mut self) {
        if umount2(&self.mount_point, MntFlags::empty()).is_err() {
            // still busy (a child writing into it): detach it, the kernel frees it later
            let _ = umount2(&self.mount_point, MntFlags::MNT_DETACH);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_past_the_size_fail_and_the_mount_goes_away() {
        let Some(fs) = SmallFilesystem::mount_or_skip(64 * 1024, "small_fs unit test") else {
            return;
        };
        let point = fs.path().to_owned();
        let err = std::fs::write(point.join("big"), vec![0u8; 256 * 1024]).unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::ENOSPC), "{err}");
        drop(fs);
        assert!(!point.exists(), "the mount point is removed");
        let mounts = std::fs::read_to_string("/proc/mounts").unwrap();
        assert!(!mounts.contains(&*point.to_string_lossy()), "{mounts}");
    }
}
