//! One proptest case: build a tree in a transaction, delete a row at the level under test,
//! compare every row before and after with what the ON DELETE actions say, roll back.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use async_trait::async_trait;
use harness::backend::names::quote_ident;
use harness::checks::integrity::{IntegrityRule, Rejection};
use harness::checks::property::Property;
use harness::run::scenario::ScenarioError;
use proptest::test_runner::TestCaseError;
use sqlx::{PgConnection, Row as _};

use super::expected::Expected;
use super::plan::Plan;
use super::shape::{Node, Shape};
use crate::constraints::schema::{execute, Schema};

#[derive(Debug, Default)]
pub(super) struct Tally {
    pub(super) removed: u64,
    pub(super) untouched: u64,
}

pub(super) struct CascadeProperty {
    pub(super) conn: PgConnection,
    pub(super) schema: Arc<Schema>,
    pub(super) plan: Arc<Plan>,
    /// The table rows are deleted from.
    pub(super) level: String,
    pub(super) tally: Tally,
    pub(super) fatal: Option<ScenarioError>,
}

/// (table, primary key as text) → md5 of the row.
pub(super) type Snapshot = HashMap<(String, String), String>;

impl CascadeProperty {
    pub(super) async fn case(
        &mut self,
        shape: &Shape,
    ) -> Result<Result<(), TestCaseError>, ScenarioError> {
        execute(&mut self.conn, "BEGIN; SET CONSTRAINTS ALL IMMEDIATE")
            .await
            .map_err(|e| ScenarioError::sql("begin a tree", e))?;
        let result = self.tree(shape).await;
        let rollback = execute(&mut self.conn, "ROLLBACK").await;
        let result = result?;
        rollback.map_err(|e| ScenarioError::sql("roll a tree back", e))?;
        Ok(result)
    }

    pub(super) async fn tree(
        &mut self,
        shape: &Shape,
    ) -> Result<Result<(), TestCaseError>, ScenarioError> {
        let nodes = self.build(shape).await?;
        let candidates: Vec<usize> = (0..nodes.len())
            .filter(|&i| nodes[i].table == self.level)
            .collect();
        if candidates.is_empty() {
            return Ok(Err(TestCaseError::reject("no row at this level")));
        }
        let victim = *shape.victim.get(&candidates);
        let expected = Expected::of(&self.schema, &nodes, victim);
        let before = self.snapshot().await?;

        let plan = self.plan.clone();
        let pk_len = plan.primary_key_len[&self.level];
        let pk_columns = &plan.keys[&self.level][..pk_len];
        let table = self.schema.table(&self.level);
        let conditions: Vec<String> = pk_columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let data_type = table.column(c).map_or("text", |c| c.data_type.as_str());
                format!("{} = ${}::{data_type}", quote_ident(c), i + 1)
            })
            .collect();
        let delete = format!(
            "DELETE FROM {}.{} WHERE {}",
            quote_ident(&table.schema),
            quote_ident(&table.name),
            conditions.join(" AND ")
        );
        let mut query = sqlx::query(&delete);
        for value in &nodes[victim].values[..pk_len] {
            query = query.bind(value.as_param());
        }
        let sql_error = |what: &'static str| move |e| ScenarioError::sql(what, e);
        execute(&mut self.conn, "SAVEPOINT cut")
            .await
            .map_err(sql_error("set a savepoint"))?;
        let refused = match query.execute(&mut self.conn).await {
            Ok(_) => None,
            Err(e) => {
                let rejection = Rejection::from_error(&e)
                    .ok_or_else(|| ScenarioError::sql("delete a row", e))?;
                execute(&mut self.conn, "ROLLBACK TO SAVEPOINT cut")
                    .await
                    .map_err(sql_error("roll back to the savepoint"))?;
                Some(rejection)
            }
        };
        let after = self.snapshot().await?;

        let name = |i: usize| self.node_name(&nodes, i);
        let names =
            |set: &BTreeSet<usize>| set.iter().map(|&i| name(i)).collect::<Vec<_>>().join(", ");
        let mut context = vec![
            format!("tree ({} rows): {}", nodes.len(), self.describe(&nodes)),
            format!(
                "DELETE FROM {} WHERE {}",
                short(&self.level),
                pk_columns
                    .iter()
                    .zip(&nodes[victim].values)
                    .map(|(c, v)| format!("{c} = {}", v.as_param().unwrap_or_default()))
                    .collect::<Vec<_>>()
                    .join(" AND ")
            ),
        ];
        let claimed = if let Some((child, edge)) = expected.blocked {
            format!(
                "refused with 23503 foreign_key_violation: {} still references it (on delete {})",
                name(child),
                self.schema.edges[edge].on_delete.sql()
            )
        } else if expected.removed.len() > 1 {
            let descendants: BTreeSet<usize> = expected
                .removed
                .iter()
                .copied()
                .filter(|&i| i != victim)
                .collect();
            format!(
                "removes {} and its descendants {}",
                name(victim),
                names(&descendants)
            )
        } else {
            format!("removes {} alone", name(victim))
        };
        let fail = |headline: &str, database: String, mut context: Vec<String>| {
            let mut lines = vec![headline.to_owned()];
            lines.append(&mut context);
            lines.push(format!("claimed: {claimed}"));
            lines.push(format!("database: {database}"));
            Err(TestCaseError::fail(lines.join("\n")))
        };
        match (&refused, expected.blocked) {
            (Some(r), Some(_)) if r.rule == Some(IntegrityRule::ForeignKey) => return Ok(Ok(())),
            (Some(r), _) => {
                return Ok(fail(
                    "the delete is refused",
                    format!("refused with {r}"),
                    context,
                ))
            }
            (None, Some(_)) => {
                return Ok(fail(
                    "the delete goes through though a reference should stop it",
                    "deleted".into(),
                    context,
                ))
            }
            (None, None) => {}
        }
        let key = |i: usize| (nodes[i].table.clone(), self.pk_text(&nodes, i));
        let left_behind: BTreeSet<usize> = expected
            .removed
            .iter()
            .copied()
            .filter(|&i| after.contains_key(&key(i)))
            .collect();
        let kept: Vec<usize> = (0..nodes.len())
            .filter(|i| !expected.removed.contains(i))
            .collect();
        let lost: BTreeSet<usize> = kept
            .iter()
            .copied()
            .filter(|&i| !after.contains_key(&key(i)))
            .collect();
        let changed: BTreeSet<usize> = kept
            .iter()
            .copied()
            .filter(|i| !expected.nullified.contains(i) && !lost.contains(i))
            .filter(|&i| before.get(&key(i)) != after.get(&key(i)))
            .collect();
        if !left_behind.is_empty() {
            context.push(format!(
                "orphans: {}",
                self.orphans(&nodes, &left_behind, &expected.removed)
            ));
            return Ok(fail(
                "the delete leaves rows behind that the claimed cascade removes",
                format!("still there: {}", names(&left_behind)),
                context,
            ));
        }
        if !lost.is_empty() {
            return Ok(fail(
                "the delete removes rows outside what the claimed actions reach",
                format!("also removed: {}", names(&lost)),
                context,
            ));
        }
        if !changed.is_empty() {
            return Ok(fail(
                "the delete changes rows it should leave alone",
                format!("changed: {}", names(&changed)),
                context,
            ));
        }
        self.tally.removed += expected.removed.len() as u64 - 1;
        self.tally.untouched += kept.len() as u64;
        Ok(Ok(()))
    }
}

