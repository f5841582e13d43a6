//! Claim: transactions ("payment webhook failures — transactions ensure consistency");
//! fault: kill -9 of a durable server under a stream of committing flows (signups, or the
//! manifest's first SQL flow), then a restart; check: every execution whose commit was
//! acknowledged is there in full, and every one in doubt (interrupted before its
//! acknowledgement) is there in full or not at all.

use std::time::{Duration, Instant};

use async_trait::async_trait;
use harness::checks::invariants;
use harness::run::scenario::{Context, ScenarioError};
use harness::{Evidence, Outcome, Scenario};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sqlx::Connection;
use tokio::sync::Notify;

use super::case::broken_since;
use super::command_flow;
use super::faults::Injector;
use super::footprint::{self, Fixture, Verdict};
use super::rig::{self, Rig};
use super::units::{SubjectFlows, Unit, NO_FLOWS};
use crate::flows::Flow;

/// Kills per run; each one follows a fresh stream.
const ROUNDS: usize = 2;
/// Concurrent clients, each streaming executions over its own connection.
const CLIENTS: usize = 6;
/// The kill lands this long after the stream's first acknowledged commit (seeded within
/// the range): timed from the stream's start, a slow machine could kill before any.
const KILL_AFTER_MS: std::ops::Range<u64> = 300..700;
/// How long the kill waits for a first acknowledgement before it lands anyway.
const FIRST_ACK_PATIENCE: Duration = Duration::from_secs(30);

pub struct AcknowledgedCommitsSurviveCrash;

/// What the clients saw.
#[derive(Default)]
struct Stream {
    acknowledged: Vec<Fixture>,
    in_doubt: Vec<Fixture>,
}

#[async_trait]
impl Scenario for AcknowledgedCommitsSurviveCrash {
    fn id(&self) -> &'static str {
        "acknowledged-commits-survive-crash"
    }

    fn claim(&self) -> &'static harness::run::scenario::ClaimSpec {
        super::CLAIM
    }

    fn title(&self) -> &'static str {
        "after kill -9 under load, every acknowledged commit is there and nothing in doubt is half there"
    }

    fn deadline(&self) -> Duration {
        Duration::from_secs(180)
    }

    async fn run(&self, ctx: &Context) -> Result<Outcome, ScenarioError> {
        let flows = SubjectFlows::load(ctx.subject())?;
        let unit = if flows.app.is_some() {
            Unit::Rust(Flow::Signup)
        } else if !flows.sql.is_empty() {
            Unit::Sql(0)
        } else if !flows.commands.is_empty() {
            Unit::Command(0)
        } else {
            return Ok(Outcome::not_proven(Evidence::new(format!(
                "{NO_FLOWS} to commit"
            ))));
        };
        let rig = rig::crash_rig(ctx, "tx_durability").await?;
        if let Unit::Command(index) = unit {
            // the streamed flow's setup, and a clean run that shows it works at all
            let flow = &flows.commands[index];
            command_flow::setup(&rig, ctx.subject(), index, flow).await?;
            command_flow::calibrate(&rig, ctx.subject(), index, flow).await?;
        }
        let mut rng = ChaCha8Rng::seed_from_u64(ctx.seed());
        let mut evidence = Evidence::new("").seed(ctx.seed()).observe(
            "stream",
            format!("{} × {CLIENTS} clients, {ROUNDS} kills", flows.name(unit)),
        );
        let (mut acknowledged, mut present, mut in_doubt) = (0, 0, 0);
        let (mut doubt_committed, mut doubt_absent) = (0, 0);
        for round in 1..=ROUNDS {
            let mut admin = rig.connect_admin().await?;
            let baseline = invariants::check(&mut admin, ctx.subject()).await?;
            let _ = admin.close().await;

            let kill_after = Duration::from_millis(rng.gen_range(KILL_AFTER_MS));
            let started = Instant::now();
            let stream = stream_then_kill(&rig, &flows, unit, kill_after).await?;
            rig.restart_server().await?;
            evidence.push_timing(
                format!("round {round}: kill, restart and recovery"),
                started.elapsed(),
            );

            let mut admin = rig.connect_admin().await?;
            for fixture in &stream.acknowledged {
                acknowledged += 1;
                match footprint::observe(fixture, ctx.subject(), &mut admin).await? {
                    Verdict::Everything => present += 1,
                    Verdict::Nothing => evidence.push_counterexample(
                        format!("round {round}: an acknowledged commit is gone"),
                        vec![describe(fixture), "found: none of its rows".into()],
                    ),
                    Verdict::Partial(found) => evidence.push_counterexample(
                        format!("round {round}: an acknowledged commit is only partly there"),
                        vec![describe(fixture), format!("found: {found}")],
                    ),
                }
            }
            for fixture in &stream.in_doubt {
                in_doubt += 1;
                match footprint::observe(fixture, ctx.subject(), &mut admin).await? {
                    Verdict::Everything => doubt_committed += 1,
                    Verdict::Nothing => doubt_absent += 1,
                    Verdict::Partial(found) => evidence.push_counterexample(
                        format!(
                            "round {round}: an execution interrupted by the crash is half there"
                        ),
                        vec![describe(fixture), format!("found: {found}")],
                    ),
                }
            }
            let broken = broken_since(
                &baseline,
                &invariants::check(&mut admin, ctx.subject()).await?,
            );
            if !broken.is_empty() {
                evidence.push_counterexample(
                    format!("round {round}: invariants broken by the crash"),
                    broken,
                );
            }
            let _ = admin.close().await;
        }
        let partial = in_doubt - doubt_committed - doubt_absent;
        evidence.push_observation("acknowledged", acknowledged);
        evidence.push_observation("acknowledged and present after restart", present);
        evidence.push_observation(
            "in doubt (interrupted before acknowledgement)",
            format!(
                "{in_doubt}: {doubt_committed} committed, {doubt_absent} absent, {partial} partial"
            ),
        );
        if acknowledged == 0 {
            evidence.summary =
                "no execution was acknowledged before the kills: nothing was shown".into();
            return Ok(Outcome::not_proven(evidence));
        }
        let holds = evidence.counterexamples.is_empty();
        let first = evidence
            .counterexamples
            .first()
            .map(|c| format!("{}: {}", c.title, c.details.join(", ")))
            .unwrap_or_default();
        evidence.summary = if holds {
            format!(
                "after {ROUNDS} kills under load, all {acknowledged} acknowledged commits were there and none of the {in_doubt} in doubt was half there"
            )
        } else if present < acknowledged {
            format!(
                "after {ROUNDS} kills under load, {} of {acknowledged} acknowledged commits were lost or damaged, e.g. {first}",
                acknowledged - present
            )
        } else if partial > 0 {
            format!(
                "after {ROUNDS} kills under load, {partial} of {in_doubt} executions interrupted by the crash were half there, e.g. {first}"
            )
        } else {
            format!("after {ROUNDS} kills under load: {first}")
        };
        Ok(Outcome::decide(holds, evidence))
    }
}

