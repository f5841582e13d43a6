//! A tree's rows, inserted breadth-first under their parents as its shape says, with every
//! other reference pointing at an ancestor or a row made for it.

use std::collections::VecDeque;

use futures::future::BoxFuture;
use harness::checks::integrity::{IntegrityRule, Rejection};
use harness::run::scenario::ScenarioError;

use super::case::CascadeProperty;
use super::shape::{ancestor, Node, Shape};
use super::MAX_ROWS;
use crate::constraints::fixtures::{insert_plain, pick, ParentKeys};
use crate::constraints::schema::execute;

impl CascadeProperty {
    /// Builds a tree breadth-first from `shape`, returning its rows.
    pub(super) async fn build(&mut self, shape: &Shape) -> Result<Vec<Node>, ScenarioError> {
        let plan = self.plan.clone();
        let mut nodes: Vec<Node> = Vec::new();
        let mut queue = VecDeque::new();
        let mut fan_out = shape.fan_out.iter().copied();
        for root in &plan.roots {
            for _ in 0..shape.roots {
                let i = self.add(&mut nodes, root, None).await?;
                queue.push_back(i);
            }
        }
        while let Some(i) = queue.pop_front() {
            let table = nodes[i].table.clone();
            for child in plan.children.get(&table).into_iter().flatten() {
                let mut fan = fan_out.next().unwrap_or(1);
                if plan.one_to_one.contains(child) {
                    fan = fan.min(1);
                }
                for _ in 0..fan {
                    if nodes.len() >= MAX_ROWS {
                        break;
                    }
                    let j = self.add(&mut nodes, child, Some(i)).await?;
                    queue.push_back(j);
                }
            }
        }
        Ok(nodes)
    }

    /// Inserts a row of `table` under `parent`; its other references point at an ancestor
    /// of that table when there is one, else at a row of it already in the tree (taking
    /// turns), else at a row made for it — a reference that may not be NULL must point
    /// somewhere. A row refused for a duplicate key (two rows under one parent pointing at
    /// the same other row, where that pair is unique) or by a check (`from_id <> to_id`,
    /// both pointing at one ancestor) is tried once more, with new rows for its other
    /// references.
    pub(super) fn add<'a>(
        &'a mut self,
        nodes: &'a mut Vec<Node>,
        table: &'a str,
        parent: Option<usize>,
    ) -> BoxFuture<'a, Result<usize, ScenarioError>> {
        Box::pin(async move {
            match self.try_add(nodes, table, parent, false).await? {
                Ok(i) => Ok(i),
                Err(_) => match self.try_add(nodes, table, parent, true).await? {
                    Ok(i) => Ok(i),
                    Err(e) => Err(ScenarioError::Other(format!(
                        "failed to insert a plain row into {table}: {e}"
                    ))),
                },
            }
        })
    }

    /// One attempt of [`Self::add`]: `Ok(Err(_))` when the row was refused for a duplicate
    /// key (and nothing was left behind), for the caller to try again with `fresh` rows.
    pub(super) async fn try_add(
        &mut self,
        nodes: &mut Vec<Node>,
        table: &str,
        parent: Option<usize>,
        fresh: bool,
    ) -> Result<Result<usize, String>, ScenarioError> {
        let plan = self.plan.clone();
        let schema = self.schema.clone();
        let mut links = Vec::new();
        for &e in plan.references.get(table).into_iter().flatten() {
            let edge = &schema.edges[e];
            let wanted = edge.parent.clone();
            let mut target = if plan.tree_parent.get(table) == Some(&e) {
                parent
            } else if fresh {
                None
            } else {
                ancestor(nodes, parent, &wanted).or_else(|| {
                    let rows: Vec<usize> = (0..nodes.len())
                        .filter(|&i| nodes[i].table == wanted)
                        .collect();
                    (!rows.is_empty()).then(|| rows[nodes.len() % rows.len()])
                })
            };
            let required = edge
                .columns
                .iter()
                .any(|c| schema.table(table).column(c).is_some_and(|c| c.not_null));
            if target.is_none() && required && wanted != table {
                let under = plan.tree_parent.get(&wanted).and_then(|&up| {
                    let above = &schema.edges[up].parent;
                    ancestor(nodes, parent, above)
                        .or_else(|| nodes.iter().position(|n| &n.table == above))
                });
                target = Some(self.add(nodes, &wanted, under).await?);
            }
            if let Some(target) = target {
                links.push((e, target));
            }
        }
        let parent_keys: ParentKeys = links
            .iter()
            .map(|&(e, target)| {
                let node = &nodes[target];
                let edge = &schema.edges[e];
                (
                    e,
                    pick(&plan.keys[&node.table], &node.values, &edge.parent_columns),
                )
            })
            .collect();
        let n = nodes.len() as u64;
        execute(&mut self.conn, "SAVEPOINT tree_row")
            .await
            .map_err(|e| ScenarioError::sql("set a savepoint", e))?;
        let inserted = insert_plain(
            &mut self.conn,
            &schema,
            table,
            n,
            &parent_keys,
            &plan.keys[table],
        )
        .await;
        let values = match inserted {
            Ok(values) => {
                execute(&mut self.conn, "RELEASE SAVEPOINT tree_row")
                    .await
                    .map_err(|e| ScenarioError::sql("release a savepoint", e))?;
                values
            }
            Err(e)
                if !fresh
                    && e.refusal()
                        .and_then(Rejection::from_error)
                        .is_some_and(|r| {
                            matches!(r.rule, Some(IntegrityRule::Unique | IntegrityRule::Check))
                        }) =>
            {
                execute(&mut self.conn, "ROLLBACK TO SAVEPOINT tree_row")
                    .await
                    .map_err(|e| ScenarioError::sql("roll back to the savepoint", e))?;
                return Ok(Err(e.to_string()));
            }
            Err(e) => return Err(e.into_scenario_error(table)),
        };
        nodes.push(Node {
            table: table.to_owned(),
            values,
            links,
            parent,
        });
        Ok(Ok(nodes.len() - 1))
    }
}
