//! Distinct rows for unique keys made of references: a one-to-one reference takes each
//! parent once; a key of several references (a join table), or of references and columns
//! with a short list of accepted values, enumerates their combinations once each.

use std::collections::BTreeMap;

use crate::schema::catalog::{ConstraintType, Table};
use crate::schema::rowgen::Value;

/// How a reference that is part of a unique key picks its parent.
pub(super) enum Pick {
    /// Parent `g`: one child per parent.
    Sequential,
    /// Parent `1 +` this 0-based digit of `g` (see [`distinct_keys`]).
    Digit(String),
}

/// How the unique keys made of references (and of columns with few accepted values) get
/// distinct rows, and the columns' digits.
#[derive(Default)]
pub(super) struct Distinct {
    pub picks: BTreeMap<String, Pick>,
    /// Column → its 0-based digit, an index into its accepted values.
    pub digits: BTreeMap<String, String>,
    pub limits: Vec<String>,
}

pub(super) type ForeignKeys<'a> = [(
    &'a crate::schema::catalog::Constraint,
    &'a crate::schema::catalog::ForeignKey,
)];

/// A key of exactly one reference is one-to-one: parent `g`. A key made of references
/// and of columns with a short list of accepted values enumerates their combinations: `g`
/// is read as a number in a mixed radix (one digit per part: its parents' count, or its
/// number of values), and each digit is then sheared by the one before it
/// (`b₁ = a₁`, `bⱼ = (aⱼ + bⱼ₋₁) mod nⱼ`). The shear is a bijection, so every combination
/// still comes once, but every part now cycles with `g`: a join table's rows spread over
/// all its parents on both sides instead of piling onto the first few of the slower one.
/// A unique key with any other column gets its distinct values there instead.
pub(super) fn distinct_keys(
    table: &Table,
    foreign_keys: &ForeignKeys<'_>,
    valid: &BTreeMap<String, Vec<Value>>,
) -> Distinct {
    let mut distinct = Distinct::default();
    for key in unique_keys(table) {
        let covering: Vec<usize> = foreign_keys
            .iter()
            .enumerate()
            .filter(|(_, (c, _))| c.columns.iter().all(|col| key.contains(col)))
            .map(|(k, _)| k)
            .collect();
        let referencing = |col: &String| {
            covering
                .iter()
                .any(|&k| foreign_keys[k].0.columns.contains(col))
        };
        let others: Vec<&String> = key.iter().filter(|c| !referencing(c)).collect();
        let listed = others
            .iter()
            .all(|c| valid.get(c.as_str()).is_some_and(|v| !v.is_empty()));
        if covering.is_empty() || !listed {
            continue;
        }
        if covering.len() == 1 && others.is_empty() {
            distinct
                .picks
                .insert(foreign_keys[covering[0]].0.name.clone(), Pick::Sequential);
            continue;
        }
        let mut parts: Vec<(Option<usize>, Option<&String>, String)> = others
            .iter()
            .map(|c| (None, Some(*c), valid[c.as_str()].len().to_string()))
            .collect();
        parts.extend(
            covering
                .iter()
                .map(|&k| (Some(k), None, format!("greatest(p{k}.n, 1)"))),
        );
        let mut stride = "1".to_owned();
        let mut previous: Option<String> = None;
        for (reference, column, radix) in parts {
            let digit = format!("(((g - 1) / ({stride})) % {radix})");
            let sheared = match &previous {
                Some(before) => format!("(({digit} + {before}) % {radix})"),
                None => digit,
            };
            match (reference, column) {
                (Some(k), _) => {
                    distinct
                        .picks
                        .entry(foreign_keys[k].0.name.clone())
                        .or_insert(Pick::Digit(sheared.clone()));
                }
                (None, Some(column)) => {
                    distinct
                        .digits
                        .entry(column.clone())
                        .or_insert_with(|| sheared.clone());
                }
                (None, None) => {}
            }
            stride = format!("{stride} * {radix}");
            previous = Some(sheared);
        }
        distinct.limits.push(format!("g <= {stride}"));
    }
    distinct
}

/// The column lists of the primary key, unique constraints and unique indexes.
fn unique_keys(table: &Table) -> Vec<Vec<String>> {
    let mut keys: Vec<Vec<String>> = table
        .constraints
        .iter()
        .filter(|c| matches!(c.kind, ConstraintType::PrimaryKey | ConstraintType::Unique))
        .map(|c| c.columns.clone())
        .collect();
    keys.extend(
        table
            .indexes
            .iter()
            .filter(|i| i.unique && i.constraint.is_none())
            .map(|i| {
                i.keys
                    .iter()
                    .map(|k| k.trim_matches('"').to_owned())
                    .collect()
            }),
    );
    keys
}
