//! Claim: monitoring (the app's health endpoint tells whether the database is there);
//! fault: the database server is paused (every process frozen: a hung database), then
//! stopped; check: the app, started from `[app]` against a migrated database on a server of
//! its own, answers its health endpoint 2xx with the database up, a non-2xx within 10 s
//! while the server is paused and while it is stopped, and 2xx again once it is back. A 2xx
//! during an outage, or no answer within 10 s, refutes it.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use harness::backend::{FaultError, Server};
use harness::run::scenario::{Context, ScenarioError};
use harness::schema::template::{Database, TemplatePool};
use harness::subject::app::http::{Answer, NoAnswer};
use harness::subject::app::{Ready, RunningApp};
use harness::subject::manifest::AppSection;
use harness::{Evidence, Outcome, Scenario, ServerProfile};

/// How long one request may take: a health check that hangs this long is no health check.
const ANSWER_BOUND: Duration = Duration::from_secs(10);

/// How many lines of the app's output the evidence keeps, one a line under its label (the
/// renderings show the last few of them).
const OUTPUT_LINES: usize = 200;

pub struct AppHealthFollowsTheDatabase;

#[async_trait]
impl Scenario for AppHealthFollowsTheDatabase {
    fn id(&self) -> &'static str {
        "app-health-follows-the-database"
    }

    fn claim(&self) -> &'static harness::run::scenario::ClaimSpec {
        super::CLAIM
    }

    fn title(&self) -> &'static str {
        "the app's health endpoint answers healthy with the database up, unhealthy within 10 s when it hangs or stops, and healthy again when it is back"
    }

    async fn run(&self, ctx: &Context) -> Result<Outcome, ScenarioError> {
        let Some(app) = ctx.subject().manifest.app.clone() else {
            return Ok(Outcome::not_applicable(Evidence::new(
                "the subject declares no [app]: there is no health endpoint to ask",
            )));
        };
        let server = ctx.dedicated_server(ServerProfile::Fast).await?;
        let migrations = ctx.migrations().await?;
        let db = ctx.track(
            TemplatePool::new(server.clone())
                .migrated(&migrations, "app_health")
                .await?,
        );
        let mut probe = Probe::start(ctx, &app, &db)?;
        if let Err(not_ready) = probe.wait_healthy("first healthy answer").await {
            probe.evidence.summary = format!(
                "the app never answered `GET {}` with a 2xx: {not_ready}",
                app.health
            );
            return Ok(Outcome::not_proven(probe.evidence));
        }
        probe.expect_healthy("database up").await;

        match server.pause().await {
            Ok(()) => {
                let answer = probe.app.ask(ANSWER_BOUND).await;
                server.resume().await?;
                probe.expect_unhealthy("database paused", answer);
                probe.recovers("after the resume").await;
            }
            Err(e) => probe.untried("database paused", &e),
        }
        match server.stop().await {
            Ok(()) => {
                let answer = probe.app.ask(ANSWER_BOUND).await;
                probe.expect_unhealthy("database stopped", answer);
                let before = db.app();
                server.restart().await?;
                if db.app() != before {
                    probe.restart_app(ctx, &db, &server)?;
                }
                probe.recovers("after the restart").await;
            }
            Err(e) => probe.untried("database stopped", &e),
        }
        Ok(probe.verdict())
    }
}

/// The running app and what was seen of it.
struct Probe {
    app: RunningApp,
    section: AppSection,
    evidence: Evidence,
    problems: Vec<String>,
    untried: Vec<String>,
    /// How each outage was answered, for the summary: "503 within 2.0 s".
    outages: Vec<String>,
    /// Whether the app had to be started again against a server at a new address.
    restarted: bool,
}

impl Probe {
    fn start(ctx: &Context, section: &AppSection, db: &Database) -> Result<Probe, ScenarioError> {
        let app = start_app(ctx, section, db)?;
        Ok(Probe {
            evidence: Evidence::new("")
                .observe("start", app.command())
                .observe("health", &section.health),
            app,
            section: section.clone(),
            problems: Vec::new(),
            untried: Vec::new(),
            outages: Vec::new(),
            restarted: false,
        })
    }

    /// Waits for a first 2xx; the error says in one line what the app said or did
    /// instead, and its output is an observation of its own.
    async fn wait_healthy(&mut self, label: &str) -> Result<(), String> {
        let within = self.section.ready_timeout();
        let not_ready = match self.app.wait_healthy(within, ANSWER_BOUND).await {
            Ready::Healthy { answer, waited } => {
                self.evidence.push_timing(label, waited);
                self.evidence.push_observation(label, answer.describe());
                return Ok(());
            }
            Ready::Ended { how } => format!("`{}` {how}", self.app.command()),
            Ready::NotHealthy { last, waited } => format!(
                "after {:.1} s it still answered {}",
                waited.as_secs_f64(),
                said(&last)
            ),
        };
        self.observe_output(label);
        Err(not_ready)
    }

