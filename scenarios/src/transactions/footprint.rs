//! A flow's footprint: the rows one execution is meant to write, set up beforehand
//! (fixtures) and read back afterwards to tell whether all of them are there, none, or
//! only some.

use std::fmt;

use chrono::{DateTime, Duration, TimeZone, Utc};
use harness::run::scenario::ScenarioError;
use harness::subject::Subject;
use sqlx::PgConnection;

use super::sql_flow;
use crate::flows::{Flow, Signup, StripeEvent};

/// What one execution starts from.
#[derive(Debug, Clone)]
pub enum Fixture {
    Signup(Signup),
    Event(Box<EventFixture>),
    Usage { user_id: i64, before: i32 },
    Sql { index: usize, run: i64 },
    Command { index: usize, run: i64 },
}

/// A user in a known subscription state, an event for it, and the state the event leads to.
#[derive(Debug, Clone)]
pub struct EventFixture {
    pub user_id: i64,
    pub event: StripeEvent,
    pub before: Subscription,
    pub after: Subscription,
}

/// A user's subscription columns, and whether the event is in the webhook log (where the
/// schema has one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub subscription_id: Option<String>,
    pub tier: String,
    pub status: Option<String>,
    pub recorded: Option<bool>,
}

impl fmt::Display for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let or_null = |v: &Option<String>| v.clone().unwrap_or_else(|| "NULL".into());
        write!(
            f,
            "subscription {}, tier {}, status {}",
            or_null(&self.subscription_id),
            self.tier,
            or_null(&self.status)
        )?;
        match self.recorded {
            Some(true) => f.write_str(", event logged"),
            Some(false) => f.write_str(", event not logged"),
            None => Ok(()),
        }
    }
}

/// All of an execution's rows, none, or some.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Nothing,
    Everything,
    Partial(String),
}

/// When every fixture's last applied Stripe event was created.
pub fn fixture_epoch() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0)
        .single()
        .expect("a valid date")
}

/// A signup of a new user tagged `n`.
pub fn signup(n: i64) -> Fixture {
    Fixture::Signup(Signup {
        email: format!("signup{n}@example.test"),
        password_hash: "$argon2id$fixture".into(),
        full_name: format!("Signup {n}"),
        stripe_customer_id: Some(format!("cus_fx{n}")),
    })
}

/// Sets up what bundled `flow` needs (a user in the right state, for the webhook and usage
/// flows), tagged `n` so that executions never collide.
pub async fn prepare(
    flow: Flow,
    n: i64,
    admin: &mut PgConnection,
) -> Result<Fixture, ScenarioError> {
    let customer = format!("cus_fx{n}");
    let subscription = format!("sub_fx{n}");
    let active = Subscription {
        subscription_id: Some(subscription.clone()),
        tier: "pro".into(),
        status: Some("active".into()),
        recorded: None,
    };
    let event = |kind: Flow, tier: &str, status: &str| StripeEvent {
        id: format!("evt_fx{n}"),
        kind,
        customer_id: customer.clone(),
        subscription_id: subscription.clone(),
        tier: tier.into(),
        status: status.into(),
        created: fixture_epoch() + Duration::hours(1),
    };
    let (before, event, after) = match flow {
        Flow::Signup => return Ok(signup(n)),
        Flow::RecordUsage => {
            let user_id = insert_user(admin, n, &customer, &active).await?;
            return Ok(Fixture::Usage { user_id, before: 0 });
        }
        Flow::SubscriptionCreated => {
            let free = Subscription {
                subscription_id: None,
                tier: "free".into(),
                status: None,
                recorded: None,
            };
            (free, event(flow, "pro", "active"), active.clone())
        }
        Flow::SubscriptionUpdated => {
            let after = Subscription {
                tier: "team".into(),
                status: Some("past_due".into()),
                ..active.clone()
            };
            (active.clone(), event(flow, "team", "past_due"), after)
        }
        Flow::SubscriptionDeleted => {
            let after = Subscription {
                subscription_id: None,
                tier: "free".into(),
                status: Some("canceled".into()),
                recorded: None,
            };
            (active.clone(), event(flow, "pro", "canceled"), after)
        }
        Flow::PaymentFailed => {
            let after = Subscription {
                status: Some("past_due".into()),
                ..active.clone()
            };
            (active.clone(), event(flow, "pro", "past_due"), after)
        }
    };
    let user_id = insert_user(admin, n, &customer, &before).await?;
    let logged = has_event_log(admin).await?;
    let before = Subscription {
        recorded: logged.then_some(false),
        ..before
    };
    let after = Subscription {
        recorded: logged.then_some(true),
        ..after
    };
    Ok(Fixture::Event(Box::new(EventFixture {
        user_id,
        event,
        before,
        after,
    })))
}

