//! The claimed rules as a model of what the database must do with a row: which claims the
//! row breaks is decided from the claims themselves (the claimed expression, the rows
//! already there), never from the database's own constraints; then the database's answer
//! is judged against that.

use harness::backend::names::quote_ident;
use harness::checks::integrity::Rejection;
use harness::schema::catalog::Table;
use harness::schema::rowgen::{Row, Value};
use harness::subject::manifest::ConstraintKind;
use sqlx::PgConnection;

use super::schema::{Claimed, Schema};

/// Whether `row`, inserted now, keeps `claim`.
pub async fn claim_holds(
    conn: &mut PgConnection,
    schema: &Schema,
    claim: &Claimed,
    row: &Row,
) -> Result<bool, sqlx::Error> {
    let values: Vec<&Value> = claim
        .columns
        .iter()
        .map(|c| row.get(c).unwrap_or(&Value::Null))
        .collect();
    let table = schema.table(&claim.table);
    match claim.kind {
        ConstraintKind::NotNull => Ok(claim.columns.iter().zip(&values).all(|(c, v)| match v {
            Value::Text(_) => true,
            Value::Null => false,
            Value::Default => table.column(c).is_some_and(|c| c.has_default()),
        })),
        ConstraintKind::Check => {
            let expression = claim.expression.as_deref().unwrap_or("true");
            check_expression(conn, schema, &claim.table, expression, row).await
        }
        ConstraintKind::Unique | ConstraintKind::PrimaryKey => {
            // a key with a NULL in it (or a fresh default) collides with nothing
            let Some(key) = texts(&values) else {
                return Ok(true);
            };
            let types = column_types(schema, table, &claim.columns);
            let taken = key_exists(conn, table, &claim.columns, &types, &key).await?;
            Ok(!taken)
        }
        ConstraintKind::ForeignKey => {
            let Some(key) = texts(&values) else {
                return Ok(true);
            };
            let target = claim
                .references
                .as_ref()
                .expect("a foreign key has its target");
            let types = column_types(schema, table, &claim.columns);
            let parent = schema.table(&target.table);
            key_exists(conn, parent, &target.columns, &types, &key).await
        }
    }
}

/// The claims on the row's table that the row breaks.
pub async fn broken_claims<'a>(
    conn: &mut PgConnection,
    schema: &'a Schema,
    row: &Row,
) -> Result<Vec<&'a Claimed>, sqlx::Error> {
    let mut broken = Vec::new();
    for claim in schema.claims_on(&row.table) {
        if !claim_holds(conn, schema, claim, row).await? {
            broken.push(claim);
        }
    }
    Ok(broken)
}

/// What the database's answer means for the claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judgement {
    /// It did what the claims say.
    Agrees,
    /// It did otherwise: what was claimed, and what it did.
    Deviates { claimed: String, database: String },
    /// The answer says nothing about the claims (a rule nobody claimed refused the row).
    Inconclusive(String),
}

/// Judges the database's answer to inserting a row that breaks `broken` (and only those).
pub fn judge(
    schema: &Schema,
    table: &str,
    broken: &[&Claimed],
    answer: Option<&Rejection>,
) -> Judgement {
    let claims = schema.claims_on(table);
    let refusal_of = |claim: &Claimed| {
        let names = claim.expected_names();
        if names.is_empty() {
            format!("refused with {} ({})", claim.rule(), claim.label())
        } else {
            format!(
                "refused with {} by {} ({})",
                claim.rule(),
                names.join(" or "),
                claim.label()
            )
        }
    };
    let Some(rejection) = answer else {
        return match broken.first() {
            None => Judgement::Agrees,
            Some(_) => Judgement::Deviates {
                claimed: broken
                    .iter()
                    .map(|c| refusal_of(c))
                    .collect::<Vec<_>>()
                    .join("; "),
                database: "accepted".into(),
            },
        };
    };
    if !rejection.is_integrity() {
        return Judgement::Inconclusive(format!("refused with {}", rejection.code));
    }
    if broken.iter().any(|c| refusal_matches(c, rejection)) {
        return Judgement::Agrees;
    }
    match claims.iter().find(|c| refusal_matches(c, rejection)) {
        Some(kept) => Judgement::Deviates {
            claimed: if broken.is_empty() {
                format!(
                    "accepted: the row keeps every claimed rule, {} included",
                    kept.label()
                )
            } else {
                broken
                    .iter()
                    .map(|c| refusal_of(c))
                    .collect::<Vec<_>>()
                    .join("; ")
            },
            database: format!("refused with {rejection}"),
        },
        None => Judgement::Inconclusive(format!(
            "refused by {}, which no claim covers",
            rejection.culprit().unwrap_or(&rejection.code)
        )),
    }
}

