//! Claim: transactions ("race conditions — transactions prevent partial writes"); fault:
//! concurrency — N usage increments on one user at once, and a subscription updated and
//! deleted at once, each flow meeting the others at fault point 1 so that every first
//! statement runs before any second one (and once more left to the scheduler); check: the
//! usage count ends at N, and the subscription ends as one of the two serial orders.

use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::Duration as Span;
use harness::checks::invariants;
use harness::run::scenario::{Context, ScenarioError};
use harness::{Evidence, Outcome, Scenario};
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, PgConnection, PgPool};

use super::case::broken_since;
use super::command_races;
use super::footprint::{self, fixture_epoch, Subscription};
use super::rendezvous::{MeetAt, Rendezvous};
use super::rig::Rig;
use super::units::SubjectFlows;
use crate::flows::{AppFlows, Flow, NoFaults, StripeEvent};

/// How many increments race, in turn.
const CONCURRENCY: [usize; 3] = [2, 8, 24];
/// Users whose subscription is updated and deleted at once.
const SUBSCRIPTION_RACES: usize = 6;

pub struct NoLostUpdates;

#[async_trait]
impl Scenario for NoLostUpdates {
    fn id(&self) -> &'static str {
        "no-lost-updates"
    }

    fn claim(&self) -> &'static harness::run::scenario::ClaimSpec {
        super::CLAIM
    }

    fn title(&self) -> &'static str {
        "concurrent usage increments all count, and a concurrent update and delete end as some serial order"
    }

    fn deadline(&self) -> Duration {
        Duration::from_secs(120)
    }

    async fn run(&self, ctx: &Context) -> Result<Outcome, ScenarioError> {
        let flows = SubjectFlows::load(ctx.subject())?;
        let Some(app) = flows.app.clone() else {
            if let Some(outcome) = command_races::run(ctx, &flows).await? {
                return Ok(outcome);
            }
            return Ok(Outcome::not_applicable(Evidence::new(
                "the subject declares nothing to race: no usage counter or webhook handler (bundled Rust flows, `flows.builtin`), no command flow with an `expect` counter",
            )));
        };
        let rig = Rig::new(ctx.migrated_database("tx_lost_updates").await?, false).await?;
        let max = *CONCURRENCY.iter().max().expect("levels");
        let pool = PgPoolOptions::new()
            .max_connections(max as u32)
            .connect_with(rig.app(false).options())
            .await
            .map_err(|e| ScenarioError::sql("connect the racing clients", e))?;
        let mut admin = rig.connect_admin().await?;
        let baseline = invariants::check(&mut admin, ctx.subject()).await?;
        let mut evidence = Evidence::new("");
        let mut lost_any = Vec::new();
        let mut errored = Vec::new();

        let started = Instant::now();
        for n in CONCURRENCY {
            for scheduled in [true, false] {
                let user = new_user(&mut admin, &rig, &free()).await?;
                let errors = increments(&pool, app.as_ref(), user, n, scheduled).await?;
                let count: i32 = sqlx::query_scalar("SELECT usage_count FROM users WHERE id = $1")
                    .bind(user)
                    .fetch_one(&mut admin)
                    .await
                    .map_err(|e| ScenarioError::sql("read a usage count", e))?;
                let lost = n as i64 - i64::from(count) - errors as i64;
                let how = if scheduled {
                    "all reads before any write"
                } else {
                    "free-running"
                };
                evidence.push_observation(
                    format!("{n} concurrent increments, {how}"),
                    format!("usage count {count}, {lost} lost{}", failed_note(errors)),
                );
                if errors > 0 {
                    errored.push(format!(
                        "{n} concurrent increments ({how}): {errors} failed"
                    ));
                }
                if lost != 0 {
                    lost_any.push(format!(
                        "{n} concurrent increments ({how}): usage count {count}, {lost} lost"
                    ));
                }
            }
        }
        evidence.push_timing("usage races", started.elapsed());
        if !lost_any.is_empty() {
            evidence
                .push_counterexample("lost usage updates (read-modify-write)", lost_any.clone());
        }

        let started = Instant::now();
        let mut non_serial = 0;
        for race in 0..SUBSCRIPTION_RACES {
            if let Some(details) = subscription_race(&pool, &mut admin, app.as_ref(), race).await? {
                non_serial += 1;
                evidence.push_counterexample(
                    "a concurrent update and delete end in no serial order",
                    details,
                );
            }
        }
        evidence.push_timing("subscription races", started.elapsed());
        evidence.push_observation(
            "subscription updated and deleted at once",
            format!(
                "{} of {SUBSCRIPTION_RACES} races end as a serial order",
                SUBSCRIPTION_RACES - non_serial
            ),
        );

        let broken = broken_since(
            &baseline,
            &invariants::check(&mut admin, ctx.subject()).await?,
        );
        if !broken.is_empty() {
            evidence.push_counterexample("invariants broken by the races", broken);
        }
        let _ = admin.close().await;
        pool.close().await;
        let holds = evidence.counterexamples.is_empty();
        if holds && !errored.is_empty() {
            evidence.summary = format!(
                "no update was lost, but increments failed, and a failed increment could hide a lost one: {}",
                errored.join("; ")
            );
            return Ok(Outcome::not_proven(evidence));
        }
        evidence.summary = if holds {
            format!(
                "no increment was lost at {} concurrent clients, and all {SUBSCRIPTION_RACES} update/delete races ended as a serial order",
                CONCURRENCY.map(|n| n.to_string()).join(", ")
            )
        } else if let Some(first) = lost_any.first() {
            format!("updates are lost under concurrency: {first}")
        } else if non_serial > 0 {
            format!("{non_serial} of {SUBSCRIPTION_RACES} concurrent update/delete races ended in a state no serial order gives")
        } else {
            "the races broke an invariant".into()
        };
        Ok(Outcome::decide(holds, evidence))
    }
}

