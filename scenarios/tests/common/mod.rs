//! Helpers shared by the `indexes` tests: a bundled subject copied into a temp dir with
//! the scales its checks run at, and snapshot settings bound to the top-level `snapshots/`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// Scales that keep a test within seconds and still show what 100k users show.
pub const SMALL_SCALES: &[&str] = &["1k", "10k"];

/// A copy of the bundled subject `name` whose `scale.verify_scales` are `scales`.
pub fn subject_copy(name: &str, scales: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&scenarios::subjects::bundled(name), dir.path());
    let manifest = dir.path().join("readiness.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("verify_scales"))
        .expect("the bundled manifest sets scale.verify_scales")
        .to_owned();
    let quoted: Vec<String> = scales.iter().map(|s| format!("\"{s}\"")).collect();
    let text = text.replace(&line, &format!("verify_scales = [{}]", quoted.join(", ")));
    std::fs::write(&manifest, text).unwrap();
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// insta settings writing to the workspace's `snapshots/` directory.
pub fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join("snapshots"),
    );
    settings.set_prepend_module_to_snapshot(false);
    settings
}
