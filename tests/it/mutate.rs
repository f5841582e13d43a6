//! `readiness mutate` end to end: every schema mutant of the bundled instantviz is caught
//! by its claim's scenarios, and bad input is a usage error.

use crate::cli::{leftovers_of, readiness, subject, text};

/// Small enough for a test, large enough for the indexes claim to judge plans: at 3k
/// users every table the main queries read is past `seq_scan_max_rows`.
const SCALES: (&str, &str) = ("READINESS_SCALES", "1k,3k");

#[test]
fn mutate_catches_every_schema_mutant_of_instantviz() {
    let report = tempfile::tempdir().unwrap();
    let (out, pid) = readiness(
        &[
            "mutate",
            "--subject",
            &subject("instantviz"),
            "--seed",
            "7",
            "--report",
            report.path().to_str().unwrap(),
        ],
        &[SCALES],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report.path().join("mutate.json")).unwrap())
            .unwrap();
    // the indexes claim is already refuted on instantviz (its unindexed cascade): its
    // mutants are caught by what they add to that
    assert_eq!(json["baseline"]["constraints"], "proven", "{json:#}");
    assert_eq!(json["baseline"]["indexes"], "refuted", "{json:#}");
    let mutants = json["mutants"].as_array().unwrap();
    let labels: Vec<&str> = mutants
        .iter()
        .map(|m| m["mutant"].as_str().unwrap())
        .collect();
    for expected in [
        "drop unique users(stripe_customer_id)",
        "drop check users(usage_count)",
        "drop foreign key projects(workspace_id)",
        "no action instead of cascade projects(workspace_id)",
        "drop index users_email_idx (login)",
    ] {
        assert!(labels.contains(&expected), "{expected} in {labels:?}");
    }
    for mutant in mutants {
        assert_eq!(mutant["verdict"], "caught", "{mutant:#}");
    }
    assert_eq!(json["caught"], json["total"]);
    assert_eq!(json["score"], 1.0);
    assert!(
        text(&out).contains(&format!(
            "mutation score: {0}/{0} caught (100%)",
            mutants.len()
        )),
        "{}",
        text(&out)
    );
    assert!(leftovers_of(pid).is_empty());
}

#[test]
fn an_unknown_mutant_kind_is_a_usage_error() {
    let (out, _) = readiness(&["mutate", "--only", "drop-everything"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("unknown mutant kind `drop-everything`"),
        "{}",
        text(&out)
    );
}
