//! Claim: constraints (cascade deletes); fault: deleting a row at each level of randomly
//! generated trees (e.g. user → workspaces → projects → slides, random fan-out), whose
//! shape comes from the references the catalog declares and the manifest claims; check:
//! every row the claimed ON DELETE actions reach is gone, and every other row is still
//! there, unchanged (ids and contents compared before and after). A deviation is shrunk
//! by proptest to a minimal tree. Each tree is built and deleted in a transaction that is
//! rolled back.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures::future::BoxFuture;
use harness::catalog::FkAction;
use harness::integrity::{IntegrityRule, Rejection};
use harness::names::quote_ident;
use harness::property::{self, Property, Settings, Verdict};
use harness::rowgen::Value;
use harness::scenario::{Context, ScenarioError};
use harness::{Evidence, Outcome, Scenario};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::TestCaseError;
use sqlx::{Connection, PgConnection, Row as _};

use super::fixtures::{ancestors, insert_plain, key_columns, pick, reference_order, ParentKeys};
use super::prepare::prepare;
use super::schema::{execute, Schema};

/// Trees per level unless `READINESS_PROPTEST_CASES` says otherwise.
const DEFAULT_CASES: u32 = 12;
/// The most rows one tree may have.
const MAX_ROWS: usize = 120;

pub struct CascadesRemoveDescendants;

#[async_trait]
impl Scenario for CascadesRemoveDescendants {
    fn id(&self) -> &'static str {
        "cascades-remove-descendants"
    }

    fn claim(&self) -> &'static harness::runner::ClaimSpec {
        super::CLAIM
    }

    fn title(&self) -> &'static str {
        "deleting a row at each level of generated trees removes exactly what the claimed ON DELETE actions reach"
    }

    async fn run(&self, ctx: &Context) -> Result<Outcome, ScenarioError> {
        let prepared = prepare(ctx, "constraints_cascades").await?;
        let schema = Arc::new(prepared.schema);
        let plan = match Plan::new(&schema)? {
            Ok(plan) => Arc::new(plan),
            Err(why) => return Ok(Outcome::not_proven(Evidence::new(why))),
        };
        let mut conn = prepared
            .db
            .connect_app()
            .await
            .map_err(|e| ScenarioError::sql("connect as the app role", e))?;
        let mut evidence = Evidence::new("").seed(ctx.seed());
        let (mut executed, mut elapsed) = (0u32, Duration::ZERO);
        let mut failed = Vec::new();
        let mut unproven = Vec::new();
        for level in &plan.levels {
            let settings = Settings::new(
                DEFAULT_CASES,
                ctx.options().proptest_cases,
                ctx.seed(),
                format!("delete from {level}"),
            );
            let cases = settings.cases;
            let property = CascadeProperty {
                conn,
                schema: schema.clone(),
                plan: plan.clone(),
                level: level.clone(),
                tally: Tally::default(),
                fatal: None,
            };
            let (property, run) = property::check(&settings, shape_strategy(), property)
                .await
                .map_err(|e| ScenarioError::failed("run the property", e))?;
            if let Some(e) = property.fatal {
                return Err(e);
            }
            conn = property.conn;
            executed += run.executed;
            elapsed += run.elapsed;
            let label = format!("delete from {}", short(level));
            let tally = property.tally;
            match run.verdict {
                Verdict::Held => evidence.push_observation(
                    label,
                    format!(
                        "{cases} trees held: {} descendants removed, {} other rows left untouched",
                        tally.removed, tally.untouched
                    ),
                ),
                Verdict::Failed { reason, .. } => {
                    let mut lines = reason.lines().map(str::to_owned);
                    let headline = lines.next().unwrap_or_default();
                    let mut details: Vec<String> = lines.collect();
                    details.push(format!(
                        "minimal tree after shrinking; replay with --seed {}",
                        ctx.options().seed
                    ));
                    evidence.push_counterexample(format!("{label}: {headline}"), details);
                    failed.push(label);
                }
                Verdict::Aborted(reason) => unproven.push(format!("{label}: no verdict: {reason}")),
            }
        }
        let _ = conn.close().await;
        evidence.push_observation("trees built and cut", executed);
        evidence.push_timing("properties", elapsed);
        if !failed.is_empty() {
            evidence.summary = format!(
                "deletes do not remove exactly what the claimed ON DELETE actions reach: {}",
                failed.join(", ")
            );
            return Ok(Outcome::refuted(evidence));
        }
        if !unproven.is_empty() {
            evidence.summary = unproven.join("; ");
            return Ok(Outcome::not_proven(evidence));
        }
        evidence.summary = format!(
            "at every level ({}), deletes removed every descendant the claimed actions reach and nothing else ({executed} trees)",
            plan.levels.iter().map(|l| short(l)).collect::<Vec<_>>().join(", ")
        );
        Ok(Outcome::proven(evidence))
    }
}

/// How trees are built, from the references between the tables.
struct Plan {
    /// The levels a row is deleted at: the parents of every claimed ON DELETE action.
    levels: Vec<String>,
    /// Tables with no parent in the tree: each tree starts there.
    roots: Vec<String>,
    /// Each table's place in the tree: the reference to its deepest parent.
    tree_parent: HashMap<String, usize>,
    /// The tables hanging under each table, in build order.
    children: HashMap<String, Vec<String>>,
    /// Tables whose reference to their tree parent is unique (one-to-one): one row each.
    one_to_one: BTreeSet<String>,
    /// The references among the tree's tables (by schema edge index), per child table.
    references: HashMap<String, Vec<usize>>,
    /// The columns read back from each new row: primary key first.
    keys: HashMap<String, Vec<String>>,
    primary_key_len: HashMap<String, usize>,
    tables: Vec<String>,
}

