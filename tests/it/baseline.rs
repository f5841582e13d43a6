//! `verify --baseline` as a CI gate: a subject that improves on its baseline passes, one
//! that regresses fails, and a subject that fails claims today passes against its own
//! baseline, with JUnit gating as the exit code does. `--history` records and flags.

use crate::cli::{leftovers_of, readiness, subject, text};

/// `verify --only migrations` on `subject_dir` into `report`, with `extra` arguments.
fn verify_migrations(
    subject_dir: &str,
    report: &std::path::Path,
    extra: &[&str],
) -> std::process::Output {
    let mut args = vec![
        "verify",
        "--subject",
        subject_dir,
        "--only",
        "migrations",
        "--report",
        report.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let (out, pid) = readiness(&args, &[]);
    assert!(
        leftovers_of(pid).is_empty(),
        "left behind: {:?}",
        leftovers_of(pid)
    );
    out
}

#[test]
fn a_baseline_passes_what_improved_or_held_and_fails_what_regressed() {
    let before = tempfile::tempdir().unwrap();
    let after = tempfile::tempdir().unwrap();
    let again = tempfile::tempdir().unwrap();
    let before_subject = subject("instantviz-before");
    let after_subject = subject("instantviz");

    let out = verify_migrations(&before_subject, before.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let before_json = before.path().join("report.json");

    // the report's fixes against the negative control: better, so the gate passes
    let out = verify_migrations(
        &after_subject,
        after.path(),
        &["--baseline", before_json.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let shown = text(&out);
    assert!(shown.contains("baseline: nothing got worse"), "{shown}");
    assert!(
        shown.contains("improved: migrations/up-down-round-trip: REFUTED → PROVEN"),
        "{shown}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(after.path().join("report.json")).unwrap())
            .unwrap();
    assert!(json["baseline"]["regressed"].as_array().unwrap().is_empty());
    assert!(!json["baseline"]["improved"].as_array().unwrap().is_empty());

    // the negative control against the fixed subject's report: worse, so it fails
    let after_json = after.path().join("report.json");
    let out = verify_migrations(
        &before_subject,
        again.path(),
        &["--baseline", after_json.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let shown = text(&out);
    assert!(
        shown.contains("baseline: worse than the baseline"),
        "{shown}"
    );
    assert!(
        shown.contains("regressed: migrations/up-down-round-trip: PROVEN → REFUTED"),
        "{shown}"
    );
    let junit = std::fs::read_to_string(again.path().join("junit.xml")).unwrap();
    assert!(junit.contains("type=\"refuted\""), "{junit}");
    let summary = std::fs::read_to_string(again.path().join("summary.md")).unwrap();
    assert!(
        summary.contains("❌ **worse than the baseline"),
        "{summary}"
    );

    // a database that fails the claim today, against its own report: nothing got worse
    let out = verify_migrations(
        &before_subject,
        again.path(),
        &["--baseline", before_json.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("REFUTED     migrations"),
        "{}",
        text(&out)
    );
    let junit = std::fs::read_to_string(again.path().join("junit.xml")).unwrap();
    assert!(junit.contains("type=\"known-in-baseline\""), "{junit}");
    assert!(!junit.contains("type=\"refuted\""), "{junit}");
}

#[test]
fn a_bad_baseline_or_history_is_named_with_exit_2_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("report.json");
    std::fs::write(&bad, "{\"claims\": 3}").unwrap();
    let (out, _) = readiness(&["verify", "--baseline", bad.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains(&format!(
            "failed to read the baseline {}: not a readiness report.json",
            bad.display()
        )),
        "{}",
        text(&out)
    );
    let missing = dir.path().join("nowhere.json");
    let (out, _) = readiness(&["verify", "--baseline", missing.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("nowhere.json"), "{}", text(&out));

    std::fs::write(dir.path().join("history.jsonl"), "not json\n").unwrap();
    let (out, _) = readiness(&["verify", "--history", dir.path().to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("history.jsonl:1: not a readiness history line"),
        "{}",
        text(&out)
    );
}

#[test]
fn history_records_each_run_and_charts_it() {
    let history = tempfile::tempdir().unwrap();
    let report = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let out = verify_migrations(
            &subject("instantviz"),
            report.path(),
            &["--history", history.path().to_str().unwrap()],
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    }
    let lines = std::fs::read_to_string(history.path().join("history.jsonl")).unwrap();
    assert_eq!(lines.lines().count(), 2, "{lines}");
    let run: serde_json::Value = serde_json::from_str(lines.lines().last().unwrap()).unwrap();
    assert_eq!(run["command"], "verify");
    assert_eq!(run["subject"], "instantviz");
    let duration = "suite duration (--only migrations)";
    assert!(
        run["figures"][duration]["value"].as_f64().unwrap() > 0.0,
        "{run}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report.path().join("report.json")).unwrap())
            .unwrap();
    let trend = &json["trends"][0];
    assert_eq!(trend["figure"], duration);
    assert_eq!(trend["points"].as_array().unwrap().len(), 2, "{trend}");
}
