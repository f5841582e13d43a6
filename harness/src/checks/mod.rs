//! What a run looks for: which integrity rule refused a write, the manifest's invariants,
//! isolation anomalies in list-append histories, latency growth curves, seeded property
//! checks, and sessions waiting on locks.

pub mod growth;
pub mod integrity;
pub mod invariants;
pub mod isolation;
pub mod locks;
pub mod property;
