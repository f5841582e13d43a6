//! The `restore_drill` claim: PROVEN on instantviz by a drill at 1k users whose measured
//! RTO and its extrapolation to the claimed 100k users are under the claimed 900 s;
//! REFUTED when the measured RTO is over the bound, and on instantviz-before, which has no
//! restore procedure at all. (The verdict on an extrapolation over the bound is unit-tested
//! in `restore_drill::drill`.)

use std::path::Path;
use std::sync::Arc;

use harness::{Scenario, Status};
use scenarios::restore_drill::RtoDrill;
use scenarios::subjects::{bundled, INSTANTVIZ, INSTANTVIZ_BEFORE};
use scenarios::testing::{assert_claim, evidence_text, verify_with};

const CLAIM: &str = "restore_drill";
const USERS: u64 = 1_000;

async fn drill(dir: &Path) -> harness::report::evidence::Scorecard {
    let scenarios: Vec<Arc<dyn Scenario>> = vec![Arc::new(RtoDrill::at(USERS))];
    verify_with(dir, &[CLAIM], &scenarios).await
}

/// A copy of instantviz claiming an RTO of `seconds`.
fn claiming_rto(seconds: &str) -> tempfile::TempDir {
    let dir = scenarios::testing::copy_subject(INSTANTVIZ);
    let manifest = dir.path().join("readiness.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    assert!(text.contains("rto_seconds = 900"));
    std::fs::write(
        &manifest,
        text.replace("rto_seconds = 900", &format!("rto_seconds = {seconds}")),
    )
    .unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_drill_proven_on_instantviz() {
    let scorecard = drill(&bundled(INSTANTVIZ)).await;
    assert_claim(&scorecard, CLAIM, Status::Proven);
    let evidence = evidence_text(&scorecard, CLAIM, "rto-drill");
    for shown in [
        "RTO: restore start to verified, ready database",
        "extrapolated RTO",
        "restore throughput",
        "destroyed with its data directory",
    ] {
        assert!(evidence.contains(shown), "{shown}: {evidence}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_drill_refuted_when_the_measured_rto_exceeds_the_bound() {
    let dir = claiming_rto("0.05");
    let scorecard = drill(dir.path()).await;
    assert_claim(&scorecard, CLAIM, Status::Refuted);
    let evidence = evidence_text(&scorecard, CLAIM, "rto-drill");
    assert!(evidence.contains("over the claimed 0.05 s"), "{evidence}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_drill_refuted_without_a_restore_procedure() {
    let scorecard = drill(&bundled(INSTANTVIZ_BEFORE)).await;
    assert_claim(&scorecard, CLAIM, Status::Refuted);
    let evidence = evidence_text(&scorecard, CLAIM, "rto-drill");
    assert!(
        evidence.contains("no restore procedure to drill: no backup configured"),
        "{evidence}"
    );
}