    async fn expect_healthy(&mut self, label: &str) {
        let answer = self.app.ask(ANSWER_BOUND).await;
        self.record(label, &answer);
        if !answer.as_ref().is_ok_and(Answer::is_success) {
            self.problems.push(format!(
                "with the database up, `GET {}` answered {}",
                self.section.health,
                said(&answer)
            ));
        }
    }

    /// An outage must be answered, promptly, with a non-2xx.
    fn expect_unhealthy(&mut self, label: &str, answer: Result<Answer, NoAnswer>) {
        self.record(label, &answer);
        let health = self.section.health.clone();
        match &answer {
            Ok(a) if !a.is_success() => self.outages.push(format!(
                "{} within {:.1} s with it {}",
                a.status,
                a.elapsed.as_secs_f64(),
                label.trim_start_matches("database ")
            )),
            Ok(a) => self.problems.push(format!(
                "with the {label}, `GET {health}` answered {}: an outage would go unnoticed",
                a.describe()
            )),
            Err(e) => {
                let ended = self
                    .app
                    .ended()
                    .map(|how| format!(" (the app {how})"))
                    .unwrap_or_default();
                if !ended.is_empty() {
                    self.observe_output(label);
                }
                self.problems.push(format!(
                    "with the {label}, `GET {health}` got {e}{ended}: a health check that does not answer cannot tell an outage"
                ));
            }
        }
    }

    /// The endpoint must turn 2xx again once the database is back.
    async fn recovers(&mut self, label: &str) {
        if let Err(not_ready) = self.wait_healthy(&format!("healthy again {label}")).await {
            self.problems.push(format!(
                "with the database back, {label}, the app did not answer healthy again: {not_ready}"
            ));
        }
    }

    /// The server came back at another address (a container's port is published anew),
    /// which the running app cannot know: it is started again against the new one.
    fn restart_app(
        &mut self,
        ctx: &Context,
        db: &Database,
        server: &Arc<dyn Server>,
    ) -> Result<(), ScenarioError> {
        self.evidence.push_observation(
            "after the restart",
            format!(
                "the server came back on port {} (the {} backend publishes it anew): the app was started again against it",
                db.app().port,
                server.kind()
            ),
        );
        self.app = start_app(ctx, &self.section, db)?;
        self.restarted = true;
        Ok(())
    }

    fn untried(&mut self, label: &str, why: &FaultError) {
        self.evidence
            .push_observation(label, format!("not tried: {why}"));
        self.untried.push(format!("{label}: {why}"));
    }

    fn record(&mut self, label: &str, answer: &Result<Answer, NoAnswer>) {
        self.evidence.push_observation(label, said(answer));
        if let Ok(a) = answer {
            self.evidence
                .push_timing(format!("answer, {label}"), a.elapsed);
        }
    }

    /// The app's last lines of output, as of `label`: one a line, under its label.
    fn observe_output(&mut self, label: &str) {
        let tail = self.app.output_tail(OUTPUT_LINES);
        let output = if tail.is_empty() {
            "(none)".into()
        } else {
            tail
        };
        self.evidence
            .push_observation(format!("{label}: the app's output"), output);
    }

    fn verdict(mut self) -> Outcome {
        let health = &self.section.health;
        if !self.problems.is_empty() {
            self.evidence.summary = self.problems[0].clone();
            self.evidence.push_counterexample(
                format!("`GET {health}` does not follow the database"),
                std::mem::take(&mut self.problems),
            );
            return Outcome::refuted(self.evidence);
        }
        if !self.untried.is_empty() {
            let outages: String = self.outages.iter().map(|o| format!(", {o}")).collect();
            self.evidence.summary = format!(
                "`GET {health}` answered 2xx with the database up{outages}; not tried: {}",
                self.untried.join("; ")
            );
            return Outcome::not_proven(self.evidence);
        }
        let again = if self.restarted {
            "once it was back (after the restart, from an app started again against its new address)"
        } else {
            "once it was back"
        };
        self.evidence.summary = format!(
            "`GET {health}` answered 2xx with the database up, {}, and 2xx again {again}",
            self.outages.join(" and "),
        );
        Outcome::proven(self.evidence)
    }
}

fn start_app(
    ctx: &Context,
    section: &AppSection,
    db: &Database,
) -> Result<RunningApp, ScenarioError> {
    RunningApp::start(ctx.subject(), section, &db.app())
        .map_err(|e| ScenarioError::failed(format!("start `{}`", section.start), e))
}

/// What a request got, for the evidence.
fn said(answer: &Result<Answer, NoAnswer>) -> String {
    match answer {
        Ok(a) => a.describe(),
        Err(e) => e.to_string(),
    }
}
