//! Claim: indexes; fault: none (data at scale); check: at every scale, each main query,
//! with parameters drawn from the data, runs under `EXPLAIN (ANALYZE, BUFFERS)` using the
//! index the manifest expects (or one on the same table with the same leading key, which
//! the planner may rightly prefer, noted in the evidence), and no execution — its triggers and foreign-key cascades
//! included, counted by the server's own scan counters — reads a table of more than
//! `scale.seq_scan_max_rows` rows in full. A plan on an empty database proves nothing:
//! planners rightly scan small tables.

use std::collections::BTreeSet;

use async_trait::async_trait;
use harness::run::scenario::{Context, ScenarioError};
use harness::schema::dataset::{scale_label, scale_of};
use harness::schema::plan::{render::title, render_redacted};
use harness::schema::probe::{PreparedQuery, Probe};
use harness::{Evidence, Outcome, Scenario};

use super::scales::{labels, verify_scales};
use super::workload::{AtScale, NO_MAIN_QUERY};

pub struct ExpectedIndexUsedAtScale;

#[async_trait]
impl Scenario for ExpectedIndexUsedAtScale {
    fn id(&self) -> &'static str {
        "expected-index-used-at-scale"
    }

    fn claim(&self) -> &'static harness::run::scenario::ClaimSpec {
        super::CLAIM
    }

    fn title(&self) -> &'static str {
        "each main query uses its index at every scale and reads no large table in full"
    }

    fn deadline(&self) -> std::time::Duration {
        std::time::Duration::from_secs(900)
    }

    async fn run(&self, ctx: &Context) -> Result<Outcome, ScenarioError> {
        let scales = verify_scales(ctx.subject())?;
        let threshold = scale_of(ctx.subject())?.seq_scan_max_rows;
        let main = ctx.main_queries().await?;
        if main.queries.is_empty() {
            return Ok(Outcome::not_proven(Evidence::new(NO_MAIN_QUERY)));
        }
        let mut evidence = Evidence::new("")
            .observe("scales (users)", labels(&scales))
            .observe(
                "a sequential scan fails the check on tables of more than",
                format!("{threshold} rows"),
            )
            .observe("main queries", main.origin())
            .seed(ctx.options().seed);
        let mut failures = Vec::new();
        let mut judged: BTreeSet<String> = BTreeSet::new();
        for &users in &scales {
            let mut at = AtScale::open(ctx, users).await?;
            evidence.push_timing(
                format!("dataset at {} users ready", scale_label(users)),
                at.provisioned_in,
            );
            for query in at.queries.clone() {
                let probe = query.probe(&mut at.conn).await?;
                let (problems, notes, was_judged) = problems(&at, &query, &probe, threshold);
                if was_judged {
                    judged.insert(query.name.clone());
                }
                for note in notes {
                    evidence.push_observation(
                        format!("`{}` at {}", query.name, scale_label(users)),
                        note,
                    );
                }
                if users == *scales.last().expect("scales are not empty") || !problems.is_empty() {
                    evidence.push_observation(
                        format!("plan of `{}` at {}", query.name, scale_label(users)),
                        outline(&probe),
                    );
                }
                if !problems.is_empty() {
                    failures.push(format!(
                        "`{}` at {} users: {}",
                        query.name,
                        scale_label(users),
                        problems.join("; ")
                    ));
                    let mut details = problems;
                    details.push(format!("parameters: {}", query.describe_args()));
                    details.extend(
                        render_redacted(&probe.explained)
                            .lines()
                            .map(|l| format!("plan: {l}")),
                    );
                    evidence.push_counterexample(
                        format!("`{}` at {} users", query.name, scale_label(users)),
                        details,
                    );
                }
            }
            at.close().await;
        }
        let queries = main.queries.len();
        evidence.summary = if failures.is_empty() {
            format!(
                "all {queries} main queries use their expected index at {} users and read no table of more than {threshold} rows in full",
                labels(&scales)
            )
        } else {
            failures.join("; ")
        };
        let unjudged: Vec<&str> = main
            .queries
            .iter()
            .filter(|q| !judged.contains(&q.name))
            .map(|q| q.name.as_str())
            .collect();
        if failures.is_empty() && !unjudged.is_empty() {
            evidence.summary = format!(
                "at no scale did {} read a table of more than {threshold} rows: a full read is the planner's right choice there, so its plan was never judged",
                unjudged.join(", ")
            );
            return Ok(Outcome::not_proven(evidence));
        }
        Ok(Outcome::decide(failures.is_empty(), evidence))
    }
}

