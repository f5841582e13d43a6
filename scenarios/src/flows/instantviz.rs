//! InstantViz after the fixes: every flow in one transaction, webhook events recorded
//! once (a redelivery is skipped) and applied only when newer than the last one applied,
//! usage counted with an atomic increment.

use async_trait::async_trait;
use sqlx::{Connection, PgConnection};

use super::{AppFlows, FaultPoints, Flow, FlowError, Handled, Signup, StripeEvent};

#[derive(Debug)]
pub struct InstantViz;

#[async_trait]
impl AppFlows for InstantViz {
    fn name(&self) -> &'static str {
        "instantviz"
    }

    fn fault_points(&self, flow: Flow) -> u32 {
        match flow {
            Flow::Signup
            | Flow::SubscriptionCreated
            | Flow::SubscriptionUpdated
            | Flow::SubscriptionDeleted
            | Flow::PaymentFailed => 3,
            Flow::RecordUsage => 1,
        }
    }

    async fn signup(
        &self,
        conn: &mut PgConnection,
        input: &Signup,
        faults: &mut dyn FaultPoints,
    ) -> Result<i64, FlowError> {
        let mut tx = conn.begin().await?;
        let user_id: i64 = sqlx::query_scalar(
            "INSERT INTO users (email, password_hash, full_name, stripe_customer_id) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(&input.email)
        .bind(&input.password_hash)
        .bind(&input.full_name)
        .bind(&input.stripe_customer_id)
        .fetch_one(&mut *tx)
        .await?;
        faults.reached(Flow::Signup, 1, &mut tx).await?;
        let workspace_id: i64 = sqlx::query_scalar(
            "INSERT INTO workspaces (owner_id, name) VALUES ($1, 'Personal') RETURNING id",
        )
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?;
        faults.reached(Flow::Signup, 2, &mut tx).await?;
        sqlx::query("INSERT INTO projects (workspace_id, owner_id, title) VALUES ($1, $2, 'Getting started')")
            .bind(workspace_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        faults.reached(Flow::Signup, 3, &mut tx).await?;
        tx.commit().await?;
        Ok(user_id)
    }

    async fn handle_event(
        &self,
        conn: &mut PgConnection,
        event: &StripeEvent,
        faults: &mut dyn FaultPoints,
    ) -> Result<Handled, FlowError> {
        let flow = event.kind;
        let mut tx = conn.begin().await?;
        let recorded = sqlx::query(
            "INSERT INTO stripe_events (event_id, event_type, customer_id) VALUES ($1, $2, $3) ON CONFLICT (event_id) DO NOTHING",
        )
        .bind(&event.id)
        .bind(flow.name())
        .bind(&event.customer_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if recorded == 0 {
            return Ok(Handled::Duplicate);
        }
        faults.reached(flow, 1, &mut tx).await?;
        let user: Option<(i64, Option<chrono::DateTime<chrono::Utc>>)> = sqlx::query_as(
            "SELECT id, subscription_event_at FROM users WHERE stripe_customer_id = $1 FOR UPDATE",
        )
        .bind(&event.customer_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((user_id, last_applied)) = user else {
            return Err(FlowError::Rejected(format!(
                "no user has Stripe customer {}",
                event.customer_id
            )));
        };
        faults.reached(flow, 2, &mut tx).await?;
        let stale = last_applied.is_some_and(|last| last > event.created);
        if !stale {
            apply_event(&mut tx, user_id, event).await?;
        }
        faults.reached(flow, 3, &mut tx).await?;
        tx.commit().await?;
        Ok(if stale {
            Handled::Stale
        } else {
            Handled::Applied
        })
    }

    async fn record_usage(
        &self,
        conn: &mut PgConnection,
        user_id: i64,
        faults: &mut dyn FaultPoints,
    ) -> Result<(), FlowError> {
        let mut tx = conn.begin().await?;
        sqlx::query(
            "UPDATE users SET usage_count = usage_count + 1, updated_at = now() WHERE id = $1",
        )
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        faults.reached(Flow::RecordUsage, 1, &mut tx).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Writes what `event` means for the user's subscription.
async fn apply_event(
    conn: &mut PgConnection,
    user_id: i64,
    event: &StripeEvent,
) -> Result<(), FlowError> {
    let query = match event.kind {
        Flow::SubscriptionCreated | Flow::SubscriptionUpdated => sqlx::query(
            "UPDATE users SET stripe_subscription_id = $3, subscription_tier = $4, subscription_status = $5, \
             subscription_event_at = $2, updated_at = now() WHERE id = $1",
        )
        .bind(user_id)
        .bind(event.created)
        .bind(&event.subscription_id)
        .bind(&event.tier)
        .bind(&event.status),
        Flow::SubscriptionDeleted => sqlx::query(
            "UPDATE users SET stripe_subscription_id = NULL, subscription_tier = 'free', subscription_status = 'canceled', \
             subscription_event_at = $2, updated_at = now() WHERE id = $1",
        )
        .bind(user_id)
        .bind(event.created),
        // the event carries the subscription as it now is: writing all of it is what makes
        // "apply only the newest event" equal to "apply every event in order"
        Flow::PaymentFailed => sqlx::query(
            "UPDATE users SET stripe_subscription_id = $3, subscription_tier = $4, subscription_status = 'past_due', \
             subscription_event_at = $2, updated_at = now() WHERE id = $1",
        )
        .bind(user_id)
        .bind(event.created)
        .bind(&event.subscription_id)
        .bind(&event.tier),
        Flow::Signup | Flow::RecordUsage => return Err(FlowError::Rejected(format!("{} is not a webhook", event.kind))),
    };
    query.execute(conn).await?;
    Ok(())
}
