//! The main queries at one scale: a clone of the seeded dataset, one app-role connection,
//! every query prepared with its parameters drawn from that data.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use harness::checks::growth::{self, Curve, Point, Sampling};
use harness::run::scenario::{Context, ScenarioError};
use harness::schema::dataset::{scale_label, scale_of};
use harness::schema::probe::{PreparedQuery, Probe};
use harness::schema::template::Database;
use sqlx::{Connection, PgConnection};

/// Why the index checks on main queries cannot run.
pub const NO_MAIN_QUERY: &str = "the manifest names no main query ([[queries]]) and the catalog offers none to derive (no indexed foreign key or unique key outside reference data)";

/// A dataset clone at one scale, ready to run the main queries on.
pub struct AtScale {
    pub users: u64,
    /// Rows in the `[scale]` tables (in every table, when none is listed).
    pub rows: u64,
    /// Estimated rows of every user table, by `regclass` text.
    pub table_rows: BTreeMap<String, f64>,
    /// Every index's table and leading key, by index name.
    pub index_leads: BTreeMap<String, (String, String)>,
    /// The partitioned index each partition's index belongs to, by index name.
    pub index_roots: BTreeMap<String, String>,
    pub conn: PgConnection,
    pub queries: Vec<PreparedQuery>,
    db: Database,
    /// `READINESS_KEEP=1`: leave the clone for inspection should the scenario fail.
    keep: bool,
    /// How long getting the database took (a clone, or the first build and a clone).
    pub provisioned_in: Duration,
}

impl AtScale {
    /// Clones the dataset of `users` users and prepares every main query on it.
    pub async fn open(ctx: &Context, users: u64) -> Result<AtScale, ScenarioError> {
        let started = Instant::now();
        let db = ctx
            .seeded_database(&format!("indexes_{}", scale_label(users)), users)
            .await?;
        let provisioned_in = started.elapsed();
        let mut conn = db
            .connect_app()
            .await
            .map_err(|e| ScenarioError::sql("connect to the dataset as the app role", e))?;
        let table_rows: Vec<(String, f64)> = sqlx::query_as(
            "SELECT c.oid::regclass::text, greatest(c.reltuples, 0)::float8 FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
               AND n.nspname NOT LIKE 'pg\\_toast%'",
        )
        .fetch_all(&mut conn)
        .await
        .map_err(|e| ScenarioError::sql("read the tables' sizes", e))?;
        // the dataset's size: the `[scale]` tables, or every table when the whole dataset
        // is generated from the catalog
        let tables: Vec<String> = scale_of(ctx.subject())?
            .tables
            .iter()
            .map(|t| harness::backend::names::relation_text(&t.table))
            .collect();
        let rows: i64 = if tables.is_empty() {
            table_rows.iter().map(|(_, n)| *n).sum::<f64>() as i64
        } else {
            sqlx::query_scalar(
                "SELECT coalesce(sum(greatest(c.reltuples, 0)), 0)::int8 FROM pg_class c \
                 WHERE c.oid IN (SELECT to_regclass(t) FROM unnest($1::text[]) AS t)",
            )
            .bind(&tables)
            .fetch_one(&mut conn)
            .await
            .map_err(|e| ScenarioError::sql("count the dataset's rows", e))?
        };
        let index_leads: Vec<(String, String, String, String)> = sqlx::query_as(
            "SELECT ic.relname::text, i.indrelid::regclass::text, pg_get_indexdef(i.indexrelid, 1, true), \
                    (SELECT r.relname::text FROM pg_class r WHERE r.oid = coalesce(pg_partition_root(ic.oid), ic.oid)) \
             FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid \
             JOIN pg_namespace n ON n.oid = ic.relnamespace \
             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'",
        )
        .fetch_all(&mut conn)
        .await
        .map_err(|e| ScenarioError::sql("read the indexes' leading keys", e))?;
        let main = ctx.main_queries().await?;
        let queries = PreparedQuery::prepare_all(&mut conn, ctx.subject(), &main).await?;
        Ok(AtScale {
            users,
            rows: rows.max(0) as u64,
            table_rows: table_rows.into_iter().collect(),
            index_roots: index_leads
                .iter()
                .filter(|(index, _, _, root)| index != root)
                .map(|(index, _, _, root)| (index.clone(), root.clone()))
                .collect(),
            index_leads: index_leads
                .into_iter()
                .map(|(index, table, lead, _)| (index, (table, lead)))
                .collect(),
            conn,
            queries,
            db,
            keep: ctx.options().keep_failed,
            provisioned_in,
        })
    }

    /// Rows of a table by the name a plan gives it (bare, or schema-qualified).
    pub fn rows_of(&self, relation: &str) -> f64 {
        self.table_rows
            .get(relation)
            .or_else(|| {
                self.table_rows
                    .iter()
                    .find(|(name, _)| name.rsplit('.').next() == Some(relation))
                    .map(|(_, rows)| rows)
            })
            .copied()
            .unwrap_or(0.0)
    }