/// Reads back what the execution left.
pub async fn observe(
    fixture: &Fixture,
    subject: &Subject,
    admin: &mut PgConnection,
) -> Result<Verdict, ScenarioError> {
    match fixture {
        Fixture::Signup(input) => {
            let (users, workspaces, projects): (i64, i64, i64) = sqlx::query_as(
                "SELECT (SELECT count(*) FROM users WHERE email = $1), \
                        (SELECT count(*) FROM workspaces w JOIN users u ON u.id = w.owner_id WHERE u.email = $1), \
                        (SELECT count(*) FROM projects p JOIN users u ON u.id = p.owner_id WHERE u.email = $1)",
            )
            .bind(&input.email)
            .fetch_one(&mut *admin)
            .await
            .map_err(|e| ScenarioError::sql("count a signup's rows", e))?;
            Ok(match (users, workspaces, projects) {
                (0, 0, 0) => Verdict::Nothing,
                (1, 1, 1) => Verdict::Everything,
                _ => {
                    let what = if users > 0 && workspaces == 0 {
                        " (a user with no workspace)"
                    } else if workspaces > 0 && projects == 0 {
                        " (a workspace with no project)"
                    } else {
                        ""
                    };
                    Verdict::Partial(format!(
                        "{users} user(s), {workspaces} workspace(s), {projects} project(s){what}"
                    ))
                }
            })
        }
        Fixture::Event(fixture) => {
            let EventFixture {
                user_id,
                event,
                before,
                after,
            } = fixture.as_ref();
            let now = subscription(admin, *user_id, &event.id, before.recorded.is_some()).await?;
            Ok(if &now == before {
                Verdict::Nothing
            } else if &now == after {
                Verdict::Everything
            } else {
                Verdict::Partial(format!(
                    "{now}: neither the state before ({before}) nor after ({after})"
                ))
            })
        }
        Fixture::Usage { user_id, before } => {
            let now: i32 = sqlx::query_scalar("SELECT usage_count FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_one(&mut *admin)
                .await
                .map_err(|e| ScenarioError::sql("read a usage count", e))?;
            Ok(if now == *before {
                Verdict::Nothing
            } else if now == before + 1 {
                Verdict::Everything
            } else {
                Verdict::Partial(format!("usage count {now}, from {before}"))
            })
        }
        Fixture::Sql { index, run } => {
            let written = sql_flow::written(admin, subject, *index, *run).await?;
            let complete = subject.manifest.flows.sql[*index].complete;
            Ok(all_or_nothing(written, complete))
        }
        Fixture::Command { index, run } => {
            let flow = &subject.manifest.flows.command[*index];
            let key = format!("flows.command[{index}].written");
            let written =
                sql_flow::count(admin, subject, &key, &flow.written, *run, &flow.name).await?;
            Ok(all_or_nothing(written, flow.complete))
        }
    }
}

fn all_or_nothing(written: i64, complete: i64) -> Verdict {
    if written == 0 {
        Verdict::Nothing
    } else if written == complete {
        Verdict::Everything
    } else {
        Verdict::Partial(format!("{written} of its {complete} rows"))
    }
}

/// Inserts a user with a workspace and a project (so that every invariant holds), in the
/// subscription state `state`; returns its id.
pub async fn insert_user(
    admin: &mut PgConnection,
    n: i64,
    customer: &str,
    state: &Subscription,
) -> Result<i64, ScenarioError> {
    insert_user_tagged(admin, &n.to_string(), customer, state).await
}

/// [`insert_user`] with any tag.
pub async fn insert_user_tagged(
    admin: &mut PgConnection,
    tag: &str,
    customer: &str,
    state: &Subscription,
) -> Result<i64, ScenarioError> {
    sqlx::query_scalar(
        "WITH u AS (INSERT INTO users (email, password_hash, full_name, stripe_customer_id, stripe_subscription_id, \
                                       subscription_tier, subscription_status, subscription_event_at) \
                    VALUES ($1, 'fixture', $2, $3, $4, $5, $6, $7) RETURNING id), \
              w AS (INSERT INTO workspaces (owner_id, name) SELECT id, 'Personal' FROM u RETURNING id, owner_id) \
         INSERT INTO projects (workspace_id, owner_id, title) SELECT id, owner_id, 'Getting started' FROM w RETURNING owner_id",
    )
    .bind(format!("fixture{tag}@example.test"))
    .bind(format!("Fixture {tag}"))
    .bind(customer)
    .bind(&state.subscription_id)
    .bind(&state.tier)
    .bind(&state.status)
    .bind(fixture_epoch())
    .fetch_one(&mut *admin)
    .await
    .map_err(|e| ScenarioError::sql("insert a fixture user", e))
}

/// Whether the schema has the webhook log table `stripe_events`.
pub async fn has_event_log(admin: &mut PgConnection) -> Result<bool, ScenarioError> {
    sqlx::query_scalar("SELECT to_regclass('stripe_events') IS NOT NULL")
        .fetch_one(&mut *admin)
        .await
        .map_err(|e| ScenarioError::sql("look for the webhook log table", e))
}

/// A user's subscription as it is now.
pub async fn subscription(
    admin: &mut PgConnection,
    user_id: i64,
    event_id: &str,
    logged: bool,
) -> Result<Subscription, ScenarioError> {
    let (subscription_id, tier, status): (Option<String>, Option<String>, Option<String>) =
        sqlx::query_as(
            "SELECT stripe_subscription_id, subscription_tier, subscription_status FROM users WHERE id = $1",
        )
        .bind(user_id)
        .fetch_one(&mut *admin)
        .await
        .map_err(|e| ScenarioError::sql("read a subscription", e))?;
    let recorded = if logged {
        Some(
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM stripe_events WHERE event_id = $1)")
                .bind(event_id)
                .fetch_one(&mut *admin)
                .await
                .map_err(|e| ScenarioError::sql("look up a logged event", e))?,
        )
    } else {
        None
    };
    Ok(Subscription {
        subscription_id,
        tier: tier.unwrap_or_default(),
        status,
        recorded,
    })
}
