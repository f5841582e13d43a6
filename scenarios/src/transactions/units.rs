//! The subject's flows as the transactions scenarios run them: the bundled Rust flows
//! named by `flows.builtin`, the manifest's `[[flows.sql]]` flows, and its
//! `[[flows.command]]` flows (the app's own code, run by a command).

use std::path::PathBuf;
use std::sync::Arc;

use harness::run::scenario::ScenarioError;
use harness::subject::manifest::{CommandFlow, SqlFlow};
use harness::subject::Subject;
use sqlx::PgConnection;

use super::command_flow::{self, Calibration};
use super::faults::{Fault, Injector};
use super::footprint::{self, Fixture};
use super::rig::Rig;
use super::sql_flow;
use crate::flows::{self, AppFlows, Flow};

/// One flow of the subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    Rust(Flow),
    /// The manifest's `flows.sql[i]`.
    Sql(usize),
    /// The manifest's `flows.command[i]`.
    Command(usize),
}

impl Unit {
    /// Sets up what this flow needs, tagged `n` so that executions never collide.
    pub async fn prepare(self, n: i64, admin: &mut PgConnection) -> Result<Fixture, ScenarioError> {
        match self {
            Unit::Sql(index) => Ok(Fixture::Sql { index, run: n }),
            Unit::Command(index) => Ok(Fixture::Command { index, run: n }),
            Unit::Rust(flow) => footprint::prepare(flow, n, admin).await,
        }
    }

    /// Whether `fault` can strike this flow: an application error is raised inside the
    /// flow, which a command's process does not let the harness do.
    pub fn can_suffer(self, fault: Fault) -> bool {
        !(matches!(self, Unit::Command(_)) && fault == Fault::AppError)
    }
}

/// Every flow the subject declares.
#[derive(Clone)]
pub struct SubjectFlows {
    pub app: Option<Arc<dyn AppFlows>>,
    pub sql: Vec<SqlFlow>,
    pub commands: Vec<CommandFlow>,
    /// What each command flow's clean run sent, once [`SubjectFlows::prepare_commands`] ran.
    pub calibrations: Vec<Calibration>,
    /// The subject's directory, where command flows run.
    dir: PathBuf,
}

/// The evidence's words when a subject declares no flow.
pub const NO_FLOWS: &str =
    "the subject declares no flows (`flows.builtin`, `[[flows.sql]]` or `[[flows.command]]`)";

impl SubjectFlows {
    pub fn load(subject: &Subject) -> Result<SubjectFlows, ScenarioError> {
        let app = match &subject.manifest.flows.builtin {
            None => None,
            Some(name) => Some(flows::builtin(name).ok_or_else(|| {
                ScenarioError::Manifest(subject.invalid(
                    "flows.builtin",
                    format!(
                        "no bundled flows are named `{name}` (known: instantviz, instantviz-before)"
                    ),
                ))
            })?),
        };
        Ok(SubjectFlows {
            app,
            sql: subject.manifest.flows.sql.clone(),
            commands: subject.manifest.flows.command.clone(),
            calibrations: Vec::new(),
            dir: subject.dir.clone(),
        })
    }

    pub fn is_empty(&self) -> bool {
        self.app.is_none() && self.sql.is_empty() && self.commands.is_empty()
    }

    /// Runs each command flow's setup on the rig's database, then a clean run of it through
    /// the rig's proxy, which counts its statements: its fault points.
    pub async fn prepare_commands(
        &mut self,
        rig: &Rig,
        subject: &Subject,
    ) -> Result<(), ScenarioError> {
        self.calibrations.clear();
        for (index, flow) in self.commands.iter().enumerate() {
            command_flow::setup(rig, subject, index, flow).await?;
            self.calibrations
                .push(command_flow::calibrate(rig, subject, index, flow).await?);
        }
        Ok(())
    }

    /// What to say of fault point `point` of `unit`.
    pub fn point_label(&self, unit: Unit, point: u32) -> String {
        let calibration = match unit {
            Unit::Command(i) => self.calibrations.get(i),
            _ => None,
        };
        match calibration {
            Some(calibration) => format!(
                "statement boundary {point} (after {})",
                calibration.describe(point as usize)
            ),
            None => format!("fault point {point}"),
        }
    }

    pub fn units(&self) -> Vec<Unit> {
        let mut units = Vec::new();
        if self.app.is_some() {
            units.extend(Flow::ALL.map(Unit::Rust));
        }
        units.extend((0..self.sql.len()).map(Unit::Sql));
        units.extend((0..self.commands.len()).map(Unit::Command));
        units
    }

    /// The fault points of `unit`: each point after a step of a Rust or SQL flow; for a
    /// command flow, the statement boundaries inside its work (see
    /// [`Calibration::fault_points`]).
    pub fn points(&self, unit: Unit) -> Vec<u32> {
        match unit {
            Unit::Rust(flow) => {
                let n = self.app.as_ref().map_or(0, |app| app.fault_points(flow));
                (1..=n).collect()
            }
            Unit::Sql(i) => (1..=self.sql[i].steps.len() as u32).collect(),
            Unit::Command(i) => self
                .calibrations
                .get(i)
                .map_or_else(Vec::new, Calibration::fault_points),
        }
    }

    /// The report's name for a Rust flow, `sql flow \`name\`` for the others.
    pub fn name(&self, unit: Unit) -> String {
        match unit {
            Unit::Rust(flow) => flow.name().to_owned(),
            Unit::Sql(i) => format!("sql flow `{}`", self.sql[i].name),
            Unit::Command(i) => format!("command flow `{}`", self.commands[i].name),
        }
    }

    /// Every (flow, fault point) pair.
    pub fn points_of_all(&self) -> Vec<(Unit, u32)> {
        self.units()
            .into_iter()
            .flat_map(|u| self.points(u).into_iter().map(move |p| (u, p)))
            .collect()
    }

    /// The bundled Rust flows, or why there are none.
    fn rust(&self) -> Result<Arc<dyn AppFlows>, String> {
        self.app
            .clone()
            .ok_or_else(|| "the subject has no Rust flows".to_owned())
    }

    /// Runs `unit` on `fixture` over `conn`; returns what it reported, or its error.
    pub async fn execute(
        &self,
        fixture: &Fixture,
        conn: &mut PgConnection,
        injector: &mut Injector<'_>,
    ) -> Result<String, String> {
        let result = match fixture {
            Fixture::Sql { index, run } => {
                return sql_flow::run(conn, &self.sql[*index], *run, injector)
                    .await
                    .map(|()| "committed".to_owned());
            }
            Fixture::Command { index, run } => {
                return command_flow::execute(&self.dir, &self.commands[*index], *run, injector)
                    .await;
            }
            Fixture::Signup(input) => self
                .rust()?
                .signup(conn, input, injector)
                .await
                .map(|id| format!("signed up user {id}")),
            Fixture::Event(fixture) => self
                .rust()?
                .handle_event(conn, &fixture.event, injector)
                .await
                .map(|handled| format!("{handled:?}").to_lowercase()),
            Fixture::Usage { user_id, .. } => self
                .rust()?
                .record_usage(conn, *user_id, injector)
                .await
                .map(|()| "counted one use".to_owned()),
        };
        result.map_err(|e| e.to_string())
    }
}
