//! Claim: constraints ("even if the application has bugs"); fault: two sessions run the
//! application's check-then-insert at the same moment, round after round: the subject's
//! own signup flow with the same Stripe customer id when it has bundled flows, else a
//! SELECT-then-INSERT on each claimed unique key. Half the rounds hold both writes at a
//! gate until both wait, so both checks find nothing; check: never do both commit, so the
//! key stays unique whatever the application checked.

use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use harness::backend::names::quote_ident;
use harness::checks::integrity::{IntegrityRule, Rejection};
use harness::run::scenario::{Context, ScenarioError};
use harness::schema::rowgen::{Row, Value};
use harness::subject::manifest::ConstraintKind;
use harness::{Evidence, Outcome, Scenario};
use sqlx::{Connection, PgConnection};

use super::fixtures::Parents;
use super::key_race::{score, ungeneratable, Attempt, Track, Verdicts};
use super::prepare::{prepare, Prepared};
use super::race::{Racers, Tally, Writer, FREE_ROUNDS, GATED_ROUNDS, UNRACED};
use super::rules::refusal_matches;
use super::schema::Claimed;
use crate::flows::{self, AppFlows, FlowError, NoFaults, Signup};

pub struct CheckThenInsertUnderRace;

#[async_trait]
impl Scenario for CheckThenInsertUnderRace {
    fn id(&self) -> &'static str {
        "check-then-insert-under-race"
    }

    fn claim(&self) -> &'static harness::run::scenario::ClaimSpec {
        super::CLAIM
    }

    fn title(&self) -> &'static str {
        "two sessions running the app's check-then-insert (signup with one Stripe customer id) at once: never both commit"
    }

    async fn run(&self, ctx: &Context) -> Result<Outcome, ScenarioError> {
        let prepared = prepare(ctx, "constraints_check_then_insert").await?;
        match &ctx.subject().manifest.flows.builtin {
            Some(name) => {
                let flows = flows::builtin(name).ok_or_else(|| {
                    ScenarioError::Manifest(ctx.subject().invalid(
                        "flows.builtin",
                        format!("there are no bundled flows named `{name}` (bundled: instantviz, instantviz-before)"),
                    ))
                })?;
                signup_race(ctx, &prepared, flows).await
            }
            None => sql_race(ctx, &prepared).await,
        }
    }
}

