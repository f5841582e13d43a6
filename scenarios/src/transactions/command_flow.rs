//! Running a manifest's command flow: the app's own command, one execution per run, its
//! `DATABASE_URL` pointing at the fault proxy, which reads the statements it sends. A
//! clean run learns the flow's statements and which of them changed rows outside a
//! transaction block; a run with a fault at boundary `k` has the proxy hold statement
//! `k + 1` back, strikes, then lets it go on into whatever the fault left.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use harness::backend::ConnInfo;
use harness::faults::proxy::{FaultProxy, Statement};
use harness::process::command::{CommandOutput, SubjectCommand};
use harness::run::scenario::ScenarioError;
use harness::subject::manifest::CommandFlow;
use harness::subject::Subject;
use harness::Server;
use sqlx::Connection;

use harness::Evidence;

use super::faults::Injector;
use super::rig::Rig;
use super::sql_flow::{bind_run, count};
use super::units::SubjectFlows;

/// How much of a statement's SQL the evidence shows.
const SQL_SHOWN: usize = 80;
/// How many lines of the app's output the evidence shows.
const OUTPUT_SHOWN: usize = 3;

/// What a clean run of a command flow sent.
#[derive(Debug, Clone)]
pub struct Calibration {
    pub statements: Vec<Statement>,
    pub elapsed: Duration,
}

impl Calibration {
    /// The flow's fault points: each boundary `k` (after statement `k`, before `k + 1`)
    /// inside its work, from the start of the transaction block of its first write (the
    /// write itself when it ran in none) to the end of its last write's block. Before
    /// that there is nothing of this execution to split (what a driver says on connecting
    /// is not the flow's work), and after it everything is committed.
    pub fn fault_points(&self) -> Vec<u32> {
        let statements = &self.statements;
        let (Some(first), Some(last)) = (
            statements.iter().position(Statement::writes),
            statements.iter().rposition(Statement::writes),
        ) else {
            return Vec::new();
        };
        let ends_block = |s: &Statement| s.tags.iter().any(|t| t == "COMMIT" || t == "ROLLBACK");
        let mut start = first;
        let same = |i: usize, j: usize| statements[i].connection == statements[j].connection;
        while statements[start].in_block && start > 0 {
            let before = (0..start).rev().find(|&i| same(i, first));
            match before {
                Some(i) if statements[i].in_block && !ends_block(&statements[i]) => start = i,
                _ => break,
            }
        }
        let mut end = last;
        while statements[end].in_block && !ends_block(&statements[end]) {
            match (end + 1..statements.len()).find(|&i| same(i, last)) {
                Some(i) if statements[i].in_block => end = i,
                _ => break,
            }
        }
        (statements[start].number as u32..statements[end].number as u32).collect()
    }

    /// The statements that changed rows outside any transaction block, in a run that
    /// changed rows with more than one statement: each commits on its own.
    pub fn unprotected_writes(&self) -> Vec<&Statement> {
        let writes: Vec<&Statement> = self.statements.iter().filter(|s| s.writes()).collect();
        if writes.len() < 2 {
            return Vec::new();
        }
        writes.into_iter().filter(|s| !s.in_block).collect()
    }

    /// `statement 3 (INSERT INTO users …)`, from the clean run.
    pub fn describe(&self, number: usize) -> String {
        describe(self.statements.get(number.wrapping_sub(1)), number)
    }
}

fn describe(statement: Option<&Statement>, number: usize) -> String {
    match statement {
        Some(s) => format!("statement {number} ({})", s.short_sql(SQL_SHOWN)),
        None => format!("statement {number}"),
    }
}

fn key(index: usize, field: &str) -> String {
    format!("flows.command[{index}].{field}")
}

/// The flow's command `text` in its directory, against the database `info` points at.
fn command(
    rig: &Rig,
    dir: &Path,
    flow: &CommandFlow,
    text: &str,
    info: &ConnInfo,
) -> SubjectCommand {
    app_command(
        dir,
        flow.workdir.as_deref(),
        text,
        info,
        rig.server(),
        flow.timeout(),
    )
}

/// One of the app's commands (a flow's run or setup, a webhook delivery): `text` in the
/// subject's `dir` or its `workdir`, against the database `info` points at, the server's
/// client tools first on `PATH`, killed at `deadline`.
pub fn app_command(
    dir: &Path,
    workdir: Option<&str>,
    text: &str,
    info: &ConnInfo,
    server: &Arc<dyn Server>,
    deadline: Duration,
) -> SubjectCommand {
    let workdir = workdir.map_or_else(|| dir.to_owned(), |w| dir.join(w));
    SubjectCommand::new(text, &workdir)
        .with_database(info.env())
        .with_programs_first(server.tools().map(|t| t.bin_dir))
        .with_deadline(deadline)
}

