//! The checksum manifest written beside every backup (`<backup>.sha256`, in `sha256sum`
//! format, so that `sha256sum -c` checks it too) and verified before any restore:
//! `pg_restore --list` accepts truncated and bit-flipped archives, and an uncompressed
//! archive with a flipped byte restores silently wrong data.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::{BackupError, IntegrityError};

/// The manifest's file name suffix.
pub const SUFFIX: &str = "sha256";

/// One file of a backup: its path relative to the backup's parent directory, and digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub path: String,
    pub sha256: String,
}

/// What a successful verification covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    pub files: usize,
    pub bytes: u64,
}

/// `<backup>.sha256`, beside the backup.
pub fn manifest_path(backup: &Path) -> PathBuf {
    let mut name = backup.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{SUFFIX}"));
    backup.with_file_name(name)
}

/// Whether `path` is a checksum manifest rather than a backup.
pub fn is_manifest(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == SUFFIX)
}

/// Digests of every file of the backup at `on_disk` (a file, or a directory-format dump),
/// named as if the backup were called `name`.
pub fn compute(on_disk: &Path, name: &str) -> std::io::Result<(Vec<Entry>, u64)> {
    let mut entries = Vec::new();
    let mut bytes = 0;
    if on_disk.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(on_disk)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        files.sort();
        for file in files {
            let (sha256, size) = digest(&file)?;
            bytes += size;
            let child = file.file_name().unwrap_or_default().to_string_lossy();
            entries.push(Entry {
                path: format!("{name}/{child}"),
                sha256,
            });
        }
    } else {
        let (sha256, size) = digest(on_disk)?;
        bytes += size;
        entries.push(Entry {
            path: name.to_owned(),
            sha256,
        });
    }
    Ok((entries, bytes))
}

/// Writes `entries` as the manifest at `path` (never over an existing file) and syncs it.
pub fn write_manifest(path: &Path, entries: &[Entry]) -> Result<(), BackupError> {
    let mut text = String::new();
    for entry in entries {
        text.push_str(&format!("{}  {}\n", entry.sha256, entry.path));
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => BackupError::WouldOverwrite(path.to_owned()),
            _ => BackupError::io(format!("create {}", path.display()), e),
        })?;
    file.write_all(text.as_bytes())
        .and_then(|_| file.sync_all())
        .map_err(|e| BackupError::io(format!("write {}", path.display()), e))
}

/// Checks every file of `backup` against its manifest: a missing, changed or extra file
/// is an [`IntegrityError`].
pub fn verify(backup: &Path) -> Result<Verified, IntegrityError> {
    let manifest = manifest_path(backup);
    let text = match std::fs::read_to_string(&manifest) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(IntegrityError::NoManifest {
                backup: backup.to_owned(),
                manifest,
            })
        }
        Err(e) => {
            return Err(IntegrityError::BadManifest {
                backup: backup.to_owned(),
                manifest,
                why: e.to_string(),
            })
        }
    };
    let expected = parse(&text).map_err(|why| IntegrityError::BadManifest {
        backup: backup.to_owned(),
        manifest: manifest.clone(),
        why,
    })?;
    let name = backup
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let mismatch = |problems: Vec<String>| IntegrityError::Mismatch {
        backup: backup.to_owned(),
        problems,
    };
    if !backup.exists() {
        return Err(mismatch(vec![format!("{name} is missing")]));
    }
    let (found, bytes) = compute(backup, &name).map_err(|e| mismatch(vec![e.to_string()]))?;
    let mut problems = Vec::new();
    for want in &expected {
        match found.iter().find(|f| f.path == want.path) {
            None => problems.push(format!("{} is missing", want.path)),
            Some(got) if got.sha256 != want.sha256 => problems.push(format!(
                "{} has sha256 {}…, the manifest says {}…",
                want.path,
                &got.sha256[..12],
                &want.sha256[..want.sha256.len().min(12)]
            )),
            Some(_) => {}
        }
    }
    for got in &found {
        if !expected.iter().any(|w| w.path == got.path) {
            problems.push(format!("{} is not in the manifest", got.path));
        }
    }
    if problems.is_empty() {
        Ok(Verified {
            files: found.len(),
            bytes,
        })
    } else {
        Err(mismatch(problems))
    }
}

