//! Fresh data directories: `initdb` runs once per binaries version into a cache, and each
//! server gets a copy of that pristine cluster (a copy is several times faster than
//! `initdb`). `READINESS_INITDB_CACHE=0` turns the cache off.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use super::binaries::PgBinaries;
use super::run_as::{self, RunAs};
use super::scratch::ScratchDir;
use crate::backend::BackendError;
use crate::report::redact::Secret;

/// The superuser every native cluster is created with.
pub const ADMIN_ROLE: &str = "readiness_admin";

const INITDB_ARGS: [&str; 6] = [
    "--username=readiness_admin",
    "--auth=scram-sha-256",
    "--encoding=UTF8",
    "--locale=C",
    "--data-checksums",
    "--no-sync",
];

/// Fills `data_dir` (which must not exist) with a fresh cluster and returns the admin
/// password it currently has; the caller rotates it once the server is up.
pub fn prepare(
    bins: &PgBinaries,
    run_as: Option<&RunAs>,
    data_dir: &Path,
) -> Result<Secret, BackendError> {
    if cache_enabled() {
        match cached_cluster(bins, run_as) {
            Ok((cached_data, password)) => {
                copy_tree(&cached_data, data_dir)?;
                return Ok(password);
            }
            Err(why) => tracing::warn!("initdb cache unusable, running initdb directly: {why}"),
        }
    }
    let password = Secret::generate();
    initdb(bins, run_as, data_dir, &password)?;
    Ok(password)
}

fn cache_enabled() -> bool {
    std::env::var("READINESS_INITDB_CACHE")
        .map(|v| v != "0")
        .unwrap_or(true)
}

/// `READINESS_CACHE_DIR`, else `$XDG_CACHE_HOME/readiness`, else `~/.cache/readiness`.
pub fn cache_root() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("READINESS_CACHE_DIR").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(dir).join("readiness"));
    }
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache").join("readiness"))
}

/// The cached pristine cluster for these binaries and this OS user, built when missing.
fn cached_cluster(bins: &PgBinaries, run_as: Option<&RunAs>) -> Result<(PathBuf, Secret), String> {
    let root = cache_root().ok_or("no cache directory (set READINESS_CACHE_DIR or HOME)")?;
    let entry = root.join(format!("initdb-{}", cache_key(bins, run_as)));
    if let Some(found) = read_entry(&entry) {
        return Ok(found);
    }
    std::fs::create_dir_all(&root)
        .map_err(|e| format!("failed to create {}: {e}", root.display()))?;
    let build = ScratchDir::create("initdb", run_as).map_err(|e| e.to_string())?;
    let password = Secret::generate();
    initdb(bins, run_as, &build.path().join("data"), &password).map_err(|e| e.to_string())?;
    let partial = tempfile::Builder::new()
        .prefix(".initdb-partial-")
        .tempdir_in(&root)
        .map_err(|e| format!("failed to create a directory in {}: {e}", root.display()))?;
    copy_tree(&build.path().join("data"), &partial.path().join("data"))
        .map_err(|e| e.to_string())?;
    let password_file = partial.path().join("password");
    std::fs::write(&password_file, password.expose()).map_err(|e| e.to_string())?;
    std::fs::set_permissions(&password_file, std::fs::Permissions::from_mode(0o600))
        .map_err(|e| e.to_string())?;
    // losing a race to a concurrent run is fine: both entries are equivalent
    if std::fs::rename(partial.path(), &entry).is_ok() {
        let _ = partial.keep();
    }
    read_entry(&entry).ok_or_else(|| {
        format!(
            "cache entry {} is unreadable after building it",
            entry.display()
        )
    })
}

fn read_entry(entry: &Path) -> Option<(PathBuf, Secret)> {
    let data = entry.join("data");
    if !data.join("PG_VERSION").is_file() {
        return None;
    }
    let password = std::fs::read_to_string(entry.join("password")).ok()?;
    Some((data, Secret::register(password.trim().to_owned())))
}

fn cache_key(bins: &PgBinaries, run_as: Option<&RunAs>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(bins.dir.to_string_lossy().as_bytes());
    hasher.update(bins.version.as_bytes());
    hasher.update(INITDB_ARGS.join(" ").as_bytes());
    hasher.update(run_as.map(|u| u.uid).unwrap_or(u32::MAX).to_le_bytes());
    hex::encode(&hasher.finalize()[..8])
}

/// Runs `initdb` into `data_dir` as `run_as`, with `password` for the admin role.
fn initdb(
    bins: &PgBinaries,
    run_as: Option<&RunAs>,
    data_dir: &Path,
    password: &Secret,
) -> Result<(), BackendError> {
    let parent = data_dir
        .parent()
        .ok_or_else(|| BackendError::Initdb("data directory has no parent".into()))?;
    let pwfile = parent.join(".pwfile");
    std::fs::write(&pwfile, password.expose())
        .map_err(|e| BackendError::io("write the initdb password file", e))?;
    std::fs::set_permissions(&pwfile, std::fs::Permissions::from_mode(0o600))
        .and_then(|_| run_as::chown(run_as, &pwfile))
        .map_err(|e| BackendError::io("protect the initdb password file", e))?;
    let mut cmd = Command::new(bins.program("initdb"));
    cmd.arg("-D")
        .arg(data_dir)
        .arg(format!("--pwfile={}", pwfile.display()))
        .args(INITDB_ARGS);
    cmd.env("LC_ALL", "C").env_remove("PGDATA");
    run_as::apply(run_as, &mut cmd);
    let output = cmd.output();
    let _ = std::fs::remove_file(&pwfile);
    let output = output.map_err(|source| BackendError::Spawn {
        program: bins.program("initdb").display().to_string(),
        source,
    })?;
    if !output.status.success() {
        return Err(BackendError::Initdb(format!(
            "initdb exited with {}: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(())
}

/// `cp -a`: keeps modes and ownership, which the server checks.
fn copy_tree(from: &Path, to: &Path) -> Result<(), BackendError> {
    let output = Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .output()
        .map_err(|source| BackendError::Spawn {
            program: "cp".into(),
            source,
        })?;
    if !output.status.success() {
        return Err(BackendError::Initdb(format!(
            "failed to copy the cached cluster {}: {}",
            from.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(())
}
