//! `[[queries]]`: the subject's main queries and the index each is expected to use.

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Query {
    pub name: String,
    /// The query, with `$1`, `$2`… parameters.
    pub sql: String,
    /// One query per parameter that picks a realistic value from the data.
    #[serde(default)]
    pub params: Vec<String>,
    /// The index the plan must use.
    pub expect_index: Option<String>,
}