impl CascadeProperty {
    pub(super) async fn snapshot(&mut self) -> Result<Snapshot, ScenarioError> {
        let mut snapshot = Snapshot::new();
        for name in &self.plan.tables {
            let table = self.schema.table(name);
            let pk_len = self.plan.primary_key_len[name];
            let pk: Vec<String> = self.plan.keys[name][..pk_len]
                .iter()
                .map(|c| format!("{}::text", quote_ident(c)))
                .collect();
            let sql = format!(
                "SELECT concat_ws(',', {}), md5(t::text) FROM {}.{} AS t",
                pk.join(", "),
                quote_ident(&table.schema),
                quote_ident(&table.name)
            );
            let rows = sqlx::query(&sql)
                .fetch_all(&mut self.conn)
                .await
                .map_err(|e| ScenarioError::sql(format!("read the rows of {name}"), e))?;
            for row in rows {
                let key: String = row.try_get(0).unwrap_or_default();
                let digest: String = row.try_get(1).unwrap_or_default();
                snapshot.insert((name.clone(), key), digest);
            }
        }
        Ok(snapshot)
    }

    pub(super) fn pk_text(&self, nodes: &[Node], i: usize) -> String {
        let pk_len = self.plan.primary_key_len[&nodes[i].table];
        nodes[i].values[..pk_len]
            .iter()
            .map(|v| v.as_param().unwrap_or_default())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// "workspaces 3".
    pub(super) fn node_name(&self, nodes: &[Node], i: usize) -> String {
        format!("{} {}", short(&nodes[i].table), self.pk_text(nodes, i))
    }

    /// "users 1; workspaces 1 ← users 1; …"
    pub(super) fn describe(&self, nodes: &[Node]) -> String {
        (0..nodes.len())
            .map(|i| {
                let mut s = self.node_name(nodes, i);
                if !nodes[i].links.is_empty() {
                    let parents: Vec<String> = nodes[i]
                        .links
                        .iter()
                        .map(|&(_, p)| self.node_name(nodes, p))
                        .collect();
                    s.push_str(&format!(" ← {}", parents.join(", ")));
                }
                s
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Each left-behind row and the removed rows it references.
    pub(super) fn orphans(
        &self,
        nodes: &[Node],
        left: &BTreeSet<usize>,
        removed: &BTreeSet<usize>,
    ) -> String {
        left.iter()
            .map(|&i| {
                let parents: Vec<String> = nodes[i]
                    .links
                    .iter()
                    .filter(|(_, p)| removed.contains(p))
                    .map(|&(e, p)| {
                        let edge = &self.schema.edges[e];
                        format!(
                            "{}({}) → {}",
                            short(&edge.child),
                            edge.columns.join(", "),
                            self.node_name(nodes, p)
                        )
                    })
                    .collect();
                format!("{} [{}]", self.node_name(nodes, i), parents.join("; "))
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[async_trait]
impl Property for CascadeProperty {
    type Case = Shape;

    async fn check(&mut self, shape: Shape) -> Result<(), TestCaseError> {
        if self.fatal.is_some() {
            return Err(TestCaseError::reject("the harness failed"));
        }
        match self.case(&shape).await {
            Ok(result) => result,
            Err(e) => {
                self.fatal = Some(e);
                Err(TestCaseError::reject("the harness failed"))
            }
        }
    }
}

/// `public.users` → `users`.
pub(super) fn short(table: &str) -> &str {
    table.strip_prefix("public.").unwrap_or(table)
}
