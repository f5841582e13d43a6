//! A constraint scenario's starting point: a fresh migrated database, its catalog read,
//! the manifest's claims resolved against it, the values each checked column accepts found
//! by the server, and each claimed check's `accepts`/`rejects` examples checked.

use harness::run::scenario::{Context, ScenarioError};
use harness::schema::catalog::Catalog;
use harness::schema::rowgen::Value;
use harness::schema::template::Database;
use harness::subject::manifest::{ConstraintKind, ExpectedConstraint};
use harness::subject::Subject;
use sqlx::{Connection, PgConnection};

use super::resolve;
use super::rules;
use super::schema::{database_message, Schema};

/// A scenario's migrated database and the schema read from it.
pub struct Prepared {
    pub db: Database,
    pub schema: Schema,
}

/// A fresh migrated database for the scenario, with its schema read and the manifest's
/// claims resolved and checked against it.
pub async fn prepare(ctx: &Context, label: &str) -> Result<Prepared, ScenarioError> {
    let db = ctx.migrated_database(label).await?;
    let migrations = ctx.migrations().await?;
    let mut conn = db
        .connect_admin()
        .await
        .map_err(|e| ScenarioError::sql("connect to the scenario database", e))?;
    let catalog = Catalog::read(&mut conn, migrations.bookkeeping_tables())
        .await
        .map_err(|e| ScenarioError::sql("read the catalog", e))?;
    let mut schema = resolve::resolve(ctx.subject(), catalog)?;
    find_valid_values(&mut schema, &mut conn, ctx.seed()).await?;
    resolve_examples(&mut schema, &mut conn, ctx.subject()).await?;
    let _ = conn.close().await;
    Ok(Prepared { db, schema })
}

/// Asks the server which values each table's checked and domain-typed columns accept.
async fn find_valid_values(
    schema: &mut Schema,
    conn: &mut PgConnection,
    seed: u64,
) -> Result<(), ScenarioError> {
    for table in &schema.catalog.tables {
        let valid = harness::schema::rowgen::fit::valid_values(conn, &schema.catalog, table, seed)
            .await
            .map_err(|e| {
                ScenarioError::sql(
                    format!(
                        "find values the checks of {} accept",
                        table.qualified_name()
                    ),
                    e,
                )
            })?;
        if !valid.is_empty() {
            schema.valid.insert(table.qualified_name(), valid);
        }
    }
    Ok(())
}

/// Turns each check's `accepts` and `rejects` SQL literals into values of the column's
/// type, and checks that the claimed expression runs and agrees with them.
async fn resolve_examples(
    schema: &mut Schema,
    conn: &mut PgConnection,
    subject: &Subject,
) -> Result<(), ScenarioError> {
    for i in 0..schema.claims.len() {
        if schema.claims[i].kind != ConstraintKind::Check {
            continue;
        }
        let expected: &ExpectedConstraint = &subject.manifest.constraints[i];
        let claim = &schema.claims[i];
        let table = schema.table(&claim.table);
        let column = table.column(&claim.columns[0]).expect("resolved");
        let mut accepts = Vec::new();
        let mut rejects = Vec::new();
        for (field, literals, into) in [
            ("accepts", &expected.accepts, &mut accepts),
            ("rejects", &expected.rejects, &mut rejects),
        ] {
            // a value the column's domain refuses is still a value of the claim's
            let data_type = schema.catalog.base_type(&column.data_type).to_owned();
            for (j, literal) in literals.iter().enumerate() {
                let sql = format!("SELECT (({literal})::{data_type})::text");
                let text: Option<String> = sqlx::query_scalar(&sql)
                    .fetch_one(&mut *conn)
                    .await
                    .map_err(|e| {
                        ScenarioError::Manifest(subject.invalid(
                            &format!("constraints[{i}].{field}[{j}]"),
                            format!(
                                "`{literal}` is not a value of type {data_type}: {}",
                                database_message(&e)
                            ),
                        ))
                    })?;
                into.push(text.map(Value::Text).unwrap_or(Value::Null));
            }
        }
        let spec = schema.row_spec(&claim.table);
        let base = spec.canonical(0).unwrap_or_else(|_| spec.nulls());
        let check = |value: &Value| {
            let mut row = base.clone();
            row.set(&claim.columns[0], value.clone());
            row
        };
        let key = format!("constraints[{i}].expression");
        let probe = check(&Value::Null);
        rules::claim_holds(conn, schema, claim, &probe)
            .await
            .map_err(|e| {
                ScenarioError::Manifest(subject.invalid(
                    &key,
                    format!("the expression does not run: {}", database_message(&e)),
                ))
            })?;
        for (field, values, wanted) in [("accepts", &accepts, true), ("rejects", &rejects, false)] {
            for (j, value) in values.iter().enumerate() {
                let holds = rules::claim_holds(conn, schema, claim, &check(value))
                    .await
                    .map_err(|e| ScenarioError::sql("evaluate a claimed check", e))?;
                if holds != wanted {
                    return Err(ScenarioError::Manifest(subject.invalid(
                        &format!("constraints[{i}].{field}[{j}]"),
                        format!(
                            "`{}` {} the claimed expression `{}`",
                            expected_literal(expected, field, j),
                            if wanted {
                                "does not satisfy"
                            } else {
                                "satisfies"
                            },
                            claim.expression.as_deref().unwrap_or_default()
                        ),
                    )));
                }
            }
        }
        schema.claims[i].accepts = accepts;
        schema.claims[i].rejects = rejects;
    }
    Ok(())
}

fn expected_literal(expected: &ExpectedConstraint, field: &str, j: usize) -> String {
    let list = if field == "accepts" {
        &expected.accepts
    } else {
        &expected.rejects
    };
    list.get(j).cloned().unwrap_or_default()
}