/// Runs a `setup` command on a fresh database; its failure is an input error at `key`.
pub async fn run_setup(
    subject: &Subject,
    key: &str,
    setup: SubjectCommand,
) -> Result<(), ScenarioError> {
    let text = setup.command().to_owned();
    let output = setup
        .run()
        .await
        .map_err(|e| ScenarioError::failed(format!("start `{text}`"), e))?;
    if !output.succeeded() {
        return Err(ScenarioError::Manifest(subject.invalid(
            key,
            format!("`{text}` fails on a fresh database: {}", ran(&output)),
        )));
    }
    Ok(())
}

/// Execution `run` of the flow, through the rig's proxy.
pub fn command_for_run(rig: &Rig, dir: &Path, flow: &CommandFlow, run: i64) -> SubjectCommand {
    command(rig, dir, flow, &bind_run(&flow.run, run), &rig.app(true))
}

fn proxy(rig: &Rig) -> Result<&FaultProxy, ScenarioError> {
    rig.proxy().ok_or_else(|| {
        ScenarioError::Other(
            "a command flow runs through the fault proxy; this rig has none".into(),
        )
    })
}

/// What the app printed and exited with, in one line.
pub fn ran(output: &CommandOutput) -> String {
    let tail = output.last_lines(OUTPUT_SHOWN).join(" | ");
    if tail.is_empty() {
        output.outcome()
    } else {
        format!("{}: {tail}", output.outcome())
    }
}

/// Runs the flow's `setup`, if it has one (once per database, as the app role, directly).
pub async fn setup(
    rig: &Rig,
    subject: &Subject,
    index: usize,
    flow: &CommandFlow,
) -> Result<(), ScenarioError> {
    let Some(setup) = &flow.setup else {
        return Ok(());
    };
    let setup = command(rig, &subject.dir, flow, setup, &rig.app(false));
    run_setup(subject, &key(index, "setup"), setup).await
}

/// A clean run, with no fault: it must succeed, send statements, and leave exactly
/// `complete` rows; what it sent is the flow's calibration.
pub async fn calibrate(
    rig: &Rig,
    subject: &Subject,
    index: usize,
    flow: &CommandFlow,
) -> Result<Calibration, ScenarioError> {
    let proxy = proxy(rig)?;
    proxy.release_statements();
    proxy.forget_statements();
    let run = rig.next_run();
    let text = bind_run(&flow.run, run);
    let output = command(rig, &subject.dir, flow, &text, &rig.app(true))
        .run()
        .await
        .map_err(|e| ScenarioError::failed(format!("start `{text}`"), e))?;
    let statements = proxy.statements();
    if !output.succeeded() {
        return Err(ScenarioError::Manifest(subject.invalid(
            &key(index, "run"),
            format!(
                "`{text}` fails on a clean run, with no fault injected: {}",
                ran(&output)
            ),
        )));
    }
    if statements.is_empty() {
        return Err(ScenarioError::Manifest(subject.invalid(
            &key(index, "run"),
            format!(
                "`{text}` succeeded but sent no statement through DATABASE_URL (does the app read DATABASE_URL or the PG* variables?)"
            ),
        )));
    }
    let mut admin = rig.connect_admin().await?;
    let written = count(
        &mut admin,
        subject,
        &key(index, "written"),
        &flow.written,
        run,
        &flow.name,
    )
    .await?;
    let _ = admin.close().await;
    if written != flow.complete {
        return Err(ScenarioError::Manifest(subject.invalid(
            &key(index, "written"),
            format!(
                "returns {written} after a clean run of `{text}`, not `complete` ({})",
                flow.complete
            ),
        )));
    }
    Ok(Calibration {
        statements,
        elapsed: output.elapsed,
    })
}