fn parse(text: &str) -> Result<Vec<Entry>, String> {
    let mut entries = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let (sha256, path) = line
            .split_once("  ")
            .or_else(|| line.split_once(" *"))
            .ok_or_else(|| format!("line {} is not `<sha256>  <file>`", i + 1))?;
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("line {} has no sha256 digest", i + 1));
        }
        entries.push(Entry {
            path: path.to_owned(),
            sha256: sha256.to_ascii_lowercase(),
        });
    }
    if entries.is_empty() {
        return Err("it lists no file".into());
    }
    Ok(entries)
}

fn digest(path: &Path) -> std::io::Result<(String, u64)> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    let mut bytes = 0u64;
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        bytes += n as u64;
    }
    Ok((hex::encode(hasher.finalize()), bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_backup(dir: &Path, name: &str, content: &[u8]) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, content).unwrap();
        let (entries, _) = compute(&path, name).unwrap();
        write_manifest(&manifest_path(&path), &entries).unwrap();
        path
    }

    #[test]
    fn an_intact_backup_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let backup = write_backup(dir.path(), "db.dump", b"PGDMP and some data");
        assert_eq!(
            verify(&backup).unwrap(),
            Verified {
                files: 1,
                bytes: 19
            }
        );
        let text = std::fs::read_to_string(manifest_path(&backup)).unwrap();
        assert!(text.ends_with("  db.dump\n"), "sha256sum format: {text}");
    }

    #[test]
    fn a_changed_byte_or_truncation_fails_verification() {
        let dir = tempfile::tempdir().unwrap();
        let backup = write_backup(dir.path(), "db.dump", b"PGDMP and some data");
        std::fs::write(&backup, b"PGDMP and some dat").unwrap();
        let err = verify(&backup).unwrap_err();
        assert!(err.to_string().contains("db.dump has sha256"), "{err}");
        std::fs::write(&backup, b"PGDMP and some dbta").unwrap();
        assert!(matches!(
            verify(&backup),
            Err(IntegrityError::Mismatch { .. })
        ));
    }

    #[test]
    fn a_backup_without_a_manifest_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let backup = dir.path().join("db.dump");
        std::fs::write(&backup, b"PGDMP").unwrap();
        assert!(matches!(
            verify(&backup),
            Err(IntegrityError::NoManifest { .. })
        ));
    }

    #[test]
    fn directory_backups_are_checked_file_by_file() {
        let dir = tempfile::tempdir().unwrap();
        let backup = dir.path().join("db.dir");
        std::fs::create_dir(&backup).unwrap();
        std::fs::write(backup.join("toc.dat"), b"toc").unwrap();
        std::fs::write(backup.join("3001.dat.gz"), b"rows").unwrap();
        let (entries, bytes) = compute(&backup, "db.dir").unwrap();
        assert_eq!(bytes, 7);
        write_manifest(&manifest_path(&backup), &entries).unwrap();
        assert_eq!(verify(&backup).unwrap().files, 2);

        std::fs::write(backup.join("extra.dat"), b"?").unwrap();
        std::fs::remove_file(backup.join("toc.dat")).unwrap();
        let err = verify(&backup).unwrap_err().to_string();
        assert!(err.contains("db.dir/toc.dat is missing"), "{err}");
        assert!(
            err.contains("db.dir/extra.dat is not in the manifest"),
            "{err}"
        );
    }

    #[test]
    fn manifests_are_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let backup = write_backup(dir.path(), "db.dump", b"PGDMP");
        let err = write_manifest(&manifest_path(&backup), &[]).unwrap_err();
        assert!(matches!(err, BackupError::WouldOverwrite(_)), "{err}");
    }
}
