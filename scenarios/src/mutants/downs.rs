//! Broken rollbacks: each of the newest down migrations emptied, and the newest one made to drop one
//! object that an earlier step created.

use harness::backend::names::quote_ident;
use harness::schema::catalog::{Catalog, Table};
use harness::schema::migrate::{Migrations, MigrationsMutation, Step};

use regex::Regex;

use super::{Change, Mutant, NotDerived};

pub const EMPTY_DOWN: &str = "empty-down";
pub const DOWN_DROPS_MORE: &str = "down-drops-more";

/// How many downs, the newest, are emptied one at a time.
const NEWEST_DOWNS: usize = 5;

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
    let with_down: Vec<&Step> = steps.iter().filter(|s| s.has_down).collect();
    let newest = &with_down[with_down.len().saturating_sub(NEWEST_DOWNS)..];
    let mut mutants: Vec<Mutant> = newest
        .iter()
        .map(|step| down_mutant(step, EMPTY_DOWN, "empty the down of", EMPTIED.into()))
        .collect();
    if with_down.len() > newest.len() {
        not_derived.push(NotDerived::new(
            EMPTY_DOWN,
            format!(
                "the {} older downs are left alone: each mutant walks the whole history, and a rollback goes back newest first",
                with_down.len() - newest.len()
            ),
        ));
    }
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
/// a table, that an earlier step made: an index named in an earlier up and in none from
/// that step on, or a table named in an earlier up that no later up creates. (An object a
/// later step made is gone by then: dropping it would be no mutation at all.)
fn drops_more(migrations: &Migrations, steps: &[Step], catalog: &Catalog) -> Option<Mutant> {
    let (position, step) = steps
        .iter()
        .enumerate()
        .rev()
        .find(|(i, s)| *i > 0 && s.has_down)?;
    let ups = |steps: &[Step]| -> Vec<String> {
        steps
            .iter()
            .filter_map(|s| migrations.up_sql(s.version))
            .map(str::to_lowercase)
            .collect()
    };
    let (earlier, later) = (ups(&steps[..position]), ups(&steps[position..]));
    let named = |ups: &[String], name: &str| {
        let name = name.to_lowercase();
        ups.iter().any(|up| up.contains(&name))
    };
    let created_later = |name: &str| {
        let creates = Regex::new(&format!(
            r#"create\s+(unlogged\s+)?table\s+(if\s+not\s+exists\s+)?("?\w+"?\.)?"?{}"?\b"#,
            regex::escape(&name.to_lowercase())
        ))
        .expect("a regex");
        later.iter().any(|up| creates.is_match(up))
    };
    let index = catalog.tables.iter().find_map(|t| {
        t.indexes
            .iter()
            .find(|i| i.constraint.is_none() && named(&earlier, &i.name) && !named(&later, &i.name))
            .map(|i| {
                format!(
                    "DROP INDEX IF EXISTS {}.{};",
                    quote_ident(&t.schema),
                    quote_ident(&i.name)
                )
            })
    });
    // a table no foreign key references, so that CASCADE takes nothing else with it
    let referenced = |t: &Table| {
        catalog.tables.iter().any(|other| {
            other
                .constraints
                .iter()
                .filter_map(|c| c.foreign.as_ref())
                .any(|f| f.target == t.qualified_name())
        })
    };
    let table = || {
        catalog
            .tables
            .iter()
            .find(|t| {
                t.partition_of.is_none()
                    && !referenced(t)
                    && named(&earlier, &t.name)
                    && !created_later(&t.name)
            })
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
