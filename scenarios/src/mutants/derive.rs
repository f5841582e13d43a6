//! The subject's mutants, from its manifest and its migrated catalog.

use harness::run::scenario::ScenarioError;
use harness::schema::catalog::Catalog;
use harness::subject::Subject;

use super::{constraint_mutants, index_mutants, Mutant};
use crate::constraints::resolve::resolve;

/// Every mutant of `subject` whose migrated catalog is `catalog`: the claimed constraints'
/// first (resolved as the constraints claim resolves them), then the expected indexes'.
pub fn derive(subject: &Subject, catalog: Catalog) -> Result<Vec<Mutant>, ScenarioError> {
    let expected: Vec<(String, String)> = subject
        .manifest
        .queries
        .iter()
        .filter_map(|q| q.expect_index.clone().map(|i| (q.name.clone(), i)))
        .collect();
    let schema = resolve(subject, catalog)?;
    let mut mutants = constraint_mutants(&schema.claims, &schema.catalog);
    mutants.extend(index_mutants(&expected, &schema.catalog));
    Ok(mutants)
}
