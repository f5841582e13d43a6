//! Claim: constraints; fault: two sessions insert a row with the same key of each claimed
//! UNIQUE (or PRIMARY KEY) constraint at the same moment, round after round, half of the
//! rounds with both writes held at a gate until both wait; check: in every round exactly
//! one commits and the other is refused with 23505 by the claimed constraint.

use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use harness::run::scenario::{Context, ScenarioError};
use harness::schema::rowgen::Row;
use harness::subject::manifest::ConstraintKind;
use harness::{Evidence, Outcome, Scenario};
use sqlx::{Connection, PgConnection};

use super::fixtures::Parents;
use super::key_race::{ungeneratable, Attempt, Track, Verdicts};
use super::prepare::prepare;
use super::race::{Racers, Writer, FREE_ROUNDS, GATED_ROUNDS};
use super::schema::Claimed;

pub struct UniqueKeysUnderRace;

#[async_trait]
impl Scenario for UniqueKeysUnderRace {
    fn id(&self) -> &'static str {
        "unique-keys-under-race"
    }

    fn claim(&self) -> &'static harness::run::scenario::ClaimSpec {
        super::CLAIM
    }

    fn title(&self) -> &'static str {
        "two sessions inserting the same key of each claimed unique constraint at once: exactly one commits, every round"
    }

    async fn run(&self, ctx: &Context) -> Result<Outcome, ScenarioError> {
        let prepared = prepare(ctx, "constraints_unique_race").await?;
        let schema = Arc::new(prepared.schema);
        let keys: Vec<&Claimed> = schema
            .claims
            .iter()
            .filter(|c| matches!(c.kind, ConstraintKind::Unique | ConstraintKind::PrimaryKey))
            .collect();
        if keys.is_empty() {
            return Ok(Outcome::not_proven(Evidence::new(
                "the manifest claims no unique constraint to race on",
            )));
        }
        let mut setup = prepared
            .db
            .connect_app()
            .await
            .map_err(|e| ScenarioError::sql("connect as the app role", e))?;
        let tables: Vec<String> = keys.iter().map(|c| c.table.clone()).collect();
        let parents = Parents::insert(&mut setup, &schema, &tables, 1).await?;
        let mut racers = Racers::connect(&prepared.db).await?;
        let mut track = Track {
            racers: &mut racers,
            setup: &mut setup,
            schema: &schema,
            parents: &parents,
            // far from the plain rows the parents were numbered with
            rows_made: 10_000,
        };

        let started = Instant::now();
        let mut evidence = Evidence::new("").seed(ctx.seed());
        let mut verdicts = Verdicts::default();
        for claim in keys {
            let raced = track
                .race(
                    claim,
                    |rows, _| InsertEach(rows),
                    |loss| {
                        let [first, second] = loss.sessions();
                        vec![
                            format!("round {} ({}): both sessions ran at once", loss.round, loss.start()),
                            first,
                            second,
                            "claimed: one commits, the other is refused with 23505 unique_violation".into(),
                            format!("rows now holding the key: {}", loss.holders),
                        ]
                    },
                )
                .await?;
            let Some(raced) = raced else {
                return Ok(ungeneratable(claim));
            };
            verdicts.record(&mut evidence, claim.label(), raced, |race| {
                format!(
                    "{} of {} rounds did not end with exactly one commit",
                    race.lost_rounds(),
                    race.gated.rounds + race.free.rounds
                )
            });
        }
        evidence.push_timing("races", started.elapsed());
        let _ = setup.close().await;
        if let Some(why) = verdicts.unraced() {
            evidence.summary = why;
            return Ok(Outcome::not_proven(evidence));
        }
        evidence.summary = if verdicts.lost.is_empty() {
            format!(
                "every round on every claimed unique key ended with exactly one commit ({} rounds each)",
                GATED_ROUNDS + FREE_ROUNDS
            )
        } else {
            format!(
                "concurrent inserts of the same key both committed on {}",
                verdicts.lost.join(", ")
            )
        };
        Ok(Outcome::decide(verdicts.lost.is_empty(), evidence))
    }
}

/// Each session inserts its row in a transaction of its own.
struct InsertEach(Vec<Row>);

#[async_trait]
impl Writer for InsertEach {
    type Output = Attempt;

    async fn write(&self, session: &mut PgConnection, i: usize) -> Attempt {
        let row = &self.0[i];
        let attempt = async {
            let mut tx = session.begin().await?;
            row.insert(&mut tx, &[]).await?;
            tx.commit().await
        };
        match attempt.await {
            Ok(()) => Attempt::Committed,
            Err(e) => Attempt::from_error(&e),
        }
    }
}
