//! Claim: constraints; fault: generated rows, from the column types, that keep every claim
//! or deliberately break one (a NULL, a value the claimed check forbids, a copied unique
//! key, a dangling reference); check: the database accepts every row that keeps the claims
//! and refuses every row that breaks one with the claim's SQLSTATE and constraint name.
//! A deviation is shrunk by proptest to a minimal counterexample. Each case runs in a
//! transaction that is rolled back, so generated rows never accumulate.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use harness::backend::names::quote_literal;
use harness::checks::integrity::Rejection;
use harness::checks::property::{self, Property, Settings, Verdict};
use harness::run::scenario::{Context, ScenarioError};
use harness::schema::catalog::ConstraintType;
use harness::schema::rowgen::fit::boundary_values;
use harness::schema::rowgen::{Row, RowGenError, Source, Value};
use harness::subject::manifest::ConstraintKind;
use harness::{Evidence, Outcome, Scenario};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::strategy::SBoxedStrategy;
use proptest::test_runner::TestCaseError;
use sqlx::{Connection, PgConnection};

use super::fixtures::{self, Parents};
use super::prepare::prepare;
use super::rules::{self, Judgement};
use super::schema::{execute, Claimed, Edge, Schema};

/// Cases per claimed constraint unless `READINESS_PROPTEST_CASES` says otherwise.
const DEFAULT_CASES: u32 = 24;
/// Plain rows made for a claim's examples are numbered from here, apart from the parents'.
const EXAMPLE_ROWS: u64 = 10_000_000;
/// Parent rows per referenced table, for generated rows to reference.
const PARENTS_PER_TABLE: u64 = 3;

pub struct ConstraintsRejectGeneratedViolations;

