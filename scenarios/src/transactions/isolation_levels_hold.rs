//! Claim: transactions ("race conditions — transactions prevent partial writes"), as far
//! as the server's isolation is concerned; fault: a write-skew-prone list-append workload
//! (few keys, random multi-key transactions) at READ COMMITTED, REPEATABLE READ and
//! SERIALIZABLE, and once more at SERIALIZABLE while the fault proxy cuts every
//! connection; check (Elle-style): the anomalies found in each history are only those its
//! level allows — REPEATABLE READ, PostgreSQL's snapshot isolation, may show G2-item
//! (write skew), SERIALIZABLE nothing.

use std::time::{Duration, Instant};

use async_trait::async_trait;
use harness::checks::isolation::workload::{self, Nemesis, Workload};
use harness::checks::isolation::{check, AnomalyKind, IsolationLevel, Report};
use harness::run::scenario::{Context, ScenarioError};
use harness::{Evidence, Outcome, Scenario};

use super::rig::Rig;

/// Transactions per history, at the default workload size.
const TXNS: usize = 400;
/// How often the nemesis cuts connections in the run with faults…
const CUT_EVERY: Duration = Duration::from_millis(15);
/// …each once it is this old at least (longer when handshakes turn out slower).
const CUT_AGE: Duration = Duration::from_millis(30);

/// One history: the level it runs at, the level whose rules judge it, and whether the
/// proxy cuts connections meanwhile.
#[derive(Debug, Clone, Copy)]
pub struct Check {
    pub run_at: IsolationLevel,
    pub judged_as: IsolationLevel,
    pub with_cuts: bool,
}

pub struct IsolationLevelsHold {
    checks: Vec<Check>,
}

impl Default for IsolationLevelsHold {
    fn default() -> Self {
        let honest = |level, with_cuts| Check {
            run_at: level,
            judged_as: level,
            with_cuts,
        };
        IsolationLevelsHold {
            checks: vec![
                honest(IsolationLevel::ReadCommitted, false),
                honest(IsolationLevel::RepeatableRead, false),
                honest(IsolationLevel::Serializable, false),
                honest(IsolationLevel::Serializable, true),
            ],
        }
    }
}

impl IsolationLevelsHold {
    /// A scenario making exactly these checks (a mislabelled level is the negative control).
    pub fn with_checks(checks: Vec<Check>) -> IsolationLevelsHold {
        IsolationLevelsHold { checks }
    }
}

