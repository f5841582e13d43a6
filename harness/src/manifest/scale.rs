//! `[scale]`: the data volume the claims are about, and how the subject's data grows
//! with the number of users.

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleSection {
    /// The number of users the claims speak of (e.g. "100,000+ users").
    pub claimed_users: u64,
    /// Tables in load order, each with its rows per user and how to generate them.
    #[serde(default)]
    pub tables: Vec<ScaleTable>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleTable {
    pub table: String,
    pub per_user: f64,
    /// Server-side generation SQL; `:users` is replaced by the number of users.
    pub generate: Option<String>,
}
