//! The manifest's claimed constraints resolved against the migrated catalog: a claim naming
//! a table or column that does not exist is a manifest error, not a refutation; then how
//! the catalog implements each claim, and the graph of references between tables, claimed
//! or declared.

use std::collections::BTreeMap;

use harness::run::scenario::ScenarioError;
use harness::schema::catalog::{Catalog, ConstraintType, FkAction, Table};
use harness::subject::manifest::{ConstraintKind, ExpectedConstraint};
use harness::subject::Subject;

use super::presence::presence;
use super::schema::{Claimed, Edge, Presence, Schema, Target};

/// Resolves every `[[constraints]]` entry: its table, columns and referenced table must
/// exist; then finds how the catalog implements it.
pub fn resolve(subject: &Subject, catalog: Catalog) -> Result<Schema, ScenarioError> {
    let invalid =
        |key: String, message: String| ScenarioError::Manifest(subject.invalid(&key, message));
    let table_names = || {
        catalog
            .tables
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut claims = Vec::new();
    for (index, expected) in subject.manifest.constraints.iter().enumerate() {
        let key = |field: &str| format!("constraints[{index}].{field}");
        let table = catalog.table(&expected.table).ok_or_else(|| {
            invalid(
                key("table"),
                format!(
                    "table `{}` does not exist in the migrated database (it has: {})",
                    expected.table,
                    table_names()
                ),
            )
        })?;
        for column in &expected.columns {
            if table.column(column).is_none() {
                return Err(invalid(
                    key("columns"),
                    format!(
                        "column `{column}` does not exist in table `{}`",
                        table.qualified_name()
                    ),
                ));
            }
        }
        let references = match &expected.references {
            None => None,
            Some(name) => {
                let target = catalog.table(name).ok_or_else(|| {
                    invalid(
                        key("references"),
                        format!(
                            "table `{name}` does not exist in the migrated database (it has: {})",
                            table_names()
                        ),
                    )
                })?;
                Some(
                    reference_target(table, expected, target)
                        .map_err(|m| invalid(key("references"), m))?,
                )
            }
        };
        let has_examples = !expected.accepts.is_empty() || !expected.rejects.is_empty();
        if has_examples && expected.columns.len() != 1 {
            return Err(invalid(
                key("accepts"),
                "`accepts` and `rejects` give values of one column: name exactly one in `columns`"
                    .into(),
            ));
        }
        let mut claim = Claimed {
            index,
            kind: expected.kind,
            table: table.qualified_name(),
            columns: expected.columns.clone(),
            name: expected.name.clone(),
            references,
            on_delete: expected.on_delete.as_deref().and_then(FkAction::from_key),
            expression: expected.expression.clone(),
            accepts: Vec::new(),
            rejects: Vec::new(),
            presence: Presence::Missing(String::new()),
        };
        claim.presence = presence(&catalog, table, &claim);
        claims.push(claim);
    }
    let edges = edges(&catalog, &claims);
    Ok(Schema {
        catalog,
        claims,
        edges,
        valid: BTreeMap::new(),
    })
}

/// The referenced columns: the declared foreign key's if there is one, else the
/// referenced table's primary key.
fn reference_target(
    table: &Table,
    expected: &ExpectedConstraint,
    target: &Table,
) -> Result<Target, String> {
    let declared = table
        .constraints_of(ConstraintType::ForeignKey)
        .filter_map(|c| c.foreign.as_ref().map(|f| (c, f)))
        .find(|(c, f)| c.columns == expected.columns && f.target == target.qualified_name());
    let columns = match declared {
        Some((_, fk)) => fk.columns.clone(),
        None => target
            .primary_key()
            .ok_or_else(|| {
                format!(
                    "table `{}` has no primary key for `{}` to reference",
                    target.qualified_name(),
                    expected.columns.join(", ")
                )
            })?
            .to_vec(),
    };
    if columns.len() != expected.columns.len() {
        return Err(format!(
            "`{}` cannot reference `{}({})`: {} column(s) against {}",
            expected.columns.join(", "),
            target.qualified_name(),
            columns.join(", "),
            expected.columns.len(),
            columns.len()
        ));
    }
    Ok(Target {
        table: target.qualified_name(),
        columns,
    })
}

/// Every reference: the catalog's foreign keys, and the claimed ones it lacks.
fn edges(catalog: &Catalog, claims: &[Claimed]) -> Vec<Edge> {
    let mut edges = Vec::new();
    // a partition's references are its partitioned table's: rows go in through that one
    for table in catalog.tables.iter().filter(|t| t.partition_of.is_none()) {
        for fk in table.constraints_of(ConstraintType::ForeignKey) {
            let Some(foreign) = &fk.foreign else { continue };
            let Some(parent) = catalog.table(&foreign.target) else {
                continue;
            };
            edges.push(Edge {
                child: table.qualified_name(),
                columns: fk.columns.clone(),
                parent: parent.qualified_name(),
                parent_columns: foreign.columns.clone(),
                on_delete: foreign.on_delete,
                claim: None,
                delete_claimed: false,
            });
        }
    }
    for claim in claims
        .iter()
        .filter(|c| c.kind == ConstraintKind::ForeignKey)
    {
        let target = claim
            .references
            .as_ref()
            .expect("a foreign key claim has its target");
        let existing = edges.iter_mut().find(|e| {
            e.child == claim.table && e.columns == claim.columns && e.parent == target.table
        });
        match existing {
            Some(edge) => {
                edge.claim = Some(claim.index);
                if let Some(action) = claim.on_delete {
                    edge.on_delete = action;
                    edge.delete_claimed = true;
                }
            }
            None => edges.push(Edge {
                child: claim.table.clone(),
                columns: claim.columns.clone(),
                parent: target.table.clone(),
                parent_columns: target.columns.clone(),
                on_delete: claim.on_delete.unwrap_or(FkAction::NoAction),
                claim: Some(claim.index),
                delete_claimed: claim.on_delete.is_some(),
            }),
        }
    }
    edges
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::constraints::schema::tests::{catalog, claim};

    #[test]
    fn claimed_references_missing_from_the_catalog_become_edges() {
        let catalog = catalog();
        let mut wanted = claim(ConstraintKind::ForeignKey, "users", &["stripe_customer_id"]);
        wanted.references = Some(Target {
            table: "public.slides".into(),
            columns: vec!["id".into()],
        });
        wanted.on_delete = Some(FkAction::Cascade);
        let edges = edges(&catalog, &[wanted]);
        assert_eq!(edges.len(), 2, "the declared one and the claimed one");
        let claimed = edges.iter().find(|e| e.child == "public.users").unwrap();
        assert!(claimed.delete_claimed && claimed.on_delete == FkAction::Cascade);
        let declared = edges.iter().find(|e| e.child == "public.slides").unwrap();
        assert_eq!(declared.on_delete, FkAction::NoAction);
        assert_eq!(declared.claim, None);
    }
}
