//! Mutants of a subject for `readiness mutate`: copies with exactly one protection removed,
//! each naming the claim whose scenarios must turn red on it.
//!
//! A mutant is SQL applied to every database the run migrates, right after the subject's
//! migrations (`RunOptions::schema_mutation`), so it works for any migrations layout.

mod derive;
mod schema;

pub use derive::derive;
pub use schema::{constraint_mutants, index_mutants};

use harness::run::scenario::ClaimSpec;

/// One protection removed.
#[derive(Debug, Clone)]
pub struct Mutant {
    /// What it removes, e.g. `drop unique users(stripe_customer_id)`.
    pub label: String,
    /// Its kind's kebab-case id (`drop-constraint`, `no-cascade`, `drop-index`), for `--only`.
    pub kind: &'static str,
    /// The claim whose scenarios must catch it.
    pub claim: &'static ClaimSpec,
    /// The SQL that removes the protection from a migrated database.
    pub sql: String,
}

/// Every kind of mutant, as `--only` spells it.
pub const KINDS: [&str; 3] = [
    schema::DROP_CONSTRAINT,
    schema::NO_CASCADE,
    schema::DROP_INDEX,
];
