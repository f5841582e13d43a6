//! Claim: transactions ("payment webhook failures — transactions ensure consistency");
//! fault: Stripe-style delivery — every event twice, newest first, shuffled with
//! repeats, and all at once twice over; check: each user's final subscription equals the
//! one a single in-order delivery gives (each event once, sorted by `created`, through
//! the same handlers). Where it does not, the delivery sequence is the counterexample.

use std::time::Duration;

use async_trait::async_trait;
use chrono::Duration as Span;
use harness::checks::invariants;
use harness::run::scenario::{Context, ScenarioError};
use harness::{Evidence, Outcome, Scenario};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, PgPool};

use super::case::broken_since;
use super::command_webhooks;
use super::delivery::Delivery;
use super::faults::Injector;
use super::footprint::{self, fixture_epoch, Subscription};
use super::rig::Rig;
use super::units::SubjectFlows;
use crate::flows::{AppFlows, Flow, StripeEvent};

/// Subscription lifecycles per delivery pattern.
const LIFECYCLES: usize = 3;
/// How often Stripe tries one delivery that fails.
const ATTEMPTS: usize = 3;

pub struct WebhooksSurviveRedelivery;

#[async_trait]
impl Scenario for WebhooksSurviveRedelivery {
    fn id(&self) -> &'static str {
        "webhooks-survive-redelivery"
    }

    fn claim(&self) -> &'static harness::run::scenario::ClaimSpec {
        super::CLAIM
    }

    fn title(&self) -> &'static str {
        "Stripe events delivered twice, out of order and concurrently end as one in-order delivery does"
    }

    fn deadline(&self) -> Duration {
        Duration::from_secs(120)
    }

    async fn run(&self, ctx: &Context) -> Result<Outcome, ScenarioError> {
        let flows = SubjectFlows::load(ctx.subject())?;
        let Some(app) = flows.app.clone() else {
            if let Some(hooks) = &ctx.subject().manifest.flows.webhooks {
                return command_webhooks::run(ctx, hooks).await;
            }
            return Ok(Outcome::not_applicable(Evidence::new(
                "the subject declares no webhook handlers (bundled Rust flows, `flows.builtin`, or a `[flows.webhooks]` command): none to deliver to",
            )));
        };
        let rig = Rig::new(ctx.migrated_database("tx_webhooks").await?, false).await?;
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .connect_with(rig.app(false).options())
            .await
            .map_err(|e| ScenarioError::sql("connect the webhook deliveries", e))?;
        let mut admin = rig.connect_admin().await?;
        let baseline = invariants::check(&mut admin, ctx.subject()).await?;
        let mut rng = ChaCha8Rng::seed_from_u64(ctx.seed());
        let mut evidence = Evidence::new("").seed(ctx.seed());
        let (mut checked, mut deliveries, mut mismatched) = (0, 0, 0);
        for delivery in Delivery::ALL {
            let mut matched = 0;
            for i in 0..LIFECYCLES {
                let lifecycle = Lifecycle::random(&mut rng);
                let reference = lifecycle.materialize(&format!("ref{delivery:?}{i}"));
                let chaos = lifecycle.materialize(&format!("chaos{delivery:?}{i}"));
                let reference_user = new_user(&mut admin, &reference).await?;
                let chaos_user = new_user(&mut admin, &chaos).await?;
                for event in &reference.events {
                    let handled = deliver(&rig, &pool, app.as_ref(), event).await?;
                    if handled.starts_with("failed") {
                        return Err(ScenarioError::Other(format!(
                            "the in-order reference delivery of {} {handled}",
                            event.id
                        )));
                    }
                }
                let order = delivery.plan(&chaos.events, &mut rng);
                deliveries += order.len();
                let handled = run_plan(&rig, &pool, app.as_ref(), delivery, &order).await?;
                let expected = reference.normalize(
                    footprint::subscription(&mut admin, reference_user, "", false).await?,
                );
                let found = chaos
                    .normalize(footprint::subscription(&mut admin, chaos_user, "", false).await?);
                checked += 1;
                if expected == found {
                    matched += 1;
                } else {
                    mismatched += 1;
                    let mut details = vec![format!("events by creation: {}", lifecycle.describe())];
                    details.push(format!(
                        "delivered ({delivery}): {}",
                        order
                            .iter()
                            .zip(&handled)
                            .map(|(e, h)| format!("{} → {h}", short(e)))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                    details.push(format!("in-order single delivery ends with: {expected}"));
                    details.push(format!("this delivery ends with: {found}"));
                    evidence.push_counterexample(
                        format!("the app cannot absorb {delivery}: the final state differs"),
                        details,
                    );
                }
            }
            evidence.push_observation(
                format!("{delivery}"),
                format!("{matched} of {LIFECYCLES} lifecycles end as the in-order delivery"),
            );
        }
        let broken = broken_since(
            &baseline,
            &invariants::check(&mut admin, ctx.subject()).await?,
        );
        let _ = admin.close().await;
        pool.close().await;
        evidence.push_observation("deliveries", deliveries);
        if !broken.is_empty() {
            evidence.push_counterexample("invariants broken by the deliveries", broken);
        }
        let holds = evidence.counterexamples.is_empty();
        evidence.summary = if holds {
            format!(
                "all {checked} subscription lifecycles ({deliveries} deliveries, duplicated, reordered and concurrent) ended as a single in-order delivery does"
            )
        } else if mismatched > 0 {
            format!(
                "{mismatched} of {checked} lifecycles ended differently from a single in-order delivery, e.g. {}",
                evidence.counterexamples[0].title
            )
        } else {
            "the deliveries broke an invariant".into()
        };
        Ok(Outcome::decide(holds, evidence))
    }
}

/// An abstract subscription lifecycle: what each event says, in creation order.
struct Lifecycle {
    steps: Vec<(Flow, &'static str, &'static str)>,
}

/// A lifecycle for one customer.
struct Materialized {
    tag: String,
    events: Vec<StripeEvent>,
}

impl Lifecycle {
    fn random(rng: &mut ChaCha8Rng) -> Lifecycle {
        let tiers = ["pro", "team", "business"];
        let mut tier = *tiers.choose(rng).expect("tiers");
        let mut steps = vec![(Flow::SubscriptionCreated, tier, "active")];
        for _ in 0..rng.gen_range(2..=4) {
            if rng.gen_bool(0.35) {
                steps.push((Flow::PaymentFailed, tier, "past_due"));
            } else {
                tier = tiers.choose(rng).expect("tiers");
                let status = *["active", "trialing"].choose(rng).expect("statuses");
                steps.push((Flow::SubscriptionUpdated, tier, status));
            }
        }
        if rng.gen_bool(0.5) {
            steps.push((Flow::SubscriptionDeleted, tier, "canceled"));
        }
        Lifecycle { steps }
    }

    fn materialize(&self, tag: &str) -> Materialized {
        let events = self
            .steps
            .iter()
            .enumerate()
            .map(|(k, (kind, tier, status))| StripeEvent {
                id: format!("evt_{tag}_{k}"),
                kind: *kind,
                customer_id: format!("cus_{tag}"),
                subscription_id: format!("sub_{tag}"),
                tier: (*tier).into(),
                status: (*status).into(),
                created: fixture_epoch() + Span::minutes(10 * (k as i64 + 1)),
            })
            .collect();
        Materialized {
            tag: tag.to_owned(),
            events,
        }
    }

    fn describe(&self) -> String {
        self.steps
            .iter()
            .enumerate()
            .map(|(k, (kind, tier, status))| format!("#{k} {kind} ({tier}, {status})"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl Materialized {
    /// The state with this customer's ids made generic, to compare across customers.
    fn normalize(&self, state: Subscription) -> Subscription {
        Subscription {
            subscription_id: state.subscription_id.map(|s| s.replace(&self.tag, "*")),
            ..state
        }
    }
}

/// `#2 handle_subscription_updated`.
fn short(event: &StripeEvent) -> String {
    let k = event.id.rsplit('_').next().unwrap_or("?");
    format!("#{k} {}", event.kind)
}

/// Delivers in order, or all at once for [`Delivery::Concurrent`]; returns what each
/// delivery did.
async fn run_plan(
    rig: &Rig,
    pool: &PgPool,
    app: &dyn AppFlows,
    delivery: Delivery,
    order: &[StripeEvent],
) -> Result<Vec<String>, ScenarioError> {
    if delivery == Delivery::Concurrent {
        let all = order.iter().map(|e| deliver(rig, pool, app, e));
        return futures::future::join_all(all).await.into_iter().collect();
    }
    let mut handled = Vec::new();
    for event in order {
        handled.push(deliver(rig, pool, app, event).await?);
    }
    Ok(handled)
}

/// One delivery, retried like Stripe retries a failed one.
async fn deliver(
    rig: &Rig,
    pool: &PgPool,
    app: &dyn AppFlows,
    event: &StripeEvent,
) -> Result<String, ScenarioError> {
    let mut errors = Vec::new();
    for _ in 0..ATTEMPTS {
        let mut conn = pool
            .acquire()
            .await
            .map_err(|e| ScenarioError::sql("take a delivery connection", e))?;
        let mut injector = Injector::new(rig, None);
        match app.handle_event(&mut conn, event, &mut injector).await {
            Ok(handled) => return Ok(format!("{handled:?}").to_lowercase()),
            Err(e) => errors.push(e.to_string()),
        }
    }
    Ok(format!("failed {ATTEMPTS} times ({})", errors.join("; ")))
}

/// A user for `customer`, on the free tier, with no subscription yet.
async fn new_user(
    admin: &mut sqlx::PgConnection,
    customer: &Materialized,
) -> Result<i64, ScenarioError> {
    let free = Subscription {
        subscription_id: None,
        tier: "free".into(),
        status: None,
        recorded: None,
    };
    footprint::insert_user_tagged(
        admin,
        &customer.tag,
        &format!("cus_{}", customer.tag),
        &free,
    )
    .await
}
