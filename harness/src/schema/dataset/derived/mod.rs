//! Data generated from the catalog, for tables nobody wrote a generator for: each table
//! becomes one `INSERT … SELECT … FROM generate_series` whose every column is valid for
//! it — its type and modifier, its own checks and domain (values the server accepted),
//! enums, distinct values where a unique key needs them, and existing parent keys, picked
//! with a skew so that some parents have many children, where a foreign key points.
//! Identity, generated, defaulted and trigger-filled columns are left to the server; rows
//! that would break a check over several columns are filtered out rather than inserted.

mod distinct;
mod order;
mod triggers;
mod values;

use std::collections::{BTreeMap, BTreeSet};

use sqlx::PgConnection;

use crate::backend::names::{quote_ident, quote_literal};
use crate::schema::catalog::{Catalog, Column, ConstraintType, Table};
use crate::schema::rowgen::{fit, SqlType, Value};

use distinct::{distinct_keys, Distinct, Pick};
use triggers::trigger_filled;

pub use order::{load_order, Listed, Ordered};

/// Children per parent row when the manifest does not say (`per_user` doubles at each
/// level of foreign keys below a root table, up to [`MAX_PER_USER`]).
pub const FAN_OUT: f64 = 2.0;
/// The most rows per user a table gets by default.
pub const MAX_PER_USER: f64 = 32.0;

/// One table's generated rows, ready to run at any scale.
#[derive(Debug, Clone)]
pub struct DerivedTable {
    /// `schema.name`.
    pub table: String,
    pub per_user: f64,
    columns: Vec<(String, String)>,
    parents: Vec<String>,
    /// Conditions on the row number and the parents' keys.
    limits: Vec<String>,
    /// Conditions on the generated row (the checks it must pass).
    filters: Vec<String>,
}

impl DerivedTable {
    /// Rows asked for at `users` users (filters may leave fewer).
    pub fn rows(&self, users: u64) -> u64 {
        (users as f64 * self.per_user).ceil().max(1.0) as u64
    }

    /// The statement that generates the table's rows for `users` users with `seed`.
    pub fn insert_sql(&self, users: u64, seed: u64) -> String {
        let target = self
            .table
            .split_once('.')
            .map(|(s, n)| format!("{}.{}", quote_ident(s), quote_ident(n)))
            .unwrap_or_else(|| quote_ident(&self.table));
        let series = format!("generate_series(1::int8, {}) AS g", self.rows(users));
        if self.columns.is_empty() {
            // nothing but defaults: a row of no columns takes every default
            return format!("INSERT INTO {target} SELECT FROM {series} ON CONFLICT DO NOTHING");
        }
        let names: Vec<&str> = self.columns.iter().map(|(c, _)| c.as_str()).collect();
        let select: Vec<String> = self
            .columns
            .iter()
            .map(|(c, e)| format!("{e} AS {c}"))
            .collect();
        let mut from = vec![series];
        from.extend(self.parents.iter().cloned());
        let limits = where_clause(&self.limits);
        let filters = where_clause(&self.filters);
        format!(
            "INSERT INTO {target} ({names}) SELECT {names} FROM (SELECT {} FROM {}{limits}) AS r{filters} ON CONFLICT DO NOTHING",
            select.join(", "),
            from.join(", "),
            names = names.join(", "),
        )
        .replace(":seed", &seed.to_string())
    }
}

fn where_clause(conditions: &[String]) -> String {
    if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    }
}

/// The tables that already hold rows after the migrations (reference data they wrote),
/// by `schema.name`.
pub async fn tables_with_rows(
    conn: &mut PgConnection,
    catalog: &Catalog,
) -> Result<BTreeSet<String>, sqlx::Error> {
    let mut found = BTreeSet::new();
    for table in &catalog.tables {
        let sql = format!(
            "SELECT EXISTS (SELECT 1 FROM {}.{})",
            quote_ident(&table.schema),
            quote_ident(&table.name)
        );
        if sqlx::query_scalar::<_, bool>(&sql)
            .fetch_one(&mut *conn)
            .await?
        {
            found.insert(table.qualified_name());
        }
    }
    Ok(found)
}

/// Why a table gets no generated rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftEmpty {
    pub table: String,
    pub why: String,
}

