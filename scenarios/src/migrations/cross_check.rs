//! The static lint's findings on each traced step, checked against what the lock trace saw
//! on the same table: confirmed when a query waited longer than the budget, downgraded
//! when the trace shows the table's queries went on, and said to be unseen when the table
//! held no rows or was not locked.

use std::collections::BTreeMap;
use std::time::Duration;

use harness::checks::lock_trace::{StepTrace, TableTrace};
use harness::schema::lint::{Finding, Linter};
use harness::schema::migrate::Migrations;

/// The findings of each directory step's up SQL, by the step's label ("0004 add index");
/// read in order, so that a table an earlier step built counts as existing.
pub fn lint_steps(migrations: &Migrations) -> BTreeMap<String, Vec<Finding>> {
    let mut linter = Linter::new();
    migrations
        .steps()
        .into_iter()
        .filter_map(|step| {
            let sql = migrations.up_sql(step.version)?;
            Some((step.label(), linter.lint_migration(sql).findings))
        })
        .collect()
}

/// One finding of the evidence per static finding of `trace`'s step: its id, the same from
/// run to run (`step 0004 add index: index-without-concurrently public.projects
/// projects_idx`, whatever the trace measured), and its line with what the trace says of it.
pub fn judge_findings(
    findings: &[Finding],
    trace: &StepTrace,
    budget: Duration,
) -> Vec<(String, String)> {
    findings
        .iter()
        .map(|finding| {
            let traced = finding
                .table
                .as_deref()
                .and_then(|table| table_of(trace, table));
            let verdict = match traced {
                Some(t) if t.longest_wait.as_ref().is_some_and(|w| w.waited > budget) => {
                    format!("confirmed by the trace: {}", t.describe())
                }
                Some(t) => format!(
                    "downgraded, the trace shows it harmless at this size: {}",
                    t.describe()
                ),
                None => "not seen by the trace (its table held no rows, or was not locked)".into(),
            };
            (
                format!("step {}: {}", trace.step, finding.id()),
                format!("{}: {} — {verdict}", trace.step, finding.line()),
            )
        })
        .collect()
}

/// The trace of `table` (`schema.name`; the trace names `public` tables bare).
fn table_of<'t>(trace: &'t StepTrace, table: &str) -> Option<&'t TableTrace> {
    let bare = table.strip_prefix("public.").unwrap_or(table);
    trace
        .tables
        .iter()
        .find(|t| t.table == bare || t.table == table)
}
