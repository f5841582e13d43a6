//! Values a column's own rules accept, found by asking the server: a column with CHECK
//! constraints on it alone (`status IN ('a', 'b')`, `year BETWEEN 1901 AND 2155`) or a
//! domain type with checks gets candidates — the literals its rules mention and their
//! neighbours, plain values of its type, common shapes such as e-mail addresses, and
//! seeded samples — and keeps those the server casts to its type and its checks accept.
//! Rows built from them keep the rules nobody claimed, so that generated rows say
//! something about the rules that are claimed.

use std::collections::BTreeMap;

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use sqlx::{Executor, PgConnection};

use super::{SqlType, Value};
use crate::schema::catalog::{Catalog, ConstraintType, Table, TypeKind};

/// At most this many accepted values are kept per column.
const KEEP: usize = 16;
/// Samples of the column's type added to the candidates.
const SAMPLES: usize = 24;

/// Evaluates one candidate: cast to the column's type (a domain's checks run there: the
/// cast is selected on its own, since a subquery column nothing reads is never computed)
/// and the column's own checks, NULL passing as in a CHECK; any error is a refusal.
const ACCEPTS_FUNCTION: &str = "CREATE OR REPLACE FUNCTION pg_temp.readiness_accepts(\
         value text, type_name text, column_name text, predicate text) RETURNS boolean \
     LANGUAGE plpgsql AS $f$ \
     DECLARE ok boolean; cast_text text; \
     BEGIN \
       EXECUTE format('SELECT ($1::%s)::text', type_name) INTO cast_text USING value; \
       EXECUTE format('SELECT (%s) IS NOT FALSE FROM (SELECT $1::%s AS %I) AS t', \
                      predicate, type_name, column_name) INTO ok USING value; \
       RETURN coalesce(ok, false); \
     EXCEPTION WHEN others THEN RETURN false; \
     END $f$";

/// For each column of `table` whose own checks or domain limit its values, the values
/// (of those tried) that the server accepts, in order of preference. `seed` makes the
/// sampled candidates repeatable.
pub async fn valid_values(
    conn: &mut PgConnection,
    catalog: &Catalog,
    table: &Table,
    seed: u64,
) -> Result<BTreeMap<String, Vec<Value>>, sqlx::Error> {
    let mut found = BTreeMap::new();
    let mut ready = false;
    for column in &table.columns {
        if column.generated.is_some() || column.identity.is_some() {
            continue;
        }
        let checks: Vec<&str> = table
            .constraints_of(ConstraintType::Check)
            .filter(|c| c.columns.len() == 1 && c.columns[0] == column.name)
            .filter_map(|c| c.expression.as_deref())
            .collect();
        let domain = catalog
            .type_info
            .get(&column.data_type)
            .is_some_and(|t| matches!(t.kind, TypeKind::Domain { .. }));
        if checks.is_empty() && !domain {
            continue;
        }
        let Some(sql_type) = SqlType::resolve(&column.data_type, &catalog.type_info) else {
            continue;
        };
        let mut rules: Vec<&str> = checks.clone();
        rules.extend(domain_checks(catalog, &column.data_type));
        let candidates = candidates(&rules, &sql_type, seed);
        if !ready {
            conn.execute(ACCEPTS_FUNCTION).await?;
            ready = true;
        }
        let predicate = if checks.is_empty() {
            "true".to_owned()
        } else {
            checks
                .iter()
                .map(|c| format!("({c})"))
                .collect::<Vec<_>>()
                .join(" AND ")
        };
        let accepted: Vec<String> = sqlx::query_scalar(
            "SELECT c.v FROM unnest($1::text[]) WITH ORDINALITY AS c(v, i) \
             WHERE pg_temp.readiness_accepts(c.v, $2, $3, $4) ORDER BY c.i LIMIT $5",
        )
        .bind(&candidates)
        .bind(&column.data_type)
        .bind(&column.name)
        .bind(&predicate)
        .bind(KEEP as i64)
        .fetch_all(&mut *conn)
        .await?;
        found.insert(
            column.name.clone(),
            accepted.into_iter().map(Value::Text).collect(),
        );
    }
    Ok(found)
}

