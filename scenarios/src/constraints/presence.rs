//! Whether the catalog has what a claim says, found by structure (columns, referenced
//! table, ON DELETE action, validated; a unique index counts, a partial one does not), not
//! only by name.

use harness::schema::catalog::{Catalog, ConstraintType, Table};
use harness::subject::manifest::ConstraintKind;

use super::schema::{Claimed, Presence};

/// How the catalog implements `claim`.
pub(super) fn presence(catalog: &Catalog, table: &Table, claim: &Claimed) -> Presence {
    let named = |names: Vec<String>, why_missing: String| -> Presence {
        match &claim.name {
            Some(name) if !names.contains(name) && !names.is_empty() => Presence::Differs {
                why: format!("it is named {}, not {name}", names.join(", ")),
                names,
            },
            _ if names.is_empty() => Presence::Missing(why_missing),
            _ => Presence::Found(names),
        }
    };
    let where_ = format!("{}({})", table.name, claim.columns.join(", "));
    match claim.kind {
        ConstraintKind::NotNull => {
            let nullable: Vec<&str> = claim
                .columns
                .iter()
                .filter(|c| table.column(c).is_some_and(|c| !c.not_null))
                .map(String::as_str)
                .collect();
            if nullable.is_empty() {
                Presence::Found(Vec::new())
            } else {
                Presence::Missing(format!(
                    "{}.{} accepts NULL",
                    table.name,
                    nullable.join(", ")
                ))
            }
        }
        ConstraintKind::PrimaryKey | ConstraintKind::Unique => {
            let wanted: &[ConstraintType] = if claim.kind == ConstraintKind::PrimaryKey {
                &[ConstraintType::PrimaryKey]
            } else {
                &[ConstraintType::Unique, ConstraintType::PrimaryKey]
            };
            let mut names: Vec<String> = table
                .constraints
                .iter()
                .filter(|c| wanted.contains(&c.kind) && same_set(&c.columns, &claim.columns))
                .map(|c| c.name.clone())
                .collect();
            let mut partial = Vec::new();
            if claim.kind == ConstraintKind::Unique {
                for index in table
                    .indexes
                    .iter()
                    .filter(|i| i.unique && i.constraint.is_none())
                {
                    let keys: Vec<String> = index.keys.iter().map(|k| key_column(k)).collect();
                    if !same_set(&keys, &claim.columns) {
                        continue;
                    }
                    match (&index.predicate, index.valid) {
                        (None, true) => names.push(index.name.clone()),
                        (Some(p), _) => partial.push(format!("{} only where {p}", index.name)),
                        (None, false) => partial.push(format!("{} is INVALID", index.name)),
                    }
                }
            }
            if names.is_empty() && !partial.is_empty() {
                return Presence::Differs {
                    names: Vec::new(),
                    why: format!(
                        "no {} on {where_}: unique index {}",
                        claim.kind.label(),
                        partial.join("; ")
                    ),
                };
            }
            named(
                names,
                format!(
                    "no {} constraint or unique index on {where_}",
                    claim.kind.label()
                ),
            )
        }
        ConstraintKind::Check => {
            let checks: Vec<&harness::schema::catalog::Constraint> = table
                .constraints_of(ConstraintType::Check)
                .filter(|c| same_set(&c.columns, &claim.columns))
                .collect();
            let mut names: Vec<String> = checks.iter().map(|c| c.name.clone()).collect();
            // a check on one column may be its type's: a domain's CHECK
            if let [column] = claim.columns.as_slice() {
                if let Some(column) = table.column(column) {
                    names.extend(catalog.domain_checks(&column.data_type));
                }
            }
            if let Some(unvalidated) = checks.iter().find(|c| !c.validated) {
                return Presence::Differs {
                    names,
                    why: format!(
                        "{} is NOT VALID: rows from before it are unchecked",
                        unvalidated.name
                    ),
                };
            }
            named(names, format!("no check constraint on {where_}"))
        }
        ConstraintKind::ForeignKey => {
            let target = claim
                .references
                .as_ref()
                .expect("a foreign key claim has its target");
            let found: Vec<&harness::schema::catalog::Constraint> = table
                .constraints_of(ConstraintType::ForeignKey)
                .filter(|c| {
                    c.columns == claim.columns
                        && c.foreign.as_ref().is_some_and(|f| {
                            catalog
                                .table(&f.target)
                                .map(Table::qualified_name)
                                .as_deref()
                                == Some(target.table.as_str())
                        })
                })
                .collect();
            let names: Vec<String> = found.iter().map(|c| c.name.clone()).collect();
            if let (Some(action), Some(fk)) = (claim.on_delete, found.first()) {
                let declared = fk.foreign.as_ref().expect("a foreign key").on_delete;
                if declared != action {
                    return Presence::Differs {
                        why: format!(
                            "{} is ON DELETE {}, not ON DELETE {}",
                            fk.name,
                            declared.sql().to_uppercase(),
                            action.sql().to_uppercase()
                        ),
                        names,
                    };
                }
            }
            if let Some(unvalidated) = found.iter().find(|c| !c.validated) {
                return Presence::Differs {
                    why: format!(
                        "{} is NOT VALID: rows from before it are unchecked",
                        unvalidated.name
                    ),
                    names,
                };
            }
            let parent = target
                .table
                .strip_prefix("public.")
                .unwrap_or(&target.table);
            named(names, format!("no foreign key from {where_} to {parent}"))
        }
    }
}

