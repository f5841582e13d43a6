//! InstantViz before the fixes, as the report describes it: no transactions (each
//! statement commits on its own), an application-side check-then-insert for Stripe
//! customers, webhook handlers that apply whatever arrives last, and read-modify-write
//! usage counting.

use async_trait::async_trait;
use sqlx::PgConnection;

use super::{AppFlows, FaultPoints, Flow, FlowError, Handled, Signup, StripeEvent};

#[derive(Debug)]
pub struct InstantVizBefore;

#[async_trait]
impl AppFlows for InstantVizBefore {
    fn name(&self) -> &'static str {
        "instantviz-before"
    }

    fn fault_points(&self, flow: Flow) -> u32 {
        match flow {
            Flow::Signup => 3,
            Flow::SubscriptionCreated | Flow::SubscriptionUpdated | Flow::SubscriptionDeleted => 2,
            Flow::PaymentFailed => 1,
            Flow::RecordUsage => 2,
        }
    }

    async fn signup(
        &self,
        conn: &mut PgConnection,
        input: &Signup,
        faults: &mut dyn FaultPoints,
    ) -> Result<i64, FlowError> {
        if let Some(customer) = &input.stripe_customer_id {
            let taken: Option<i64> =
                sqlx::query_scalar("SELECT id FROM users WHERE stripe_customer_id = $1")
                    .bind(customer)
                    .fetch_optional(&mut *conn)
                    .await?;
            if taken.is_some() {
                return Err(FlowError::Rejected(format!(
                    "Stripe customer {customer} already has an account"
                )));
            }
        }
        let user_id: i64 = sqlx::query_scalar(
            "INSERT INTO users (email, password_hash, full_name, stripe_customer_id) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(&input.email)
        .bind(&input.password_hash)
        .bind(&input.full_name)
        .bind(&input.stripe_customer_id)
        .fetch_one(&mut *conn)
        .await?;
        faults.reached(Flow::Signup, 1, conn).await?;
        let workspace_id: i64 = sqlx::query_scalar(
            "INSERT INTO workspaces (owner_id, name) VALUES ($1, 'Personal') RETURNING id",
        )
        .bind(user_id)
        .fetch_one(&mut *conn)
        .await?;
        faults.reached(Flow::Signup, 2, conn).await?;
        sqlx::query("INSERT INTO projects (workspace_id, owner_id, title) VALUES ($1, $2, 'Getting started')")
            .bind(workspace_id)
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
        faults.reached(Flow::Signup, 3, conn).await?;
        Ok(user_id)
    }

    async fn handle_event(
        &self,
        conn: &mut PgConnection,
        event: &StripeEvent,
        faults: &mut dyn FaultPoints,
    ) -> Result<Handled, FlowError> {
        let flow = event.kind;
        let user_id: Option<i64> =
            sqlx::query_scalar("SELECT id FROM users WHERE stripe_customer_id = $1")
                .bind(&event.customer_id)
                .fetch_optional(&mut *conn)
                .await?;
        let Some(user_id) = user_id else {
            return Err(FlowError::Rejected(format!(
                "no user has Stripe customer {}",
                event.customer_id
            )));
        };
        match flow {
            Flow::SubscriptionCreated | Flow::SubscriptionUpdated => {
                sqlx::query("UPDATE users SET stripe_subscription_id = $2, subscription_tier = $3 WHERE id = $1")
                    .bind(user_id)
                    .bind(&event.subscription_id)
                    .bind(&event.tier)
                    .execute(&mut *conn)
                    .await?;
                faults.reached(flow, 1, conn).await?;
                sqlx::query(
                    "UPDATE users SET subscription_status = $2, updated_at = now() WHERE id = $1",
                )
                .bind(user_id)
                .bind(&event.status)
                .execute(&mut *conn)
                .await?;
                faults.reached(flow, 2, conn).await?;
            }
            Flow::SubscriptionDeleted => {
                sqlx::query("UPDATE users SET subscription_tier = 'free' WHERE id = $1")
                    .bind(user_id)
                    .execute(&mut *conn)
                    .await?;
                faults.reached(flow, 1, conn).await?;
                sqlx::query("UPDATE users SET stripe_subscription_id = NULL, subscription_status = 'canceled', updated_at = now() WHERE id = $1")
                    .bind(user_id)
                    .execute(&mut *conn)
                    .await?;
                faults.reached(flow, 2, conn).await?;
            }
            Flow::PaymentFailed => {
                sqlx::query("UPDATE users SET subscription_status = 'past_due', updated_at = now() WHERE id = $1")
                    .bind(user_id)
                    .execute(&mut *conn)
                    .await?;
                faults.reached(flow, 1, conn).await?;
            }
            Flow::Signup | Flow::RecordUsage => {
                return Err(FlowError::Rejected(format!("{flow} is not a webhook")))
            }
        }
        Ok(Handled::Applied)
    }

    async fn record_usage(
        &self,
        conn: &mut PgConnection,
        user_id: i64,
        faults: &mut dyn FaultPoints,
    ) -> Result<(), FlowError> {
        let count: i32 = sqlx::query_scalar("SELECT usage_count FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(&mut *conn)
            .await?;
        faults.reached(Flow::RecordUsage, 1, conn).await?;
        sqlx::query("UPDATE users SET usage_count = $2, updated_at = now() WHERE id = $1")
            .bind(user_id)
            .bind(count + 1)
            .execute(&mut *conn)
            .await?;
        faults.reached(Flow::RecordUsage, 2, conn).await?;
        Ok(())
    }
}
