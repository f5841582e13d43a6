//! The subject's mutants, from its manifest, its migrations and its migrated catalog.

pub use harness::report::mutation::NotDerived;
use harness::run::scenario::ScenarioError;
use harness::schema::catalog::Catalog;
use harness::schema::migrate::Migrations;
use harness::subject::Subject;

use super::config::config_mutants;
use super::downs::down_mutants;
use super::flows::flow_mutants;
use super::schema::{constraint_mutants, index_mutants};
use super::scripts::script_mutants;
use super::weaken::{check_mutants, rebuild_index_mutants};
use super::Mutant;
use crate::constraints::resolve::resolve;

/// Every mutant of a subject, and the kinds it gives none of.
#[derive(Debug)]
pub struct Derived {
    pub mutants: Vec<Mutant>,
    pub not_derived: Vec<NotDerived>,
}

/// Every mutant of `subject`, whose migrated catalog is `catalog`, in the claims' order.
pub fn derive(
    subject: &Subject,
    migrations: &Migrations,
    catalog: Catalog,
) -> Result<Derived, ScenarioError> {
    let expected: Vec<(String, String)> = subject
        .manifest
        .queries
        .iter()
        .filter_map(|q| q.expect_index.clone().map(|i| (q.name.clone(), i)))
        .collect();
    let mut not_derived = Vec::new();
    let mut mutants = flow_mutants(subject, &mut not_derived);
    let schema = resolve(subject, catalog)?;
    mutants.extend(constraint_mutants(&schema.claims, &schema.catalog));
    mutants.extend(check_mutants(&schema.claims, &schema.catalog));
    mutants.extend(index_mutants(&expected, &schema.catalog));
    mutants.extend(rebuild_index_mutants(&expected, &schema.catalog));
    mutants.extend(down_mutants(migrations, &schema.catalog, &mut not_derived));
    mutants.extend(script_mutants(subject, &mut not_derived));
    mutants.extend(config_mutants(subject, &mut not_derived));
    Ok(Derived {
        mutants,
        not_derived,
    })
}