#[async_trait]
impl Scenario for ConstraintsRejectGeneratedViolations {
    fn id(&self) -> &'static str {
        "constraints-reject-generated-violations"
    }

    fn claim(&self) -> &'static harness::run::scenario::ClaimSpec {
        super::CLAIM
    }

    fn title(&self) -> &'static str {
        "generated rows: every one that breaks a claimed constraint is refused with its SQLSTATE and name, every other one accepted"
    }

    async fn run(&self, ctx: &Context) -> Result<Outcome, ScenarioError> {
        let prepared = prepare(ctx, "constraints_generated").await?;
        let schema = Arc::new(prepared.schema);
        if schema.claims.is_empty() {
            return Ok(Outcome::not_proven(Evidence::new(
                "the manifest claims no constraints ([[constraints]])",
            )));
        }
        let mut conn = prepared
            .db
            .connect_app()
            .await
            .map_err(|e| ScenarioError::sql("connect as the app role", e))?;
        let tables: Vec<String> = schema
            .claims
            .iter()
            .map(|c| c.table.clone())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        // parents for every claimed table at once; failing that, for each table alone, so
        // that a table the generator cannot fill leaves only its own claims unproven
        let parents: BTreeMap<String, Result<Arc<Parents>, String>> =
            match Parents::insert(&mut conn, &schema, &tables, PARENTS_PER_TABLE).await {
                Ok(all) => {
                    let all = Arc::new(all);
                    tables
                        .iter()
                        .map(|t| (t.clone(), Ok(all.clone())))
                        .collect()
                }
                Err(_) => {
                    let mut each = BTreeMap::new();
                    for (i, table) in tables.iter().enumerate() {
                        let first = 100_000 * (i as u64 + 1);
                        let made = Parents::insert_numbered(
                            &mut conn,
                            &schema,
                            std::slice::from_ref(table),
                            PARENTS_PER_TABLE,
                            first,
                        )
                        .await
                        .map(Arc::new)
                        .map_err(|e| e.to_string());
                        each.insert(table.clone(), made);
                    }
                    each
                }
            };

        let mut evidence = Evidence::new("").seed(ctx.seed());
        let (mut executed, mut elapsed, mut failed) = (0u32, Duration::ZERO, 0usize);
        let mut unproven = Vec::new();
        for claim in &schema.claims {
            let parents = match &parents[&claim.table] {
                Ok(parents) => parents,
                Err(why) => {
                    unproven.push(format!(
                        "{}: no row of {} could be made to generate from: {why}",
                        claim.label(),
                        claim.table
                    ));
                    continue;
                }
            };
            let strategy = match case_strategy(&schema, claim, parents) {
                Ok(strategy) => strategy,
                Err(e) => {
                    unproven.push(format!("{}: cannot generate rows: {e}", claim.label()));
                    continue;
                }
            };
            let settings = Settings::new(
                DEFAULT_CASES,
                ctx.options().proptest_cases,
                ctx.seed(),
                claim.key("generated"),
            );
            let cases = settings.cases;
            let property = ClaimProperty::new(conn, schema.clone(), claim.index);
            let (mut property, mut run) = property::check(&settings, strategy, property)
                .await
                .map_err(|e| ScenarioError::failed("run the property", e))?;
            if let Some(e) = property.fatal {
                return Err(ScenarioError::sql("run generated rows", e));
            }
            if matches!(run.verdict, Verdict::Held) {
                // the claim's own examples, every run: random cases may miss its boundary
                if let Some(reason) = property.own_examples(parents).await? {
                    run.verdict = Verdict::Failed {
                        reason,
                        minimal: Vec::new(),
                    };
                }
            }
            conn = property.conn;
            executed += run.executed;
            elapsed += run.elapsed;
            let tally = &property.tally;
            match run.verdict {
                Verdict::Held if tally.refused == 0 || tally.accepted == 0 => {
                    unproven.push(format!(
                        "{}: {cases} cases held, but {} rows were accepted and {} refused; both kinds must be seen{}",
                        claim.label(),
                        tally.accepted,
                        tally.refused,
                        tally.describe_discards()
                    ));
                }
                Verdict::Held => evidence.push_observation(
                    claim.label(),
                    format!(
                        "{cases} cases held: {} rows accepted that keep the claims, {} refused as claimed{}",
                        tally.accepted,
                        tally.refused,
                        tally.describe_discards()
                    ),
                ),
                Verdict::Failed { reason, .. } => {
                    failed += 1;
                    let mut lines = reason.lines().map(str::to_owned);
                    let headline = lines.next().unwrap_or_default();
                    let mut details: Vec<String> = lines.collect();
                    details.push(format!(
                        "minimal case after shrinking; replay with --seed {}",
                        ctx.options().seed
                    ));
                    evidence.push_counterexample(format!("{}: {headline}", claim.label()), details);
                }
                Verdict::Aborted(reason) => unproven.push(format!(
                    "{}: no verdict: {reason}{}",
                    claim.label(),
                    tally.describe_discards()
                )),
            }
        }
        let _ = conn.close().await;
        evidence.push_observation("generated cases", executed);
        evidence.push_observation(
            "generated cases per second",
            format!(
                "{:.0} cases/s",
                f64::from(executed) / elapsed.as_secs_f64().max(1e-9)
            ),
        );
        evidence.push_timing("properties", elapsed);
        let total = schema.claims.len();
        if failed > 0 {
            evidence.summary = format!(
                "{failed} of {total} claimed constraints do not behave as claimed on generated rows"
            );
            return Ok(Outcome::refuted(evidence));
        }
        if !unproven.is_empty() {
            evidence.summary = unproven.join("; ");
            return Ok(Outcome::not_proven(evidence));
        }
        evidence.summary = format!(
            "all {total} claimed constraints refuse the generated rows that break them and accept the others ({executed} cases)"
        );
        Ok(Outcome::proven(evidence))
    }
}

/// The edge values of the schema's own CHECKs on the claim's one column that are values of
/// its type: a rule that accepts one more value than the claim (an `IN` list widened by a
/// value no generator would guess) is caught there.
async fn schema_edges(conn: &mut PgConnection, schema: &Schema, claim: &Claimed) -> Vec<Value> {
    let [column] = claim.columns.as_slice() else {
        return Vec::new();
    };
    let table = schema.table(&claim.table);
    let Some(data_type) = table.column(column).map(|c| c.data_type.clone()) else {
        return Vec::new();
    };
    let candidates: Vec<String> = table
        .constraints_of(ConstraintType::Check)
        .filter(|c| c.columns.as_slice() == std::slice::from_ref(column))
        .filter_map(|c| c.expression.as_deref())
        .flat_map(boundary_values)
        .collect();
    let mut edges = Vec::new();
    for candidate in candidates {
        let sql = format!("SELECT ({}::{data_type})::text", quote_literal(&candidate));
        // a value the type refuses is no edge of the rule's (the connection is between
        // cases, in no transaction, so the error leaves nothing to roll back)
        let value: Result<Option<String>, _> = sqlx::query_scalar(&sql)
            .persistent(false)
            .fetch_one(&mut *conn)
            .await;
        if let Ok(Some(text)) = value {
            edges.push(Value::Text(text));
        }
    }
    edges
}