#[async_trait]
impl Scenario for IsolationLevelsHold {
    fn id(&self) -> &'static str {
        "isolation-levels-hold"
    }

    fn claim(&self) -> &'static harness::run::scenario::ClaimSpec {
        super::CLAIM
    }

    fn title(&self) -> &'static str {
        "list-append histories at each isolation level show no anomaly beyond what the level allows (Elle-style)"
    }

    fn deadline(&self) -> Duration {
        Duration::from_secs(180)
    }

    async fn run(&self, ctx: &Context) -> Result<Outcome, ScenarioError> {
        let db = ctx.empty_database("tx_isolation").await?;
        let rig = Rig::new(db, true).await?;
        let admin = rig.db.admin();
        let scale = ctx
            .options()
            .proptest_cases
            .map_or(1, |c| (c as usize / 8).max(1));
        let shape = Workload {
            txns: TXNS * scale,
            ..Workload::default()
        };
        let mut evidence = Evidence::new("").seed(ctx.seed()).observe(
            "workload",
            format!(
                "{} transactions per history, {} clients, {} keys in play (each retired after {} appends), 1–{} reads/appends each",
                shape.txns, shape.clients, shape.active_keys, shape.appends_per_key, shape.max_ops
            ),
        );
        let default_level = default_isolation(ctx).await?;
        evidence.push_observation("the subject's flows run at", default_level);
        let mut beyond_total = 0;
        let mut summary_parts = Vec::new();
        let mut inconclusive = Vec::new();
        for (i, check_spec) in self.checks.iter().enumerate() {
            workload::prepare(&admin)
                .await
                .map_err(|e| ScenarioError::failed("prepare the list-append workload", e))?;
            let started = Instant::now();
            let seed = ctx.seed().wrapping_add(i as u64);
            let run = if check_spec.with_cuts {
                let proxy = rig.proxy().expect("the rig has a proxy");
                let via = rig
                    .db
                    .admin()
                    .with_address(&proxy.address().ip().to_string(), proxy.address().port());
                let nemesis = Nemesis {
                    proxy,
                    every: CUT_EVERY,
                    min_age: CUT_AGE,
                };
                workload::run(&via, check_spec.run_at, &shape, seed, Some(nemesis)).await
            } else {
                workload::run(&admin, check_spec.run_at, &shape, seed, None).await
            }
            .map_err(|e| ScenarioError::failed("run the list-append workload", e))?;
            let ran = started.elapsed();
            let report = check(&run.history);
            let label = if check_spec.with_cuts {
                format!(
                    "{} with connections cut every {CUT_EVERY:?} once {} ms old ({} cut)",
                    check_spec.run_at,
                    run.cut_age.as_millis(),
                    run.cuts
                )
            } else {
                check_spec.run_at.to_string()
            };
            let judged = if check_spec.judged_as == check_spec.run_at {
                String::new()
            } else {
                format!(", judged by {} rules", check_spec.judged_as)
            };
            let beyond = report.beyond(check_spec.judged_as);
            evidence.push_observation(
                format!("{label}{judged}"),
                format!(
                    "{} txns ({} ok, {} failed, {} unknown), {} dependencies: anomalies {}; beyond the level: {}{}",
                    run.history.len(),
                    report.ok,
                    report.failed,
                    report.unknown,
                    report.edges,
                    report.summary(),
                    beyond.len(),
                    truncation_note(&report)
                ),
            );
            evidence.push_timing(format!("{label}: run"), ran);
            if let Some(example) = report.anomalies.iter().find(|a| {
                a.kind == AnomalyKind::G2Item && check_spec.run_at == IsolationLevel::RepeatableRead
            }) {
                evidence.push_observation(
                    format!("{label}: a write-skew cycle (allowed)"),
                    format!(
                        "{} — {}",
                        example.headline(),
                        example
                            .explanation
                            .iter()
                            .filter(|line| line.contains('→'))
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(" | ")
                    ),
                );
            }
            for anomaly in beyond.iter().take(3) {
                let mut details = vec![anomaly.headline()];
                details.extend(anomaly.explanation.iter().cloned());
                evidence.push_counterexample(
                    format!(
                        "{} at {label}, which {} forbids",
                        anomaly.kind, check_spec.judged_as
                    ),
                    details,
                );
            }
            beyond_total += beyond.len();
            summary_parts.push(format!("{label}: {}", report.summary()));
            inconclusive.extend(
                why_inconclusive(&report, check_spec, run.cuts, beyond.is_empty())
                    .map(|why| format!("{label}: {why}")),
            );
        }
        if beyond_total == 0 && !inconclusive.is_empty() {
            evidence.summary = format!(
                "no anomaly beyond the levels was found, but a history could not show one: {}",
                inconclusive.join("; ")
            );
            return Ok(Outcome::not_proven(evidence));
        }
        evidence.summary = if beyond_total == 0 {
            format!(
                "no history showed an anomaly its level forbids ({})",
                summary_parts.join("; ")
            )
        } else {
            format!(
                "{beyond_total} anomalies beyond what the level allows, e.g. {}",
                evidence.counterexamples[0].title
            )
        };
        Ok(Outcome::decide(beyond_total == 0, evidence))
    }
}

/// Why a history without forbidden anomalies still proves nothing: no transaction committed,
/// no connection was cut in the run meant to cut them, a search for a cycle the level forbids
/// stopped at its budget, or a cycle the checker could not classify.
fn why_inconclusive(report: &Report, check: &Check, cuts: usize, clean: bool) -> Option<String> {
    if report.ok == 0 {
        return Some("no transaction committed".into());
    }
    if check.with_cuts && cuts == 0 {
        return Some("no connection was cut".into());
    }
    let forbidden_unsearched: Vec<String> = report
        .truncated_searches
        .iter()
        .filter(|kind| !check.judged_as.allows(**kind))
        .map(|kind| kind.to_string())
        .collect();
    if clean && !forbidden_unsearched.is_empty() {
        return Some(format!(
            "the search for {} cycles, which the level forbids, stopped at its budget",
            forbidden_unsearched.join(" and ")
        ));
    }
    if report.unexplained_components > 0 {
        return Some(format!(
            "{} dependency cycle(s) the checker could not classify",
            report.unexplained_components
        ));
    }
    None
}

/// ` (the G2-item search stopped at its budget)`, or nothing.
fn truncation_note(report: &Report) -> String {
    if report.truncated_searches.is_empty() {
        return String::new();
    }
    let kinds: Vec<String> = report
        .truncated_searches
        .iter()
        .map(|k| k.to_string())
        .collect();
    format!(
        " (the {} search stopped at its budget)",
        kinds.join(" and ")
    )
}

/// The isolation level the subject's transactions get unless they ask for another.
async fn default_isolation(ctx: &Context) -> Result<String, ScenarioError> {
    let db = ctx.migrated_database("tx_isolation_default").await?;
    let mut conn = db
        .connect_app()
        .await
        .map_err(|e| ScenarioError::sql("connect as the app role", e))?;
    let level: String = sqlx::query_scalar("SHOW default_transaction_isolation")
        .fetch_one(&mut conn)
        .await
        .map_err(|e| ScenarioError::sql("read the default isolation level", e))?;
    let _ = sqlx::Connection::close(conn).await;
    Ok(format!(
        "{level} (the server's default; the flows set none)"
    ))
}
