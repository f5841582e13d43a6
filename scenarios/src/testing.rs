//! Helpers for test suites: run claims on a subject with the test backend and assert
//! verdicts, with the rendered scorecard in every failure message.
//!
//! The backend comes from `READINESS_TEST_BACKEND` (native, container or url; default:
//! native); the container backend's image from `READINESS_PG_IMAGE`, else the image of the
//! host's server major (`readiness-postgres:<major>` when built here). The seed comes from
//! `READINESS_SEED` (default: random, printed).

use std::path::Path;
use std::sync::Arc;

use harness::backend::container::ContainerBackend;
use harness::backend::native::binaries;
use harness::backend::{self, BackendOptions};
use harness::report::evidence::{Scorecard, Status};
use harness::run::scenario::{Run, RunOptions};
use harness::subject::Subject;
use harness::{Backend, BackendKind};

/// The backend the test suite runs on.
pub async fn test_backend() -> Arc<dyn Backend> {
    let kind = std::env::var("READINESS_TEST_BACKEND")
        .ok()
        .filter(|v| !v.is_empty())
        .map(|v| v.parse::<BackendKind>().expect("READINESS_TEST_BACKEND"))
        .unwrap_or(BackendKind::Native);
    let image_unset =
        std::env::var(harness::backend::container::IMAGE_ENV).map_or(true, |v| v.is_empty());
    let backend: Result<Arc<dyn Backend>, _> = match binaries::discover() {
        Ok(host) if kind == BackendKind::Container && image_unset => {
            ContainerBackend::for_major(host.major)
                .await
                .map(|b| Arc::new(b) as Arc<dyn Backend>)
        }
        _ => {
            backend::select(&BackendOptions {
                kind: Some(kind),
                ..BackendOptions::default()
            })
            .await
        }
    };
    let backend = backend.unwrap_or_else(|e| panic!("the {kind} test backend is unavailable: {e}"));
    eprintln!("readiness test backend: {}", backend.describe());
    backend
}

