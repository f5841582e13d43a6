//! Claim: indexes; fault: none (data at growing scales); check: each main query's latency
//! (the median of many runs, as the server times them) at every scale, and the slope of
//! log(latency) against log(rows). An index lookup's slope stays near 0; a query whose
//! slope exceeds [`INDEX_LOOKUP_MAX_SLOPE`] grows with its table and is refuted with the
//! curve. Deletes count too: deleting one user must stay fast, which needs an index on
//! every foreign key its cascade follows — the probe at the largest scale names the
//! tables it read in full and the triggers that did it.

use async_trait::async_trait;
use harness::checks::growth::{Curve, Sampling, INDEX_LOOKUP_MAX_SLOPE, MATERIAL_RISE_MS};
use harness::report::figure::Figure;
use harness::run::scenario::{Context, ScenarioError};
use harness::schema::dataset::scale_label;
use harness::{Evidence, Outcome, Scenario};

use super::scales::{labels, verify_scales};
use super::workload::{measure_curves, AtScale, NO_MAIN_QUERY};

pub struct LatencyGrowsLikeAnIndexLookup;

#[async_trait]
impl Scenario for LatencyGrowsLikeAnIndexLookup {
    fn id(&self) -> &'static str {
        "latency-grows-like-an-index-lookup"
    }

    fn claim(&self) -> &'static harness::run::scenario::ClaimSpec {
        super::CLAIM
    }

    fn title(&self) -> &'static str {
        "each main query's latency grows with the data like an index lookup's, not a table scan's"
    }

    fn deadline(&self) -> std::time::Duration {
        std::time::Duration::from_secs(1200)
    }

    async fn run(&self, ctx: &Context) -> Result<Outcome, ScenarioError> {
        let scales = verify_scales(ctx.subject())?;
        let main = ctx.main_queries().await?;
        if main.queries.is_empty() {
            return Ok(Outcome::not_proven(Evidence::new(NO_MAIN_QUERY)));
        }
        if scales.len() < 2 {
            return Ok(Outcome::not_proven(Evidence::new(format!(
                "one scale ({}) gives no growth curve: give at least two",
                labels(&scales)
            ))));
        }
        let (curves, provisioning) = measure_curves(ctx, &scales, Sampling::default()).await?;
        let mut evidence = Evidence::new("")
            .observe("scales (users)", labels(&scales))
            .observe(
                "largest slope of an index lookup",
                format!("{INDEX_LOOKUP_MAX_SLOPE} (a table scan's is about 1)"),
            )
            .observe("main queries", main.origin())
            .seed(ctx.options().seed);
        for (users, took) in provisioning {
            evidence.push_timing(
                format!("dataset at {} users ready", scale_label(users)),
                took,
            );
            evidence.push_figure(Figure::Dataset {
                users,
                build_ms: took.as_secs_f64() * 1000.0,
                clone_ms: None,
            });
        }
        evidence.push_figure(Figure::latency(&curves, INDEX_LOOKUP_MAX_SLOPE));
        for curve in &curves {
            evidence.push_observation(format!("`{}`", curve.query), curve.describe());
            if curve.rises_too_little_to_tell() {
                evidence.push_observation(
                    format!("`{}`", curve.query),
                    format!(
                        "its slope is over {INDEX_LOOKUP_MAX_SLOPE}, but it rises {:.3} ms in all, under the {MATERIAL_RISE_MS} ms a median of runs this short can tell from noise or a plan that changed with the data: not counted as growth",
                        curve.rise_ms()
                    ),
                );
            }
        }
        let growing: Vec<&Curve> = curves.iter().filter(|c| c.grows_with_table()).collect();
        let flat: Vec<&str> = curves
            .iter()
            .filter(|c| c.slope().is_none())
            .map(|c| c.query.as_str())
            .collect();
        let judged = curves.len() - flat.len();
        if judged == 0 {
            evidence.summary = format!(
                "no growth curve could be fitted for {} (fewer than two scales at which the plan uses its index): measure larger scales",
                flat.join(", ")
            );
            return Ok(Outcome::not_proven(evidence));
        }
        if growing.is_empty() {
            let not_judged = if flat.is_empty() {
                String::new()
            } else {
                format!(
                    "; not judged: {} (fewer than two scales at which the plan uses its index)",
                    flat.join(", ")
                )
            };
            evidence.summary = format!(
                "all {judged} main queries grow like index lookups from {} to {} users (largest slope {:.2}){not_judged}",
                scale_label(scales[0]),
                scale_label(*scales.last().expect("two scales")),
                curves
                    .iter()
                    .filter_map(Curve::slope)
                    .fold(f64::MIN, f64::max)
            );
            return Ok(Outcome::proven(evidence));
        }
        // one more look at the largest scale, to say what each growing query reads
        let mut at = AtScale::open(ctx, *scales.last().expect("two scales")).await?;
        for curve in &growing {
            let mut details = vec![format!("latency: {}", curve.describe())];
            if let Some(query) = at.queries.iter().find(|q| q.name == curve.query).cloned() {
                let probe = query.probe(&mut at.conn).await?;
                for scanned in &probe.seq_scanned {
                    details.push(format!(
                        "at {} users it reads {} ({:.0} rows) in full, {} time(s)",
                        scale_label(at.users),
                        scanned.relation,
                        scanned.table_rows,
                        scanned.scans
                    ));
                }
                for trigger in &probe.explained.triggers {
                    details.push(format!(
                        "trigger for {} on {}: {} call(s), {:.2} ms",
                        trigger.constraint.as_deref().unwrap_or(&trigger.name),
                        trigger.relation.as_deref().unwrap_or("?"),
                        trigger.calls,
                        trigger.time_ms.unwrap_or(0.0)
                    ));
                }
            }
            evidence.push_counterexample(
                format!(
                    "`{}` grows with the table (slope {:.2})",
                    curve.query,
                    curve.slope().unwrap_or(f64::NAN)
                ),
                details,
            );
        }
        at.close().await;
        evidence.summary = growing
            .iter()
            .map(|c| format!("`{}` grows with the table: {}", c.query, c.describe()))
            .collect::<Vec<_>>()
            .join("; ");
        Ok(Outcome::refuted(evidence))
    }
}
