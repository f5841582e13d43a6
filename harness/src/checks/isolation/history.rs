//! The history model: transactions of list appends and list reads, each with the outcome
//! the client saw (committed, aborted, or unknown).

use std::fmt;

pub type Key = i64;
pub type Value = i64;
/// A transaction's position in the history.
pub type TxnId = usize;

/// One micro-operation of a transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mop {
    /// Append `value` (unique in the whole history) to the list at `key`.
    Append { key: Key, value: Value },
    /// Read the list at `key`; `None` when the transaction ended before the result came.
    Read {
        key: Key,
        values: Option<Vec<Value>>,
    },
}

impl Mop {
    pub fn key(&self) -> Key {
        match self {
            Mop::Append { key, .. } | Mop::Read { key, .. } => *key,
        }
    }
}

impl fmt::Display for Mop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mop::Append { key, value } => write!(f, "append({key}, {value})"),
            Mop::Read { key, values: None } => write!(f, "read({key}) = ?"),
            Mop::Read {
                key,
                values: Some(values),
            } => write!(f, "read({key}) = {}", render_list(values)),
        }
    }
}

/// What the client learnt of a transaction's fate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TxnOutcome {
    /// COMMIT was acknowledged.
    Ok,
    /// Certainly not committed: the database refused it, or the connection broke before
    /// COMMIT was sent.
    Fail,
    /// Unknown: the connection broke while COMMIT was in flight.
    Info,
}

impl fmt::Display for TxnOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TxnOutcome::Ok => "ok",
            TxnOutcome::Fail => "failed",
            TxnOutcome::Info => "unknown",
        })
    }
}

/// One transaction as the client ran it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Txn {
    pub id: TxnId,
    /// The client (connection) that ran it.
    pub process: usize,
    pub outcome: TxnOutcome,
    pub mops: Vec<Mop>,
}

impl fmt::Display for Txn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mops: Vec<String> = self.mops.iter().map(Mop::to_string).collect();
        write!(
            f,
            "T{} (client {}, {}): {}",
            self.id,
            self.process,
            self.outcome,
            mops.join("; ")
        )
    }
}

/// Every transaction of a run, in the order they finished.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    pub txns: Vec<Txn>,
}

impl History {
    /// Adds a transaction, giving it the next id.
    pub fn push(&mut self, process: usize, outcome: TxnOutcome, mops: Vec<Mop>) -> TxnId {
        let id = self.txns.len();
        self.txns.push(Txn {
            id,
            process,
            outcome,
            mops,
        });
        id
    }

    /// How many transactions ended with `outcome`.
    pub fn count(&self, outcome: TxnOutcome) -> usize {
        self.txns.iter().filter(|t| t.outcome == outcome).count()
    }

    pub fn len(&self) -> usize {
        self.txns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.txns.is_empty()
    }
}

/// `[1 2 3]`, shortened in the middle when long.
pub(crate) fn render_list(values: &[Value]) -> String {
    const SHOWN: usize = 4;
    let items: Vec<String> = if values.len() > 2 * SHOWN {
        let mut items: Vec<String> = values[..SHOWN].iter().map(|v| v.to_string()).collect();
        items.push(format!("…{} more…", values.len() - 2 * SHOWN));
        items.extend(values[values.len() - SHOWN..].iter().map(|v| v.to_string()));
        items
    } else {
        values.iter().map(|v| v.to_string()).collect()
    };
    format!("[{}]", items.join(" "))
}