fn failed_note(errors: usize) -> String {
    if errors == 0 {
        String::new()
    } else {
        format!(" ({errors} increments reported an error and are not counted as lost)")
    }
}

fn free() -> Subscription {
    Subscription {
        subscription_id: None,
        tier: "free".into(),
        status: None,
        recorded: None,
    }
}

async fn new_user(
    admin: &mut PgConnection,
    rig: &Rig,
    state: &Subscription,
) -> Result<i64, ScenarioError> {
    let n = rig.next_run();
    footprint::insert_user(admin, n, &format!("cus_race{n}"), state).await
}

/// `n` increments at once; with `scheduled`, each waits at fault point 1 until all are
/// there. Returns how many reported an error.
async fn increments(
    pool: &PgPool,
    app: &dyn AppFlows,
    user: i64,
    n: usize,
    scheduled: bool,
) -> Result<usize, ScenarioError> {
    let mut conns = Vec::with_capacity(n);
    for _ in 0..n {
        conns.push(
            pool.acquire()
                .await
                .map_err(|e| ScenarioError::sql("take a racing connection", e))?,
        );
    }
    let rendezvous = Rendezvous::new(n);
    let runs = conns.iter_mut().map(|conn| {
        let rendezvous = rendezvous.clone();
        async move {
            if scheduled {
                let mut meet = MeetAt {
                    rendezvous,
                    point: 1,
                };
                app.record_usage(conn, user, &mut meet).await
            } else {
                app.record_usage(conn, user, &mut NoFaults).await
            }
        }
    });
    let results = futures::future::join_all(runs).await;
    Ok(results.iter().filter(|r| r.is_err()).count())
}