/// Plans `ordered` tables (in load order, each with its rows per user and the tables that
/// hold rows before it): the tables that can be generated, and those that cannot, each
/// with the column and reason.
pub async fn plan(
    conn: &mut PgConnection,
    catalog: &Catalog,
    ordered: &[Ordered],
    seed: u64,
) -> Result<(Vec<DerivedTable>, Vec<LeftEmpty>), sqlx::Error> {
    let mut planned = Vec::new();
    let mut left_empty = Vec::new();
    for (position, entry) in ordered.iter().enumerate() {
        let Some(table) = catalog.table(&entry.table) else {
            continue;
        };
        let valid = fit::valid_values(conn, catalog, table, seed).await?;
        let by_trigger = trigger_filled(conn, table).await?;
        match derive(catalog, table, entry, position, &valid, &by_trigger) {
            Ok(derived) => planned.push(derived),
            Err(why) => left_empty.push(LeftEmpty {
                table: entry.table.clone(),
                why,
            }),
        }
    }
    Ok((planned, left_empty))
}

/// A salt for the hash of one column of one table, so that columns vary independently.
fn salt(table: usize, column: usize) -> String {
    format!(":seed::int8 * 4096 + {}", (table * 64 + column) % 4096)
}

/// A uniform number in [0, 1) from the row number and a salt.
fn uniform(salt: &str) -> String {
    format!("((hashint8extended(g, {salt}) & 4294967295)::float8 / 4294967296.0)")
}

/// A spread, non-negative row-dependent number (about two years of seconds).
fn spread(salt: &str) -> String {
    format!("(hashint8extended(g, {salt}) & 67108863)")
}

fn derive(
    catalog: &Catalog,
    table: &Table,
    entry: &Ordered,
    position: usize,
    valid: &BTreeMap<String, Vec<Value>>,
    by_trigger: &BTreeSet<String>,
) -> Result<DerivedTable, String> {
    let mut derived = DerivedTable {
        table: entry.table.clone(),
        per_user: entry.per_user,
        columns: Vec::new(),
        parents: Vec::new(),
        limits: Vec::new(),
        filters: Vec::new(),
    };
    let foreign_keys: Vec<_> = table
        .constraints_of(ConstraintType::ForeignKey)
        .filter_map(|c| c.foreign.as_ref().map(|f| (c, f)))
        .collect();
    let mut filled: BTreeMap<&str, String> = BTreeMap::new();
    let Distinct {
        mut picks,
        digits,
        limits,
    } = distinct_keys(table, &foreign_keys, valid);
    for (k, (constraint, foreign)) in foreign_keys.iter().enumerate() {
        let nullable = constraint
            .columns
            .iter()
            .all(|c| table.column(c).is_some_and(|c| !c.not_null));
        let usable = entry.parents_with_rows.contains(&foreign.target)
            && !entry.broken.contains(&constraint.name);
        if !usable {
            if nullable {
                continue; // left NULL
            }
            return Err(format!(
                "foreign key {} needs rows in {}, which has none to point to{}",
                constraint.name,
                foreign.target,
                if entry.broken.contains(&constraint.name) {
                    " before this table (a cycle of NOT NULL foreign keys)"
                } else {
                    ""
                }
            ));
        }
        if constraint
            .columns
            .iter()
            .any(|c| filled.contains_key(c.as_str()))
        {
            continue; // a column two keys share takes the first key's parent
        }
        let alias = format!("p{k}");
        let keys: Vec<String> = foreign
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                format!(
                    "array_agg({} ORDER BY {}) AS k{i}",
                    quote_ident(c),
                    order_by(foreign)
                )
            })
            .collect();
        let not_null = foreign
            .columns
            .iter()
            .map(|c| format!("{} IS NOT NULL", quote_ident(c)))
            .collect::<Vec<_>>()
            .join(" AND ");
        derived.parents.push(format!(
            "(SELECT {}, count(*)::int8 AS n FROM {} WHERE {not_null}) AS {alias}",
            keys.join(", "),
            foreign.table
        ));
        let pick = match picks.remove(&constraint.name) {
            // one child per parent (a one-to-one key), or every combination once (a key
            // made of references only): distinct by construction
            Some(Pick::Sequential) => {
                derived.limits.push(format!("g <= {alias}.n"));
                "g".to_owned()
            }
            Some(Pick::Digit(digit)) => format!("(1 + {digit})"),
            None => format!(
                "(1 + floor({alias}.n * power({}, 2)))::int8",
                uniform(&salt(position, 63 - k))
            ),
        };
        if !nullable {
            derived.limits.push(format!("{alias}.n > 0"));
        }
        for (i, column) in constraint.columns.iter().enumerate() {
            filled.insert(column, format!("{alias}.k{i}[{pick}]"));
        }
    }
    derived.limits.extend(limits);
    for (i, column) in table.columns.iter().enumerate() {
        let quoted = quote_ident(&column.name);
        if let Some(expression) = filled.remove(column.name.as_str()) {
            derived
                .columns
                .push((quoted, format!("({expression})::{}", column.data_type)));
            continue;
        }
        if leaves_to_server(column, table) || by_trigger.contains(&column.name) {
            continue;
        }
        let is_foreign = foreign_keys
            .iter()
            .any(|(c, _)| c.columns.contains(&column.name));
        if is_foreign {
            continue; // a nullable reference whose parent has no rows: NULL
        }
        let sql_type = SqlType::resolve(&column.data_type, &catalog.type_info);
        let unique = table.is_in_unique_key(&column.name);
        let expression = match (valid.get(&column.name), sql_type) {
            (Some(accepted), _) if digits.contains_key(&column.name) => {
                pick_accepted(accepted, &digits[&column.name])
            }
            (Some(accepted), _) if !accepted.is_empty() && !unique => {
                pick_accepted(accepted, &spread(&salt(position, i)))
            }
            (Some(_), _) if !column.not_null && !unique => continue,
            (Some(_), _) if !unique => {
                return Err(format!(
                    "column {} ({}): no value its checks accept was found",
                    column.name, column.data_type
                ))
            }
            (_, Some(sql_type)) => {
                let n = if unique {
                    format!("g + {}", offset(&sql_type, &column.name, &derived.table))
                } else {
                    spread(&salt(position, i))
                };
                values::expression(&sql_type, &n, &column.name)
            }
            (_, None) if !column.not_null => continue,
            (_, None) => {
                return Err(format!(
                    "column {} has type {}, which readiness cannot generate values of (give the table a `generate` in [scale])",
                    column.name, column.data_type
                ))
            }
        };
        derived
            .columns
            .push((quoted, format!("({expression})::{}", column.data_type)));
    }
    let present: Vec<&str> = derived.columns.iter().map(|(c, _)| c.as_str()).collect();
    for check in table.constraints_of(ConstraintType::Check) {
        let Some(expression) = &check.expression else {
            continue;
        };
        // a check is evaluated on the generated row only when every column it reads is
        // one the generator writes; otherwise the server's own check decides
        if check
            .columns
            .iter()
            .all(|c| present.contains(&quote_ident(c).as_str()))
        {
            derived.filters.push(format!("({expression}) IS NOT FALSE"));
        }
    }
    Ok(derived)
}