    /// Whether `used` is `expected` itself, or its index on one partition of the table.
    pub fn is_or_partition_of(&self, used: &str, expected: &str) -> bool {
        used == expected
            || self
                .index_roots
                .get(used)
                .is_some_and(|root| root == expected)
    }

    /// Rows of the table an index is on (0 for an index it does not know).
    pub fn rows_under(&self, index: &str) -> f64 {
        self.index_leads
            .get(index)
            .map_or(0.0, |(table, _)| self.rows_of(table))
    }

    /// Whether the execution `probe` read (in full or by an index) a table of more than
    /// `threshold` rows at this scale: a query with no expected index is judged only then,
    /// not where every table it touches is small or empty.
    pub fn reads_a_large_table(&self, probe: &Probe, threshold: u64) -> bool {
        let root = &probe.explained.root;
        let planned = root
            .seq_scans()
            .into_iter()
            .filter_map(|n| n.relation.as_deref())
            .map(|relation| self.rows_of(relation));
        let by_index = root.indexes().into_iter().map(|i| self.rows_under(i));
        let in_triggers = probe.seq_scanned.iter().map(|s| s.table_rows);
        planned
            .chain(by_index)
            .chain(in_triggers)
            .any(|rows| rows > threshold as f64)
    }

    /// Whether a plan that used `used` (its index names) passed over `index` on a table
    /// small enough (at most `threshold` rows) for a full read to be the planner's right
    /// choice: then the plan is another plan's, and neither judged nor put on a curve.
    pub fn passed_over_on_small_table(
        &self,
        index: &str,
        used: &BTreeSet<&str>,
        threshold: u64,
    ) -> bool {
        !used.iter().any(|u| self.is_or_partition_of(u, index))
            && self.rows_under(index) <= threshold as f64
    }

    /// Whether `used` serves the same lookups as `expected`: an index on the same table that
    /// leads with the same key (the planner may pick either; both keep the query an
    /// index lookup).
    pub fn leads_like(&self, used: &str, expected: &str) -> bool {
        match (self.index_leads.get(used), self.index_leads.get(expected)) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        }
    }

    /// Closes the connection and drops the clone now rather than with the scenario: a
    /// large dataset's clones add up.
    pub async fn close(self) {
        let _ = self.conn.close().await;
        if self.keep {
            return;
        }
        if let Err(e) = self.db.drop_database().await {
            tracing::warn!("failed to drop a dataset clone: {e}");
        }
    }
}

/// Every main query's growth curve over `scales`, with how long each dataset took to get.
/// Every scale's clone is open at once and each query is measured at all of them in
/// interleaved rounds, so that a busy moment does not fall on one scale only.
pub async fn measure_curves(
    ctx: &Context,
    scales: &[u64],
    sampling: Sampling,
) -> Result<(Vec<Curve>, Vec<(u64, Duration)>), ScenarioError> {
    let mut opened = Vec::with_capacity(scales.len());
    for &users in scales {
        opened.push(AtScale::open(ctx, users).await?);
    }
    let provisioning = opened
        .iter()
        .map(|at| (at.users, at.provisioned_in))
        .collect();
    let threshold = scale_of(ctx.subject())?.seq_scan_max_rows;
    let mut curves = Vec::new();
    let main = ctx.main_queries().await?;
    for (position, query) in main.queries.iter().enumerate() {
        let prepared: Vec<PreparedQuery> = opened
            .iter()
            .map(|at| at.queries[position].clone())
            .collect();
        let mut targets: Vec<(&mut PgConnection, &PreparedQuery)> = opened
            .iter_mut()
            .map(|at| &mut at.conn)
            .zip(prepared.iter())
            .collect();
        let medians = growth::measure_interleaved(&mut targets, sampling).await?;
        let mut curve = Curve::new(&query.name);
        let mut reads_large = false;
        for (at, (median_ms, runs)) in opened.iter_mut().zip(medians) {
            // where the planner rightly reads a small table in full instead of the expected
            // index, the point is another plan's, not the index's growth
            let probe = at.queries[position].probe(&mut at.conn).await?;
            reads_large |= at.reads_a_large_table(&probe, threshold);
            if let Some(index) = &query.expect_index {
                let used = probe.explained.root.indexes();
                if at.passed_over_on_small_table(index, &used, threshold) {
                    curve.left_out.push(at.users);
                    continue;
                }
            }
            curve.points.push(Point {
                users: at.users,
                rows: at.rows,
                median_ms,
                runs,
            });
        }
        if query.expect_index.is_none() && !reads_large {
            // a query with no expected index that never read a large table is flat on
            // small or empty tables, which says nothing about how it grows: not judged
            curve
                .left_out
                .extend(curve.points.drain(..).map(|p| p.users));
        }
        curves.push(curve);
    }
    for at in opened {
        at.close().await;
    }
    Ok((curves, provisioning))
}
