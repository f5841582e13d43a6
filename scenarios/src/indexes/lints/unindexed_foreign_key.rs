//! `unindexed-foreign-key`: a foreign key whose columns lead no index.
//!
//! # Problem
//! Deleting a referenced row (or changing its key) makes PostgreSQL find the rows that
//! reference it: to cascade, to set them null, or to refuse. Without an index that starts
//! with the foreign key's columns, that lookup reads the whole referencing table, once per
//! deleted row, inside a trigger where no plan of the delete shows it. Along an
//! `ON DELETE CASCADE` chain (user → workspaces → projects) deleting one user becomes a
//! full read of every unindexed table on the path, and grows with it.
//!
//! # Fix
//! `CREATE INDEX CONCURRENTLY ON child (fk_columns);`, or any btree index whose leading
//! columns are the foreign key's.

use harness::schema::catalog::{ConstraintType, FkAction};

use super::{
    ident, keys, table_name, table_sql, usable_for_lookups, Finding, LintInput, Rule, Severity,
};

pub struct UnindexedForeignKey;

impl Rule for UnindexedForeignKey {
    fn id(&self) -> &'static str {
        "unindexed-foreign-key"
    }

    fn title(&self) -> &'static str {
        "every foreign key leads an index, so deletes and cascades look up rather than scan"
    }

    fn severity(&self) -> Severity {
        Severity::Refutes
    }

    fn check(&self, input: &LintInput) -> Vec<Finding> {
        let mut findings = Vec::new();
        for table in &input.catalog.tables {
            for fk in table
                .constraints
                .iter()
                .filter(|c| c.kind == ConstraintType::ForeignKey)
            {
                let Some(foreign) = &fk.foreign else { continue };
                let columns: Vec<&str> = fk.columns.iter().map(String::as_str).collect();
                let covered = table.indexes.iter().any(|index| {
                    let keys = keys(index);
                    (usable_for_lookups(index) || only_not_null(index, &columns))
                        && keys.len() >= columns.len()
                        && (index.method == "btree" || columns.len() == 1)
                        && same_set(&keys[..columns.len()], &columns)
                });
                if covered {
                    continue;
                }
                let name = table_name(table);
                let list = columns.join(", ");
                let action = match foreign.on_delete {
                    FkAction::Cascade => "cascades to",
                    FkAction::SetNull | FkAction::SetDefault => "updates",
                    FkAction::NoAction | FkAction::Restrict => "checks",
                };
                findings.push(Finding {
                    object: format!("{}.{}.{}", table.schema, table.name, fk.name),
                    message: format!(
                        "{name}({list}) → {target}: no index leads with ({list}), so deleting one {target} row {action} {name} by reading all of it (foreign key {fk}, ON DELETE {on_delete})",
                        target = foreign.table,
                        fk = fk.name,
                        on_delete = foreign.on_delete.key().replace('_', " ").to_uppercase(),
                    ),
                    fix: format!(
                        "CREATE INDEX CONCURRENTLY ON {} ({});",
                        table_sql(table),
                        columns.iter().map(|c| ident(c)).collect::<Vec<_>>().join(", ")
                    ),
                });
            }
        }
        findings
    }
}

/// Whether a partial index leaves out only rows whose foreign key is NULL (`WHERE fk IS
/// NOT NULL`): those reference nothing, so the lookups a delete makes all fall inside it.
fn only_not_null(index: &harness::schema::catalog::Index, columns: &[&str]) -> bool {
    let Some(predicate) = &index.predicate else {
        return false;
    };
    index.valid
        && matches!(index.method.as_str(), "btree" | "hash")
        && predicate.split(" AND ").all(|part| {
            let part = part
                .trim()
                .trim_start_matches('(')
                .trim_end_matches(')')
                .trim();
            part.strip_suffix(" IS NOT NULL")
                .is_some_and(|column| columns.contains(&super::bare_key(column.trim())))
        })
}

fn same_set(a: &[&str], b: &[&str]) -> bool {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort_unstable();
    b.sort_unstable();
    a == b
}

#[cfg(test)]
mod tests {
    use harness::schema::catalog::FkAction;

    use super::super::testing::{
        catalog, foreign_key, index, lint_errors, lint_ok, objects, table,
    };
    use super::*;

    fn projects(indexes: Vec<harness::schema::catalog::Index>) -> harness::schema::catalog::Table {
        let mut projects = table("projects");
        projects.constraints = vec![foreign_key(
            "projects_workspace_id_fkey",
            &["workspace_id"],
            "workspaces",
            FkAction::Cascade,
        )];
        projects.indexes = indexes;
        projects
    }

    #[test]
    fn a_cascading_foreign_key_without_an_index_is_found() {
        let input = catalog(vec![projects(vec![index(
            "projects_owner_id_created_at_idx",
            &["owner_id", "created_at"],
        )])]);
        assert_eq!(
            objects(&UnindexedForeignKey, &input),
            ["public.projects.projects_workspace_id_fkey"]
        );
        let errors = lint_errors(&UnindexedForeignKey, &input);
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].contains("projects(workspace_id) → workspaces"),
            "{errors:?}"
        );
        assert!(errors[0].contains("cascades to projects"), "{errors:?}");
        assert!(errors[0].contains("ON DELETE CASCADE"), "{errors:?}");
        assert!(errors[0].ends_with("CREATE INDEX CONCURRENTLY ON projects (workspace_id);"));
    }

    #[test]
    fn a_partial_index_without_the_null_keys_covers_the_key_but_another_partial_one_does_not() {
        let mut partial = index("projects_workspace_id_idx", &["workspace_id"]);
        partial.predicate = Some("(workspace_id IS NOT NULL)".into());
        lint_ok(
            &UnindexedForeignKey,
            &catalog(vec![projects(vec![partial.clone()])]),
        );
        partial.predicate = Some("(archived = false)".into());
        lint_errors(
            &UnindexedForeignKey,
            &catalog(vec![projects(vec![partial])]),
        );
    }

    #[test]
    fn an_index_leading_with_the_columns_covers_the_key() {
        lint_ok(
            &UnindexedForeignKey,
            &catalog(vec![projects(vec![index(
                "projects_workspace_id_created_at_idx",
                &["workspace_id", "created_at"],
            )])]),
        );
    }

    #[test]
    fn an_index_with_the_columns_second_does_not_cover_the_key() {
        lint_errors(
            &UnindexedForeignKey,
            &catalog(vec![projects(vec![index(
                "projects_created_at_workspace_id_idx",
                &["created_at", "workspace_id"],
            )])]),
        );
    }

    #[test]
    fn partial_and_invalid_indexes_do_not_cover_the_key() {
        let mut partial = index("p", &["workspace_id"]);
        partial.predicate = Some("(archived = false)".into());
        let mut invalid = index("i", &["workspace_id"]);
        invalid.valid = false;
        lint_errors(
            &UnindexedForeignKey,
            &catalog(vec![projects(vec![partial, invalid])]),
        );
    }
}
