//! An Elle-style isolation checker for list-append histories: transactions append unique
//! values to lists and read whole lists; the checker infers each key's version order from
//! the reads, builds the write-write, write-read and read-write dependency graph, finds
//! its cycles (strongly connected components) and names each anomaly (G0, G1a, G1b, G1c,
//! G-single, G2-item, incompatible orders, duplicates, garbage reads) with its cycle.
//!
//! [`workload`] runs such a history against PostgreSQL at a chosen isolation level.

mod anomaly;
mod check;
mod cycles;
mod graph;
mod history;
mod versions;
pub mod workload;

pub use anomaly::{Anomaly, AnomalyKind, IsolationLevel};
pub use check::{check, Report};
pub use history::{History, Key, Mop, Txn, TxnId, TxnOutcome, Value};

#[cfg(test)]
mod tests;
