//! Main queries derived from the catalog — each indexed foreign key's lookup (the children
//! of one parent), each unique key's lookup (but the primary key's), and the delete of a
//! root row with its cascades — for the tables the dataset generates (not reference data
//! the migrations wrote, whose few values a planner rightly reads in full), in the `public`
//! schema (plans name indexes without their schema).

use std::collections::BTreeSet;

use crate::backend::names::quote_ident;
use crate::schema::catalog::{Catalog, ConstraintType, FkAction, Index, Table};
use crate::subject::manifest::Query;

use super::{MainQueries, Origin};

/// At most this many queries are derived (the first ones in catalog order), so that a
/// schema of hundreds of tables still measures in minutes.
pub const MAX_DERIVED: usize = 100;

/// Queries derived from `catalog`, leaving out tables in `reference_data`.
pub fn derive(catalog: &Catalog, reference_data: &BTreeSet<String>) -> MainQueries {
    let mut queries = Vec::new();
    let tables: Vec<&Table> = catalog
        .tables
        .iter()
        .filter(|t| t.schema == "public" && t.partition_of.is_none())
        .filter(|t| !reference_data.contains(&t.qualified_name()))
        .collect();
    for table in &tables {
        queries.extend(root_delete(catalog, table, reference_data));
    }
    for table in &tables {
        queries.extend(foreign_key_lookups(table, reference_data));
    }
    for table in &tables {
        queries.extend(unique_lookups(table));
    }
    let left_out = queries.len().saturating_sub(MAX_DERIVED);
    queries.truncate(MAX_DERIVED);
    MainQueries {
        queries,
        origin: Origin::Catalog,
        left_out,
        ..MainQueries::default()
    }
}

pub(super) fn relation(table: &Table) -> String {
    format!(
        "{}.{}",
        quote_ident(&table.schema),
        quote_ident(&table.name)
    )
}

/// `SELECT * FROM t WHERE a = $1 AND b = $2`, its parameters drawn from one row (the last
/// by the key: with skewed generated data, the parent with the fewest children).
fn lookup(name: String, table: &Table, columns: &[String], index: &Index) -> Query {
    let quoted: Vec<String> = columns.iter().map(|c| quote_ident(c)).collect();
    let conditions: Vec<String> = quoted
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ${}", i + 1))
        .collect();
    let not_null: Vec<String> = quoted.iter().map(|c| format!("{c} IS NOT NULL")).collect();
    let order: Vec<String> = quoted.iter().map(|c| format!("{c} DESC")).collect();
    let params = quoted
        .iter()
        .map(|c| {
            format!(
                "SELECT {c} FROM {} WHERE {} ORDER BY {} LIMIT 1",
                relation(table),
                not_null.join(" AND "),
                order.join(", ")
            )
        })
        .collect();
    Query {
        name,
        sql: format!(
            "SELECT * FROM {} WHERE {}",
            relation(table),
            conditions.join(" AND ")
        ),
        params,
        // bare, as plans name indexes (derived only for tables on the search path)
        expect_index: Some(index.name.clone()),
    }
}

/// An index whose leading keys are exactly `columns` (in any order), preferring the
/// shortest; partial and expression indexes do not count.
fn leading_index<'a>(table: &'a Table, columns: &[String]) -> Option<&'a Index> {
    table
        .indexes
        .iter()
        .filter(|i| i.valid && i.predicate.is_none() && i.keys.len() >= columns.len())
        .filter(|i| {
            let lead: BTreeSet<&str> = i.keys[..columns.len()]
                .iter()
                .map(|k| k.trim_matches('"'))
                .collect();
            lead == columns.iter().map(String::as_str).collect()
        })
        .min_by_key(|i| i.keys.len())
}

/// `table`'s lookup by `columns`, where an index leads with them.
fn indexed_lookup(table: &Table, columns: &[String]) -> Option<Query> {
    let index = leading_index(table, columns)?;
    Some(lookup(
        format!("{} by {}", table.name, columns.join(", ")),
        table,
        columns,
        index,
    ))
}

fn foreign_key_lookups(table: &Table, reference_data: &BTreeSet<String>) -> Vec<Query> {
    table
        .constraints_of(ConstraintType::ForeignKey)
        .filter(|c| {
            c.foreign
                .as_ref()
                .is_some_and(|f| !reference_data.contains(&f.target))
        })
        .filter_map(|c| indexed_lookup(table, &c.columns))
        .collect()
}

/// Lookups by each unique key but the primary key (a lookup by its own key index tells
/// nothing: the key is the index).
fn unique_lookups(table: &Table) -> Vec<Query> {
    table
        .constraints_of(ConstraintType::Unique)
        .filter_map(|c| indexed_lookup(table, &c.columns))
        .collect()
}

/// The delete of one row of a table with no parent that other tables reference with
/// ON DELETE CASCADE: what deleting an account costs, cascades included. Only where the
/// delete can succeed on generated data: every reference into the tables it cascades to is
/// itself CASCADE, SET NULL or SET DEFAULT (a NO ACTION or RESTRICT one would refuse it).
fn root_delete(
    catalog: &Catalog,
    table: &Table,
    reference_data: &BTreeSet<String>,
) -> Option<Query> {
    let name = table.qualified_name();
    let has_parent = table
        .constraints_of(ConstraintType::ForeignKey)
        .filter_map(|c| c.foreign.as_ref())
        .any(|f| f.target != name && !reference_data.contains(&f.target));
    if has_parent {
        return None;
    }
    let mut closure = vec![name.clone()];
    let mut at = 0;
    while at < closure.len() {
        let target = closure[at].clone();
        at += 1;
        for child in &catalog.tables {
            for foreign in child
                .constraints_of(ConstraintType::ForeignKey)
                .filter_map(|c| c.foreign.as_ref())
                .filter(|f| f.target == target)
            {
                match foreign.on_delete {
                    FkAction::Cascade => {
                        let child_name = child.qualified_name();
                        if !closure.contains(&child_name) {
                            closure.push(child_name);
                        }
                    }
                    FkAction::SetNull | FkAction::SetDefault => {}
                    FkAction::NoAction | FkAction::Restrict => return None,
                }
            }
        }
    }
    if closure.len() < 2 {
        return None; // nothing cascades: a plain key lookup covers it
    }
    let key = table.primary_key()?.to_vec();
    let index = leading_index(table, &key)?;
    let mut query = lookup(format!("delete a {} row", table.name), table, &key, index);
    query.sql = query.sql.replacen("SELECT * FROM", "DELETE FROM", 1);
    Some(query)
}
