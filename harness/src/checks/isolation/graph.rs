//! The dependency graph between committed transactions: write-write (ww) between
//! consecutive versions of a key, write-read (wr) from the writer of the version a read
//! saw, read-write (rw) from a reader to the writer of the next version after it.

use std::collections::HashMap;
use std::fmt;

use petgraph::graph::{DiGraph, NodeIndex};

use super::history::{render_list, History, Key, Mop, TxnId, TxnOutcome};
use super::versions::Inferred;

/// The kind of a dependency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Dep {
    Ww,
    Wr,
    Rw,
}

impl fmt::Display for Dep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Dep::Ww => "ww",
            Dep::Wr => "wr",
            Dep::Rw => "rw",
        })
    }
}

/// One dependency, with why it holds.
#[derive(Debug, Clone)]
pub(super) struct Edge {
    pub dep: Dep,
    pub why: String,
}

#[derive(Debug, Default)]
pub(super) struct DepGraph {
    pub graph: DiGraph<TxnId, Edge>,
    nodes: HashMap<TxnId, NodeIndex>,
}

impl DepGraph {
    fn node(&mut self, txn: TxnId) -> NodeIndex {
        *self
            .nodes
            .entry(txn)
            .or_insert_with(|| self.graph.add_node(txn))
    }

    fn add(&mut self, from: TxnId, to: TxnId, dep: Dep, why: String) {
        if from != to {
            let (a, b) = (self.node(from), self.node(to));
            self.graph.add_edge(a, b, Edge { dep, why });
        }
    }

    pub fn txn(&self, node: NodeIndex) -> TxnId {
        self.graph[node]
    }
}

pub(super) fn build(history: &History, inferred: &Inferred) -> DepGraph {
    let mut graph = DepGraph::default();
    let committed = |txn: TxnId| inferred.committed.contains(&txn);

    for (key, order) in &inferred.order {
        for pair in order.windows(2) {
            let (Some(a), Some(b)) = (
                inferred.appender(*key, pair[0]),
                inferred.appender(*key, pair[1]),
            ) else {
                continue;
            };
            if committed(a.txn) && committed(b.txn) {
                graph.add(
                    a.txn,
                    b.txn,
                    Dep::Ww,
                    format!(
                        "key {key}: T{} appended {}, then T{} appended {}",
                        a.txn, pair[0], b.txn, pair[1]
                    ),
                );
            }
        }
    }

    for txn in history
        .txns
        .iter()
        .filter(|t| t.outcome != TxnOutcome::Fail && committed(t.id))
    {
        for mop in &txn.mops {
            let Mop::Read {
                key,
                values: Some(values),
            } = mop
            else {
                continue;
            };
            if !inferred.fits(*key, values) {
                continue;
            }
            read_edges(&mut graph, inferred, txn.id, *key, values);
        }
    }
    graph
}

/// The wr edge into a read and the rw edge out of it.
fn read_edges(graph: &mut DepGraph, inferred: &Inferred, reader: TxnId, key: Key, values: &[i64]) {
    let committed = |txn: TxnId| inferred.committed.contains(&txn);
    let own = |v: &i64| inferred.appender(key, *v).is_some_and(|a| a.txn == reader);
    // what the reader saw of others: its own trailing appends set aside
    let mut seen = values.len();
    while seen > 0 && own(&values[seen - 1]) {
        seen -= 1;
    }
    let shown = render_list(values);
    if seen > 0 {
        let value = values[seen - 1];
        if let Some(w) = inferred.appender(key, value).filter(|w| committed(w.txn)) {
            graph.add(
                w.txn,
                reader,
                Dep::Wr,
                format!(
                    "key {key}: T{reader} read {shown}, whose last element {value} T{} appended",
                    w.txn
                ),
            );
        }
    }
    let order = &inferred.order[&key];
    if let Some(next) = order.get(seen) {
        if let Some(w) = inferred.appender(key, *next).filter(|w| committed(w.txn)) {
            let after = if seen == 0 {
                "as its first element".to_owned()
            } else {
                format!("right after {}", values[seen - 1])
            };
            graph.add(
                reader,
                w.txn,
                Dep::Rw,
                format!(
                    "key {key}: T{reader} read {shown}, and T{} appended {next} {after}",
                    w.txn
                ),
            );
        }
    }
}