/// The parent's key order, so that the arrays of a composite key line up.
fn order_by(foreign: &crate::schema::catalog::ForeignKey) -> String {
    foreign
        .columns
        .iter()
        .map(|c| quote_ident(c))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Identity and generated columns, and defaulted columns outside unique keys (a sequence,
/// `now()`, a status's default), are the server's to fill.
fn leaves_to_server(column: &Column, table: &Table) -> bool {
    if column.identity.is_some() || column.generated.is_some() {
        return true;
    }
    match &column.default {
        Some(default) => {
            let volatile = ["nextval(", "gen_random_uuid", "uuid_generate", "random()"]
                .iter()
                .any(|f| default.contains(f));
            volatile || !table.is_in_unique_key(&column.name)
        }
        None => false,
    }
}

/// Distinct integers start past the largest value already in the table; other types'
/// generated values do not look like anything an application writes.
fn offset(sql_type: &SqlType, column: &str, table: &str) -> String {
    match sql_type {
        SqlType::SmallInt | SqlType::Integer | SqlType::BigInt | SqlType::Numeric { .. } => {
            let (schema, name) = table.split_once('.').unwrap_or(("public", table));
            format!(
                "(SELECT coalesce(max({})::int8, 0) FROM {}.{})",
                quote_ident(column),
                quote_ident(schema),
                quote_ident(name)
            )
        }
        _ => "0".into(),
    }
}

/// One of the values the server accepted, chosen by `n`.
fn pick_accepted(accepted: &[Value], n: &str) -> String {
    let literals: Vec<String> = accepted
        .iter()
        .map(|v| match v.as_param() {
            Some(text) => quote_literal(&text),
            None => "NULL".into(),
        })
        .collect();
    format!(
        "(ARRAY[{}]::text[])[1 + ({n}) % {}]",
        literals.join(", "),
        literals.len()
    )
}