/// Streams executions from every client until the server is killed `kill_after` after the
/// first acknowledgement.
async fn stream_then_kill(
    rig: &Rig,
    flows: &SubjectFlows,
    unit: Unit,
    kill_after: Duration,
) -> Result<Stream, ScenarioError> {
    let first_ack = Notify::new();
    let clients = (0..CLIENTS).map(|_| client(rig, flows, unit, &first_ack));
    let kill = async {
        let _ = tokio::time::timeout(FIRST_ACK_PATIENCE, first_ack.notified()).await;
        tokio::time::sleep(kill_after).await;
        rig.server().kill().await
    };
    let (streams, killed) = tokio::join!(futures::future::join_all(clients), kill);
    killed?;
    let mut all = Stream::default();
    for stream in streams {
        let stream = stream?;
        all.acknowledged.extend(stream.acknowledged);
        all.in_doubt.extend(stream.in_doubt);
    }
    Ok(all)
}

/// One client: executions one after another over one connection, until one fails.
async fn client(
    rig: &Rig,
    flows: &SubjectFlows,
    unit: Unit,
    first_ack: &Notify,
) -> Result<Stream, ScenarioError> {
    let mut stream = Stream::default();
    let Ok(mut conn) = rig.connect_app(false).await else {
        // the kill came first: this client saw nothing
        return Ok(stream);
    };
    loop {
        let n = rig.next_run();
        let fixture = match unit {
            Unit::Sql(index) => Fixture::Sql { index, run: n },
            Unit::Command(index) => Fixture::Command { index, run: n },
            Unit::Rust(_) => footprint::signup(n),
        };
        let mut injector = Injector::new(rig, None);
        match flows.execute(&fixture, &mut conn, &mut injector).await {
            Ok(_) => {
                if stream.acknowledged.is_empty() {
                    first_ack.notify_one();
                }
                stream.acknowledged.push(fixture);
            }
            Err(_) => {
                stream.in_doubt.push(fixture);
                return Ok(stream);
            }
        }
    }
}

fn describe(fixture: &Fixture) -> String {
    match fixture {
        Fixture::Signup(input) => format!("signup of {}", input.email),
        Fixture::Sql { index, run } => format!("flows.sql[{index}] run {run}"),
        Fixture::Command { index, run } => format!("flows.command[{index}] run {run}"),
        Fixture::Event(e) => format!("event {}", e.event.id),
        Fixture::Usage { user_id, .. } => format!("usage of user {user_id}"),
    }
}
