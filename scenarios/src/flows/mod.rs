//! The bundled subjects' critical flows, as Rust over sqlx, with numbered fault points
//! between statements: signup, the Stripe webhook handlers, and usage metering.
//!
//! Fault point `k` of a flow is reached right after its `k`-th statement (the last one
//! just before COMMIT, where there is a transaction). A [`FaultPoints`] implementation
//! decides what happens there: nothing, an application error, or a real fault.

pub mod instantviz;
pub mod instantviz_before;

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// Why a flow stopped.
#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    #[error("application error injected at fault point {point} of {flow}")]
    Injected { flow: Flow, point: u32 },
    #[error("{0}")]
    Rejected(String),
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
}

/// The critical flows the report names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flow {
    Signup,
    SubscriptionCreated,
    SubscriptionUpdated,
    SubscriptionDeleted,
    PaymentFailed,
    RecordUsage,
}

impl Flow {
    pub const ALL: [Flow; 6] = [
        Flow::Signup,
        Flow::SubscriptionCreated,
        Flow::SubscriptionUpdated,
        Flow::SubscriptionDeleted,
        Flow::PaymentFailed,
        Flow::RecordUsage,
    ];

    /// The report's name for it.
    pub fn name(self) -> &'static str {
        match self {
            Flow::Signup => "auth.signup",
            Flow::SubscriptionCreated => "handle_subscription_created",
            Flow::SubscriptionUpdated => "handle_subscription_updated",
            Flow::SubscriptionDeleted => "handle_subscription_deleted",
            Flow::PaymentFailed => "handle_payment_failed",
            Flow::RecordUsage => "record_usage",
        }
    }
}

impl fmt::Display for Flow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What happens at each fault point.
#[async_trait]
pub trait FaultPoints: Send {
    /// Called at fault point `point` of `flow`, with the connection the flow uses; an error
    /// stops the flow there.
    async fn reached(
        &mut self,
        flow: Flow,
        point: u32,
        conn: &mut PgConnection,
    ) -> Result<(), FlowError>;
}

/// Fault points where nothing happens.
#[derive(Debug, Default)]
pub struct NoFaults;

#[async_trait]
impl FaultPoints for NoFaults {
    async fn reached(&mut self, _: Flow, _: u32, _: &mut PgConnection) -> Result<(), FlowError> {
        Ok(())
    }
}

/// A new user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signup {
    pub email: String,
    pub password_hash: String,
    pub full_name: String,
    pub stripe_customer_id: Option<String>,
}

/// A Stripe webhook event, as delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StripeEvent {
    /// `evt_…`, unique per event (a redelivery repeats it).
    pub id: String,
    /// The flow that handles it (one of the four webhook flows).
    pub kind: Flow,
    pub customer_id: String,
    pub subscription_id: String,
    pub tier: String,
    pub status: String,
    /// When Stripe created the event: deliveries may arrive in another order.
    pub created: DateTime<Utc>,
}

/// What a webhook handler did with an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handled {
    Applied,
    /// Seen before: skipped.
    Duplicate,
    /// Older than what was already applied: recorded, not applied.
    Stale,
}

/// One subject's implementation of the flows.
#[async_trait]
pub trait AppFlows: Send + Sync {
    /// The manifest's `flows.builtin` name.
    fn name(&self) -> &'static str;

    /// How many fault points `flow` has.
    fn fault_points(&self, flow: Flow) -> u32;

    /// Creates a user with a workspace and a first project; returns the user id.
    async fn signup(
        &self,
        conn: &mut PgConnection,
        input: &Signup,
        faults: &mut dyn FaultPoints,
    ) -> Result<i64, FlowError>;

    /// Handles one webhook delivery.
    async fn handle_event(
        &self,
        conn: &mut PgConnection,
        event: &StripeEvent,
        faults: &mut dyn FaultPoints,
    ) -> Result<Handled, FlowError>;

    /// Counts one use of the product against the user's quota.
    async fn record_usage(
        &self,
        conn: &mut PgConnection,
        user_id: i64,
        faults: &mut dyn FaultPoints,
    ) -> Result<(), FlowError>;
}

/// The bundled flows named `name`, e.g. from the manifest's `flows.builtin`.
pub fn builtin(name: &str) -> Option<Arc<dyn AppFlows>> {
    match name {
        "instantviz" => Some(Arc::new(instantviz::InstantViz)),
        "instantviz-before" => Some(Arc::new(instantviz_before::InstantVizBefore)),
        _ => None,
    }
}