impl Plan {
    /// The plan, or why there is nothing to prove (as the inner error).
    fn new(schema: &Schema) -> Result<Result<Plan, String>, ScenarioError> {
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

/// A tree's shape: how many rows of each root table, the fan-out of every row in
/// breadth-first order (1 once the list runs out, so the smallest tree is a chain through
/// every level), and which row to delete.
#[derive(Debug, Clone)]
struct Shape {
    roots: usize,
    fan_out: Vec<u8>,
    victim: Index,
}

fn shape_strategy() -> impl Strategy<Value = Shape> + Send + 'static {
    (
        1usize..=3,
        prop::collection::vec(0u8..=3, 0..=24),
        any::<Index>(),
    )
        .prop_map(|(roots, fan_out, victim)| Shape {
            roots,
            fan_out,
            victim,
        })
}

/// One row of a built tree.
#[derive(Debug, Clone)]
struct Node {
    table: String,
    /// The plan's key columns of the table, as text.
    values: Vec<Value>,
    /// (schema edge, the node it references).
    links: Vec<(usize, usize)>,
    parent: Option<usize>,
}

#[derive(Debug, Default)]
struct Tally {
    removed: u64,
    untouched: u64,
}

struct CascadeProperty {
    conn: PgConnection,
    schema: Arc<Schema>,
    plan: Arc<Plan>,
    /// The table rows are deleted from.
    level: String,
    tally: Tally,
    fatal: Option<ScenarioError>,
}

/// (table, primary key as text) → md5 of the row.
type Snapshot = HashMap<(String, String), String>;

impl CascadeProperty {
    async fn case(&mut self, shape: &Shape) -> Result<Result<(), TestCaseError>, ScenarioError> {
        execute(&mut self.conn, "BEGIN; SET CONSTRAINTS ALL IMMEDIATE")
            .await
            .map_err(|e| ScenarioError::sql("begin a tree", e))?;
        let result = self.tree(shape).await;
        let rollback = execute(&mut self.conn, "ROLLBACK").await;
        let result = result?;
        rollback.map_err(|e| ScenarioError::sql("roll a tree back", e))?;
        Ok(result)
    }

    async fn tree(&mut self, shape: &Shape) -> Result<Result<(), TestCaseError>, ScenarioError> {
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

    /// Builds a tree breadth-first from `shape`, returning its rows.
    async fn build(&mut self, shape: &Shape) -> Result<Vec<Node>, ScenarioError> {
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
    fn add<'a>(
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
    async fn try_add(
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

    async fn snapshot(&mut self) -> Result<Snapshot, ScenarioError> {
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

    fn pk_text(&self, nodes: &[Node], i: usize) -> String {
        let pk_len = self.plan.primary_key_len[&nodes[i].table];
        nodes[i].values[..pk_len]
            .iter()
            .map(|v| v.as_param().unwrap_or_default())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// "workspaces 3".
    fn node_name(&self, nodes: &[Node], i: usize) -> String {
        format!("{} {}", short(&nodes[i].table), self.pk_text(nodes, i))
    }

    /// "users 1; workspaces 1 ← users 1; …"
    fn describe(&self, nodes: &[Node]) -> String {
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
    fn orphans(&self, nodes: &[Node], left: &BTreeSet<usize>, removed: &BTreeSet<usize>) -> String {
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

/// What the claimed (else declared) ON DELETE actions make of deleting `victim`.
struct Expected {
    /// The victim and every row the cascade reaches.
    removed: BTreeSet<usize>,
    /// A row outside `removed` that references one inside through NO ACTION / RESTRICT,
    /// and that reference: the delete must be refused.
    blocked: Option<(usize, usize)>,
    /// Rows whose reference is set to NULL or its default: kept, but changed.
    nullified: BTreeSet<usize>,
}

impl Expected {
    fn of(schema: &Schema, nodes: &[Node], victim: usize) -> Expected {
        let mut removed = BTreeSet::from([victim]);
        loop {
            let reached: Vec<usize> = (0..nodes.len())
                .filter(|i| !removed.contains(i))
                .filter(|&i| {
                    nodes[i].links.iter().any(|&(e, p)| {
                        removed.contains(&p) && schema.edges[e].on_delete == FkAction::Cascade
                    })
                })
                .collect();
            if reached.is_empty() {
                break;
            }
            removed.extend(reached);
        }
        let mut blocked = None;
        let mut nullified = BTreeSet::new();
        for (i, node) in nodes
            .iter()
            .enumerate()
            .filter(|(i, _)| !removed.contains(i))
        {
            for &(e, p) in &node.links {
                if !removed.contains(&p) {
                    continue;
                }
                match schema.edges[e].on_delete {
                    FkAction::NoAction | FkAction::Restrict => {
                        blocked.get_or_insert((i, e));
                    }
                    FkAction::SetNull | FkAction::SetDefault => {
                        nullified.insert(i);
                    }
                    FkAction::Cascade => {}
                }
            }
        }
        Expected {
            removed,
            blocked,
            nullified,
        }
    }
}

/// The nearest of `from` and its tree ancestors that is a row of `table`.
fn ancestor(nodes: &[Node], from: Option<usize>, table: &str) -> Option<usize> {
    let mut at = from;
    while let Some(i) = at {
        if nodes[i].table == table {
            return Some(i);
        }
        at = nodes[i].parent;
    }
    None
}

/// `public.users` → `users`.
fn short(table: &str) -> &str {
    table.strip_prefix("public.").unwrap_or(table)
}
