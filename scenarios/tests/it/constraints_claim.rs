//! The `constraints` claim: PROVEN on instantviz; REFUTED on instantviz-before (no UNIQUE,
//! CHECK or foreign key at all) and on mutants that keep the constraint but break its
//! behaviour; a manifest naming a table that does not exist is an input error.

use std::path::Path;
use std::sync::Arc;

use harness::report::evidence::Scorecard;
use harness::{Scenario, Status};
use scenarios::constraints::{
    CascadesRemoveDescendants, CheckThenInsertUnderRace, ConstraintsRejectGeneratedViolations,
    ExpectedConstraintsExist,
};
use scenarios::subjects::{INSTANTVIZ, INSTANTVIZ_BEFORE};
use scenarios::testing::{
    assert_claim, assert_scenario, evidence_text, verify_bundled, verify_dir, verify_with,
};

const CLAIM: &str = "constraints";
const SCENARIOS: [&str; 5] = [
    "expected-constraints-exist",
    "constraints-reject-generated-violations",
    "cascades-remove-descendants",
    "unique-keys-under-race",
    "check-then-insert-under-race",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn constraints_hold_on_instantviz() {
    let scorecard = verify_bundled(INSTANTVIZ, &[CLAIM]).await;
    assert_claim(&scorecard, CLAIM, Status::Proven);
    for scenario in SCENARIOS {
        assert_scenario(&scorecard, CLAIM, scenario, Status::Proven);
    }
    let generated = evidence_text(&scorecard, CLAIM, "constraints-reject-generated-violations");
    assert!(generated.contains("refused as claimed"), "{generated}");
    let race = evidence_text(&scorecard, CLAIM, "unique-keys-under-race");
    assert!(
        race.contains("writes overlapped in 20: both committed in 0, exactly one in 20"),
        "{race}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn constraints_refuted_on_instantviz_before() {
    let scorecard = verify_bundled(INSTANTVIZ_BEFORE, &[CLAIM]).await;
    assert_claim(&scorecard, CLAIM, Status::Refuted);
    for scenario in SCENARIOS {
        assert_scenario(&scorecard, CLAIM, scenario, Status::Refuted);
    }

    let exist = evidence_text(&scorecard, CLAIM, "expected-constraints-exist");
    assert!(
        exist.contains("no unique constraint or unique index on users(stripe_customer_id)"),
        "{exist}"
    );

    let generated = evidence_text(&scorecard, CLAIM, "constraints-reject-generated-violations");
    for expected in [
        // a duplicate Stripe customer id accepted, shrunk to two otherwise empty rows
        "unique users(stripe_customer_id): a row that breaks it is accepted",
        // a negative usage count accepted, shrunk to the smallest one
        "check users(usage_count): usage_count >= 0: a row that breaks it is accepted",
        "NULL, NULL, -1)",
        // a slide pointing at no project accepted
        "foreign key project_visualizations(project_id)",
        "database: accepted",
    ] {
        assert!(generated.contains(expected), "{expected:?} in {generated}");
    }

    let cascades = evidence_text(&scorecard, CLAIM, "cascades-remove-descendants");
    assert!(
        cascades.contains("delete from projects: the delete leaves rows behind"),
        "{cascades}"
    );
    assert!(
        cascades.contains("still there: project_visualizations"),
        "{cascades}"
    );

    let race = evidence_text(&scorecard, CLAIM, "unique-keys-under-race");
    assert!(
        race.contains("writes overlapped in 20: both committed in 20"),
        "{race}"
    );
    let signup = evidence_text(&scorecard, CLAIM, "check-then-insert-under-race");
    assert!(
        signup.contains("20 rounds, writes overlapped in 20: both committed in 20"),
        "the app's check-then-insert loses every gated round: {signup}"
    );
    assert!(signup.contains("session 2: committed"), "{signup}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_that_exists_but_allows_negative_usage_is_refuted_by_behaviour() {
    let dir = mutant(|root| {
        replace(
            &root.join("migrations/0002_constraints.up.sql"),
            "CHECK (usage_count >= 0)",
            "CHECK (usage_count >= -1000)",
        )
    });
    let scenarios: Vec<Arc<dyn Scenario>> = vec![
        Arc::new(ExpectedConstraintsExist),
        Arc::new(ConstraintsRejectGeneratedViolations),
    ];
    let scorecard = verify_with(dir.path(), &[CLAIM], &scenarios).await;
    // the constraint is there, under its name: existence alone would pass it
    assert_scenario(
        &scorecard,
        CLAIM,
        "expected-constraints-exist",
        Status::Proven,
    );
    assert_scenario(
        &scorecard,
        CLAIM,
        "constraints-reject-generated-violations",
        Status::Refuted,
    );
    let generated = evidence_text(&scorecard, CLAIM, "constraints-reject-generated-violations");
    assert!(
        generated.contains(
            "check users(usage_count): usage_count >= 0: a row that breaks it is accepted"
        ),
        "{generated}"
    );
    assert!(generated.contains(", -1)"), "shrunk to -1: {generated}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slides_that_block_their_project_delete_refute_the_cascade() {
    let dir = mutant(|root| {
        replace(
            &root.join("migrations/0002_constraints.up.sql"),
            "FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE",
            "FOREIGN KEY (project_id) REFERENCES projects (id)",
        )
    });
    let scenarios: Vec<Arc<dyn Scenario>> = vec![
        Arc::new(ExpectedConstraintsExist),
        Arc::new(CascadesRemoveDescendants),
    ];
    let scorecard = verify_with(dir.path(), &[CLAIM], &scenarios).await;
    assert_claim(&scorecard, CLAIM, Status::Refuted);
    let exist = evidence_text(&scorecard, CLAIM, "expected-constraints-exist");
    assert!(
        exist.contains(
            "project_visualizations_project_id_fkey is ON DELETE NO ACTION, not ON DELETE CASCADE"
        ),
        "{exist}"
    );
    assert_scenario(
        &scorecard,
        CLAIM,
        "cascades-remove-descendants",
        Status::Refuted,
    );
    let cascades = evidence_text(&scorecard, CLAIM, "cascades-remove-descendants");
    assert!(
        cascades.contains("delete from projects: the delete is refused"),
        "{cascades}"
    );
    assert!(
        cascades.contains("23503 foreign_key_violation"),
        "{cascades}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_constraint_on_a_missing_table_is_a_manifest_error() {
    let dir = mutant(|root| {
        replace(
            &root.join("readiness.toml"),
            "table = \"users\"\ncolumns = [\"usage_count\"]",
            "table = \"user_accounts\"\ncolumns = [\"usage_count\"]",
        )
    });
    let scorecard = verify_dir(dir.path(), &[CLAIM]).await;
    assert_claim(&scorecard, CLAIM, Status::NotProven);
    let errors = scorecard.input_error_text();
    assert!(errors.contains("`constraints[3].table`"), "{errors}");
    assert!(
        errors.contains("table `user_accounts` does not exist in the migrated database"),
        "{errors}"
    );
    assert!(
        errors.contains("readiness.toml:"),
        "the error names the file and line: {errors}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_accepted_value_the_claimed_rule_forbids_is_a_manifest_error() {
    let dir = mutant(|root| {
        replace(
            &root.join("readiness.toml"),
            "accepts = [\"0\", \"1\", \"2147483647\"]",
            "accepts = [\"0\", \"1\", \"-5\"]",
        )
    });
    let scenarios: Vec<Arc<dyn Scenario>> = vec![Arc::new(ExpectedConstraintsExist)];
    let scorecard = verify_with(dir.path(), &[CLAIM], &scenarios).await;
    let errors = scorecard.input_error_text();
    assert!(
        errors.contains("`constraints[3].accepts[2]`: `-5` does not satisfy the claimed expression `usage_count >= 0`"),
        "{errors}"
    );
}

/// Claims the report does not make, on a NOT NULL column and a primary key.
const MORE_CLAIMS: &str = "
[[constraints]]
kind = \"not_null\"
table = \"users\"
columns = [\"email\"]

[[constraints]]
kind = \"primary_key\"
table = \"workspaces\"
columns = [\"id\"]
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_null_and_primary_key_claims_are_proven_and_refuted_by_behaviour() {
    let scenarios: Vec<Arc<dyn Scenario>> = vec![
        Arc::new(ExpectedConstraintsExist),
        Arc::new(ConstraintsRejectGeneratedViolations),
    ];
    let after = mutant(|root| append(&root.join("readiness.toml"), MORE_CLAIMS));
    let scorecard = verify_with(after.path(), &[CLAIM], &scenarios).await;
    assert_claim(&scorecard, CLAIM, Status::Proven);
    for label in ["not null users(email)", "primary key workspaces(id)"] {
        let seen = observation(&scorecard, "constraints-reject-generated-violations", label);
        assert!(seen.contains("cases held"), "{label}: {seen}");
    }

    let before = mutant_of(INSTANTVIZ_BEFORE, |root| {
        append(&root.join("readiness.toml"), MORE_CLAIMS)
    });
    let scorecard = verify_with(before.path(), &[CLAIM], &scenarios).await;
    let generated = evidence_text(&scorecard, CLAIM, "constraints-reject-generated-violations");
    assert!(
        generated.contains("not null users(email): a row that breaks it is accepted"),
        "{generated}"
    );
    assert!(
        !generated.contains("primary key workspaces(id): a row"),
        "instantviz-before has its primary keys: {generated}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_bundled_flows_a_sql_check_then_insert_races_on_each_unique_key() {
    let scenarios: Vec<Arc<dyn Scenario>> = vec![Arc::new(CheckThenInsertUnderRace)];
    let drop_flows = |root: &Path| {
        let manifest = root.join("readiness.toml");
        let text = std::fs::read_to_string(&manifest).unwrap();
        let text: String = text
            .lines()
            .filter(|l| !l.starts_with("builtin = "))
            .map(|l| format!("{l}\n"))
            .collect();
        std::fs::write(manifest, text).unwrap();
    };
    let after = mutant(drop_flows);
    let scorecard = verify_with(after.path(), &[CLAIM], &scenarios).await;
    assert_scenario(
        &scorecard,
        CLAIM,
        "check-then-insert-under-race",
        Status::Proven,
    );
    let race = evidence_text(&scorecard, CLAIM, "check-then-insert-under-race");
    assert!(
        race.contains("unique project_visualizations(project_id, slide_number): gated"),
        "{race}"
    );

    let before = mutant_of(INSTANTVIZ_BEFORE, drop_flows);
    let scorecard = verify_with(before.path(), &[CLAIM], &scenarios).await;
    assert_scenario(
        &scorecard,
        CLAIM,
        "check-then-insert-under-race",
        Status::Refuted,
    );
    let race = evidence_text(&scorecard, CLAIM, "check-then-insert-under-race");
    assert!(
        race.contains("unique users(stripe_customer_id): the check-then-insert lost the race"),
        "{race}"
    );
}

/// The value of one observation in a scenario's evidence.
fn observation(scorecard: &Scorecard, scenario: &str, label: &str) -> String {
    scorecard
        .claim(CLAIM)
        .and_then(|c| c.scenarios.iter().find(|s| s.id == scenario))
        .and_then(|s| s.evidence.observations.iter().find(|o| o.label == label))
        .map(|o| o.value.clone())
        .unwrap_or_else(|| panic!("no observation {label:?} in {scenario}"))
}

/// A copy of instantviz, changed by `change`.
fn mutant(change: impl FnOnce(&Path)) -> tempfile::TempDir {
    mutant_of(INSTANTVIZ, change)
}

/// A copy of the bundled subject `name`, changed by `change`.
fn mutant_of(name: &str, change: impl FnOnce(&Path)) -> tempfile::TempDir {
    let dir = scenarios::testing::copy_subject(name);
    change(dir.path());
    dir
}

fn append(file: &Path, text: &str) {
    let mut contents = std::fs::read_to_string(file).unwrap();
    contents.push_str(text);
    std::fs::write(file, contents).unwrap();
}

fn replace(file: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(file).unwrap();
    assert!(text.contains(from), "{} lacks {from:?}", file.display());
    std::fs::write(file, text.replacen(from, to, 1)).unwrap();
}
