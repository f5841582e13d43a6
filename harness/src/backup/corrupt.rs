//! Damaged copies of a backup, as a disk, a network copy or a full volume leaves them: cut
//! short, one bit flipped, or not an archive at all. The original is never touched: the
//! copy goes into another directory, with the original's checksum manifest beside it.

use std::path::{Path, PathBuf};

/// A kind of damage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Corruption {
    /// Cut at half its length.
    Truncated,
    /// One bit flipped near the middle.
    FlippedBit,
    /// Replaced by text that is no archive.
    NotAnArchive,
}

impl Corruption {
    pub const ALL: [Corruption; 3] = [
        Corruption::Truncated,
        Corruption::FlippedBit,
        Corruption::NotAnArchive,
    ];

    pub fn describe(self) -> &'static str {
        match self {
            Corruption::Truncated => "truncated to half its length",
            Corruption::FlippedBit => "one bit flipped near the middle",
            Corruption::NotAnArchive => "replaced by a file that is not an archive",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Corruption::Truncated => "truncated",
            Corruption::FlippedBit => "flipped",
            Corruption::NotAnArchive => "not-an-archive",
        }
    }
}

/// Where a copy was damaged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damaged {
    /// The damaged copy of the backup.
    pub path: PathBuf,
    /// "db.dump: byte 4411 0x34 -> 0x35".
    pub what: String,
}

/// Copies `backup` (a file or a directory-format dump) and its sidecar files (its checksum
/// manifest, any `<name>.*` beside it) into `into` (which must exist and not hold a file
/// of that name), then damages the copy: the file itself, or a directory dump's largest
/// data file. Sidecars are copied unchanged.
pub fn damaged_copy(
    backup: &Path,
    into: &Path,
    corruption: Corruption,
) -> std::io::Result<Damaged> {
    let name = backup
        .file_name()
        .ok_or_else(|| std::io::Error::other("the backup has no file name"))?;
    let copy = into.join(name);
    if copy.exists() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            format!("{} exists", copy.display()),
        ));
    }
    copy_tree(backup, &copy)?;
    for sidecar in sidecars(backup)? {
        let target = into.join(sidecar.file_name().unwrap_or_default());
        std::fs::copy(&sidecar, target)?;
    }
    let victim = if copy.is_dir() {
        largest_file(&copy)?
    } else {
        copy.clone()
    };
    let what = damage(&victim, corruption)?;
    let shown = victim
        .strip_prefix(into)
        .unwrap_or(&victim)
        .display()
        .to_string();
    Ok(Damaged {
        path: copy,
        what: format!("{shown}: {what}"),
    })
}

/// Damages `file` in place; returns what was done.
pub fn damage(file: &Path, corruption: Corruption) -> std::io::Result<String> {
    let mut bytes = std::fs::read(file)?;
    let len = bytes.len();
    match corruption {
        Corruption::Truncated => {
            bytes.truncate(len / 2);
            std::fs::write(file, &bytes)?;
            Ok(format!("cut from {len} to {} bytes", len / 2))
        }
        Corruption::FlippedBit => {
            if bytes.is_empty() {
                return Err(std::io::Error::other("nothing to flip in an empty file"));
            }
            // a digit inside a number becomes another digit: in uncompressed data the value
            // stays valid and restores silently, which is the case a checksum exists for
            let middle = len / 2;
            let digit = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
            let at = (middle.max(1)..len)
                .find(|&i| digit(i - 1) && digit(i) && digit(i + 1))
                .or_else(|| (middle..len).find(|&i| digit(i)))
                .unwrap_or(middle);
            let before = bytes[at];
            bytes[at] ^= 0x01;
            std::fs::write(file, &bytes)?;
            Ok(format!("byte {at} {before:#04x} -> {:#04x}", bytes[at]))
        }
        Corruption::NotAnArchive => {
            std::fs::write(
                file,
                b"this is not a backup: just text where a dump should be\n",
            )?;
            Ok(format!("{len} bytes replaced by 55 bytes of text"))
        }
    }
}

/// The files beside `backup` named `<its name>.<something>`.
pub fn sidecars(backup: &Path) -> std::io::Result<Vec<PathBuf>> {
    let name = backup.file_name().unwrap_or_default().to_string_lossy();
    let prefix = format!("{name}.");
    let Some(parent) = backup.parent() else {
        return Ok(Vec::new());
    };
    let mut found = Vec::new();
    for entry in std::fs::read_dir(parent)? {
        let entry = entry?;
        if entry.file_name().to_string_lossy().starts_with(&prefix) && entry.path().is_file() {
            found.push(entry.path());
        }
    }
    found.sort();
    Ok(found)
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    if from.is_dir() {
        std::fs::create_dir(to)?;
        for entry in std::fs::read_dir(from)? {
            let entry = entry?;
            copy_tree(&entry.path(), &to.join(entry.file_name()))?;
        }
        Ok(())
    } else {
        std::fs::copy(from, to).map(|_| ())
    }
}

fn largest_file(dir: &Path) -> std::io::Result<PathBuf> {
    let mut best: Option<(u64, PathBuf)> = None;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let len = entry.metadata()?.len();
        if best.as_ref().is_none_or(|(l, _)| len > *l) {
            best = Some((len, entry.path()));
        }
    }
    best.map(|(_, p)| p)
        .ok_or_else(|| std::io::Error::other(format!("{} is empty", dir.display())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backup::checksums;

    #[test]
    fn copies_are_damaged_and_originals_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let original = dir.path().join("db.dump");
        std::fs::write(&original, b"PGDMP header 12345 67890 tail").unwrap();
        std::fs::write(checksums::manifest_path(&original), b"sum").unwrap();
        let damaged_dir = dir.path().join("damaged");
        std::fs::create_dir(&damaged_dir).unwrap();

        let flipped = damaged_copy(&original, &damaged_dir, Corruption::FlippedBit).unwrap();
        let bytes = std::fs::read(&flipped.path).unwrap();
        let changed: Vec<(u8, u8)> = bytes
            .iter()
            .zip(b"PGDMP header 12345 67890 tail")
            .filter(|(a, b)| a != b)
            .map(|(a, b)| (*b, *a))
            .collect();
        // the first digit past the middle with digits on both sides
        assert_eq!(changed, vec![(b'2', b'3')], "{}", flipped.what);
        assert!(checksums::manifest_path(&flipped.path).is_file());
        assert_eq!(
            std::fs::read(&original).unwrap(),
            b"PGDMP header 12345 67890 tail"
        );

        let again = damaged_copy(&original, &damaged_dir, Corruption::Truncated).unwrap_err();
        assert_eq!(again.kind(), std::io::ErrorKind::AlreadyExists);
    }
}
