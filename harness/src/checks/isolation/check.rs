//! The checker's entry point: a history in, every anomaly found out, with what each
//! isolation level would allow.

use std::collections::{BTreeMap, BTreeSet};

use super::anomaly::{Anomaly, AnomalyKind, IsolationLevel};
use super::history::{History, TxnOutcome};
use super::{cycles, graph, versions};

/// What the checker found in one history.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub ok: usize,
    pub failed: usize,
    pub unknown: usize,
    /// Dependency edges inferred.
    pub edges: usize,
    pub anomalies: Vec<Anomaly>,
    /// The kinds whose cycle search stopped at its budget in some large component: their
    /// absence from `anomalies` proves nothing.
    pub truncated_searches: BTreeSet<AnomalyKind>,
    /// Strongly connected components in which no cycle could be classified (a checker gap).
    pub unexplained_components: usize,
}

impl Report {
    /// How many anomalies of each kind were found.
    pub fn kinds(&self) -> BTreeMap<AnomalyKind, usize> {
        let mut kinds = BTreeMap::new();
        for a in &self.anomalies {
            *kinds.entry(a.kind).or_insert(0) += 1;
        }
        kinds
    }

    pub fn count(&self, kind: AnomalyKind) -> usize {
        self.anomalies.iter().filter(|a| a.kind == kind).count()
    }

    /// The anomalies `level` does not allow.
    pub fn beyond(&self, level: IsolationLevel) -> Vec<&Anomaly> {
        self.anomalies
            .iter()
            .filter(|a| !level.allows(a.kind))
            .collect()
    }

    /// `G-single ×2, G2-item ×5`, or `none`.
    pub fn summary(&self) -> String {
        let kinds = self.kinds();
        if kinds.is_empty() {
            return "none".into();
        }
        kinds
            .iter()
            .map(|(kind, n)| format!("{kind} ×{n}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Checks a list-append history.
pub fn check(history: &History) -> Report {
    let inferred = versions::infer(history);
    let graph = graph::build(history, &inferred);
    let found = cycles::find(&graph, history);
    let mut anomalies = inferred.anomalies;
    anomalies.extend(found.anomalies);
    Report {
        ok: history.count(TxnOutcome::Ok),
        failed: history.count(TxnOutcome::Fail),
        unknown: history.count(TxnOutcome::Info),
        edges: graph.graph.edge_count(),
        anomalies,
        truncated_searches: found.truncated,
        unexplained_components: found.unexplained,
    }
}
