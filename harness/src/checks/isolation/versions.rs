//! Version orders, inferred from the reads: a list's longest observed value is its
//! version order (every append extends it by one element), every other read must be a
//! prefix of it. Also finds what no cycle is needed to prove: duplicates, garbage reads,
//! incompatible orders, aborted reads (G1a) and intermediate reads (G1b).

use std::collections::{BTreeMap, HashMap, HashSet};

use super::anomaly::{Anomaly, AnomalyKind};
use super::history::{render_list, History, Key, Mop, Txn, TxnId, TxnOutcome, Value};

/// Who appended a value.
#[derive(Debug, Clone, Copy)]
pub(super) struct Appender {
    pub txn: TxnId,
    pub outcome: TxnOutcome,
    /// Whether it is the last value this transaction appended to this key.
    pub last_of_txn: bool,
}

/// What the reads tell.
#[derive(Debug, Default)]
pub(super) struct Inferred {
    /// Each key's version order: its longest read.
    pub order: BTreeMap<Key, Vec<Value>>,
    pub appenders: HashMap<(Key, Value), Appender>,
    /// Transactions known to have committed: acknowledged ones, and unknown ones whose
    /// appends someone read.
    pub committed: HashSet<TxnId>,
    pub anomalies: Vec<Anomaly>,
}

impl Inferred {
    pub fn appender(&self, key: Key, value: Value) -> Option<Appender> {
        self.appenders.get(&(key, value)).copied()
    }

    /// Whether `values` is a prefix of `key`'s version order.
    pub fn fits(&self, key: Key, values: &[Value]) -> bool {
        self.order
            .get(&key)
            .is_some_and(|order| order.starts_with(values))
    }
}

/// The completed reads of `txns`.
fn reads<'h>(
    txns: impl Iterator<Item = &'h Txn>,
) -> impl Iterator<Item = (&'h Txn, Key, &'h [Value])> {
    txns.flat_map(|t| {
        t.mops.iter().filter_map(move |m| match m {
            Mop::Read {
                key,
                values: Some(values),
            } => Some((t, *key, values.as_slice())),
            _ => None,
        })
    })
}

pub(super) fn infer(history: &History) -> Inferred {
    let mut inferred = Inferred::default();
    for txn in &history.txns {
        let mut last: HashMap<Key, Value> = HashMap::new();
        for mop in &txn.mops {
            if let Mop::Append { key, value } = mop {
                inferred.appenders.insert(
                    (*key, *value),
                    Appender {
                        txn: txn.id,
                        outcome: txn.outcome,
                        last_of_txn: false,
                    },
                );
                last.insert(*key, *value);
            }
        }
        for (key, value) in last {
            if let Some(a) = inferred.appenders.get_mut(&(key, value)) {
                a.last_of_txn = true;
            }
        }
    }

    // an unknown transaction committed if another one read what it appended; one that
    // did not is left out, reads and all (it may have read its own uncommitted appends)
    let mut seen_by_others: HashSet<(Key, Value)> = HashSet::new();
    let maybe_committed = history
        .txns
        .iter()
        .filter(|t| t.outcome != TxnOutcome::Fail);
    for (txn, key, values) in reads(maybe_committed) {
        seen_by_others.extend(
            values
                .iter()
                .filter(|v| inferred.appender(key, **v).is_some_and(|a| a.txn != txn.id))
                .map(|v| (key, *v)),
        );
    }
    for txn in &history.txns {
        let observed = txn.mops.iter().any(|m| match m {
            Mop::Append { key, value } => seen_by_others.contains(&(*key, *value)),
            Mop::Read { .. } => false,
        });
        if txn.outcome == TxnOutcome::Ok || (txn.outcome == TxnOutcome::Info && observed) {
            inferred.committed.insert(txn.id);
        }
    }
    let committed: Vec<&Txn> = history
        .txns
        .iter()
        .filter(|t| inferred.committed.contains(&t.id))
        .collect();
    for (txn, key, values) in reads(committed.iter().copied()) {
        check_read(&mut inferred, txn, key, values);
    }

    let mut by_key: BTreeMap<Key, Vec<(TxnId, &[Value])>> = BTreeMap::new();
    for (txn, key, values) in reads(committed.iter().copied()) {
        by_key.entry(key).or_default().push((txn.id, values));
    }
    for (key, reads) in by_key {
        let (longest_txn, longest) = reads
            .iter()
            .copied()
            .max_by_key(|(_, values)| values.len())
            .expect("a key in the map has a read");
        if let Some((other_txn, other)) = reads
            .iter()
            .copied()
            .find(|(_, values)| !longest.starts_with(values))
        {
            inferred.anomalies.push(Anomaly {
                kind: AnomalyKind::IncompatibleOrder,
                txns: vec![longest_txn, other_txn],
                explanation: vec![format!(
                    "key {key}: T{longest_txn} read {} but T{other_txn} read {}: neither is a prefix of the other",
                    render_list(longest),
                    render_list(other)
                )],
            });
        }
        inferred.order.insert(key, longest.to_vec());
    }
    inferred
}

/// Duplicates, garbage, aborted and intermediate reads in one read.
fn check_read(inferred: &mut Inferred, txn: &Txn, key: Key, values: &[Value]) {
    let reader = txn.id;
    let shown = render_list(values);
    let mut distinct = HashSet::new();
    if let Some(twice) = values.iter().find(|v| !distinct.insert(**v)) {
        inferred.anomalies.push(Anomaly {
            kind: AnomalyKind::Duplicate,
            txns: vec![reader],
            explanation: vec![format!(
                "T{reader} read key {key} = {shown}: {twice} appears more than once"
            )],
        });
    }
    for value in values {
        match inferred.appenders.get(&(key, *value)).copied() {
            None => inferred.anomalies.push(Anomaly {
                kind: AnomalyKind::GarbageRead,
                txns: vec![reader],
                explanation: vec![format!(
                    "T{reader} read key {key} = {shown}: nobody appended {value} to key {key}"
                )],
            }),
            Some(a) if a.outcome == TxnOutcome::Fail && a.txn != reader => {
                inferred.anomalies.push(Anomaly {
                    kind: AnomalyKind::G1a,
                    txns: vec![a.txn, reader],
                    explanation: vec![format!(
                        "T{reader} read key {key} = {shown}: {value} was appended by T{}, which aborted",
                        a.txn
                    )],
                })
            }
            Some(_) => {}
        }
    }
    if let Some(last) = values.last() {
        if let Some(a) = inferred.appenders.get(&(key, *last)).copied() {
            if a.txn != reader && !a.last_of_txn && a.outcome != TxnOutcome::Fail {
                inferred.anomalies.push(Anomaly {
                    kind: AnomalyKind::G1b,
                    txns: vec![a.txn, reader],
                    explanation: vec![format!(
                        "T{reader} read key {key} = {shown}, ending at {last}: an intermediate state of T{}, which appended more to key {key} afterwards",
                        a.txn
                    )],
                });
            }
        }
    }
}
