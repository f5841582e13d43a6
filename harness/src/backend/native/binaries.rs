//! Finding PostgreSQL server binaries: `READINESS_PG_BIN`, `pg_config --bindir`, `PATH`,
//! then `/usr/lib/postgresql/*/bin` (and the other usual places), newest major first.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A directory holding `postgres` and `initdb`, with the version they report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgBinaries {
    pub dir: PathBuf,
    /// e.g. "15.18".
    pub version: String,
    pub major: u32,
}

impl PgBinaries {
    pub fn program(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

/// The environment variable that names the binaries directory outright.
pub const PG_BIN_ENV: &str = "READINESS_PG_BIN";

/// The binaries to use: the first place in the documented search order that has them.
pub fn discover() -> Result<PgBinaries, String> {
    if let Some(dir) = std::env::var_os(PG_BIN_ENV).filter(|v| !v.is_empty()) {
        let dir = PathBuf::from(dir);
        return inspect(&dir).ok_or_else(|| {
            format!(
                "{PG_BIN_ENV}={} does not hold working `postgres` and `initdb` programs",
                dir.display()
            )
        });
    }
    let candidates = candidate_dirs();
    candidates
        .iter()
        .find_map(|dir| inspect(dir))
        .ok_or_else(|| {
            format!(
            "looked in `pg_config --bindir`, PATH and {}; none holds both `postgres` and `initdb`",
            GLOBS.join(", ")
        )
        })
}

/// Every distinct binaries directory on this machine, in search order.
pub fn discover_all() -> Vec<PgBinaries> {
    let mut found: Vec<PgBinaries> = Vec::new();
    let env_dir = std::env::var_os(PG_BIN_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    for dir in env_dir.into_iter().chain(candidate_dirs()) {
        if let Some(b) = inspect(&dir) {
            if !found.iter().any(|f| f.dir == b.dir) {
                found.push(b);
            }
        }
    }
    found
}

/// Directory patterns searched last, in this order; within each, newest major first.
const GLOBS: [&str; 4] = [
    "/usr/lib/postgresql/*/bin",
    "/usr/pgsql-*/bin",
    "/usr/local/pgsql/bin",
    "/opt/homebrew/opt/postgresql@*/bin",
];

fn candidate_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        if out.status.success() {
            dirs.push(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()));
        }
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let initdb = dir.join("initdb");
            if initdb.is_file() {
                dirs.push(dir.clone());
                // a symlinked initdb (e.g. /usr/local/bin/initdb) points at the real directory
                if let Ok(real) = std::fs::canonicalize(&initdb) {
                    if let Some(parent) = real.parent() {
                        dirs.push(parent.to_path_buf());
                    }
                }
            }
        }
    }
    for pattern in GLOBS {
        dirs.extend(expand_versioned(pattern));
    }
    dirs
}

/// Expands one `*` in `pattern`, sorting matches by the number inside, newest first.
fn expand_versioned(pattern: &str) -> Vec<PathBuf> {
    let Some((head, tail)) = pattern.split_once('*') else {
        return vec![PathBuf::from(pattern)];
    };
    let (parent, prefix) = match head.rfind('/') {
        Some(i) => (&head[..=i], &head[i + 1..]),
        None => ("./", head),
    };
    let Ok(entries) = std::fs::read_dir(parent) else {
        return Vec::new();
    };
    let mut matches: Vec<(u32, PathBuf)> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let version = name.strip_prefix(prefix)?;
            let major: u32 = version.split('.').next()?.parse().ok()?;
            Some((major, PathBuf::from(format!("{parent}{name}{tail}"))))
        })
        .collect();
    matches.sort_by_key(|m| std::cmp::Reverse(m.0));
    matches.into_iter().map(|(_, p)| p).collect()
}

/// `Some` when `dir` holds `postgres` and `initdb` and `postgres --version` answers.
fn inspect(dir: &Path) -> Option<PgBinaries> {
    let dir = std::fs::canonicalize(dir).ok()?;
    if !dir.join("postgres").is_file() || !dir.join("initdb").is_file() {
        return None;
    }
    let out = Command::new(dir.join("postgres"))
        .arg("--version")
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let version = parse_version(&text)?;
    let major = version.split('.').next()?.parse().ok()?;
    Some(PgBinaries {
        dir,
        version,
        major,
    })
}

/// "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)" → "15.18".
pub(crate) fn parse_version(text: &str) -> Option<String> {
    let after = text.split(')').nth(1)?.trim();
    let version = after.split_whitespace().next()?;
    version
        .chars()
        .next()?
        .is_ascii_digit()
        .then(|| version.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_from_postgres_output() {
        assert_eq!(
            parse_version("postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n").as_deref(),
            Some("15.18")
        );
        assert_eq!(
            parse_version("postgres (PostgreSQL) 17.2\n").as_deref(),
            Some("17.2")
        );
        assert_eq!(parse_version("something else"), None);
    }
}