/// Whether `rejection` is the refusal `claim` calls for: its SQLSTATE, and its constraint
/// (or, for NOT NULL, its column).
pub fn refusal_matches(claim: &Claimed, rejection: &Rejection) -> bool {
    if rejection.rule != Some(claim.rule()) {
        return false;
    }
    if claim.kind == ConstraintKind::NotNull {
        return rejection
            .column
            .as_ref()
            .is_none_or(|c| claim.columns.contains(c));
    }
    let names = claim.expected_names();
    names.is_empty()
        || rejection
            .constraint
            .as_ref()
            .is_some_and(|c| names.contains(c))
}

fn texts(values: &[&Value]) -> Option<Vec<String>> {
    values
        .iter()
        .map(|v| match v {
            Value::Text(t) => Some(t.clone()),
            Value::Null | Value::Default => None,
        })
        .collect()
}

/// The declared types of `columns` in `table`.
/// The columns' types as the model reads values: under their domains, whose own checks
/// are the database's business, not the claim's.
fn column_types(schema: &Schema, table: &Table, columns: &[String]) -> Vec<String> {
    columns
        .iter()
        .map(|c| {
            table
                .column(c)
                .map(|c| schema.catalog.base_type(&c.data_type).to_owned())
                .unwrap_or_else(|| "text".into())
        })
        .collect()
}

/// Whether `table` has a row whose `columns` equal `key` (cast to `types`).
async fn key_exists(
    conn: &mut PgConnection,
    table: &Table,
    columns: &[String],
    types: &[String],
    key: &[String],
) -> Result<bool, sqlx::Error> {
    let conditions: Vec<String> = columns
        .iter()
        .zip(types)
        .enumerate()
        .map(|(i, (c, t))| format!("{} = ${}::{t}", quote_ident(c), i + 1))
        .collect();
    let sql = format!(
        "SELECT EXISTS (SELECT 1 FROM {}.{} WHERE {})",
        quote_ident(&table.schema),
        quote_ident(&table.name),
        conditions.join(" AND ")
    );
    let mut query = sqlx::query_scalar::<_, bool>(&sql);
    for value in key {
        query = query.bind(value);
    }
    query.fetch_one(conn).await
}

/// Evaluates a claimed check expression on `row`, with CHECK's meaning: NULL passes.
async fn check_expression(
    conn: &mut PgConnection,
    schema: &Schema,
    table: &str,
    expression: &str,
    row: &Row,
) -> Result<bool, sqlx::Error> {
    let table = schema.table(table);
    let mut params = Vec::new();
    let columns: Vec<String> = table
        .columns
        .iter()
        .map(|column| {
            let value = row.get(&column.name).unwrap_or(&Value::Null);
            let data_type = schema.catalog.base_type(&column.data_type);
            let expression = match value {
                Value::Text(text) => {
                    params.push(text.clone());
                    format!("${}::{data_type}", params.len())
                }
                Value::Default => match column.default.as_deref() {
                    Some(default) if !default.contains("nextval(") => {
                        format!("({default})::{data_type}")
                    }
                    _ => format!("NULL::{data_type}"),
                },
                Value::Null => format!("NULL::{data_type}"),
            };
            format!("{expression} AS {}", quote_ident(&column.name))
        })
        .collect();
    let sql = format!(
        "SELECT ({expression}) IS NOT FALSE FROM (SELECT {}) AS {}",
        columns.join(", "),
        quote_ident(&table.name)
    );
    let mut query = sqlx::query_scalar::<_, bool>(&sql);
    for param in params {
        query = query.bind(param);
    }
    query.fetch_one(conn).await
}

