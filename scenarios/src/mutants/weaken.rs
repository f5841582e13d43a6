//! Weakened protections: each claimed CHECK with its bound moved by one or its list of
//! allowed values widened, each expected index rebuilt on a different leading column.

use harness::backend::names::quote_ident;
use harness::schema::catalog::{Catalog, Index, Table};
use harness::subject::manifest::ConstraintKind;
use regex::Regex;

use super::schema::{display, relation};
use super::{after_migrations, Mutant};
use crate::constraints::schema::{Claimed, Presence};

pub const WEAKEN_CHECK: &str = "weaken-check";
pub const REBUILD_INDEX: &str = "rebuild-index";

/// The value a widened list of allowed values gains.
const WIDENED_WITH: &str = "readiness_widened";

/// For each claimed CHECK the catalog implements with a table constraint: one mutant that
/// widens its first list of allowed values, else one that moves its first numeric bound
/// by one (`>= 0` becomes `>= -1`). A CHECK with neither is left alone.
pub fn check_mutants(claims: &[Claimed], catalog: &Catalog) -> Vec<Mutant> {
    let mut mutants = Vec::new();
    for claim in claims.iter().filter(|c| c.kind == ConstraintKind::Check) {
        let Presence::Found(names) = &claim.presence else {
            continue;
        };
        let Some(table) = catalog.table(&claim.table) else {
            continue;
        };
        let constraints = names
            .iter()
            .filter_map(|n| table.constraints.iter().find(|c| &c.name == n));
        for constraint in constraints {
            let Some((weakened, how)) = weaken(&constraint.definition) else {
                continue;
            };
            mutants.push(Mutant {
                label: format!(
                    "weaken check {}({}): {how}",
                    display(table),
                    claim.columns.join(", ")
                ),
                kind: WEAKEN_CHECK,
                claim: crate::constraints::CLAIM,
                change: after_migrations(format!(
                    "ALTER TABLE {table} DROP CONSTRAINT {name}, ADD CONSTRAINT {name} {weakened};",
                    table = relation(table),
                    name = quote_ident(&constraint.name),
                )),
            });
            break;
        }
    }
    mutants
}

/// `definition` (as `pg_get_constraintdef` writes it) weakened, with what changed.
fn weaken(definition: &str) -> Option<(String, String)> {
    widen_list(definition).or_else(|| move_bound(definition))
}

/// `ARRAY['a'::text, …]` (how PostgreSQL keeps `IN ('a', …)`) with one more value, cast
/// like the first.
fn widen_list(definition: &str) -> Option<(String, String)> {
    let start = definition.find("ARRAY[")? + "ARRAY[".len();
    let rest = &definition[start..];
    let first = first_element(rest)?;
    let cast = first.find("::").map(|i| &first[i..]).unwrap_or("");
    let added = format!("'{WIDENED_WITH}'{cast}");
    let weakened = format!("{}{added}, {rest}", &definition[..start]);
    Some((weakened, format!("allows '{WIDENED_WITH}'")))
}

/// The first element of an array literal's body (`'a'::text, 'b'::text]` gives
/// `'a'::text`), reading quoted strings whole; `None` when it is not a quoted string.
fn first_element(body: &str) -> Option<&str> {
    if !body.starts_with('\'') {
        return None;
    }
    let bytes = body.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        if bytes[i] == b'\'' {
            if bytes.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            break;
        }
        i += 1;
    }
    let end = body[i..].find([',', ']']).map(|j| i + j)?;
    Some(body[..end].trim_end())
}

/// The first `>= N`, `> N`, `<= N` or `< N` with its bound moved by one the loose way.
fn move_bound(definition: &str) -> Option<(String, String)> {
    let bound = Regex::new(r"(>=|<=|>|<) (\d+)\b").expect("a valid regex");
    let found = bound.captures(definition)?;
    let operator = &found[1];
    let n: i128 = found[2].parse().ok()?;
    let moved = if operator.starts_with('>') {
        n - 1
    } else {
        n + 1
    };
    let whole = found.get(0)?;
    let weakened = format!(
        "{}{operator} {moved}{}",
        &definition[..whole.start()],
        &definition[whole.end()..]
    );
    Some((
        weakened,
        format!("{operator} {n} becomes {operator} {moved}"),
    ))
}