/// For each single-column CHECK of `catalog` (by constraint name): the values around its
/// literals (each literal and, for numbers, its neighbours; the empty string for text), then
/// plain values and samples of the column's type, that
/// the server's evaluation of the rule accepts and rejects, as SQL literals, at most three
/// of each: examples a claim can be checked against.
pub async fn check_examples(
    conn: &mut PgConnection,
    catalog: &Catalog,
) -> Result<BTreeMap<String, (Vec<String>, Vec<String>)>, sqlx::Error> {
    let mut examples = BTreeMap::new();
    for table in &catalog.tables {
        for check in table.constraints_of(ConstraintType::Check) {
            let (Some(expression), [column]) = (&check.expression, check.columns.as_slice()) else {
                continue;
            };
            let Some(data_type) = table.column(column).map(|c| c.data_type.clone()) else {
                continue;
            };
            let mut candidates: Vec<String> = numeric_edges(expression);
            for text in string_literals(expression) {
                candidates.push(crate::backend::names::quote_literal(&text));
            }
            let sql_type = SqlType::resolve(&data_type, &catalog.type_info);
            if sql_type.as_ref().is_some_and(|t| t.is_text()) {
                candidates.push("''".into());
            }
            // then plain values and samples of the type: a rule with no literal to start
            // from (`month = date_trunc('month', month)::date`) still gets both kinds
            if let Some(sql_type) = &sql_type {
                candidates.extend(
                    self::candidates(&[expression], sql_type, 0)
                        .iter()
                        .map(|v| crate::backend::names::quote_literal(v)),
                );
            }
            candidates.dedup();
            let (mut accepts, mut rejects) = (Vec::new(), Vec::new());
            for literal in candidates {
                if accepts.len() == 3 && rejects.len() == 3 {
                    break;
                }
                let sql = format!(
                    "SELECT ({expression}) FROM (SELECT ({literal})::{data_type} AS {}) AS t",
                    crate::backend::names::quote_ident(column)
                );
                // a value the type refuses is no example of the rule's
                let verdict: Result<Option<bool>, _> = sqlx::query_scalar(&sql)
                    .persistent(false)
                    .fetch_one(&mut *conn)
                    .await;
                match verdict {
                    Ok(Some(true)) if accepts.len() < 3 && !accepts.contains(&literal) => {
                        accepts.push(literal)
                    }
                    Ok(Some(false)) if rejects.len() < 3 && !rejects.contains(&literal) => {
                        rejects.push(literal)
                    }
                    _ => {}
                }
            }
            if !rejects.is_empty() {
                examples.insert(check.name.clone(), (accepts, rejects));
            }
        }
    }
    Ok(examples)
}

/// [`check_examples`] on a connection of its own to `db`.
pub async fn check_examples_in(
    db: &crate::schema::template::Database,
    catalog: &Catalog,
) -> Result<BTreeMap<String, (Vec<String>, Vec<String>)>, sqlx::Error> {
    let mut conn = db.connect_admin().await?;
    let examples = check_examples(&mut conn, catalog).await;
    let _ = sqlx::Connection::close(conn).await;
    examples
}

/// The domain checks' expressions of `data_type` (and of the domains under it), as the
/// catalog printed them; they only add literals to try, the cast enforces them.
fn domain_checks<'a>(catalog: &'a Catalog, data_type: &str) -> Vec<&'a str> {
    let Some(info) = catalog.type_info.get(data_type) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    if let TypeKind::Domain { base, .. } = &info.kind {
        let named = catalog
            .types
            .iter()
            .find(|t| t.name.rsplit('.').next() == Some(info.name.as_str()));
        if let Some(t) = named {
            found.push(t.definition.as_str());
        }
        found.extend(domain_checks(catalog, base));
    }
    found
}

