//! The subject's flows as the transactions scenarios run them: the bundled Rust flows
//! named by `flows.builtin`, and the manifest's `[[flows.sql]]` flows.

use std::sync::Arc;

use harness::run::scenario::ScenarioError;
use harness::subject::manifest::SqlFlow;
use harness::subject::Subject;
use sqlx::PgConnection;

use super::faults::Injector;
use super::footprint::{self, Fixture};
use super::sql_flow;
use crate::flows::{self, AppFlows, Flow};

/// One flow of the subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    Rust(Flow),
    /// The manifest's `flows.sql[i]`.
    Sql(usize),
}

impl Unit {
    /// Sets up what this flow needs, tagged `n` so that executions never collide.
    pub async fn prepare(self, n: i64, admin: &mut PgConnection) -> Result<Fixture, ScenarioError> {
        match self {
            Unit::Sql(index) => Ok(Fixture::Sql { index, run: n }),
            Unit::Rust(flow) => footprint::prepare(flow, n, admin).await,
        }
    }
}

/// Every flow the subject declares.
#[derive(Clone)]
pub struct SubjectFlows {
    pub app: Option<Arc<dyn AppFlows>>,
    pub sql: Vec<SqlFlow>,
}

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
        })
    }

    pub fn is_empty(&self) -> bool {
        self.app.is_none() && self.sql.is_empty()
    }

    pub fn units(&self) -> Vec<Unit> {
        let mut units = Vec::new();
        if self.app.is_some() {
            units.extend(Flow::ALL.map(Unit::Rust));
        }
        units.extend((0..self.sql.len()).map(Unit::Sql));
        units
    }

    /// How many fault points `unit` has.
    pub fn points(&self, unit: Unit) -> u32 {
        match unit {
            Unit::Rust(flow) => self.app.as_ref().map_or(0, |app| app.fault_points(flow)),
            Unit::Sql(i) => self.sql[i].steps.len() as u32,
        }
    }

    /// The report's name for a Rust flow, `sql flow \`name\`` for the others.
    pub fn name(&self, unit: Unit) -> String {
        match unit {
            Unit::Rust(flow) => flow.name().to_owned(),
            Unit::Sql(i) => format!("sql flow `{}`", self.sql[i].name),
        }
    }

    /// Every (flow, fault point) pair.
    pub fn points_of_all(&self) -> Vec<(Unit, u32)> {
        self.units()
            .into_iter()
            .flat_map(|u| (1..=self.points(u)).map(move |p| (u, p)))
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
