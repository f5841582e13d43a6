//! Findings weighed by the rows of the tables they are on: a rewrite or a scan under a
//! lock costs in proportion to the table, a statement that breaks on existing rows needs
//! only one, and any finding on an empty (or absent) table is harmless at that size. The
//! grades are guesses from sizes; a lock trace of the real migration decides.

use std::collections::BTreeMap;

use super::finding::Finding;
use super::rule::Effect;

/// Rows from which a rewrite or a full scan under a lock is taken to stall the
/// application: on the order of a second of lock at the few hundred thousand rows a
/// second a rewrite or an index build goes through on small hardware.
pub const MAJOR_ROWS: u64 = 100_000;

/// How much a finding matters at the measured size, least first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Grade {
    /// On an empty or absent table: nothing waits, nothing breaks, at this size.
    Harmless,
    /// A lock that queues queries, or a scan or rewrite of a smaller table.
    Minor,
    /// A rewrite or scan of a large table, or a statement that breaks on existing rows.
    Major,
}

impl Grade {
    pub fn label(self) -> &'static str {
        match self {
            Grade::Harmless => "harmless at this size",
            Grade::Minor => "minor",
            Grade::Major => "major",
        }
    }
}

/// A finding with the rows of its table and its grade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weighed {
    pub finding: Finding,
    /// The table's rows; `None` when the measured database has no such table.
    pub rows: Option<u64>,
    pub grade: Grade,
}

impl Weighed {
    /// "100000 rows", "empty", "not in the measured database".
    pub fn size(&self) -> String {
        match self.rows {
            None => "not in the measured database".to_owned(),
            Some(0) => "empty".to_owned(),
            Some(1) => "1 row".to_owned(),
            Some(n) => format!("{n} rows"),
        }
    }

    /// "100000 rows: major", "empty: harmless at this size".
    pub fn note(&self) -> String {
        format!("{}: {}", self.size(), self.grade.label())
    }

    /// The finding's line with its weight: `… [100000 rows: major]`.
    pub fn line(&self) -> String {
        format!("{} [{}]", self.finding.line(), self.note())
    }
}

/// Grades each finding by its table's rows (`schema.table` → rows) and orders them,
/// heaviest first; findings of one grade keep their order. None is dropped.
pub fn weigh(findings: Vec<Finding>, rows: &BTreeMap<String, u64>) -> Vec<Weighed> {
    let tagged = findings.into_iter().map(|f| ((), f)).collect();
    weigh_tagged(tagged, rows)
        .into_iter()
        .map(|(_, w)| w)
        .collect()
}

/// [`weigh`] for findings that carry something of the caller's (the migration each is in).
pub fn weigh_tagged<T>(
    findings: Vec<(T, Finding)>,
    rows: &BTreeMap<String, u64>,
) -> Vec<(T, Weighed)> {
    let mut weighed: Vec<(T, Weighed)> = findings
        .into_iter()
        .map(|(tag, finding)| {
            let count = finding.table.as_ref().and_then(|t| rows.get(t).copied());
            let grade = grade(&finding, count);
            let weighed = Weighed {
                finding,
                rows: count,
                grade,
            };
            (tag, weighed)
        })
        .collect();
    weighed.sort_by(|(_, a), (_, b)| b.grade.cmp(&a.grade).then(b.rows.cmp(&a.rows)));
    weighed
}

fn grade(finding: &Finding, rows: Option<u64>) -> Grade {
    let rows = match rows {
        None | Some(0) if finding.table.is_some() => return Grade::Harmless,
        None | Some(0) => return Grade::Minor,
        Some(n) => n,
    };
    match finding.rule.effect() {
        Effect::Breaks => Grade::Major,
        Effect::Rewrite | Effect::Scan if rows >= MAJOR_ROWS => Grade::Major,
        Effect::Rewrite | Effect::Scan | Effect::Queue => Grade::Minor,
    }
}

#[cfg(test)]
mod tests {
    use super::super::lock::LockMode;
    use super::super::rule::Rule;
    use super::*;

    fn finding(rule: Rule, table: &str) -> Finding {
        Finding {
            rule,
            table: Some(table.into()),
            object: None,
            statement: "…".into(),
            lock: LockMode::Share,
            rewrites: false,
            message: "…".into(),
        }
    }

    #[test]
    fn findings_are_graded_by_rows_and_none_is_dropped() {
        let rows = BTreeMap::from([
            ("public.users".to_owned(), 250_000),
            ("public.notes".to_owned(), 0),
            ("public.tags".to_owned(), 40),
        ]);
        let weighed = weigh(
            vec![
                finding(Rule::IndexWithoutConcurrently, "public.notes"),
                finding(Rule::MissingLockTimeout, "public.tags"),
                finding(Rule::IndexWithoutConcurrently, "public.gone"),
                finding(Rule::IndexWithoutConcurrently, "public.users"),
                finding(Rule::AddColumnNotNullWithoutDefault, "public.tags"),
            ],
            &rows,
        );
        let seen: Vec<(String, String)> = weighed
            .iter()
            .map(|w| (w.finding.table.clone().unwrap(), w.note()))
            .collect();
        assert_eq!(
            seen,
            [
                ("public.users".into(), "250000 rows: major".into()),
                ("public.tags".into(), "40 rows: major".into()),
                ("public.tags".into(), "40 rows: minor".into()),
                ("public.notes".into(), "empty: harmless at this size".into()),
                (
                    "public.gone".into(),
                    "not in the measured database: harmless at this size".into()
                ),
            ]
        );
        assert!(weighed[0].line().ends_with("[250000 rows: major]"));
    }
}