/// For each `(query, index)` the manifest expects that is a plain b-tree on columns (not
/// backing a constraint, not unique): the index rebuilt under its name with another
/// leading column, the first two keys swapped, or for one key the table's first other
/// column. The query's plan then cannot use it as it did.
pub fn rebuild_index_mutants(expected: &[(String, String)], catalog: &Catalog) -> Vec<Mutant> {
    let mut mutants: Vec<Mutant> = Vec::new();
    for (query, name) in expected {
        let Some((table, index)) = find_index(catalog, name) else {
            continue;
        };
        if index.constraint.is_some() || index.unique || index.method != "btree" {
            continue;
        }
        let Some(keys) = other_leading_column(table, index) else {
            continue;
        };
        let label = format!(
            "rebuild index {} on ({}) ({query})",
            index.name,
            keys.join(", ")
        );
        if mutants.iter().any(|m| m.label == label) {
            continue;
        }
        let mut create = format!(
            "CREATE INDEX {} ON {} ({})",
            quote_ident(&index.name),
            relation(table),
            keys.join(", ")
        );
        if !index.include.is_empty() {
            create.push_str(&format!(" INCLUDE ({})", index.include.join(", ")));
        }
        if let Some(predicate) = &index.predicate {
            create.push_str(&format!(" WHERE {predicate}"));
        }
        mutants.push(Mutant {
            label,
            kind: REBUILD_INDEX,
            claim: crate::indexes::CLAIM,
            change: after_migrations(format!(
                "DROP INDEX {}.{};\n{create};",
                quote_ident(&table.schema),
                quote_ident(&index.name)
            )),
        });
    }
    mutants
}

/// The index named `name` (`schema.index` or a bare name) and its table.
pub(super) fn find_index<'a>(catalog: &'a Catalog, name: &str) -> Option<(&'a Table, &'a Index)> {
    let (schema, index) = match name.rsplit_once('.') {
        Some((schema, index)) => (Some(schema), index),
        None => (None, name),
    };
    catalog
        .tables
        .iter()
        .filter(|t| schema.is_none_or(|s| s == t.schema))
        .find_map(|t| t.indexes.iter().find(|i| i.name == index).map(|i| (t, i)))
}

/// The index's keys with another leading column; `None` when a key is an expression.
fn other_leading_column(table: &Table, index: &Index) -> Option<Vec<String>> {
    let column_of = |key: &str| key.split_whitespace().next().map(str::to_owned);
    let columns: Vec<String> = index
        .keys
        .iter()
        .map(|k| column_of(k))
        .collect::<Option<_>>()?;
    if !columns
        .iter()
        .all(|c| table.columns.iter().any(|tc| &tc.name == c))
    {
        return None;
    }
    let mut keys = index.keys.clone();
    if keys.len() >= 2 {
        keys.swap(0, 1);
        return Some(keys);
    }
    let other = table
        .columns
        .iter()
        .find(|c| !columns.contains(&c.name) && c.generated.is_none())?;
    Some(vec![quote_ident(&other.name)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_of_allowed_values_gains_one_cast_like_the_first() {
        let (weakened, how) = weaken(
            "CHECK (((status)::text = ANY ((ARRAY['active'::character varying, 'it''s'::character varying])::text[])))",
        )
        .unwrap();
        assert_eq!(
            weakened,
            "CHECK (((status)::text = ANY ((ARRAY['readiness_widened'::character varying, 'active'::character varying, 'it''s'::character varying])::text[])))"
        );
        assert_eq!(how, "allows 'readiness_widened'");
    }

    #[test]
    fn a_bound_moves_by_one_the_loose_way() {
        assert_eq!(
            weaken("CHECK ((usage_count >= 0))").unwrap().0,
            "CHECK ((usage_count >= -1))"
        );
        assert_eq!(
            weaken("CHECK ((slide_number > 0))").unwrap().1,
            "> 0 becomes > -1"
        );
        assert_eq!(
            weaken("CHECK ((char_length(code) <= 12))").unwrap().0,
            "CHECK ((char_length(code) <= 13))"
        );
        assert_eq!(weaken("CHECK ((email ~~ '%@%'::text))"), None);
    }
}
