//! The checker on hand-built histories: one per anomaly kind, and clean ones that must
//! show nothing.

use super::*;

fn append(key: Key, value: Value) -> Mop {
    Mop::Append { key, value }
}

fn read(key: Key, values: &[Value]) -> Mop {
    Mop::Read {
        key,
        values: Some(values.to_vec()),
    }
}

fn history(txns: Vec<(TxnOutcome, Vec<Mop>)>) -> History {
    let mut history = History::default();
    for (process, (outcome, mops)) in txns.into_iter().enumerate() {
        history.push(process, outcome, mops);
    }
    history
}

fn ok(mops: Vec<Mop>) -> (TxnOutcome, Vec<Mop>) {
    (TxnOutcome::Ok, mops)
}

fn kinds(report: &Report) -> Vec<AnomalyKind> {
    report.kinds().into_keys().collect()
}

#[test]
fn a_serial_history_shows_no_anomaly() {
    let report = check(&history(vec![
        ok(vec![append(1, 1)]),
        ok(vec![read(1, &[1]), append(1, 2)]),
        ok(vec![read(1, &[1, 2]), append(2, 3), read(2, &[3])]),
        ok(vec![read(2, &[]), read(9, &[])]),
    ]));
    assert_eq!(kinds(&report), vec![], "{:#?}", report.anomalies);
    assert!(report.edges > 0, "the history has dependencies");
}

#[test]
fn a_write_write_cycle_is_g0() {
    let report = check(&history(vec![
        ok(vec![append(1, 1), append(2, 4)]),
        ok(vec![append(1, 2), append(2, 3)]),
        ok(vec![read(1, &[1, 2]), read(2, &[3, 4])]),
    ]));
    assert_eq!(kinds(&report), vec![AnomalyKind::G0]);
    let g0 = &report.anomalies[0];
    let mut txns = g0.txns.clone();
    txns.sort();
    assert_eq!(txns, vec![0, 1]);
    assert!(g0.explanation[0].contains("-ww→"), "{:?}", g0.explanation);
}

#[test]
fn reading_an_aborted_write_is_g1a() {
    let report = check(&history(vec![
        (TxnOutcome::Fail, vec![append(1, 1)]),
        ok(vec![read(1, &[1])]),
    ]));
    assert_eq!(kinds(&report), vec![AnomalyKind::G1a]);
    assert_eq!(report.anomalies[0].txns, vec![0, 1]);
}

#[test]
fn reading_a_state_its_writer_went_on_to_change_is_g1b() {
    let report = check(&history(vec![
        ok(vec![append(1, 1), append(1, 2)]),
        ok(vec![read(1, &[1])]),
    ]));
    assert_eq!(kinds(&report), vec![AnomalyKind::G1b]);
}

#[test]
fn a_write_read_cycle_is_g1c() {
    let report = check(&history(vec![
        ok(vec![append(1, 1), read(2, &[2])]),
        ok(vec![append(2, 2), read(1, &[1])]),
    ]));
    assert_eq!(kinds(&report), vec![AnomalyKind::G1c]);
}

#[test]
fn read_skew_is_g_single() {
    let report = check(&history(vec![
        ok(vec![append(1, 1), append(2, 2)]),
        ok(vec![read(1, &[1]), read(2, &[2, 4])]),
        ok(vec![append(1, 3), append(2, 4)]),
        ok(vec![read(1, &[1, 3])]),
    ]));
    assert_eq!(kinds(&report), vec![AnomalyKind::GSingle]);
    let cycle = &report.anomalies[0];
    let mut txns = cycle.txns.clone();
    txns.sort();
    assert_eq!(txns, vec![1, 2]);
    assert_eq!(cycle.headline().matches('→').count(), 2);
}

#[test]
fn write_skew_is_g2_item() {
    let report = check(&history(vec![
        ok(vec![read(1, &[]), append(2, 1)]),
        ok(vec![read(2, &[]), append(1, 2)]),
        ok(vec![read(1, &[2]), read(2, &[1])]),
    ]));
    assert_eq!(kinds(&report), vec![AnomalyKind::G2Item]);
    let cycle = &report.anomalies[0];
    assert_eq!(
        cycle
            .explanation
            .iter()
            .filter(|l| l.contains("-rw→"))
            .count(),
        2,
        "{:?}",
        cycle.explanation
    );
    assert!(!IsolationLevel::Serializable.allows(cycle.kind));
    assert!(IsolationLevel::RepeatableRead.allows(cycle.kind));
}