/// One execution tagged `run`, with the injector's fault (if any) at its statement
/// boundary; what the app printed and exited with, `Err` when it failed.
pub async fn execute(
    dir: &Path,
    flow: &CommandFlow,
    run: i64,
    injector: &mut Injector<'_>,
) -> Result<String, String> {
    let rig = injector.rig();
    let proxy = proxy(rig).map_err(|e| e.to_string())?;
    proxy.release_statements();
    proxy.forget_statements();
    if let Some((k, _)) = injector.target() {
        proxy.hold_after(k as usize);
    }
    let app = command_for_run(rig, dir, flow, run);
    let running = app.run();
    tokio::pin!(running);
    let mut struck = String::new();
    let output = match injector.target() {
        None => running.await,
        Some((k, _)) => {
            tokio::select! {
                output = &mut running => output,
                held = proxy.held() => {
                    let before = proxy.statements();
                    struck = format!(
                        "struck after {}, before statement {} ({}); the app then ",
                        describe(before.get(k as usize - 1), k as usize),
                        held.number,
                        Statement::short_sql_of(&held.sql, SQL_SHOWN),
                    );
                    let injected = injector.strike(k, held.backend_pid).await;
                    proxy.release_statements();
                    injected?;
                    running.await
                }
            }
        }
    };
    proxy.release_statements();
    let output = output.map_err(|e| format!("could not start `{}`: {e}", app.command()))?;
    let what = format!("{struck}{}", ran(&output));
    if output.succeeded() {
        Ok(what)
    } else {
        Err(what)
    }
}

/// Puts what each command flow's clean run sent into `evidence`; says (for the summary)
/// which flow changed rows with statements that each committed on their own, if one did.
pub fn observe_calibrations(flows: &SubjectFlows, evidence: &mut Evidence) -> Option<String> {
    let mut first = None;
    for (flow, calibration) in flows.commands.iter().zip(&flows.calibrations) {
        let points = calibration.fault_points();
        evidence.push_observation(
            format!("command flow `{}`, clean run", flow.name),
            format!(
                "{} statements through the proxy in {} ms, {} of them writes; faults at the {} boundar{} from statement {} to {}",
                calibration.statements.len(),
                calibration.elapsed.as_millis(),
                calibration.statements.iter().filter(|s| s.writes()).count(),
                points.len(),
                if points.len() == 1 { "y" } else { "ies" },
                points.first().map_or(0, |p| *p),
                points.last().map_or(0, |p| p + 1),
            ),
        );
        let unprotected = calibration.unprotected_writes();
        if unprotected.is_empty() {
            continue;
        }
        let listed: Vec<String> = unprotected
            .iter()
            .map(|s| describe(Some(s), s.number))
            .collect();
        // one statement a line: the renderings show the last few and count the others
        evidence.push_observation(
            format!(
                "command flow `{}` writes outside a transaction block",
                flow.name
            ),
            listed.join("\n"),
        );
        first.get_or_insert_with(|| {
            format!(
                "command flow `{}` ran {} of its writes outside any transaction block, each committed on its own: {}",
                flow.name,
                unprotected.len(),
                listed[0]
            )
        });
    }
    first
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement(number: usize, sql: &str, tag: &str, in_block: bool) -> Statement {
        Statement {
            number,
            connection: 1,
            sql: sql.into(),
            tags: vec![tag.into()],
            in_block,
        }
    }

    fn calibration(statements: Vec<Statement>) -> Calibration {
        Calibration {
            statements,
            elapsed: Duration::ZERO,
        }
    }

    #[test]
    fn fault_points_span_the_block_of_the_writes_not_the_drivers_setup() {
        // what psycopg2 and SQLAlchemy send: a setup block, a ping, then the flow's block
        let flow = calibration(vec![
            statement(1, "BEGIN", "BEGIN", true),
            statement(2, "select pg_catalog.version()", "SELECT 1", true),
            statement(3, "ROLLBACK", "ROLLBACK", true),
            statement(4, "SELECT 1", "SELECT 1", false),
            statement(5, "BEGIN", "BEGIN", true),
            statement(6, "INSERT INTO a", "INSERT 0 1", true),
            statement(7, "INSERT INTO b", "INSERT 0 1", true),
            statement(8, "COMMIT", "COMMIT", true),
            statement(9, "SELECT 1", "SELECT 1", false),
        ]);
        assert_eq!(flow.fault_points(), [5, 6, 7]);
        assert!(flow.unprotected_writes().is_empty());
    }

    #[test]
    fn autocommitted_writes_are_fault_points_and_named() {
        let flow = calibration(vec![
            statement(1, "SELECT 1", "SELECT 1", false),
            statement(2, "INSERT INTO a", "INSERT 0 1", false),
            statement(3, "SELECT id FROM a", "SELECT 1", false),
            statement(4, "INSERT INTO b", "INSERT 0 1", false),
        ]);
        assert_eq!(flow.fault_points(), [2, 3]);
        let unprotected: Vec<usize> = flow.unprotected_writes().iter().map(|s| s.number).collect();
        assert_eq!(unprotected, [2, 4]);
        let read_only = calibration(vec![statement(1, "SELECT 1", "SELECT 1", false)]);
        assert!(read_only.fault_points().is_empty());
    }
}