#[cfg(test)]
mod tests {
    use harness::checks::integrity::IntegrityRule;

    use super::*;
    use crate::constraints::schema::tests::{catalog, claim};
    use crate::constraints::schema::Presence;

    fn schema() -> Schema {
        let mut usage = claim(ConstraintKind::Check, "users", &["usage_count"]);
        usage.presence = Presence::Found(vec!["users_usage_count_check".into()]);
        let mut customer = claim(ConstraintKind::Unique, "users", &["stripe_customer_id"]);
        customer.index = 1;
        customer.presence = Presence::Missing("none".into());
        let mut email = claim(ConstraintKind::NotNull, "users", &["stripe_customer_id"]);
        email.index = 2;
        Schema {
            catalog: catalog(),
            claims: vec![usage, customer, email],
            edges: Vec::new(),
            valid: Default::default(),
        }
    }

    fn refusal(rule: IntegrityRule, constraint: Option<&str>, column: Option<&str>) -> Rejection {
        Rejection {
            code: rule.sqlstate().into(),
            rule: Some(rule),
            constraint: constraint.map(str::to_owned),
            column: column.map(str::to_owned),
            message: String::new(),
        }
    }

    #[test]
    fn a_broken_claim_must_be_refused_by_its_rule_and_name() {
        let schema = schema();
        let usage = &schema.claims[0];
        assert!(matches!(
            judge(&schema, "public.users", &[usage], None),
            Judgement::Deviates { ref database, .. } if database == "accepted"
        ));
        let right = refusal(IntegrityRule::Check, Some("users_usage_count_check"), None);
        assert_eq!(
            judge(&schema, "public.users", &[usage], Some(&right)),
            Judgement::Agrees
        );
        let unclaimed = refusal(IntegrityRule::Check, Some("users_other_check"), None);
        assert!(matches!(
            judge(&schema, "public.users", &[usage], Some(&unclaimed)),
            Judgement::Inconclusive(_)
        ));
        let data = Rejection {
            code: "22003".into(),
            rule: None,
            constraint: None,
            column: None,
            message: "out of range".into(),
        };
        assert!(matches!(
            judge(&schema, "public.users", &[], Some(&data)),
            Judgement::Inconclusive(_)
        ));
    }

    #[test]
    fn a_row_keeping_every_claim_must_be_accepted() {
        let schema = schema();
        assert_eq!(judge(&schema, "public.users", &[], None), Judgement::Agrees);
        let stricter = refusal(IntegrityRule::Check, Some("users_usage_count_check"), None);
        assert!(matches!(
            judge(&schema, "public.users", &[], Some(&stricter)),
            Judgement::Deviates { ref claimed, .. } if claimed.starts_with("accepted")
        ));
    }

    #[test]
    fn unnamed_and_not_null_claims_match_by_rule_and_column() {
        let schema = schema();
        let (customer, not_null) = (&schema.claims[1], &schema.claims[2]);
        let any_unique = refusal(IntegrityRule::Unique, Some("whatever_key"), None);
        assert!(
            refusal_matches(customer, &any_unique),
            "nothing found: any name will do"
        );
        assert!(!refusal_matches(
            customer,
            &refusal(IntegrityRule::Check, None, None)
        ));
        let null = refusal(IntegrityRule::NotNull, None, Some("stripe_customer_id"));
        assert!(refusal_matches(not_null, &null));
        let other_column = refusal(IntegrityRule::NotNull, None, Some("email"));
        assert!(!refusal_matches(not_null, &other_column));
    }
}
