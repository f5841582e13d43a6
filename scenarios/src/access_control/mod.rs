//! Claim `access_control`: the database is reachable only from the host, and its password
//! is kept out of the repository and cannot be guessed.

mod database_password_kept_secret;
mod database_port_bound_to_loopback;

use std::sync::Arc;

use harness::Scenario;

pub use database_password_kept_secret::DatabasePasswordKeptSecret;
pub use database_port_bound_to_loopback::DatabasePortBoundToLoopback;

pub const CLAIM: &harness::run::scenario::ClaimSpec = &crate::claims::ACCESS_CONTROL;

pub fn scenarios() -> Vec<Arc<dyn Scenario>> {
    vec![
        Arc::new(DatabasePortBoundToLoopback),
        Arc::new(DatabasePasswordKeptSecret),
    ]
}
