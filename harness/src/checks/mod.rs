//! What a run looks for: which integrity rule refused a write, the manifest's invariants,
//! isolation anomalies in list-append histories, latency growth curves, seeded property
//! checks, sessions waiting on locks, a migration step's locks traced under load, and
//! what rows a migration's rollback kept.

pub mod data_prints;
pub mod growth;
pub mod integrity;
pub mod invariants;
pub mod isolation;
pub mod lock_trace;
pub mod locks;
pub mod property;