/// Cases for one claim: one row, or for a key two rows, the second often copying the
/// first's key. The other claims on the table are kept where the generator can keep them
/// (accepted values for other checks, existing parents for references).
fn case_strategy(
    schema: &Schema,
    claim: &Claimed,
    parents: &Parents,
) -> Result<SBoxedStrategy<Vec<Row>>, RowGenError> {
    let mut spec = schema.row_spec(&claim.table);
    for other in schema.claims_on(&claim.table) {
        if other.index != claim.index
            && other.kind == ConstraintKind::Check
            && !other.accepts.is_empty()
        {
            spec.column_mut(&other.columns[0])?.source = Source::OneOf(other.accepts.clone());
        }
    }
    for name in &claim.columns {
        let column = spec.column_mut(name)?;
        // the claim under test varies its columns freely; a key is broken by copying, so its
        // values may stay within what other checks accept
        if claim.kind == ConstraintKind::Check || column.source == Source::Default {
            column.source = Source::Domain;
        }
        if claim.kind == ConstraintKind::NotNull {
            column.null_weight = 4;
        }
    }
    let edges: Vec<(Edge, Vec<Vec<Value>>)> = schema
        .edges
        .iter()
        .enumerate()
        .filter(|(_, e)| e.child == claim.table)
        .map(|(i, e)| (e.clone(), parents.keys(i).to_vec()))
        .collect();
    let probe = edges.iter().position(|(e, _)| e.claim == Some(claim.index));
    // a NOT NULL claim on a reference: the reference is sometimes left NULL, not filled
    let null_probe = if claim.kind == ConstraintKind::NotNull {
        edges
            .iter()
            .position(|(e, _)| e.columns.iter().any(|c| claim.columns.contains(c)))
    } else {
        None
    };
    let pair = matches!(
        claim.kind,
        ConstraintKind::Unique | ConstraintKind::PrimaryKey
    );
    let key_columns = claim.columns.clone();
    let row = spec.strategy()?;
    let picks = prop::collection::vec(any::<Index>(), edges.len());
    Ok((
        row.clone(),
        row,
        picks.clone(),
        picks,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            move |(mut first, mut second, first_picks, second_picks, copy, dangling)| {
                for (row, picks) in [(&mut first, &first_picks), (&mut second, &second_picks)] {
                    for (j, (edge, keys)) in edges.iter().enumerate() {
                        if Some(j) == null_probe && dangling {
                            for column in edge.columns.iter().filter(|c| key_columns.contains(c)) {
                                row.set(column, Value::Null);
                            }
                            continue;
                        }
                        if keys.is_empty() || (Some(j) == probe && dangling) {
                            continue;
                        }
                        let key = picks[j].get(keys);
                        for (column, value) in edge.columns.iter().zip(key) {
                            row.set(column, value.clone());
                        }
                    }
                }
                if !pair {
                    return vec![first];
                }
                if copy {
                    for column in &key_columns {
                        let value = first.get(column).cloned().unwrap_or(Value::Null);
                        second.set(column, value);
                    }
                }
                vec![first, second]
            },
        )
        .sboxed())
}

