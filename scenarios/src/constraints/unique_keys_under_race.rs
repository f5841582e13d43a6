//! Claim: constraints; fault: two sessions insert a row with the same key of each claimed
//! UNIQUE (or PRIMARY KEY) constraint at the same moment, round after round, half of the
//! rounds with both writes held at a gate until both wait; check: in every round exactly
//! one commits and the other is refused with 23505 by the claimed constraint.

use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use harness::integrity::Rejection;
use harness::manifest::ConstraintKind;
use harness::rowgen::Row;
use harness::scenario::{Context, ScenarioError};
use harness::{Evidence, Outcome, Scenario};
use sqlx::{Connection, PgConnection};

use super::fixtures::{plain_row, Parents};
use super::race::{
    count_key, round_key, Racers, Tally, Writer, FREE_ROUNDS, GATED_ROUNDS, UNRACED,
};
use super::rules::refusal_matches;
use super::schema::{prepare, Claimed};

pub struct UniqueKeysUnderRace;

#[async_trait]
impl Scenario for UniqueKeysUnderRace {
    fn id(&self) -> &'static str {
        "unique-keys-under-race"
    }

    fn claim(&self) -> &'static str {
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

        let started = Instant::now();
        let mut evidence = Evidence::new("").seed(ctx.seed());
        let mut lost = Vec::new();
        let mut unraced = Vec::new();
        let mut n = 0u64;
        for claim in keys {
            let mut tallies = [Tally::default(), Tally::default()];
            let mut first_loss: Option<Vec<String>> = None;
            let parent_keys = parents.first_keys(&schema, &claim.table);
            for round in 0..GATED_ROUNDS + FREE_ROUNDS {
                let gated = round < GATED_ROUNDS;
                let Some(key) = round_key(&schema, claim, &parents, round) else {
                    return Ok(Outcome::not_proven(Evidence::new(format!(
                        "{}: no value of its columns' types can be generated",
                        claim.label()
                    ))));
                };
                let mut rows = Vec::new();
                for _ in 0..2 {
                    let mut row = plain_row(&mut setup, &schema, &claim.table, n, &parent_keys)
                        .await
                        .map_err(|e| e.into_scenario_error(&claim.table))?;
                    n += 1;
                    for (column, value) in claim.columns.iter().zip(&key) {
                        row.set(column, value.clone());
                    }
                    rows.push(row);
                }
                let table_sql = rows[0].table_sql.clone();
                let writer = InsertEach(rows.clone());
                let outcome = racers
                    .round(gated.then_some(table_sql.as_str()), &writer)
                    .await?;
                let tally = &mut tallies[usize::from(!gated)];
                tally.rounds += 1;
                tally.overlapped += u32::from(outcome.overlapped);
                let [a, b] = &outcome.results;
                match (a, b) {
                    (Ok(()), Ok(())) => {
                        tally.both_committed += 1;
                        if first_loss.is_none() {
                            let holders = count_key(&mut setup, &schema, claim, &key).await?;
                            first_loss = Some(vec![
                                format!(
                                    "round {} ({}): both sessions ran at once",
                                    round + 1,
                                    if gated { "writes held at a gate until both waited" } else { "started by a barrier" }
                                ),
                                format!("session 1: {}", rows[0].display_sql()),
                                format!("session 2: {}", rows[1].display_sql()),
                                "claimed: one commits, the other is refused with 23505 unique_violation".into(),
                                format!("database: both committed; rows now holding the key: {holders}"),
                            ]);
                        }
                    }
                    (Ok(()), Err(r)) | (Err(r), Ok(()))
                        if r.as_ref().is_some_and(|r| refusal_matches(claim, r)) =>
                    {
                        tally.one_committed += 1;
                    }
                    _ => {
                        tally.other += 1;
                        if first_loss.is_none() {
                            first_loss = Some(vec![
                                format!("round {}: not exactly one commit", round + 1),
                                format!("session 1: {}", describe(a)),
                                format!("session 2: {}", describe(b)),
                            ]);
                        }
                    }
                }
            }
            let [gated, free] = &tallies;
            evidence.push_observation(format!("{}: gated", claim.label()), gated.describe(true));
            evidence.push_observation(
                format!("{}: barrier only", claim.label()),
                free.describe(false),
            );
            if gated.overlapped == 0 {
                unraced.push(claim.label());
            }
            if !(gated.held() && free.held()) {
                let lost_rounds =
                    gated.both_committed + gated.other + free.both_committed + free.other;
                lost.push(claim.label());
                evidence.push_counterexample(
                    format!(
                        "{}: {lost_rounds} of {} rounds did not end with exactly one commit",
                        claim.label(),
                        gated.rounds + free.rounds
                    ),
                    first_loss.unwrap_or_default(),
                );
            }
        }
        evidence.push_timing("races", started.elapsed());
        let _ = setup.close().await;
        if lost.is_empty() && !unraced.is_empty() {
            evidence.summary = format!("{UNRACED}: {}", unraced.join(", "));
            return Ok(Outcome::not_proven(evidence));
        }
        evidence.summary = if lost.is_empty() {
            format!(
                "every round on every claimed unique key ended with exactly one commit ({} rounds each)",
                GATED_ROUNDS + FREE_ROUNDS
            )
        } else {
            format!(
                "concurrent inserts of the same key both committed on {}",
                lost.join(", ")
            )
        };
        Ok(Outcome::decide(lost.is_empty(), evidence))
    }
}

/// Each session inserts its row in a transaction of its own.
struct InsertEach(Vec<Row>);

#[async_trait]
impl Writer for InsertEach {
    type Output = Result<(), Option<Rejection>>;

    async fn write(&self, session: &mut PgConnection, i: usize) -> Self::Output {
        insert_committed(session, &self.0[i]).await
    }
}

/// Inserts `row` in a transaction of its own: Ok when it committed, else the refusal
/// (None when the error did not come from the server).
async fn insert_committed(conn: &mut PgConnection, row: &Row) -> Result<(), Option<Rejection>> {
    let attempt = async {
        let mut tx = conn.begin().await?;
        row.insert(&mut tx, &[]).await?;
        tx.commit().await
    };
    attempt.await.map_err(|e| Rejection::from_error(&e))
}

fn describe(result: &Result<(), Option<Rejection>>) -> String {
    match result {
        Ok(()) => "committed".into(),
        Err(Some(r)) => format!("refused with {r}"),
        Err(None) => "failed outside the database".into(),
    }
}
