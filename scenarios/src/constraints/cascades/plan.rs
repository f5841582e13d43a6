//! Which trees the cascade scenario builds: the levels rows are deleted at, the root
//! tables, each table's parent in the tree and its other references, read from the schema.

use std::collections::{BTreeSet, HashMap};

use harness::run::scenario::ScenarioError;

use crate::constraints::fixtures::{ancestors, key_columns, reference_order};
use crate::constraints::schema::Schema;

/// How trees are built, from the references between the tables.
pub(super) struct Plan {
    /// The levels a row is deleted at: the parents of every claimed ON DELETE action.
    pub(super) levels: Vec<String>,
    /// Tables with no parent in the tree: each tree starts there.
    pub(super) roots: Vec<String>,
    /// Each table's place in the tree: the reference to its deepest parent.
    pub(super) tree_parent: HashMap<String, usize>,
    /// The tables hanging under each table, in build order.
    pub(super) children: HashMap<String, Vec<String>>,
    /// Tables whose reference to their tree parent is unique (one-to-one): one row each.
    pub(super) one_to_one: BTreeSet<String>,
    /// The references among the tree's tables (by schema edge index), per child table.
    pub(super) references: HashMap<String, Vec<usize>>,
    /// The columns read back from each new row: primary key first.
    pub(super) keys: HashMap<String, Vec<String>>,
    pub(super) primary_key_len: HashMap<String, usize>,
    pub(super) tables: Vec<String>,
}

impl Plan {
    /// The plan, or why there is nothing to prove (as the inner error).
    pub(super) fn new(schema: &Schema) -> Result<Result<Plan, String>, ScenarioError> {
        let claimed: Vec<_> = schema.edges.iter().filter(|e| e.delete_claimed).collect();
        if claimed.is_empty() {
            return Ok(Err(
                "the manifest claims no ON DELETE action (on_delete)".into()
            ));
        }
        let mut tables: BTreeSet<String> = claimed
            .iter()
            .flat_map(|e| [e.child.clone(), e.parent.clone()])
            .collect();
        let parents = ancestors(schema, &tables.iter().cloned().collect::<Vec<_>>());
        tables.extend(parents);
        let order = reference_order(schema, &tables)?;
        let mut references: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, edge) in schema.edges.iter().enumerate() {
            if edge.child != edge.parent
                && tables.contains(&edge.child)
                && tables.contains(&edge.parent)
            {
                references.entry(edge.child.clone()).or_default().push(i);
            }
        }
        let mut depth: HashMap<String, usize> = HashMap::new();
        let mut tree_parent = HashMap::new();
        for table in &order {
            let mut best: Option<(usize, usize)> = None;
            for &i in references.get(table).into_iter().flatten() {
                let d = depth[&schema.edges[i].parent];
                let better = match best {
                    None => true,
                    Some((_, bd)) => d > bd || (d == bd && schema.edges[i].delete_claimed),
                };
                if better {
                    best = Some((i, d));
                }
            }
            depth.insert(table.clone(), best.map_or(0, |(_, d)| d + 1));
            if let Some((i, _)) = best {
                tree_parent.insert(table.clone(), i);
            }
        }
        let mut children: HashMap<String, Vec<String>> = HashMap::new();
        let mut one_to_one = BTreeSet::new();
        for table in &order {
            if let Some(&i) = tree_parent.get(table) {
                children
                    .entry(schema.edges[i].parent.clone())
                    .or_default()
                    .push(table.clone());
                if schema.table(table).is_unique_key(&schema.edges[i].columns) {
                    one_to_one.insert(table.clone());
                }
            }
        }
        let mut keys = HashMap::new();
        let mut primary_key_len = HashMap::new();
        for table in &order {
            let Some(pk) = schema.table(table).primary_key() else {
                return Ok(Err(format!(
                    "table {table} has no primary key: its rows cannot be told apart before and after a delete"
                )));
            };
            primary_key_len.insert(table.clone(), pk.len());
            keys.insert(table.clone(), key_columns(schema, table));
        }
        let mut levels: Vec<String> = Vec::new();
        for table in &order {
            if claimed.iter().any(|e| &e.parent == table) {
                levels.push(table.clone());
            }
        }
        Ok(Ok(Plan {
            levels,
            roots: order
                .iter()
                .filter(|t| !tree_parent.contains_key(*t))
                .cloned()
                .collect(),
            tree_parent,
            children,
            one_to_one,
            references,
            keys,
            primary_key_len,
            tables: order,
        }))
    }
}