/// The row with each column of a claimed unique key that it leaves to a default (a serial
/// id, `gen_random_uuid()`) given the value that default yields now, so that the model judges
/// the key the row will really have: a sequence's next value may be one an earlier row of
/// the case took explicitly, and refusing that duplicate is the key doing its job.
async fn materialize_key_defaults(
    conn: &mut PgConnection,
    schema: &Schema,
    row: &Row,
) -> Result<Row, sqlx::Error> {
    let mut row = row.clone();
    let table = schema.table(&row.table);
    let keyed: BTreeSet<&String> = schema
        .claims_on(&row.table)
        .into_iter()
        .filter(|c| matches!(c.kind, ConstraintKind::Unique | ConstraintKind::PrimaryKey))
        .flat_map(|c| c.columns.iter())
        .collect();
    for name in keyed {
        let Some(column) = table.column(name) else {
            continue;
        };
        let left_to_default = row.get(name) == Some(&Value::Default);
        let can_be_given =
            column.identity.as_deref() != Some("always") && column.generated.is_none();
        if !left_to_default || !can_be_given {
            continue;
        }
        // a serial's default is its nextval(); an identity column has no default to read,
        // only its sequence
        let expression = match (&column.default, &column.identity) {
            (Some(default), _) => default.clone(),
            (None, Some(_)) => {
                let sequence: Option<String> =
                    sqlx::query_scalar("SELECT pg_get_serial_sequence($1, $2)")
                        .bind(table.qualified_name())
                        .bind(name)
                        .fetch_one(&mut *conn)
                        .await?;
                match sequence {
                    Some(sequence) => format!("nextval({})", quote_literal(&sequence)),
                    None => continue,
                }
            }
            (None, None) => continue,
        };
        // a default that fails here leaves the column to the INSERT, as before
        execute(conn, "SAVEPOINT key_default").await?;
        let value: Result<Option<String>, sqlx::Error> =
            sqlx::query_scalar(&format!("SELECT ({expression})::text"))
                .persistent(false)
                .fetch_one(&mut *conn)
                .await;
        match value {
            Ok(value) => {
                execute(conn, "RELEASE SAVEPOINT key_default").await?;
                row.set(name, value.map_or(Value::Null, Value::Text));
            }
            Err(sqlx::Error::Database(_)) => {
                execute(conn, "ROLLBACK TO SAVEPOINT key_default").await?;
            }
            Err(other) => return Err(other),
        }
    }
    Ok(row)
}

/// What the cases of one property came to.
#[derive(Debug, Default)]
struct Tally {
    accepted: u32,
    refused: u32,
    /// Cases that said nothing about this claim, by reason.
    discarded: BTreeMap<String, u32>,
}

impl Tally {
    fn describe_discards(&self) -> String {
        if self.discarded.is_empty() {
            return String::new();
        }
        let reasons: Vec<String> = self
            .discarded
            .iter()
            .map(|(why, n)| format!("{n}× {why}"))
            .collect();
        format!("; discarded: {}", reasons.join(", "))
    }
}

/// "The database answers the claim's generated rows as the claims say", over one
/// connection, each case in a transaction that is rolled back.
struct ClaimProperty {
    conn: PgConnection,
    schema: Arc<Schema>,
    claim: usize,
    tally: Tally,
    /// A failure of the harness (a lost connection): stops the scenario, never a verdict.
    fatal: Option<sqlx::Error>,
}

impl ClaimProperty {
    fn new(conn: PgConnection, schema: Arc<Schema>, claim: usize) -> ClaimProperty {
        ClaimProperty {
            conn,
            schema,
            claim,
            tally: Tally::default(),
            fatal: None,
        }
    }

    /// A case for each of the check's own examples (`accepts`, `rejects`) on an otherwise
    /// plain row. They are drawn among the random cases too, but a few random cases may
    /// miss them all: `usage_count >= -1000` passed for `usage_count >= 0` with a seed
    /// whose refused cases were all below -1000, and an e-mail pattern's cases may all
    /// break it. The reason when one of them deviates.
    async fn own_examples(&mut self, parents: &Parents) -> Result<Option<String>, ScenarioError> {
        let schema = self.schema.clone();
        let claim = &schema.claims[self.claim];
        if claim.kind != ConstraintKind::Check {
            return Ok(None);
        }
        let edges = schema_edges(&mut self.conn, &schema, claim).await;
        let examples = claim.accepts.iter().chain(&claim.rejects).chain(&edges);
        let parent_keys = parents.keys_from(&schema, &claim.table, 0);
        for (n, example) in examples.enumerate() {
            let mut row = fixtures::plain_row(
                &mut self.conn,
                &schema,
                &claim.table,
                EXAMPLE_ROWS + n as u64,
                &parent_keys,
            )
            .await
            .map_err(|e| e.into_scenario_error(&claim.table))?;
            row.set(&claim.columns[0], example.clone());
            match self.case(std::slice::from_ref(&row)).await {
                Ok(Ok(())) => {}
                Ok(Err(TestCaseError::Fail(reason))) => return Ok(Some(reason.to_string())),
                Ok(Err(TestCaseError::Reject(_))) => {}
                Err(e) => return Err(ScenarioError::sql("run a claim's example", e)),
            }
        }
        Ok(None)
    }