/// The subject's signup flow, twice at once with the same Stripe customer id.
async fn signup_race(
    ctx: &Context,
    prepared: &Prepared,
    flows: Arc<dyn AppFlows>,
) -> Result<Outcome, ScenarioError> {
    let Some(users) = prepared.schema.catalog.table("users") else {
        return Ok(Outcome::not_proven(Evidence::new(format!(
            "the bundled {} flows sign users up into a `users` table, which the schema lacks",
            flows.name()
        ))));
    };
    let users_sql = format!(
        "{}.{}",
        quote_ident(&users.schema),
        quote_ident(&users.name)
    );
    let claimed = prepared.schema.claims.iter().find(|c| {
        c.kind == ConstraintKind::Unique
            && c.table == users.qualified_name()
            && c.columns == ["stripe_customer_id"]
    });
    let mut setup = prepared
        .db
        .connect_admin()
        .await
        .map_err(|e| ScenarioError::sql("connect to the scenario database", e))?;
    let mut racers = Racers::connect(&prepared.db).await?;
    let tag = format!("{:08x}", ctx.seed() as u32);
    let flow_name = flows.name();
    let started = Instant::now();
    let mut tallies = [Tally::default(), Tally::default()];
    let mut first_loss = None;
    for round in 0..GATED_ROUNDS + FREE_ROUNDS {
        let gated = round < GATED_ROUNDS;
        let customer = format!("cus_race_{tag}_{round}");
        let inputs: Vec<Signup> = (0..2)
            .map(|i| Signup {
                email: format!("racer-{tag}-{round}-{i}@example.com"),
                password_hash: "x".repeat(60),
                full_name: format!("Racer {i}"),
                stripe_customer_id: Some(customer.clone()),
            })
            .collect();
        let writer = SignupEach {
            flows: flows.clone(),
            inputs: inputs.clone(),
        };
        let round_result = racers
            .round(gated.then_some(users_sql.as_str()), &writer)
            .await?;
        let tally = &mut tallies[usize::from(!gated)];
        let unique = |r: &Rejection| match claimed {
            Some(claim) => refusal_matches(claim, r),
            None => r.rule == Some(IntegrityRule::Unique),
        };
        if !score(
            tally,
            &round_result.results,
            round_result.overlapped,
            unique,
        ) && first_loss.is_none()
        {
            let holders: i64 = sqlx::query_scalar(&format!(
                "SELECT count(*) FROM {users_sql} WHERE stripe_customer_id = $1"
            ))
            .bind(&customer)
            .fetch_one(&mut setup)
            .await
            .map_err(|e| ScenarioError::sql("count the users of the raced customer", e))?;
            first_loss = Some(vec![
                format!(
                    "round {} ({}): {}.signup for two new users, both with stripe_customer_id '{customer}'",
                    round + 1,
                    if gated { "writes held at a gate until both waited" } else { "started by a barrier" },
                    flow_name
                ),
                format!("session 1: {}", round_result.results[0].describe()),
                format!("session 2: {}", round_result.results[1].describe()),
                format!("users with stripe_customer_id '{customer}' now: {holders}"),
                "claimed: a Stripe customer id belongs to one user, whatever the application checked".into(),
            ]);
        }
    }
    let duplicated: i64 = sqlx::query_scalar(&format!(
        "SELECT count(*) FROM (SELECT stripe_customer_id FROM {users_sql} \
         WHERE stripe_customer_id LIKE 'cus_race_%' GROUP BY 1 HAVING count(*) > 1) AS d"
    ))
    .fetch_one(&mut setup)
    .await
    .map_err(|e| ScenarioError::sql("count duplicated Stripe customers", e))?;
    let _ = setup.close().await;

    let mut evidence = Evidence::new("").seed(ctx.seed());
    evidence.push_observation("signup, gated", tallies[0].describe(true));
    evidence.push_observation("signup, barrier only", tallies[1].describe(false));
    evidence.push_observation("Stripe customers left with two users", duplicated);
    evidence.push_timing("races", started.elapsed());
    let held = tallies.iter().all(Tally::held) && duplicated == 0;
    let conclusive = tallies.iter().any(|t| t.one_committed > 0);
    if held && (tallies[0].overlapped == 0 || !conclusive) {
        evidence.summary = UNRACED.into();
        return Ok(Outcome::not_proven(evidence));
    }
    evidence.summary = if held {
        format!(
            "{} concurrent signups with one Stripe customer id never both committed",
            GATED_ROUNDS + FREE_ROUNDS
        )
    } else {
        let lost = tallies.iter().map(|t| t.both_committed).sum::<u32>();
        evidence.push_counterexample(
            format!(
                "{lost} of {} racing signups did not end with exactly one user for the customer",
                GATED_ROUNDS + FREE_ROUNDS
            ),
            first_loss.unwrap_or_default(),
        );
        format!("the app's check-then-insert lost the race: {duplicated} Stripe customers now have two users")
    };
    Ok(Outcome::decide(held, evidence))
}

