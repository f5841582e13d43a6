//! Broken rollbacks: each down migration emptied, and the newest one made to drop one
//! object that an earlier step created.

use harness::backend::names::quote_ident;
use harness::schema::catalog::Catalog;
use harness::schema::migrate::{Migrations, MigrationsMutation, Step};

use super::{Change, Mutant, NotDerived};

pub const EMPTY_DOWN: &str = "empty-down";
pub const DOWN_DROPS_MORE: &str = "down-drops-more";

/// What an emptied down runs.
const EMPTIED: &str = "SELECT 1; -- emptied by readiness mutate\n";

/// The mutants of a directory's downs; a history run by commands is said, with why.
pub fn down_mutants(
    migrations: &Migrations,
    catalog: &Catalog,
    not_derived: &mut Vec<NotDerived>,
) -> Vec<Mutant> {
    if !migrations.is_stepwise() {
        for kind in [EMPTY_DOWN, DOWN_DROPS_MORE] {
            not_derived.push(NotDerived::new(
                kind,
                "the migrations are run by the subject's commands: readiness does not rewrite their down code",
            ));
        }
        return Vec::new();
    }
    let steps = migrations.steps();
    let mut mutants: Vec<Mutant> = steps
        .iter()
        .filter(|s| s.has_down)
        .map(|step| down_mutant(step, EMPTY_DOWN, "empty the down of", EMPTIED.into()))
        .collect();
    match drops_more(migrations, &steps, catalog) {
        Some(mutant) => mutants.push(mutant),
        None => not_derived.push(NotDerived::new(
            DOWN_DROPS_MORE,
            "no down after the first step, or no index or table an earlier step made that later steps leave alone",
        )),
    }
    mutants
}

fn down_mutant(step: &Step, kind: &'static str, what: &str, sql: String) -> Mutant {
    Mutant {
        wraps: None,
        label: format!("{what} {}", step.label()),
        kind,
        claim: crate::migrations::CLAIM,
        change: Change::Migrations(MigrationsMutation::Down {
            version: step.version,
            sql,
        }),
    }
}

/// The newest step with a down (not the first step) made to drop also an index, or else
/// a table, that exists before it: one named by no up from that step on.
fn drops_more(migrations: &Migrations, steps: &[Step], catalog: &Catalog) -> Option<Mutant> {
    let (position, step) = steps
        .iter()
        .enumerate()
        .rev()
        .find(|(i, s)| *i > 0 && s.has_down)?;
    let later_ups: Vec<String> = steps[position..]
        .iter()
        .filter_map(|s| migrations.up_sql(s.version))
        .map(str::to_lowercase)
        .collect();
    let untouched = |name: &str| {
        let name = name.to_lowercase();
        !later_ups.iter().any(|up| up.contains(&name))
    };
    let index = catalog.tables.iter().find_map(|t| {
        t.indexes
            .iter()
            .find(|i| i.constraint.is_none() && untouched(&i.name))
            .map(|i| {
                format!(
                    "DROP INDEX IF EXISTS {}.{};",
                    quote_ident(&t.schema),
                    quote_ident(&i.name)
                )
            })
    });
    let table = || {
        catalog
            .tables
            .iter()
            .find(|t| t.partition_of.is_none() && untouched(&t.name))
            .map(|t| {
                format!(
                    "DROP TABLE IF EXISTS {}.{} CASCADE;",
                    quote_ident(&t.schema),
                    quote_ident(&t.name)
                )
            })
    };
    let extra = index.or_else(table)?;
    let down = migrations.down_sql(step.version)?;
    let what = format!("make the down drop one object too many ({extra}) in");
    Some(down_mutant(
        step,
        DOWN_DROPS_MORE,
        &what,
        format!("{down}\n-- one object too many, by readiness mutate\n{extra}\n"),
    ))
}
