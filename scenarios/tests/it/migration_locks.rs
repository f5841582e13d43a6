//! The `migrations` claim's lock trace under load (`locks-stay-short-under-load`): a
//! migration that builds an index without CONCURRENTLY on a table of 100k rows keeps the
//! workload's writes waiting behind its SHARE lock and is refuted, naming the step, the
//! table, the lock and the wait; the same index built CONCURRENTLY takes a lock no
//! workload query conflicts with, and is not.

use std::path::Path;
use std::sync::Arc;

use harness::report::evidence::Scorecard;
use harness::Status;
use scenarios::migrations::LocksStayShortUnderLoad;
use scenarios::subjects::INSTANTVIZ;
use scenarios::testing::{
    assert_scenario, copy_subject, edit, evidence_text, finding_ids, verify_with,
};

const SCENARIO: &str = "locks-stay-short-under-load";

/// Only the lock trace, on the subject in `dir`.
async fn trace_locks(dir: &Path) -> Scorecard {
    let scenarios: Vec<Arc<dyn harness::Scenario>> = vec![Arc::new(LocksStayShortUnderLoad)];
    verify_with(dir, &["migrations"], &scenarios).await
}

/// A copy of instantviz with one more migration, `0004_slide_links`, building an index
/// for share links (a slide looked up by the md5 of its id) on `project_visualizations`
/// (8 rows per user when generated from the catalog: 100k rows at 12.5k users) with
/// `create`; `budget_ms`, when given, as `lock_budget_ms`. Hashing every id makes the
/// build take over 100 ms even on a fast machine, whatever values the rows hold.
fn instantviz_with_index(create: &str, budget_ms: Option<u64>) -> tempfile::TempDir {
    let dir = copy_subject(INSTANTVIZ);
    let migrations = dir.path().join("migrations");
    std::fs::write(
        migrations.join("0004_slide_links.up.sql"),
        format!(
            "{create} project_visualizations_link_idx ON project_visualizations (md5(id::text));\n"
        ),
    )
    .expect("write the up migration");
    std::fs::write(
        migrations.join("0004_slide_links.down.sql"),
        "DROP INDEX project_visualizations_link_idx;\n",
    )
    .expect("write the down migration");
    edit(
        dir.path(),
        "readiness.toml",
        "[migrations]\ndir = \"migrations\"\n",
        &format!(
            "[migrations]\ndir = \"migrations\"\nlock_trace_users = 12500\n{}",
            budget_ms.map_or(String::new(), |ms| format!("lock_budget_ms = {ms}\n"))
        ),
    );
    dir
}

/// What the trace says of `step`, one line per table.
fn traced(scorecard: &Scorecard, step: &str) -> Vec<String> {
    let report = scorecard
        .claim("migrations")
        .and_then(|c| c.scenarios.iter().find(|s| s.id == SCENARIO))
        .expect("the lock trace ran");
    let lines = report
        .evidence
        .observations
        .iter()
        .filter(|o| o.label == step)
        .map(|o| o.value.clone())
        .collect();
    eprintln!("{}\n{step}: {lines:?}", report.evidence.summary);
    lines
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_index_built_without_concurrently_on_100k_rows_keeps_writes_waiting() {
    // on a fast machine the build holds its lock for about 150 ms: a budget below that
    let dir = instantviz_with_index("CREATE INDEX", Some(50));
    let scorecard = trace_locks(dir.path()).await;
    assert_scenario(&scorecard, "migrations", SCENARIO, Status::Refuted);
    let evidence = evidence_text(&scorecard, "migrations", SCENARIO);
    for words in [
        "0004 slide links: writes on project_visualizations waited",
        "behind its SHARE lock (budget 50 ms)",
        "statement: CREATE INDEX project_visualizations_link_idx ON project_visualizations (md5(id::text))",
        // the static lint named it before the run; the trace confirms it
        "0004 slide links: index-without-concurrently on public.project_visualizations",
        "confirmed by the trace: project_visualizations (100000 rows): SHARE lock held",
    ] {
        assert!(evidence.contains(words), "no `{words}` in {evidence}");
    }
    // one finding each, with ids that name the step, the rule or kind and the table, and
    // no measured figure
    let ids = finding_ids(&scorecard, "migrations", SCENARIO);
    assert_eq!(
        ids,
        [
            "step 0004 slide links: index-without-concurrently public.project_visualizations project_visualizations_link_idx",
            "step 0004 slide links: missing-lock-timeout public.project_visualizations",
            "step 0004 slide links: wait-over-budget public.project_visualizations",
        ],
        "{evidence}"
    );
    let lines = traced(&scorecard, "0004 slide links");
    assert!(
        matches!(&lines[..], [line] if line.starts_with("project_visualizations (100000 rows): SHARE lock held ")
            && line.contains(", writes waited up to ")
            && line.ends_with(", not rewritten")),
        "{lines:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_index_built_concurrently_keeps_no_query_waiting() {
    let dir = instantviz_with_index("CREATE INDEX CONCURRENTLY", None);
    let scorecard = trace_locks(dir.path()).await;
    let lines = traced(&scorecard, "0004 slide links");
    assert!(
        matches!(&lines[..], [line] if line.starts_with("project_visualizations (100000 rows): SHARE UPDATE EXCLUSIVE lock held ")
            && line.ends_with(", no query waited, not rewritten")),
        "{lines:?}\n{}",
        harness::report::terminal::render(&scorecard, true)
    );
    assert_scenario(&scorecard, "migrations", SCENARIO, Status::Proven);
}
