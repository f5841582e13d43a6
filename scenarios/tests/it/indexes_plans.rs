//! The plans of the main queries at 1k users, redacted (no costs, timings, buffers or row
//! counts) and kept as snapshots: at this scale every table fits ANALYZE's sample, so the
//! statistics, and with them the plans, are the same on every run with the same seed.

use harness::run::scenario::{Context, Run, RunOptions};
use harness::subject::Subject;
use harness::Status;
use scenarios::indexes::workload::AtScale;
use scenarios::subjects::{INSTANTVIZ, INSTANTVIZ_BEFORE};
use scenarios::testing::test_backend;

/// Fixed, so that the generated values (and so the plans) never change.
const SEED: u64 = 42;

async fn redacted_plans(subject: &str) -> String {
    let subject = Subject::load(&scenarios::subjects::bundled(subject)).unwrap();
    let run = Run::new(subject, test_backend().await, RunOptions::from_env(SEED));
    let ctx = Context::new(run, "indexes/plan-snapshots");
    let mut at = AtScale::open(&ctx, 1_000).await.unwrap();
    let mut out = String::new();
    for query in at.queries.clone() {
        let probe = query.probe(&mut at.conn).await.unwrap();
        out.push_str(&format!(
            "## {} ({})\n{}\n",
            query.name,
            query.describe_args(),
            harness::schema::plan::render_redacted(&probe.explained)
        ));
    }
    at.close().await;
    ctx.finish(Status::Proven).await;
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instantviz_plans_at_1k_users_use_the_reported_indexes() {
    let plans = redacted_plans(INSTANTVIZ).await;
    scenarios::testing::with_top_level_snapshots(|| {
        insta::assert_snapshot!("instantviz_plans_1k", plans)
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instantviz_before_plans_at_1k_users_scan_whole_tables() {
    let plans = redacted_plans(INSTANTVIZ_BEFORE).await;
    assert!(plans.contains("Seq Scan on workspaces"), "{plans}");
    scenarios::testing::with_top_level_snapshots(|| {
        insta::assert_snapshot!("instantviz_before_plans_1k", plans)
    });
}
