//! Schema mutants: each claimed constraint dropped, each claimed ON DELETE CASCADE turned
//! into NO ACTION, each index a main query is expected to use dropped.

use harness::backend::names::quote_ident;
use harness::schema::catalog::{Catalog, FkAction, Table};
use harness::subject::manifest::ConstraintKind;

use super::{after_migrations, Mutant};
use crate::constraints::schema::{Claimed, Presence};

pub const DROP_CONSTRAINT: &str = "drop-constraint";
pub const NO_CASCADE: &str = "no-cascade";
pub const DROP_INDEX: &str = "drop-index";

/// For each claim the catalog implements: the constraint dropped (a NOT NULL, the column's
/// NOT NULL), and for a foreign key claimed to cascade, the cascade turned into NO ACTION.
/// A claim the catalog lacks (already refuted) or implements only through a domain has none.
pub fn constraint_mutants(claims: &[Claimed], catalog: &Catalog) -> Vec<Mutant> {
    let mut mutants = Vec::new();
    for claim in claims {
        let Presence::Found(names) = &claim.presence else {
            continue;
        };
        let Some(table) = catalog.table(&claim.table) else {
            continue;
        };
        let on = format!("{}({})", display(table), claim.columns.join(", "));
        if claim.kind == ConstraintKind::NotNull {
            let sql = claim
                .columns
                .iter()
                .map(|c| {
                    format!(
                        "ALTER TABLE {} ALTER COLUMN {} DROP NOT NULL;",
                        relation(table),
                        quote_ident(c)
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            mutants.push(drop_constraint(claim, &on, sql));
            continue;
        }
        let drops: Vec<String> = names
            .iter()
            .filter_map(|name| drop_sql(table, name))
            .collect();
        if drops.is_empty() {
            continue;
        }
        mutants.push(drop_constraint(claim, &on, drops.join("\n")));
        if claim.kind == ConstraintKind::ForeignKey && claim.on_delete == Some(FkAction::Cascade) {
            let no_cascade: Vec<String> = names
                .iter()
                .filter_map(|name| no_cascade_sql(table, name))
                .collect();
            if !no_cascade.is_empty() {
                mutants.push(Mutant {
                    label: format!("no action instead of cascade {on}"),
                    kind: NO_CASCADE,
                    claim: crate::constraints::CLAIM,
                    change: after_migrations(no_cascade.join("\n")),
                });
            }
        }
    }
    mutants
}

/// For each `(query, index)` the manifest expects, the index dropped. An index that
/// implements a constraint (a primary key, a unique constraint) is left alone: dropping it
/// would drop the constraint and whatever references it, more than one protection.
pub fn index_mutants(expected: &[(String, String)], catalog: &Catalog) -> Vec<Mutant> {
    let mut mutants = Vec::new();
    for (query, name) in expected {
        let found = super::weaken::find_index(catalog, name);
        let Some((table, index)) = found else {
            continue;
        };
        if index.constraint.is_some() {
            continue;
        }
        let label = format!("drop index {} ({query})", index.name);
        if mutants.iter().any(|m: &Mutant| m.label == label) {
            continue;
        }
        mutants.push(Mutant {
            label,
            kind: DROP_INDEX,
            claim: crate::indexes::CLAIM,
            change: after_migrations(format!(
                "DROP INDEX {}.{};",
                quote_ident(&table.schema),
                quote_ident(&index.name)
            )),
        });
    }
    mutants
}

fn drop_constraint(claim: &Claimed, on: &str, sql: String) -> Mutant {
    let kind = match claim.kind {
        ConstraintKind::PrimaryKey => "primary key",
        ConstraintKind::Unique => "unique",
        ConstraintKind::Check => "check",
        ConstraintKind::ForeignKey => "foreign key",
        ConstraintKind::NotNull => "not null",
    };
    Mutant {
        label: format!("drop {kind} {on}"),
        kind: DROP_CONSTRAINT,
        claim: crate::constraints::CLAIM,
        change: after_migrations(sql),
    }
}

/// Drops `name`, a constraint of `table` or a unique index on it (a claim a bare unique
/// index implements); `None` for a name of neither (a domain's check).
fn drop_sql(table: &Table, name: &str) -> Option<String> {
    if table.constraints.iter().any(|c| c.name == name) {
        return Some(format!(
            "ALTER TABLE {} DROP CONSTRAINT {};",
            relation(table),
            quote_ident(name)
        ));
    }
    table.indexes.iter().any(|i| i.name == name).then(|| {
        format!(
            "DROP INDEX {}.{};",
            quote_ident(&table.schema),
            quote_ident(name)
        )
    })
}

/// Re-creates the foreign key `name` as it is declared, without its ON DELETE CASCADE.
fn no_cascade_sql(table: &Table, name: &str) -> Option<String> {
    let constraint = table.constraints.iter().find(|c| c.name == name)?;
    let foreign = constraint.foreign.as_ref()?;
    if foreign.on_delete != FkAction::Cascade {
        return None;
    }
    let definition = constraint.definition.replace(" ON DELETE CASCADE", "");
    Some(format!(
        "ALTER TABLE {table} DROP CONSTRAINT {name}, ADD CONSTRAINT {name} {definition};",
        table = relation(table),
        name = quote_ident(name),
    ))
}

pub(super) fn relation(table: &Table) -> String {
    format!(
        "{}.{}",
        quote_ident(&table.schema),
        quote_ident(&table.name)
    )
}

/// `users` for a table in `public`, else `schema.name`.
pub(super) fn display(table: &Table) -> String {
    if table.schema == "public" {
        table.name.clone()
    } else {
        table.qualified_name()
    }
}

#[cfg(test)]
mod tests {
    use harness::schema::catalog::Index;

    use super::*;
    use crate::constraints::schema::tests::{catalog, claim};

    fn found(mut claimed: Claimed, names: &[&str]) -> Claimed {
        claimed.presence = Presence::Found(names.iter().map(|n| n.to_string()).collect());
        claimed
    }

    fn cascading(catalog: &mut Catalog) {
        let slides = catalog
            .tables
            .iter_mut()
            .find(|t| t.name == "slides")
            .unwrap();
        let fk = slides
            .constraints
            .iter_mut()
            .find(|c| c.foreign.is_some())
            .unwrap();
        fk.foreign.as_mut().unwrap().on_delete = FkAction::Cascade;
        fk.definition = "FOREIGN KEY (project_id) REFERENCES users(id) ON DELETE CASCADE".into();
    }

    #[test]
    fn a_claimed_check_is_dropped_by_its_catalog_name() {
        let claims = [found(
            claim(ConstraintKind::Check, "users", &["usage_count"]),
            &["users_usage_count_check"],
        )];
        let mutants = constraint_mutants(&claims, &catalog());
        assert_eq!(mutants.len(), 1);
        assert_eq!(mutants[0].label, "drop check users(usage_count)");
        assert_eq!(mutants[0].claim.id, "constraints");
        assert_eq!(
            mutants[0].change.describe(),
            r#"ALTER TABLE "public"."users" DROP CONSTRAINT "users_usage_count_check";"#
        );
    }

    #[test]
    fn a_claimed_cascade_is_dropped_and_turned_into_no_action() {
        let mut catalog = catalog();
        cascading(&mut catalog);
        let mut fk = found(
            claim(ConstraintKind::ForeignKey, "slides", &["project_id"]),
            &["slides_project_id_fkey"],
        );
        fk.on_delete = Some(FkAction::Cascade);
        let mutants = constraint_mutants(&[fk], &catalog);
        let labels: Vec<&str> = mutants.iter().map(|m| m.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "drop foreign key slides(project_id)",
                "no action instead of cascade slides(project_id)"
            ]
        );
        assert_eq!(mutants[1].kind, NO_CASCADE);
        assert_eq!(
            mutants[1].change.describe(),
            r#"ALTER TABLE "public"."slides" DROP CONSTRAINT "slides_project_id_fkey", ADD CONSTRAINT "slides_project_id_fkey" FOREIGN KEY (project_id) REFERENCES users(id);"#
        );
    }

    #[test]
    fn a_claimed_not_null_loses_its_columns_not_null() {
        let claims = [found(
            claim(ConstraintKind::NotNull, "users", &["usage_count"]),
            &[],
        )];
        let mutants = constraint_mutants(&claims, &catalog());
        assert_eq!(mutants[0].label, "drop not null users(usage_count)");
        assert_eq!(
            mutants[0].change.describe(),
            r#"ALTER TABLE "public"."users" ALTER COLUMN "usage_count" DROP NOT NULL;"#
        );
    }

    #[test]
    fn claims_the_catalog_lacks_or_only_a_domain_implements_have_no_mutant() {
        let missing = claim(ConstraintKind::Unique, "users", &["stripe_customer_id"]);
        let by_domain = found(
            claim(ConstraintKind::Check, "users", &["usage_count"]),
            &["positive_check"],
        );
        assert!(constraint_mutants(&[missing, by_domain], &catalog()).is_empty());
    }

    #[test]
    fn an_expected_index_is_dropped_unless_it_implements_a_constraint() {
        let mut catalog = catalog();
        let users = catalog
            .tables
            .iter_mut()
            .find(|t| t.name == "users")
            .unwrap();
        let index = |name: &str, constraint: Option<&str>| Index {
            name: name.into(),
            keys: vec!["id".into()],
            include: Vec::new(),
            unique: constraint.is_some(),
            primary: constraint.is_some(),
            valid: true,
            method: "btree".into(),
            predicate: None,
            constraint: constraint.map(str::to_owned),
            definition: String::new(),
        };
        users.indexes = vec![
            index("users_customer_idx", None),
            index("users_pkey", Some("users_pkey")),
        ];
        let expected = [
            ("webhook".to_owned(), "users_customer_idx".to_owned()),
            ("by id".to_owned(), "users_pkey".to_owned()),
            ("gone".to_owned(), "no_such_idx".to_owned()),
        ];
        let mutants = index_mutants(&expected, &catalog);
        assert_eq!(mutants.len(), 1);
        assert_eq!(mutants[0].label, "drop index users_customer_idx (webhook)");
        assert_eq!(mutants[0].claim.id, "indexes");
        assert_eq!(
            mutants[0].change.describe(),
            r#"DROP INDEX "public"."users_customer_idx";"#
        );
    }
}
