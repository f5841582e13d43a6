use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::sampler::{Sample, Waiting};
use super::workload::{ClientKind, Finished, Timed};
use super::{analyse, statement_about, LockMode, TracedTable};

#[test]
fn lock_modes_conflict_as_postgres_documents() {
    use LockMode::*;
    let all = [
        AccessShare,
        RowShare,
        RowExclusive,
        ShareUpdateExclusive,
        Share,
        ShareRowExclusive,
        Exclusive,
        AccessExclusive,
    ];
    // PostgreSQL's "Conflicting Lock Modes" table, row by row
    let conflicts: [&[LockMode]; 8] = [
        &[AccessExclusive],
        &[Exclusive, AccessExclusive],
        &[Share, ShareRowExclusive, Exclusive, AccessExclusive],
        &[
            ShareUpdateExclusive,
            Share,
            ShareRowExclusive,
            Exclusive,
            AccessExclusive,
        ],
        &[
            RowExclusive,
            ShareUpdateExclusive,
            ShareRowExclusive,
            Exclusive,
            AccessExclusive,
        ],
        &[
            RowExclusive,
            ShareUpdateExclusive,
            Share,
            ShareRowExclusive,
            Exclusive,
            AccessExclusive,
        ],
        &[
            RowShare,
            RowExclusive,
            ShareUpdateExclusive,
            Share,
            ShareRowExclusive,
            Exclusive,
            AccessExclusive,
        ],
        &all,
    ];
    for (mode, expected) in all.iter().zip(conflicts) {
        for other in all {
            assert_eq!(
                mode.conflicts_with(other),
                expected.contains(&other),
                "{} against {}",
                mode.name(),
                other.name()
            );
        }
    }
    assert!(Share.blocks_writes() && !Share.blocks_reads());
    assert!(!ShareUpdateExclusive.blocks_writes());
    assert!(AccessExclusive.blocks_reads());
    assert_eq!(LockMode::from_pg("ShareLock"), Some(Share));
    assert_eq!(LockMode::from_pg("ExclusiveLock"), Some(Exclusive));
}

#[test]
fn the_statement_about_the_table_is_picked_from_a_whole_file() {
    let file = "-- indexes\nCREATE INDEX users_email_idx ON users (email);   -- login\n\
                CREATE INDEX projects_owner_idx\n    ON projects (owner_id);\n";
    assert_eq!(
        statement_about(file, Some("projects")),
        "CREATE INDEX projects_owner_idx ON projects (owner_id)"
    );
    assert_eq!(
        statement_about(file, Some("users")),
        "CREATE INDEX users_email_idx ON users (email)"
    );
    // a name inside another word is not the table's
    assert_eq!(
        statement_about(file, Some("owner")),
        "CREATE INDEX users_email_idx ON users (email)"
    );
    assert!(statement_about(&"x".repeat(500), None).ends_with('…'));
}

fn table(oid: u32, name: &str, relfilenode: u32) -> TracedTable {
    TracedTable {
        oid,
        schema: "public".into(),
        name: name.into(),
        rows: 100_000,
        relfilenode,
        indexes: vec![oid + 1],
        settable: Some("id".into()),
    }
}

fn client(pid: i32, kind: ClientKind, table: u32, slow: Vec<Timed>) -> Finished {
    Finished {
        kind,
        table: Some(table),
        pid,
        slow,
        error: None,
        conn: None,
    }
}

fn at(t0: Instant, ms: u64) -> Instant {
    t0 + Duration::from_millis(ms)
}

#[test]
fn a_wait_counts_only_when_the_sampler_saw_it_blocked_by_the_step() {
    let t0 = Instant::now();
    let tables = [table(100, "users", 500), table(200, "projects", 600)];
    let look = |ms: u64, held: Vec<(u32, LockMode)>, waiting: Vec<Waiting>| Sample {
        sent: at(t0, ms),
        received: at(t0, ms + 2),
        held,
        waiting,
    };
    let blocked = |pid: i32, relation: u32| Waiting {
        pid,
        relation: Some(relation),
        wants: Some(LockMode::RowExclusive),
        statement: Some("CREATE INDEX users_email_idx ON users (email); SELECT 1".into()),
    };
    let samples = vec![
        look(
            10,
            vec![(100, LockMode::Share), (100, LockMode::AccessShare)],
            vec![],
        ),
        look(200, vec![(100, LockMode::Share)], vec![blocked(7, 100)]),
        look(410, vec![(100, LockMode::Share)], vec![blocked(7, 100)]),
    ];
    let clients = vec![
        // the writer of users: blocked from 15 ms to 420 ms
        client(
            7,
            ClientKind::Writes,
            100,
            vec![Timed {
                start: at(t0, 15),
                end: at(t0, 420),
            }],
        ),
        // the reader of projects was slow (a loaded machine) but never seen blocked
        client(
            8,
            ClientKind::Reads,
            200,
            vec![Timed {
                start: at(t0, 0),
                end: at(t0, 3_000),
            }],
        ),
    ];
    let after = BTreeMap::from([(100, 500), (200, 601)]);
    let trace = analyse(
        &tables,
        &samples,
        &clients,
        &after,
        Duration::from_millis(430),
    );
    assert_eq!(trace.tables.len(), 2, "{trace:?}");
    let users = &trace.tables[0];
    assert_eq!(users.strongest_lock, Some(LockMode::Share));
    assert_eq!(users.held, Duration::from_millis(400));
    let wait = users.longest_wait.as_ref().expect("the writer's wait");
    assert_eq!(wait.waited, Duration::from_millis(405));
    assert_eq!(
        wait.statement.as_deref(),
        Some("CREATE INDEX users_email_idx ON users (email)")
    );
    assert_eq!(
        users.describe(),
        "users (100000 rows): SHARE lock held 400 ms, writes waited up to 405 ms, not rewritten"
    );
    // projects: rewritten, no lock seen, and its slow reader is no wait
    let projects = &trace.tables[1];
    assert!(projects.rewritten && projects.longest_wait.is_none());
    assert_eq!(
        trace
            .worst()
            .map(|(t, w)| (t.map(|t| t.table.clone()), w.waited)),
        Some((Some("users".into()), Duration::from_millis(405)))
    );
}

#[test]
fn a_step_that_touched_nothing_with_rows_has_an_empty_trace() {
    let tables = [table(100, "users", 500)];
    let after = BTreeMap::from([(100, 500)]);
    let trace = analyse(&tables, &[], &[], &after, Duration::from_millis(3));
    assert!(!trace.touched());
    let dropped = analyse(&tables, &[], &[], &BTreeMap::new(), Duration::ZERO);
    assert!(dropped.tables[0].dropped);
}