    async fn case(&mut self, rows: &[Row]) -> Result<Result<(), TestCaseError>, sqlx::Error> {
        execute(&mut self.conn, "BEGIN; SET CONSTRAINTS ALL IMMEDIATE").await?;
        let result = self.rows(rows).await;
        let rollback = execute(&mut self.conn, "ROLLBACK").await;
        let result = result?;
        rollback?;
        Ok(result)
    }

    async fn rows(&mut self, rows: &[Row]) -> Result<Result<(), TestCaseError>, sqlx::Error> {
        let schema = self.schema.clone();
        let claim = &schema.claims[self.claim];
        let mut done = Vec::new();
        for row in rows {
            let row = &materialize_key_defaults(&mut self.conn, &schema, row).await?;
            let broken = rules::broken_claims(&mut self.conn, &schema, row).await?;
            if !broken.is_empty() && !broken.iter().any(|c| c.index == claim.index) {
                return Ok(Err(self.discard("the row breaks another claim".into())));
            }
            execute(&mut self.conn, "SAVEPOINT generated_row").await?;
            let rejection = match row.insert(&mut self.conn, &[]).await {
                Ok(_) => {
                    execute(&mut self.conn, "RELEASE SAVEPOINT generated_row").await?;
                    None
                }
                Err(e) => {
                    let Some(rejection) = Rejection::from_error(&e) else {
                        return Err(e);
                    };
                    execute(&mut self.conn, "ROLLBACK TO SAVEPOINT generated_row").await?;
                    Some(rejection)
                }
            };
            match rules::judge(&schema, &row.table, &broken, rejection.as_ref()) {
                Judgement::Agrees => {
                    let answer = match &rejection {
                        None => {
                            self.tally.accepted += 1;
                            "accepted".to_owned()
                        }
                        Some(r) => {
                            self.tally.refused += 1;
                            format!("refused with {}", r.code)
                        }
                    };
                    done.push(format!("{}  -- {answer}", row.display_sql()));
                }
                Judgement::Inconclusive(why) => return Ok(Err(self.discard(why))),
                Judgement::Deviates { claimed, database } => {
                    let headline = match (&rejection, broken.is_empty()) {
                        (None, _) => "a row that breaks it is accepted",
                        (Some(_), true) => "a row that keeps every claim is refused",
                        (Some(_), false) => {
                            "a row is refused by another rule than the one it breaks"
                        }
                    };
                    let mut lines = vec![headline.to_owned()];
                    lines.append(&mut done);
                    lines.push(row.display_sql());
                    lines.push(format!("claimed: {claimed}"));
                    lines.push(format!("database: {database}"));
                    return Ok(Err(TestCaseError::fail(lines.join("\n"))));
                }
            }
        }
        Ok(Ok(()))
    }

    fn discard(&mut self, why: String) -> TestCaseError {
        *self.tally.discarded.entry(why.clone()).or_default() += 1;
        TestCaseError::reject(why)
    }
}

#[async_trait]
impl Property for ClaimProperty {
    type Case = Vec<Row>;

    async fn check(&mut self, rows: Vec<Row>) -> Result<(), TestCaseError> {
        if self.fatal.is_some() {
            return Err(TestCaseError::reject("the connection failed"));
        }
        match self.case(&rows).await {
            Ok(result) => result,
            Err(e) => {
                self.fatal = Some(e);
                Err(TestCaseError::reject("the connection failed"))
            }
        }
    }
}