/// One user's subscription updated and deleted at once; `Some(details)` when the end state
/// is neither serial order's.
async fn subscription_race(
    pool: &PgPool,
    admin: &mut PgConnection,
    app: &dyn AppFlows,
    race: usize,
) -> Result<Option<Vec<String>>, ScenarioError> {
    let start = Subscription {
        subscription_id: Some(format!("sub_race{race}")),
        tier: "pro".into(),
        status: Some("active".into()),
        recorded: None,
    };
    let events = |tag: &str| {
        let event = |k: i64, kind: Flow, tier: &str, status: &str| StripeEvent {
            id: format!("evt_{tag}_{k}"),
            kind,
            customer_id: format!("cus_{tag}"),
            subscription_id: format!("sub_{tag}"),
            tier: tier.into(),
            status: status.into(),
            created: fixture_epoch() + Span::minutes(k),
        };
        [
            event(1, Flow::SubscriptionUpdated, "team", "active"),
            event(2, Flow::SubscriptionDeleted, "team", "canceled"),
        ]
    };
    // the two serial orders, each on a twin of the user
    let mut serial = Vec::new();
    for order in [[0, 1], [1, 0]] {
        let tag = format!("race{race}s{}{}", order[0], order[1]);
        let user = twin(admin, &tag, &start).await?;
        let events = events(&tag);
        for i in order {
            let mut conn = pool
                .acquire()
                .await
                .map_err(|e| ScenarioError::sql("take a connection", e))?;
            app.handle_event(&mut conn, &events[i], &mut NoFaults)
                .await
                .map_err(|e| ScenarioError::failed("deliver the serial reference", e))?;
        }
        serial.push(normalize(
            &tag,
            footprint::subscription(admin, user, "", false).await?,
        ));
    }
    let tag = format!("race{race}c");
    let user = twin(admin, &tag, &start).await?;
    let events = events(&tag);
    let rendezvous = Rendezvous::new(2);
    let (mut a, mut b) = (
        pool.acquire()
            .await
            .map_err(|e| ScenarioError::sql("take a connection", e))?,
        pool.acquire()
            .await
            .map_err(|e| ScenarioError::sql("take a connection", e))?,
    );
    let mut meet_a = MeetAt {
        rendezvous: rendezvous.clone(),
        point: 1,
    };
    let mut meet_b = MeetAt {
        rendezvous,
        point: 1,
    };
    let (ra, rb) = tokio::join!(
        app.handle_event(&mut a, &events[0], &mut meet_a),
        app.handle_event(&mut b, &events[1], &mut meet_b)
    );
    let found = normalize(&tag, footprint::subscription(admin, user, "", false).await?);
    if serial.contains(&found) {
        return Ok(None);
    }
    let outcome = |r: Result<crate::flows::Handled, crate::flows::FlowError>| match r {
        Ok(h) => format!("{h:?}").to_lowercase(),
        Err(e) => format!("error: {e}"),
    };
    Ok(Some(vec![
        format!(
            "from: {}",
            Subscription {
                subscription_id: Some("sub_*".into()),
                ..start.clone()
            }
        ),
        format!(
            "at once: {} (team, active) → {}, {} → {}, both meeting at fault point 1",
            Flow::SubscriptionUpdated,
            outcome(ra),
            Flow::SubscriptionDeleted,
            outcome(rb)
        ),
        format!("update then delete ends with: {}", serial[0]),
        format!("delete then update ends with: {}", serial[1]),
        format!("at once ended with: {found}"),
    ]))
}

async fn twin(
    admin: &mut PgConnection,
    tag: &str,
    start: &Subscription,
) -> Result<i64, ScenarioError> {
    let state = Subscription {
        subscription_id: start.subscription_id.as_ref().map(|_| format!("sub_{tag}")),
        ..start.clone()
    };
    footprint::insert_user_tagged(admin, tag, &format!("cus_{tag}"), &state).await
}

fn normalize(tag: &str, state: Subscription) -> Subscription {
    Subscription {
        subscription_id: state.subscription_id.map(|s| s.replace(tag, "*")),
        ..state
    }
}