/// What to try, most likely first: the rules' literals and their neighbours, shapes that
/// text rules often ask for, plain values, then seeded samples of the type.
fn candidates(rules: &[&str], sql_type: &SqlType, seed: u64) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |v: String| {
        if !out.contains(&v) {
            out.push(v);
        }
    };
    for rule in rules {
        for literal in string_literals(rule) {
            push(literal);
        }
        let numbers = numeric_literals(rule);
        for n in &numbers {
            push(format!("{n}"));
            push(format!("{}", n + 1.0));
            push(format!("{}", n - 1.0));
        }
        for pair in numbers.windows(2) {
            push(format!("{}", ((pair[0] + pair[1]) / 2.0).round()));
        }
    }
    if sql_type.is_text() {
        for n in 0..3 {
            push(format!("r{n}@example.com"));
            push(format!("https://example.com/r{n}"));
            push(format!("R{n}"));
            push(format!("+1555000{n:04}"));
        }
    }
    for n in 0..6 {
        push(sql_type.canonical(n));
    }
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes(seed)),
    );
    let strategy = sql_type.strategy();
    for _ in 0..SAMPLES {
        if let Ok(tree) = strategy.new_tree(&mut runner) {
            push(tree.current());
        }
    }
    out
}

fn seed_bytes(seed: u64) -> [u8; 32] {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    bytes
}

/// The values at a rule's edges, as text for its column: each quoted literal, and each
/// number with its neighbours. A rule that was widened or moved (`IN` gained a value, a
/// bound moved by one) differs from the claimed one at these.
pub fn boundary_values(expression: &str) -> Vec<String> {
    let mut values: Vec<String> = string_literals(expression);
    values.extend(numeric_edges(expression));
    values.dedup();
    values
}

/// Each number written in `expression`, with its neighbours below and above.
fn numeric_edges(expression: &str) -> Vec<String> {
    numeric_literals(expression)
        .into_iter()
        .flat_map(|n| [n - 1.0, n, n + 1.0])
        .map(|v| format!("{v}"))
        .collect()
}

/// The contents of every `'…'` literal in `sql` (doubled quotes undone).
fn string_literals(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\'' {
            continue;
        }
        let mut literal = String::new();
        loop {
            match chars.next() {
                Some('\'') if chars.peek() == Some(&'\'') => {
                    chars.next();
                    literal.push('\'');
                }
                Some('\'') | None => break,
                Some(other) => literal.push(other),
            }
        }
        out.push(literal);
    }
    out
}

/// Every number written in `sql` outside quotes and identifiers, with its sign.
fn numeric_literals(sql: &str) -> Vec<f64> {
    let mut out = Vec::new();
    let mut quoted = false;
    let mut previous = ' ';
    let mut current = String::new();
    let flush = |current: &mut String, out: &mut Vec<f64>| {
        if let Ok(n) = current.parse::<f64>() {
            out.push(n);
        }
        current.clear();
    };
    for c in sql.chars() {
        if c == '\'' || c == '"' {
            quoted = !quoted;
        }
        let starts = current.is_empty()
            && (c.is_ascii_digit() || (c == '-' && !previous.is_alphanumeric()))
            && !previous.is_alphanumeric()
            && previous != '_';
        if !quoted && (starts || (!current.is_empty() && (c.is_ascii_digit() || c == '.'))) {
            current.push(c);
        } else {
            flush(&mut current, &mut out);
        }
        previous = c;
    }
    flush(&mut current, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_come_out_of_printed_checks() {
        let rule = "(status)::text = ANY ((ARRAY['none'::character varying, 'it''s'::character varying])::text[])";
        assert_eq!(string_literals(rule), vec!["none", "it's"]);
        assert_eq!(
            numeric_literals("VALUE >= 1901 AND VALUE <= 2155"),
            vec![1901.0, 2155.0]
        );
        assert_eq!(
            numeric_literals("amount > -5.5 AND col_2 < 3"),
            vec![-5.5, 3.0]
        );
    }

    #[test]
    fn candidates_start_with_the_rules_own_values() {
        let found = candidates(&["year >= 1901 AND year <= 2155"], &SqlType::Integer, 7);
        assert_eq!(&found[..3], &["1901", "1902", "1900"]);
        assert!(found.contains(&"2028".to_owned()), "{found:?}");
        assert_eq!(
            candidates(&["x > 0"], &SqlType::Integer, 7),
            candidates(&["x > 0"], &SqlType::Integer, 7)
        );
    }
}
