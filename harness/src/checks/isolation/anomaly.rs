//! Anomaly kinds, what each isolation level allows, and an anomaly as reported.

use std::fmt;

use super::history::TxnId;

/// The anomalies the checker names (Adya's, as Elle reports them, plus the impossible
/// observations that no isolation level allows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AnomalyKind {
    /// A cycle of write-write dependencies only (dirty write).
    G0,
    /// A read of a value written by an aborted transaction.
    G1a,
    /// A read of a state a transaction wrote but then overwrote itself (intermediate read).
    G1b,
    /// A cycle of write-write and write-read dependencies, at least one write-read.
    G1c,
    /// A cycle with exactly one read-write anti-dependency (read skew).
    GSingle,
    /// A cycle with two or more read-write anti-dependencies (write skew).
    G2Item,
    /// Two reads of one key where neither is a prefix of the other.
    IncompatibleOrder,
    /// A read listing one value twice.
    Duplicate,
    /// A read of a value that nobody ever appended.
    GarbageRead,
}

impl AnomalyKind {
    pub const ALL: [AnomalyKind; 9] = [
        AnomalyKind::G0,
        AnomalyKind::G1a,
        AnomalyKind::G1b,
        AnomalyKind::G1c,
        AnomalyKind::GSingle,
        AnomalyKind::G2Item,
        AnomalyKind::IncompatibleOrder,
        AnomalyKind::Duplicate,
        AnomalyKind::GarbageRead,
    ];

    pub fn name(self) -> &'static str {
        match self {
            AnomalyKind::G0 => "G0",
            AnomalyKind::G1a => "G1a",
            AnomalyKind::G1b => "G1b",
            AnomalyKind::G1c => "G1c",
            AnomalyKind::GSingle => "G-single",
            AnomalyKind::G2Item => "G2-item",
            AnomalyKind::IncompatibleOrder => "incompatible-order",
            AnomalyKind::Duplicate => "duplicate-elements",
            AnomalyKind::GarbageRead => "garbage-read",
        }
    }
}

impl fmt::Display for AnomalyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The isolation levels PostgreSQL offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IsolationLevel {
    ReadCommitted,
    /// Snapshot isolation in PostgreSQL.
    RepeatableRead,
    Serializable,
}

impl IsolationLevel {
    pub const ALL: [IsolationLevel; 3] = [
        IsolationLevel::ReadCommitted,
        IsolationLevel::RepeatableRead,
        IsolationLevel::Serializable,
    ];

    /// As SQL spells it: `READ COMMITTED`.
    pub fn sql(self) -> &'static str {
        match self {
            IsolationLevel::ReadCommitted => "READ COMMITTED",
            IsolationLevel::RepeatableRead => "REPEATABLE READ",
            IsolationLevel::Serializable => "SERIALIZABLE",
        }
    }

    /// Whether a correct implementation of this level may show `kind`: read committed
    /// (PL-2) forbids G0 and G1; repeatable read, being snapshot isolation in PostgreSQL,
    /// also forbids G-single but allows write skew (G2-item); serializable forbids all.
    pub fn allows(self, kind: AnomalyKind) -> bool {
        match self {
            IsolationLevel::ReadCommitted => {
                matches!(kind, AnomalyKind::GSingle | AnomalyKind::G2Item)
            }
            IsolationLevel::RepeatableRead => kind == AnomalyKind::G2Item,
            IsolationLevel::Serializable => false,
        }
    }
}

impl fmt::Display for IsolationLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.sql())
    }
}

/// One anomaly found: its kind, the transactions involved (a cycle in order, closing on
/// the first), and one line per step saying why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anomaly {
    pub kind: AnomalyKind,
    pub txns: Vec<TxnId>,
    pub explanation: Vec<String>,
}

impl Anomaly {
    /// `G2-item: T3 → T8 → T3`.
    pub fn headline(&self) -> String {
        let mut path: Vec<String> = self.txns.iter().map(|t| format!("T{t}")).collect();
        if self.txns.len() > 1 && self.is_cycle() {
            path.push(format!("T{}", self.txns[0]));
        }
        format!("{}: {}", self.kind, path.join(" → "))
    }

    pub fn is_cycle(&self) -> bool {
        matches!(
            self.kind,
            AnomalyKind::G0 | AnomalyKind::G1c | AnomalyKind::GSingle | AnomalyKind::G2Item
        )
    }
}
