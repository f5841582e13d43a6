//! The app's own code under faults: the Python/SQLAlchemy flows of the `alembic-saas`
//! corpus subject, run as `[[flows.command]]` through the protocol-aware fault proxy. As
//! written (one transaction per flow, an atomic counter) they hold; the negative control
//! (the engine in autocommit, the seat counter read and written back by the ORM, a late
//! failure webhook that undoes a payment) is REFUTED with the statement after which a
//! partial write was left, the lost update, and the delivery order that undid a payment.
//! Runs on the container backend too (`.ci/run`'s container pass).

use std::path::Path;
use std::sync::Arc;

use harness::Status::{Proven, Refuted};
use scenarios::testing::{
    assert_claim, assert_scenario, copy_corpus_subject, edit, evidence_text, verify_with,
};

const SUBJECT: &str = "alembic-saas";

/// The transactions scenarios with these ids.
fn transactions(ids: &[&str]) -> Vec<Arc<dyn harness::Scenario>> {
    scenarios::transactions::scenarios()
        .into_iter()
        .filter(|s| ids.contains(&s.id()))
        .collect()
}

/// Drops every `[[flows.command]]` of the manifest in `dir` not named in `keep` (to keep
/// a test to the flows it is about).
fn keep_command_flows(dir: &Path, keep: &[&str]) {
    let path = dir.join("readiness.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut out = Vec::new();
    let mut block: Option<Vec<&str>> = None;
    let flush = |block: &mut Option<Vec<&str>>, out: &mut Vec<String>| {
        if let Some(lines) = block.take() {
            let kept = lines.iter().any(|l| {
                keep.iter()
                    .any(|name| l.trim() == format!("name = \"{name}\""))
            });
            if kept {
                out.extend(lines.iter().map(|l| l.to_string()));
            }
        }
    };
    for line in text.lines() {
        let header = line.starts_with('[') || line.starts_with("# ----");
        if header {
            flush(&mut block, &mut out);
        }
        if line.trim() == "[[flows.command]]" {
            block = Some(vec![line]);
        } else if let Some(lines) = block.as_mut() {
            lines.push(line);
        } else {
            out.push(line.to_owned());
        }
    }
    flush(&mut block, &mut out);
    std::fs::write(&path, out.join("\n") + "\n").unwrap();
}

/// The negative control: the same app with its transactions removed (the engine in
/// autocommit: each statement commits on its own), the seat counter incremented by
/// reading it and writing it back, and a failed-payment webhook that overwrites a payment
/// which already succeeded (a late delivery undoes it).
fn without_transactions(dir: &Path) {
    edit(
        dir,
        "backend/app/services/invoices.py",
        "        elif payment.status != \"succeeded\":\n            payment.status = \"failed\"",
        "        else:\n            payment.status = \"failed\"",
    );
    edit(
        dir,
        "backend/app/db.py",
        "    pool_recycle=1800,\n)",
        "    pool_recycle=1800,\n    isolation_level=\"AUTOCOMMIT\",\n)",
    );
    edit(
        dir,
        "backend/app/services/accounts.py",
        "        session.execute(
            update(Organization)
            .where(Organization.id == organization_id)
            .values(seats_used=Organization.seats_used + 1)
        )",
        "        org = session.get(Organization, organization_id)
        org.seats_used = org.seats_used + 1",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_signup_holds_at_every_statement_boundary_under_every_fault_and_crash() {
    let dir = copy_corpus_subject(SUBJECT);
    keep_command_flows(dir.path(), &["signup"]);
    let ids = ["all-or-nothing-under-faults", "all-or-nothing-across-crash"];
    let scorecard = verify_with(dir.path(), &["transactions"], &transactions(&ids)).await;
    for id in ids {
        assert_scenario(&scorecard, "transactions", id, Proven);
    }
    let evidence = evidence_text(&scorecard, "transactions", "all-or-nothing-under-faults");
    // the flow's block: after BEGIN, after the organization, after the owner
    assert!(
        evidence.contains("faults at the 3 boundaries"),
        "{evidence}"
    );
    assert!(evidence.contains("a partial write 0"), "{evidence}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_flows_without_transactions_are_refuted_naming_the_statement_and_the_lost_update() {
    let dir = copy_corpus_subject(SUBJECT);
    keep_command_flows(dir.path(), &["signup", "invite member"]);
    without_transactions(dir.path());
    let ids = [
        "all-or-nothing-under-faults",
        "all-or-nothing-across-crash",
        "no-lost-updates",
        "webhooks-survive-redelivery",
    ];
    let scorecard = verify_with(dir.path(), &["transactions"], &transactions(&ids)).await;
    assert_claim(&scorecard, "transactions", Refuted);
    for id in ids {
        assert_scenario(&scorecard, "transactions", id, Refuted);
    }
    let faults = evidence_text(&scorecard, "transactions", "all-or-nothing-under-faults");
    for words in [
        "command flow `signup` writes outside a transaction block",
        "left a partial write: 1 of its 2 rows",
        // struck after the organization, before its owner
        "after statement",
        "INSERT INTO organizations",
        "before statement",
        "INSERT INTO users",
        "every organization has an owner",
    ] {
        assert!(faults.contains(words), "missing `{words}`:\n{faults}");
    }
    let deliveries = evidence_text(&scorecard, "transactions", "webhooks-survive-redelivery");
    for words in [
        "the endpoint cannot absorb newest first",
        r#"this delivery has instead: {\"stripe_payment_intent_id\":\"pi_3QdemoA\",\"status\":\"failed\""#,
        "a paid invoice is covered by succeeded payments",
    ] {
        assert!(
            deliveries.contains(words),
            "missing `{words}`:\n{deliveries}"
        );
    }
    let races = evidence_text(&scorecard, "transactions", "no-lost-updates");
    assert!(races.contains("lose updates"), "{races}");
    assert!(
        races.contains("an organization's seat count is its number of members"),
        "{races}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_flow_that_fails_undisturbed_or_sends_nothing_is_an_input_error() {
    let ids = ["all-or-nothing-under-faults"];
    for (run, says) in [
        (
            "python -c 'import sys; sys.exit(\"no such team: \" + sys.argv[1])' :run",
            "fails on a clean run, with no fault injected: exited with 1: no such team",
        ),
        (
            "echo signed up :run",
            "sent no statement through DATABASE_URL",
        ),
    ] {
        let dir = copy_corpus_subject(SUBJECT);
        keep_command_flows(dir.path(), &["signup"]);
        edit(
            dir.path(),
            "readiness.toml",
            "run = \"python -m app.cli signup --run :run\"",
            &format!("run = {}", toml_string(run)),
        );
        let scorecard = verify_with(dir.path(), &["transactions"], &transactions(&ids)).await;
        let errors = scorecard.input_error_text();
        assert!(errors.contains("flows.command[0].run"), "{errors}");
        assert!(errors.contains(says), "missing `{says}`:\n{errors}");
    }
}

/// `text` as a TOML basic string.
fn toml_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}