/// Without bundled flows: a SELECT-then-INSERT, as an application would write it, on
/// each claimed unique key.
async fn sql_race(ctx: &Context, prepared: &Prepared) -> Result<Outcome, ScenarioError> {
    let schema = &prepared.schema;
    let keys: Vec<&Claimed> = schema
        .claims
        .iter()
        .filter(|c| matches!(c.kind, ConstraintKind::Unique | ConstraintKind::PrimaryKey))
        .collect();
    if keys.is_empty() {
        return Ok(Outcome::not_proven(Evidence::new(
            "the subject has no bundled flows and the manifest claims no unique constraint to race on",
        )));
    }
    let mut setup = prepared
        .db
        .connect_app()
        .await
        .map_err(|e| ScenarioError::sql("connect as the app role", e))?;
    let tables: Vec<String> = keys.iter().map(|c| c.table.clone()).collect();
    let parents = Parents::insert(&mut setup, schema, &tables, 1).await?;
    let mut racers = Racers::connect(&prepared.db).await?;
    let mut track = Track {
        racers: &mut racers,
        setup: &mut setup,
        schema,
        parents: &parents,
        rows_made: 0,
    };
    let mut evidence = Evidence::new("").seed(ctx.seed());
    let started = Instant::now();
    let mut verdicts = Verdicts::default();
    for claim in keys {
        let raced = track
            .race(
                claim,
                |rows, key| CheckThenInsertEach {
                    rows,
                    columns: claim.columns.clone(),
                    key,
                },
                |loss| {
                    let [first, second] = loss.sessions();
                    vec![
                        format!(
                            "round {} ({}): both sessions check that the key is free, then insert",
                            loss.round,
                            loss.start()
                        ),
                        first,
                        second,
                        format!("rows now holding the key: {}", loss.holders),
                    ]
                },
            )
            .await?;
        let Some(raced) = raced else {
            return Ok(ungeneratable(claim));
        };
        verdicts.record(&mut evidence, claim.label(), raced, |_| {
            "the check-then-insert lost the race".into()
        });
    }
    evidence.push_timing("races", started.elapsed());
    let _ = setup.close().await;
    if let Some(why) = verdicts.unraced() {
        evidence.summary = why;
        return Ok(Outcome::not_proven(evidence));
    }
    evidence.summary = if verdicts.lost.is_empty() {
        "racing check-then-inserts never both committed on any claimed unique key".into()
    } else {
        format!(
            "racing check-then-inserts both committed on {}",
            verdicts.lost.join(", ")
        )
    };
    Ok(Outcome::decide(verdicts.lost.is_empty(), evidence))
}

/// Each session signs its user up through the subject's own flow.
struct SignupEach {
    flows: Arc<dyn AppFlows>,
    inputs: Vec<Signup>,
}

#[async_trait]
impl Writer for SignupEach {
    type Output = Attempt;

    async fn write(&self, session: &mut PgConnection, i: usize) -> Attempt {
        match self
            .flows
            .signup(session, &self.inputs[i], &mut NoFaults)
            .await
        {
            Ok(_) => Attempt::Committed,
            Err(FlowError::Rejected(why)) => Attempt::RefusedByApp(why),
            Err(FlowError::Sql(e)) => Attempt::from_error(&e),
            Err(e) => Attempt::Failed(e.to_string()),
        }
    }
}

/// Each session checks for the key, then inserts its row.
struct CheckThenInsertEach {
    rows: Vec<Row>,
    columns: Vec<String>,
    key: Vec<Value>,
}

#[async_trait]
impl Writer for CheckThenInsertEach {
    type Output = Attempt;

    async fn write(&self, session: &mut PgConnection, i: usize) -> Attempt {
        check_then_insert(session, &self.rows[i], &self.columns, &self.key).await
    }
}

/// Looks for the key, then inserts the row if nobody has it, each statement on its own.
async fn check_then_insert(
    conn: &mut PgConnection,
    row: &Row,
    columns: &[String],
    key: &[Value],
) -> Attempt {
    let conditions: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let data_type = row
                .cells
                .iter()
                .find(|cell| cell.column == *c)
                .map_or("text", |cell| cell.data_type.as_str());
            format!("{} = ${}::{data_type}", quote_ident(c), i + 1)
        })
        .collect();
    let sql = format!(
        "SELECT EXISTS (SELECT 1 FROM {} WHERE {})",
        row.table_sql,
        conditions.join(" AND ")
    );
    let mut query = sqlx::query_scalar::<_, bool>(&sql);
    for value in key {
        query = query.bind(value.as_param());
    }
    match query.fetch_one(&mut *conn).await {
        Ok(true) => return Attempt::RefusedByApp("the key is taken".into()),
        Ok(false) => {}
        Err(e) => return Attempt::Failed(e.to_string()),
    }
    match row.insert(conn, &[]).await {
        Ok(_) => Attempt::Committed,
        Err(e) => Attempt::from_error(&e),
    }
}