/// An index key as a column name: `email DESC` → `email`.
fn key_column(key: &str) -> String {
    key.split_whitespace()
        .next()
        .unwrap_or(key)
        .trim_matches('"')
        .to_owned()
}

fn same_set(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.contains(x))
}

#[cfg(test)]
mod tests {
    use harness::schema::catalog::FkAction;
    use harness::schema::catalog::Index;

    use super::*;
    use crate::constraints::schema::tests::{catalog, claim};
    use crate::constraints::schema::Target;

    fn presence_of(catalog: &Catalog, claim: &Claimed) -> Presence {
        let table = catalog.table(&claim.table).unwrap();
        presence(catalog, table, claim)
    }

    #[test]
    fn a_unique_index_counts_as_a_unique_constraint_but_a_partial_one_does_not() {
        let mut catalog = catalog();
        let wanted = claim(ConstraintKind::Unique, "users", &["stripe_customer_id"]);
        assert!(matches!(
            presence_of(&catalog, &wanted),
            Presence::Missing(_)
        ));
        let index = Index {
            name: "users_customer_idx".into(),
            keys: vec!["stripe_customer_id".into()],
            include: vec![],
            unique: true,
            primary: false,
            valid: true,
            method: "btree".into(),
            predicate: Some("(usage_count > 0)".into()),
            constraint: None,
            definition: String::new(),
        };
        catalog.tables[1].indexes.push(index.clone());
        assert!(
            matches!(presence_of(&catalog, &wanted), Presence::Differs { ref why, .. } if why.contains("only where (usage_count > 0)"))
        );
        catalog.tables[1].indexes[0].predicate = None;
        assert_eq!(
            presence_of(&catalog, &wanted),
            Presence::Found(vec!["users_customer_idx".into()])
        );
    }

    #[test]
    fn a_foreign_key_with_another_delete_action_differs() {
        let catalog = catalog();
        let mut wanted = claim(ConstraintKind::ForeignKey, "slides", &["project_id"]);
        wanted.references = Some(Target {
            table: "public.users".into(),
            columns: vec!["id".into()],
        });
        assert_eq!(
            presence_of(&catalog, &wanted),
            Presence::Found(vec!["slides_project_id_fkey".into()])
        );
        wanted.on_delete = Some(FkAction::Cascade);
        assert_eq!(
            presence_of(&catalog, &wanted),
            Presence::Differs {
                names: vec!["slides_project_id_fkey".into()],
                why: "slides_project_id_fkey is ON DELETE NO ACTION, not ON DELETE CASCADE".into()
            }
        );
    }

    #[test]
    fn checks_and_not_null_are_found_by_their_columns() {
        let catalog = catalog();
        let mut check = claim(ConstraintKind::Check, "users", &["usage_count"]);
        assert_eq!(
            presence_of(&catalog, &check),
            Presence::Found(vec!["users_usage_count_check".into()])
        );
        check.name = Some("usage_is_positive".into());
        assert!(matches!(
            presence_of(&catalog, &check),
            Presence::Differs { .. }
        ));
        let not_null = claim(ConstraintKind::NotNull, "users", &["stripe_customer_id"]);
        assert_eq!(
            presence_of(&catalog, &not_null),
            Presence::Missing("users.stripe_customer_id accepts NULL".into())
        );
    }
}
