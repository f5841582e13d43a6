//! `readiness mutate` end to end: every mutant of the bundled instantviz (schema, flows,
//! downs, scripts, config) is caught by its claim's scenarios, a corpus subject of another
//! stack gets its own mutants caught, and bad input is a usage error.

use crate::cli::{leftovers_of, readiness, subject, text};

/// Small enough for a test, large enough for the indexes claim to judge plans: at 3k
/// users every table the main queries read is past `seq_scan_max_rows`.
const SCALES: (&str, &str) = ("READINESS_SCALES", "1k,3k");

/// Runs mutate on `subject_dir` and returns its exit code, report.json and output.
fn mutate(subject_dir: &str, only: Option<&str>) -> (Option<i32>, serde_json::Value, String) {
    let report = tempfile::tempdir().unwrap();
    let mut args = vec![
        "mutate",
        "--subject",
        subject_dir,
        "--seed",
        "7",
        "--report",
        report.path().to_str().unwrap(),
    ];
    if let Some(only) = only {
        args.extend(["--only", only]);
    }
    let (out, pid) = readiness(&args, &[SCALES]);
    let json = std::fs::read_to_string(report.path().join("report.json"))
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap_or_else(|e| panic!("no report.json ({e}): {}", text(&out)));
    assert!(leftovers_of(pid).is_empty(), "{}", text(&out));
    assert!(
        std::fs::read_to_string(report.path().join("report.html"))
            .unwrap()
            .contains("Mutation score"),
        "report.html shows the score"
    );
    (out.status.code(), json, text(&out))
}

fn labels(json: &serde_json::Value) -> Vec<String> {
    json["mutation"]["mutants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["mutant"]["label"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn mutate_catches_every_mutant_of_instantviz() {
    let (code, json, out) = mutate(&subject("instantviz"), None);
    let score = &json["mutation"];
    for mutant in score["mutants"].as_array().unwrap() {
        assert_eq!(mutant["verdict"], "caught", "{mutant:#}");
    }
    assert_eq!(code, Some(0), "{out}");
    let labels = labels(&json);
    for expected in [
        "flow `create a slide deck` without its transaction",
        "drop unique users(stripe_customer_id)",
        "drop check users(usage_count)",
        "no action instead of cascade projects(workspace_id)",
        "weaken check users(subscription_status): allows 'readiness_widened'",
        "weaken check users(usage_count): >= 0 becomes >= -1",
        "drop index users_email_idx (login)",
        "rebuild index projects_owner_id_created_at_idx on (created_at, owner_id) (my projects)",
        "empty the down of 0002 constraints",
        "backup writes a truncated file and exits 0",
        "backup ignores pg_dump's failure",
        "backup skips its retention policy",
        "restore does nothing and exits 0",
        "monitor always exits 0",
        "log_min_duration_statement = -1 in infra/postgresql.conf",
        "publish 127.0.0.1:5432:5432 as 5432:5432 in infra/docker-compose.yml",
        "POSTGRES_PASSWORD written into infra/docker-compose.yml",
    ] {
        assert!(
            labels.iter().any(|l| l == expected),
            "{expected} in {labels:?}"
        );
    }
    assert!(
        labels
            .iter()
            .any(|l| l.starts_with("make the down drop one object too many")),
        "{labels:?}"
    );
    // the kinds instantviz gives no mutant of are said, with why
    let not_derived: Vec<&str> = score["not_derived"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        not_derived,
        ["flow-without-transaction", "listen-everywhere"]
    );
    assert_eq!(score["caught"], score["total"]);
    assert_eq!(score["score"], 1.0);
    assert!(
        out.contains(&format!(
            "mutation score: {0}/{0} caught (100%)",
            labels.len()
        )),
        "{out}"
    );
}

/// A subject readiness did not write (golang-migrate's directory, its own scripts and
/// compose file): its mutants of every layer are caught, but one: its backup script never
/// applied the retention policy it claims, so removing it changes nothing. That survivor
/// is named, with the refutation the subject already had, and fails the exit code.
#[test]
fn mutate_on_a_corpus_subject_catches_its_mutants_and_names_its_survivor() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus/go-migrate-api");
    let (code, json, out) = mutate(
        dir,
        Some("flow-without-transaction,weaken-check,down-drops-more,backup-skips-retention,restore-does-nothing,monitor-always-healthy,port-on-every-interface"),
    );
    let score = &json["mutation"];
    let mut survivors = Vec::new();
    for mutant in score["mutants"].as_array().unwrap() {
        match mutant["mutant"]["kind"].as_str().unwrap() {
            "backup-skips-retention" => survivors.push(mutant),
            _ => assert_eq!(mutant["verdict"], "caught", "{mutant:#}\n{out}"),
        }
    }
    assert_eq!(survivors.len(), 1, "{score:#}");
    assert_eq!(survivors[0]["verdict"], "survived", "{:#}", survivors[0]);
    assert!(
        survivors[0]["evidence"].as_str().unwrap().contains(
            "already REFUTED (the protection may be missing there too): retention-policy"
        ),
        "{:#}",
        survivors[0]
    );
    assert!(score["total"].as_u64().unwrap() >= 9, "{score:#}");
    assert_eq!(code, Some(1), "a survivor fails the exit code: {out}");
    // every selected kind has a mutant here: none is listed as not derived
    assert!(score.get("not_derived").is_none(), "{score:#}");
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
