//! Helpers shared by the `indexes` tests: a bundled subject copied into a temp dir with
//! the scales its checks run at.

/// Scales that keep a test within seconds and still show what 100k users show.
pub const SMALL_SCALES: &[&str] = &["1k", "10k"];

/// A copy of the bundled subject `name` whose `scale.verify_scales` are `scales`.
pub fn subject_copy(name: &str, scales: &[&str]) -> tempfile::TempDir {
    let dir = scenarios::testing::copy_subject(name);
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