#[test]
fn reads_that_disagree_on_order_are_incompatible() {
    let report = check(&history(vec![
        ok(vec![append(1, 1)]),
        ok(vec![append(1, 2)]),
        ok(vec![read(1, &[1, 2])]),
        ok(vec![read(1, &[2, 1])]),
    ]));
    assert_eq!(kinds(&report), vec![AnomalyKind::IncompatibleOrder]);
}

#[test]
fn a_value_read_twice_is_a_duplicate() {
    let report = check(&history(vec![
        ok(vec![append(1, 1)]),
        ok(vec![read(1, &[1, 1])]),
    ]));
    assert_eq!(kinds(&report), vec![AnomalyKind::Duplicate]);
}

#[test]
fn a_value_nobody_appended_is_garbage() {
    let report = check(&history(vec![
        ok(vec![append(1, 1)]),
        ok(vec![read(1, &[1, 9])]),
    ]));
    assert_eq!(kinds(&report), vec![AnomalyKind::GarbageRead]);
    assert!(report.anomalies[0].explanation[0].contains("nobody appended 9"));
}

#[test]
fn an_unknown_transaction_counts_as_committed_once_its_write_is_read() {
    let seen = check(&history(vec![
        (TxnOutcome::Info, vec![append(1, 1)]),
        ok(vec![read(1, &[1])]),
    ]));
    assert_eq!(kinds(&seen), vec![], "reading an unknown write is no G1a");
    assert_eq!(seen.edges, 1, "the write-read edge is there");
    let unseen = check(&history(vec![
        (TxnOutcome::Info, vec![append(1, 1), read(2, &[])]),
        ok(vec![append(2, 2)]),
        ok(vec![read(2, &[2])]),
    ]));
    assert_eq!(
        unseen.edges, 1,
        "an unknown transaction nobody saw is left out"
    );
}

#[test]
fn a_transaction_reading_its_own_appends_depends_on_nobody() {
    let report = check(&history(vec![
        ok(vec![
            append(1, 1),
            read(1, &[1]),
            append(1, 2),
            read(1, &[1, 2]),
        ]),
        ok(vec![read(1, &[1, 2])]),
    ]));
    assert_eq!(kinds(&report), vec![]);
}

#[test]
fn each_level_allows_what_postgresql_documents() {
    use AnomalyKind::*;
    let allowed = |level: IsolationLevel| -> Vec<AnomalyKind> {
        AnomalyKind::ALL
            .into_iter()
            .filter(|k| level.allows(*k))
            .collect()
    };
    assert_eq!(
        allowed(IsolationLevel::ReadCommitted),
        vec![GSingle, G2Item]
    );
    assert_eq!(allowed(IsolationLevel::RepeatableRead), vec![G2Item]);
    assert_eq!(allowed(IsolationLevel::Serializable), vec![]);
}

#[test]
fn anomalies_beyond_a_level_are_the_ones_it_forbids() {
    let report = check(&history(vec![
        ok(vec![read(1, &[]), append(2, 1)]),
        ok(vec![read(2, &[]), append(1, 2)]),
        ok(vec![read(1, &[2]), read(2, &[1])]),
    ]));
    assert!(report.beyond(IsolationLevel::RepeatableRead).is_empty());
    assert_eq!(report.beyond(IsolationLevel::Serializable).len(), 1);
    assert_eq!(report.summary(), "G2-item ×1");
}

#[test]
fn an_unknown_transaction_that_only_read_its_own_append_is_left_out() {
    let report = check(&history(vec![
        ok(vec![append(1, 1)]),
        (TxnOutcome::Info, vec![append(1, 5), read(1, &[1, 5])]),
        ok(vec![append(1, 2)]),
        ok(vec![read(1, &[1, 2])]),
    ]));
    assert_eq!(kinds(&report), vec![], "{:#?}", report.anomalies);
}