/// The run seed: `READINESS_SEED`, else random; printed so that a failure replays.
pub fn test_seed() -> u64 {
    let seed = std::env::var("READINESS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(harness::run::seed::random);
    eprintln!("readiness test seed: {seed} (replay with READINESS_SEED={seed})");
    seed
}

/// Runs `claims` on the bundled subject `name`.
pub async fn verify_bundled(name: &str, claims: &[&str]) -> Scorecard {
    verify_dir(&crate::subjects::bundled(name), claims).await
}

/// Runs `claims` (only the scenarios in `scenarios`, when given) on the subject in `dir`.
pub async fn verify_dir(dir: &Path, claims: &[&str]) -> Scorecard {
    verify_with(dir, claims, &crate::all()).await
}

/// Runs `claims` on the subject in `dir` with exactly the given scenarios.
pub async fn verify_with(
    dir: &Path,
    claims: &[&str],
    scenarios: &[Arc<dyn harness::Scenario>],
) -> Scorecard {
    let subject = Subject::load(dir)
        .unwrap_or_else(|e| panic!("failed to load subject {}: {e}", dir.display()));
    let specs: Vec<_> = crate::CLAIMS
        .iter()
        .copied()
        .filter(|c| claims.contains(&c.id))
        .collect();
    assert_eq!(specs.len(), claims.len(), "unknown claim in {claims:?}");
    let run = Run::new(
        subject,
        test_backend().await,
        RunOptions::from_env(test_seed()),
    );
    harness::run::runner::run(&specs, scenarios, run, &harness::run::runner::Quiet).await
}

/// The ids of one scenario's findings, sorted (a baseline compares them by these).
#[track_caller]
pub fn finding_ids(scorecard: &Scorecard, claim: &str, scenario: &str) -> Vec<String> {
    let mut ids: Vec<String> = scorecard
        .claim(claim)
        .and_then(|c| c.scenarios.iter().find(|s| s.id == scenario))
        .unwrap_or_else(|| panic!("{claim}/{scenario} did not run"))
        .evidence
        .findings
        .iter()
        .map(|f| f.id.clone())
        .collect();
    ids.sort();
    ids
}

/// Asserts a claim's status, showing the whole scorecard when it differs.
#[track_caller]
pub fn assert_claim(scorecard: &Scorecard, claim: &str, expected: Status) {
    let found = scorecard
        .claim(claim)
        .unwrap_or_else(|| panic!("claim {claim} is not in the scorecard"));
    assert_eq!(
        found.status,
        expected,
        "claim {claim}: expected {}, got {}\n{}",
        expected.label(),
        found.status.label(),
        harness::report::terminal::render(scorecard, true)
    );
}

/// Asserts one scenario's status, showing the whole scorecard when it differs.
#[track_caller]
pub fn assert_scenario(scorecard: &Scorecard, claim: &str, scenario: &str, expected: Status) {
    let found = scorecard
        .claim(claim)
        .and_then(|c| c.scenarios.iter().find(|s| s.id == scenario))
        .unwrap_or_else(|| panic!("scenario {claim}/{scenario} is not in the scorecard"));
    assert_eq!(
        found.status,
        expected,
        "scenario {claim}/{scenario}: expected {}, got {}\n{}",
        expected.label(),
        found.status.label(),
        harness::report::terminal::render(scorecard, true)
    );
}

/// The evidence of one scenario, rendered as text, for asserting on its content.
pub fn evidence_text(scorecard: &Scorecard, claim: &str, scenario: &str) -> String {
    let report = scorecard
        .claim(claim)
        .and_then(|c| c.scenarios.iter().find(|s| s.id == scenario))
        .unwrap_or_else(|| panic!("scenario {claim}/{scenario} is not in the scorecard"));
    serde_json::to_string_pretty(&report.evidence).expect("evidence serializes")
}

/// A copy of the bundled subject `name` in a temp dir, to mutate into a negative (or
/// positive) control.
pub fn copy_subject(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temp dir");
    copy_dir(&crate::subjects::bundled(name), dir.path());
    dir
}

/// A copy of the corpus subject `name` (`tests/corpus/<name>`) in a temp dir, to mutate.
pub fn copy_corpus_subject(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temp dir");
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus");
    copy_dir(&corpus.join(name), dir.path());
    dir
}

/// Replaces `from` with `to` in `file` (relative to `dir`), failing if `from` is absent.
#[track_caller]
pub fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("failed to read {}: {e}", path.display()));
    assert!(
        text.contains(from),
        "{} does not contain {from:?}",
        path.display()
    );
    std::fs::write(&path, text.replace(from, to)).expect("write the mutated file");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create a directory");
    for entry in std::fs::read_dir(from).expect("read a directory").flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a file");
            if let Ok(meta) = std::fs::metadata(entry.path()) {
                let _ = std::fs::set_permissions(&target, meta.permissions());
            }
        }
    }
}

/// Runs `assertions` with insta's snapshots kept in the workspace's top-level
/// `snapshots/` directory (insta would put them next to each test file), named by the
/// snapshot name alone: `snapshots/<name>.snap`.
pub fn with_top_level_snapshots<R>(assertions: impl FnOnce() -> R) -> R {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the scenarios crate sits inside the workspace");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(root.join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(assertions)
}

/// `text` without what changes from run to run: secrets, and the run id inside the
/// names of what the harness created (`readiness_1a2b3c4d_…` → `readiness_[run]_…`).
pub fn stable_text(text: &str) -> String {
    harness::report::volatile::without_run_ids(text)
}

/// Whether this process may mount the small filesystem a full disk is simulated with (it
/// needs root); see [`SmallFilesystem::mount_or_skip`] for the `SKIP` line and
/// `READINESS_REQUIRE_ROOT=1`.
pub fn can_mount_or_skip(test: &str) -> bool {
    harness::backup::small_fs::SmallFilesystem::mount_or_skip(64 * 1024, test).is_some()
}
