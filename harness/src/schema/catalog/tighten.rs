//! A schema part way through its migrations, held to the rules a later schema adds: the
//! checks, unique keys, foreign keys and NOT NULLs of the later tables, where the columns
//! they name already exist with the same type. Rows generated to it still meet those
//! rules when the later migrations add them, as a live database's rows would.

use super::{Catalog, Constraint, ConstraintType, Table};

impl Catalog {
    /// This catalog with `later`'s rules added where they fit (for planning rows only: the
    /// database is not changed).
    pub fn tightened_by(&self, later: &Catalog) -> Catalog {
        let mut tightened = self.clone();
        let exists = |name: &str| self.tables.iter().any(|t| t.qualified_name() == name);
        for table in &mut tightened.tables {
            let Some(future) = later
                .tables
                .iter()
                .find(|t| t.schema == table.schema && t.name == table.name)
            else {
                continue;
            };
            for column in &mut table.columns {
                let same = future
                    .column(&column.name)
                    .filter(|f| f.data_type == column.data_type);
                if same.is_some_and(|f| f.not_null) && column.default.is_none() {
                    column.not_null = true;
                }
            }
            let added: Vec<Constraint> = future
                .constraints
                .iter()
                .filter(|c| fits(c, table, future))
                .filter(|c| c.foreign.as_ref().is_none_or(|f| exists(&f.target)))
                .filter(|c| !table.constraints.iter().any(|own| same_rule(own, c)))
                .cloned()
                .collect();
            table.constraints.extend(added);
            let unique_indexes: Vec<_> = future
                .indexes
                .iter()
                .filter(|i| i.unique && i.constraint.is_none() && i.predicate.is_none())
                .filter(|i| i.keys.iter().all(|k| same_column(k, table, future)))
                .filter(|i| {
                    !table
                        .indexes
                        .iter()
                        .any(|own| own.unique && own.keys == i.keys)
                })
                .cloned()
                .collect();
            table.indexes.extend(unique_indexes);
        }
        tightened
    }
}

/// Whether the constraint is one rows are generated to, naming only columns `table` has
/// with the type they have in `future`.
fn fits(constraint: &Constraint, table: &Table, future: &Table) -> bool {
    matches!(
        constraint.kind,
        ConstraintType::Check | ConstraintType::Unique | ConstraintType::ForeignKey
    ) && !constraint.columns.is_empty()
        && constraint
            .columns
            .iter()
            .all(|c| same_column(c, table, future))
}

fn same_column(name: &str, table: &Table, future: &Table) -> bool {
    match (table.column(name), future.column(name)) {
        (Some(now), Some(then)) => now.data_type == then.data_type,
        _ => false,
    }
}

fn same_rule(own: &Constraint, other: &Constraint) -> bool {
    own.name == other.name || (own.kind == other.kind && own.definition == other.definition)
}
