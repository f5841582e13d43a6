//! Which tables a dataset fills and in what order: the manifest's `[scale]` tables in the
//! order written, and every other table of the schema after the tables its foreign keys
//! point to; a cycle is broken at a nullable reference (left NULL). Each gets its rows
//! per user: the manifest's, or a fan-out of its parents'.

use std::collections::{BTreeMap, BTreeSet};

use super::{FAN_OUT, MAX_PER_USER};
use crate::schema::catalog::{Catalog, ConstraintType};

/// One table in load order.
#[derive(Debug, Clone, PartialEq)]
pub struct Ordered {
    /// `schema.name`.
    pub table: String,
    pub per_user: f64,
    /// The index of its `[[scale.tables]]` entry when that entry has a hand-written
    /// `generate`.
    pub hand_written: Option<usize>,
    /// Tables (`schema.name`) that hold rows before this one is generated.
    pub parents_with_rows: BTreeSet<String>,
    /// Foreign keys (by constraint name) cut to break a cycle: left NULL.
    pub broken: BTreeSet<String>,
}

/// A `[[scale.tables]]` entry as the order needs it.
#[derive(Debug, Clone)]
pub struct Listed {
    /// `schema.name`, resolved against the catalog.
    pub table: String,
    pub per_user: f64,
    pub hand_written: bool,
}

/// The load order of `listed` tables (in manifest order) and, when `unlisted` is true,
/// every other table of `catalog` but partitions (rows go in through their parent) and
/// those in `with_rows` (reference data the migrations wrote, kept as it is).
pub fn load_order(
    catalog: &Catalog,
    listed: &[Listed],
    unlisted: bool,
    with_rows: &BTreeSet<String>,
) -> Vec<Ordered> {
    let mut pending: Vec<String> = listed.iter().map(|l| l.table.clone()).collect();
    if unlisted {
        let others: Vec<String> = catalog
            .tables
            .iter()
            .filter(|t| t.partition_of.is_none())
            .map(|t| t.qualified_name())
            .filter(|name| !with_rows.contains(name) && !pending.contains(name))
            .collect();
        pending.extend(others);
    }
    let loading: BTreeSet<String> = pending.iter().cloned().collect();
    let edges = references(catalog, &loading);
    let mut placed: Vec<Ordered> = Vec::new();
    let mut done: BTreeSet<String> = BTreeSet::new();
    while !pending.is_empty() {
        let ready = |name: &String, nullable_too: bool| {
            edges.get(name).is_none_or(|refs| {
                refs.iter()
                    .all(|r| done.contains(&r.target) || (nullable_too && r.nullable))
            })
        };
        // hand-written tables keep their manifest order among themselves
        let first_listed = pending
            .iter()
            .position(|p| listed.iter().any(|l| &l.table == p));
        let candidates = |i: usize, name: &String| {
            let is_listed = listed.iter().any(|l| &l.table == name);
            !is_listed || Some(i) == first_listed
        };
        let index = pending
            .iter()
            .enumerate()
            .position(|(i, p)| candidates(i, p) && ready(p, false))
            .or_else(|| {
                pending
                    .iter()
                    .enumerate()
                    .position(|(i, p)| candidates(i, p) && ready(p, true))
            })
            .unwrap_or_else(|| first_listed.unwrap_or(0));
        let name = pending.remove(index);
        let refs = edges.get(&name).cloned().unwrap_or_default();
        let broken: BTreeSet<String> = refs
            .iter()
            .filter(|r| !done.contains(&r.target))
            .map(|r| r.constraint.clone())
            .collect();
        let mut parents_with_rows: BTreeSet<String> = with_rows.clone();
        parents_with_rows.extend(done.iter().cloned());
        let listed_entry = listed.iter().find(|l| l.table == name);
        let per_user = match listed_entry {
            Some(entry) => entry.per_user,
            None => {
                let parents = refs
                    .iter()
                    .filter(|r| done.contains(&r.target))
                    .filter_map(|r| placed.iter().find(|p| p.table == r.target))
                    .map(|p| p.per_user)
                    .fold(None, |most: Option<f64>, p| {
                        Some(most.map_or(p, |m| m.max(p)))
                    });
                parents.map_or(1.0, |p| (p * FAN_OUT).min(MAX_PER_USER))
            }
        };
        placed.push(Ordered {
            table: name.clone(),
            per_user,
            hand_written: listed
                .iter()
                .position(|l| l.table == name && l.hand_written),
            parents_with_rows,
            broken,
        });
        done.insert(name);
    }
    placed
}

/// A foreign key from a loaded table to another loaded table.
#[derive(Debug, Clone)]
struct Reference {
    constraint: String,
    target: String,
    nullable: bool,
}

fn references(catalog: &Catalog, loading: &BTreeSet<String>) -> BTreeMap<String, Vec<Reference>> {
    let mut edges: BTreeMap<String, Vec<Reference>> = BTreeMap::new();
    for table in &catalog.tables {
        let name = table.qualified_name();
        if !loading.contains(&name) {
            continue;
        }
        for constraint in table.constraints_of(ConstraintType::ForeignKey) {
            let Some(foreign) = &constraint.foreign else {
                continue;
            };
            if foreign.target == name || !loading.contains(&foreign.target) {
                continue;
            }
            let nullable = constraint
                .columns
                .iter()
                .all(|c| table.column(c).is_some_and(|c| !c.not_null));
            edges.entry(name.clone()).or_default().push(Reference {
                constraint: constraint.name.clone(),
                target: foreign.target.clone(),
                nullable,
            });
        }
    }
    edges
}
