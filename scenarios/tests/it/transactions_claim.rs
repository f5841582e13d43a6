//! The `transactions` claim: PROVEN on instantviz; REFUTED on instantviz-before with the
//! partial writes, lost commits' absence, redelivery and lost-update evidence found; the
//! isolation check REFUTED when a level is judged by stricter rules than it runs at; SQL
//! flows checked on their own, and REFUTED when a step commits midway.

use std::path::Path;
use std::sync::Arc;

use harness::checks::isolation::IsolationLevel;
use harness::Status;
use scenarios::subjects::{INSTANTVIZ, INSTANTVIZ_BEFORE};
use scenarios::testing::{
    assert_claim, assert_scenario, evidence_text, verify_bundled, verify_with,
};
use scenarios::transactions::{AllOrNothingUnderFaults, IsolationCheck, IsolationLevelsHold};

const CLAIM: &str = "transactions";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transactions_proven_on_instantviz() {
    let scorecard = verify_bundled(INSTANTVIZ, &[CLAIM]).await;
    assert_claim(&scorecard, CLAIM, Status::Proven);
    let isolation = evidence_text(&scorecard, CLAIM, "isolation-levels-hold");
    assert!(
        isolation.contains("REPEATABLE READ: G2-item ×"),
        "snapshot isolation shows write skew, as published: {isolation}"
    );
    assert!(
        isolation.contains("SERIALIZABLE: none;"),
        "SERIALIZABLE shows no anomaly: {isolation}"
    );
    let durability = evidence_text(&scorecard, CLAIM, "acknowledged-commits-survive-crash");
    assert!(
        durability.contains("acknowledged and present after restart"),
        "{durability}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transactions_refuted_on_instantviz_before_with_the_partial_state_found() {
    let scorecard = verify_bundled(INSTANTVIZ_BEFORE, &[CLAIM]).await;
    assert_claim(&scorecard, CLAIM, Status::Refuted);

    assert_scenario(
        &scorecard,
        CLAIM,
        "all-or-nothing-under-faults",
        Status::Refuted,
    );
    let faults = evidence_text(&scorecard, CLAIM, "all-or-nothing-under-faults");
    assert!(
        faults.contains("auth.signup, an application error at fault point 1")
            && faults
                .contains("1 user(s), 0 workspace(s), 0 project(s) (a user with no workspace)"),
        "a signup interrupted after step 1 leaves a user with no workspace: {faults}"
    );
    assert!(faults.contains("every user has a workspace"), "{faults}");

    assert_scenario(
        &scorecard,
        CLAIM,
        "all-or-nothing-across-crash",
        Status::Refuted,
    );
    let crash = evidence_text(&scorecard, CLAIM, "all-or-nothing-across-crash");
    assert!(
        crash.contains("auth.signup, kill -9 of the server at fault point 1")
            && crash.contains("(a user with no workspace)"),
        "{crash}"
    );

    assert_scenario(
        &scorecard,
        CLAIM,
        "acknowledged-commits-survive-crash",
        Status::Refuted,
    );
    let durability = evidence_text(&scorecard, CLAIM, "acknowledged-commits-survive-crash");
    assert!(
        durability.contains("interrupted by the crash is half there"),
        "{durability}"
    );

    assert_scenario(
        &scorecard,
        CLAIM,
        "webhooks-survive-redelivery",
        Status::Refuted,
    );
    let webhooks = evidence_text(&scorecard, CLAIM, "webhooks-survive-redelivery");
    assert!(
        webhooks.contains("in-order single delivery ends with") && webhooks.contains("delivered ("),
        "the counterexample names the event sequence: {webhooks}"
    );

    assert_scenario(&scorecard, CLAIM, "no-lost-updates", Status::Refuted);
    let races = evidence_text(&scorecard, CLAIM, "no-lost-updates");
    assert!(
        races.contains(
            "24 concurrent increments (all reads before any write): usage count 1, 23 lost"
        ),
        "read-modify-write loses every increment but one when all reads come first: {races}"
    );

    assert_scenario(&scorecard, CLAIM, "random-fault-schedules", Status::Refuted);
    let schedules = evidence_text(&scorecard, CLAIM, "random-fault-schedules");
    assert!(
        schedules.contains("minimal failing schedule"),
        "{schedules}"
    );

    // the server's isolation is the server's, whichever app runs on it
    assert_scenario(&scorecard, CLAIM, "isolation-levels-hold", Status::Proven);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn isolation_check_refutes_repeatable_read_judged_as_serializable() {
    let mislabelled = IsolationLevelsHold::with_checks(vec![IsolationCheck {
        run_at: IsolationLevel::RepeatableRead,
        judged_as: IsolationLevel::Serializable,
        with_cuts: false,
    }]);
    let scorecard = verify_with(
        &scenarios::subjects::bundled(INSTANTVIZ),
        &[CLAIM],
        &[Arc::new(mislabelled)],
    )
    .await;
    assert_scenario(&scorecard, CLAIM, "isolation-levels-hold", Status::Refuted);
    let evidence = evidence_text(&scorecard, CLAIM, "isolation-levels-hold");
    assert!(
        evidence.contains("G2-item at REPEATABLE READ"),
        "{evidence}"
    );
    assert!(
        evidence.contains("-rw→"),
        "the cycle is shown edge by edge: {evidence}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sql_flows_alone_are_checked_at_every_fault_point() {
    let dir = sql_only_subject(|manifest| manifest);
    let scorecard = run_fault_matrix(dir.path()).await;
    assert_scenario(
        &scorecard,
        CLAIM,
        "all-or-nothing-under-faults",
        Status::Proven,
    );
    let evidence = evidence_text(&scorecard, CLAIM, "all-or-nothing-under-faults");
    assert!(
        evidence.contains("16 (4 fault points of 1 flow × 4 faults)"),
        "{evidence}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sql_flow_refuted_when_a_step_commits_midway() {
    let dir = sql_only_subject(|manifest| {
        manifest.replace(
            "\"INSERT INTO workspaces (owner_id, name)",
            "\"COMMIT; BEGIN; INSERT INTO workspaces (owner_id, name)",
        )
    });
    let scorecard = run_fault_matrix(dir.path()).await;
    assert_scenario(
        &scorecard,
        CLAIM,
        "all-or-nothing-under-faults",
        Status::Refuted,
    );
    let evidence = evidence_text(&scorecard, CLAIM, "all-or-nothing-under-faults");
    assert!(
        evidence.contains("sql flow `create a slide deck`") && evidence.contains("1 of its 6 rows"),
        "{evidence}"
    );
}

async fn run_fault_matrix(dir: &Path) -> harness::report::evidence::Scorecard {
    verify_with(dir, &[CLAIM], &[Arc::new(AllOrNothingUnderFaults)]).await
}

/// A copy of instantviz whose only flows are its manifest's SQL flows, edited by `edit`.
fn sql_only_subject(edit: impl Fn(String) -> String) -> tempfile::TempDir {
    let dir = scenarios::testing::copy_subject(INSTANTVIZ);
    let path = dir.path().join("readiness.toml");
    let manifest = std::fs::read_to_string(&path)
        .unwrap()
        .replace("builtin = \"instantviz\"\n", "");
    std::fs::write(&path, edit(manifest)).unwrap();
    dir
}