/// What is wrong with one execution (the expected index unused or missing, large tables
/// read in full), what is worth noting (an equivalent index used instead of the expected
/// one), and whether the expected index was judged at all (not on a table small enough
/// that a full read is the planner's right choice).
fn problems(
    at: &AtScale,
    query: &PreparedQuery,
    probe: &Probe,
    threshold: u64,
) -> (Vec<String>, Vec<String>, bool) {
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let mut judged = true;
    if let (Some(index), false) = (&query.expect_index, query.expected_index_exists) {
        problems.push(format!(
            "the manifest expects index {index}, which the migrated schema does not have"
        ));
    } else if let Some(index) = &query.expect_index {
        let used = probe.explained.root.indexes();
        if used.iter().any(|u| at.is_or_partition_of(u, index)) {
            if !probe.explained.root.uses_index(index) {
                notes.push(format!("uses {index} through its partitions' indexes"));
            }
        } else if at.passed_over_on_small_table(index, &used, threshold) {
            judged = false;
            notes.push(format!(
                "does not use {index}, whose table has {:.0} rows (at most {threshold}): not judged at this scale",
                at.rows_under(index)
            ));
        } else {
            match used.iter().find(|u| at.leads_like(u, index)) {
                Some(equivalent) => notes.push(format!(
                    "uses {equivalent} rather than {index}: same table, same leading key"
                )),
                None if used.is_empty() => {
                    problems.push(format!("does not use {index} (no index at all)"))
                }
                None => problems.push(format!(
                    "does not use {index} (uses {})",
                    used.into_iter().collect::<Vec<_>>().join(", ")
                )),
            }
        }
    }
    let in_plan: BTreeSet<&str> = probe
        .explained
        .root
        .seq_scans()
        .into_iter()
        .filter_map(|n| n.relation.as_deref())
        .collect();
    let mut scanned: Vec<(String, f64, bool)> = in_plan
        .iter()
        .map(|relation| (relation.to_string(), at.rows_of(relation), true))
        .collect();
    for counted in &probe.seq_scanned {
        let bare = counted
            .relation
            .rsplit('.')
            .next()
            .unwrap_or(&counted.relation);
        if !in_plan.contains(bare) && !in_plan.contains(counted.relation.as_str()) {
            scanned.push((counted.relation.clone(), counted.table_rows, false));
        }
    }
    if query.expect_index.is_none() && !at.reads_a_large_table(probe, threshold) {
        // held only to "no large table read in full": judged where it reads a large one,
        // not where every table it touches is small (or left empty) at this scale
        judged = false;
        notes.push(format!(
            "reads no table of more than {threshold} rows: not judged at this scale"
        ));
    }
    for (relation, rows, planned) in scanned {
        if rows > threshold as f64 {
            let source = if planned {
                String::new()
            } else {
                format!(" inside a trigger ({})", triggers(probe))
            };
            problems.push(format!("reads {relation} ({rows:.0} rows) in full{source}"));
        }
    }
    (problems, notes, judged)
}

/// The triggers that fired, for saying where a scan the plan does not show came from.
fn triggers(probe: &Probe) -> String {
    let fired: Vec<String> = probe
        .explained
        .triggers
        .iter()
        .map(|t| {
            format!(
                "{} on {}: {} call(s), {:.1} ms",
                t.constraint.as_deref().unwrap_or(&t.name),
                t.relation.as_deref().unwrap_or("?"),
                t.calls,
                t.time_ms.unwrap_or(0.0)
            )
        })
        .collect();
    if fired.is_empty() {
        "no trigger reported".into()
    } else {
        fired.join(", ")
    }
}

/// The plan's nodes on one line: "Limit → Index Scan Backward using … on workspaces".
fn outline(probe: &Probe) -> String {
    let mut nodes: Vec<String> = probe.explained.root.walk().into_iter().map(title).collect();
    for trigger in &probe.explained.triggers {
        if let Some(constraint) = &trigger.constraint {
            nodes.push(format!("trigger {constraint}"));
        }
    }
    nodes.join(" → ")
}
