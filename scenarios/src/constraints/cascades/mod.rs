//! Claim: constraints (cascade deletes); fault: deleting a row at each level of randomly
//! generated trees (e.g. user → workspaces → projects → slides, random fan-out), whose
//! shape comes from the references the catalog declares and the manifest claims; check:
//! every row the claimed ON DELETE actions reach is gone, and every other row is still
//! there, unchanged (ids and contents compared before and after). A deviation is shrunk
//! by proptest to a minimal tree. Each tree is built and deleted in a transaction that is
//! rolled back.

mod case;
mod expected;
mod plan;
mod shape;
mod tree;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use harness::checks::property::{self, Settings, Verdict};
use harness::run::scenario::{Context, ScenarioError};
use harness::{Evidence, Outcome, Scenario};
use sqlx::Connection;

use super::prepare::prepare;
use case::{short, CascadeProperty, Tally};
use plan::Plan;
use shape::shape_strategy;

/// Trees per level unless `READINESS_PROPTEST_CASES` says otherwise.
const DEFAULT_CASES: u32 = 12;
/// The most rows one tree may have.
pub(super) const MAX_ROWS: usize = 120;

pub struct CascadesRemoveDescendants;

#[async_trait]
impl Scenario for CascadesRemoveDescendants {
    fn id(&self) -> &'static str {
        "cascades-remove-descendants"
    }

    fn claim(&self) -> &'static harness::run::scenario::ClaimSpec {
        super::CLAIM
    }

    fn title(&self) -> &'static str {
        "deleting a row at each level of generated trees removes exactly what the claimed ON DELETE actions reach"
    }

    async fn run(&self, ctx: &Context) -> Result<Outcome, ScenarioError> {
        let prepared = prepare(ctx, "constraints_cascades").await?;
        let schema = Arc::new(prepared.schema);
        let plan = match Plan::new(&schema)? {
            Ok(plan) => Arc::new(plan),
            Err(why) => return Ok(Outcome::not_proven(Evidence::new(why))),
        };
        let mut conn = prepared
            .db
            .connect_app()
            .await
            .map_err(|e| ScenarioError::sql("connect as the app role", e))?;
        let mut evidence = Evidence::new("").seed(ctx.seed());
        let (mut executed, mut elapsed) = (0u32, Duration::ZERO);
        let mut failed = Vec::new();
        let mut unproven = Vec::new();
        for level in &plan.levels {
            let settings = Settings::new(
                DEFAULT_CASES,
                ctx.options().proptest_cases,
                ctx.seed(),
                format!("delete from {level}"),
            );
            let cases = settings.cases;
            let property = CascadeProperty {
                conn,
                schema: schema.clone(),
                plan: plan.clone(),
                level: level.clone(),
                tally: Tally::default(),
                fatal: None,
            };
            let (property, run) = property::check(&settings, shape_strategy(), property)
                .await
                .map_err(|e| ScenarioError::failed("run the property", e))?;
            if let Some(e) = property.fatal {
                return Err(e);
            }
            conn = property.conn;
            executed += run.executed;
            elapsed += run.elapsed;
            let label = format!("delete from {}", short(level));
            let tally = property.tally;
            match run.verdict {
                Verdict::Held => evidence.push_observation(
                    label,
                    format!(
                        "{cases} trees held: {} descendants removed, {} other rows left untouched",
                        tally.removed, tally.untouched
                    ),
                ),
                Verdict::Failed { reason, .. } => {
                    let mut lines = reason.lines().map(str::to_owned);
                    let headline = lines.next().unwrap_or_default();
                    let mut details: Vec<String> = lines.collect();
                    details.push(format!(
                        "minimal tree after shrinking; replay with --seed {}",
                        ctx.options().seed
                    ));
                    evidence.push_counterexample(format!("{label}: {headline}"), details);
                    failed.push(label);
                }
                Verdict::Aborted(reason) => unproven.push(format!("{label}: no verdict: {reason}")),
            }
        }
        let _ = conn.close().await;
        evidence.push_observation("trees built and cut", executed);
        evidence.push_timing("properties", elapsed);
        if !failed.is_empty() {
            evidence.summary = format!(
                "deletes do not remove exactly what the claimed ON DELETE actions reach: {}",
                failed.join(", ")
            );
            return Ok(Outcome::refuted(evidence));
        }
        if !unproven.is_empty() {
            evidence.summary = unproven.join("; ");
            return Ok(Outcome::not_proven(evidence));
        }
        evidence.summary = format!(
            "at every level ({}), deletes removed every descendant the claimed actions reach and nothing else ({executed} trees)",
            plan.levels.iter().map(|l| short(l)).collect::<Vec<_>>().join(", ")
        );
        Ok(Outcome::proven(evidence))
    }
}
