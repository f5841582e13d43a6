//! Claim: migrations (safe to deploy: no migration stalls or breaks the running
//! application); fault: none, nothing runs; check: every migration's up SQL, read
//! statically in order (a table is existing when an earlier migration built it), has no
//! statement the lint rules name: an index built without CONCURRENTLY, a constraint
//! validated under its lock, a rewrite, a NOT NULL without a validated CHECK, a strong
//! lock with no `lock_timeout`… Findings are weighed by the rows of their tables: counted
//! in a database seeded at the smallest verify scale, scaled to the claimed users. Static
//! findings are guesses, so only a certain failure refutes (a NOT NULL column with no
//! default added to a table holding rows); with a major finding (a rewrite or scan of 100k
//! rows or more at the claimed size, code still running broken) the scenario is NOT
//! PROVEN and names each, heaviest first; lesser ones are listed for the lock trace to
//! measure. Steps through `deployed_through` are read, not judged. A subject that
//! migrates by command is linted through the SQL of a watched migrations directory
//! (Prisma's `prisma/migrations`), else N/A; statements captured as a command runs can be
//! linted with `harness::schema::lint::Linter::lint_statements`.

use std::collections::BTreeMap;

use async_trait::async_trait;
use harness::backend::names::quote_ident;
use harness::run::scenario::{Context, ScenarioError};
use harness::schema::lint::{self, Grade, Linter, Rule};
use harness::schema::migrate::layout;
use harness::subject::manifest::MigrationSource;
use harness::{Evidence, Outcome, Scenario};
use sqlx::Connection;

use super::marks::Marks;

/// The least grade that leaves the scenario NOT PROVEN: a rewrite or scan of 100k rows or
/// more at the claimed size, or a statement that breaks running code on a table with rows.
/// Lesser findings are listed for the lock trace to measure.
const NOT_PROVEN_FROM: Grade = Grade::Major;

pub struct UnsafeDdlNamed;

/// One migration's up SQL: its version, "0004 add index", and the SQL.
struct StepSql {
    version: i64,
    label: String,
    sql: String,
}

#[async_trait]
impl Scenario for UnsafeDdlNamed {
    fn id(&self) -> &'static str {
        "unsafe-ddl-named"
    }

    fn claim(&self) -> &'static harness::run::scenario::ClaimSpec {
        super::CLAIM
    }

    fn title(&self) -> &'static str {
        "no migration, read before it runs, locks a table in use for long, rewrites it, or breaks running code"
    }

    async fn run(&self, ctx: &Context) -> Result<Outcome, ScenarioError> {
        let migrations = ctx.migrations().await?;
        let (steps, origin) = match migrations.source() {
            MigrationSource::Dir(dir) => {
                let steps = migrations
                    .steps()
                    .into_iter()
                    .filter_map(|s| {
                        Some(StepSql {
                            version: s.version,
                            label: s.label(),
                            sql: migrations.up_sql(s.version)?.to_owned(),
                        })
                    })
                    .collect();
                (steps, dir.display().to_string())
            }
            MigrationSource::Commands { watch, .. } => match watched_sql(watch) {
                Some(found) => found,
                None => {
                    return Ok(Outcome::not_applicable(Evidence::new(
                        "the subject migrates by command and no watched directory holds migration SQL to read: nothing to lint before it runs",
                    )))
                }
            },
        };
        if steps.is_empty() {
            return Ok(Outcome::not_applicable(Evidence::new(format!(
                "no migration SQL to read in {origin}"
            ))));
        }

        let mut evidence = Evidence::new("")
            .observe("migrations read", format!("{} from {origin}", steps.len()))
            .observe(
                "rules",
                Rule::ALL
                    .iter()
                    .map(|r| r.id())
                    .collect::<Vec<_>>()
                    .join(", "),
            );
        let mut linter = Linter::new();
        let mut findings: Vec<(String, lint::Finding)> = Vec::new();
        let mut parse_errors: Vec<String> = Vec::new();
        // deployed steps are read for what they build, and not judged
        let mut marks = Marks::deployed_only(ctx.subject());
        let mut deployed = (0, 0);
        for step in &steps {
            let lint = linter.lint_migration(&step.sql);
            parse_errors.extend(
                lint.parse_errors
                    .iter()
                    .map(|e| format!("{}: {e}", step.label)),
            );
            if marks.deployed(&[step.version.to_string(), step.label.clone()]) {
                deployed = (deployed.0 + 1, deployed.1 + lint.findings.len());
                continue;
            }
            findings.extend(lint.findings.into_iter().map(|f| (step.label.clone(), f)));
        }
        marks.unmatched(ctx.subject())?;
        if let Some(through) = marks.deployed_through() {
            evidence.push_observation(
                "already deployed, not judged",
                format!(
                    "{} steps through {through} (deployed_through), with {} findings",
                    deployed.0, deployed.1
                ),
            );
            if deployed.0 == steps.len() {
                evidence.summary = format!(
                    "every migration is already deployed (deployed_through = {through}): none is left to judge"
                );
                return Ok(Outcome::not_applicable(evidence));
            }
        }
        let judged = steps.len() - deployed.0;
        if !parse_errors.is_empty() {
            // one a line: the renderings show the last few and count the others
            evidence.push_observation(
                format!(
                    "{} statements the parser could not read (skipped)",
                    parse_errors.len()
                ),
                parse_errors.join("\n"),
            );
        }
        if findings.is_empty() {
            evidence.summary = format!(
                "none of the {judged} migrations takes a lock that blocks writes on a table it did not create, rewrites one, or breaks code still running (read statically; the lock trace measures the real run)"
            );
            return Ok(Outcome::proven(evidence));
        }

        let rows = row_counts(ctx, &mut evidence).await;
        let migrations_named = {
            let mut labels: Vec<&str> = findings.iter().map(|(l, _)| l.as_str()).collect();
            labels.dedup();
            labels.len()
        };
        let by_rule = count_by_rule(findings.iter().map(|(_, f)| f.rule));
        let total = findings.len();
        let mut weights = String::new();
        let mut counting = total;
        let mut definite: Vec<String> = Vec::new();
        match &rows {
            Some(sizes) => {
                // a table a later migration renamed is counted under its name now
                let mut rows = sizes.rows.clone();
                for table in findings.iter().filter_map(|(_, f)| f.table.as_ref()) {
                    let now = linter.current_name(table);
                    if let Some(count) = sizes.rows.get(&now).filter(|_| now != *table) {
                        rows.insert(table.clone(), *count);
                    }
                }
                let weighed = lint::weigh_tagged(findings, &rows);
                // a NOT NULL column with no default cannot be added to a table holding rows:
                // not a guess, the statement fails
                definite = weighed
                    .iter()
                    .filter(|(_, w)| {
                        w.finding.rule == Rule::AddColumnNotNullWithoutDefault
                            && w.rows.is_some_and(|r| r > 0)
                    })
                    .map(|(label, w)| format!("{label}: {} [{}]", w.finding.line(), w.size()))
                    .collect();
                counting = weighed
                    .iter()
                    .filter(|(_, w)| w.grade >= NOT_PROVEN_FROM)
                    .count();
                // one finding each, heaviest first, weighed in its text and not its id
                for (label, w) in &weighed {
                    let at = if w.rows.is_some() { &sizes.at } else { "" };
                    evidence.push_finding(
                        finding_id(label, &w.finding),
                        format!(
                            "{label}: {} [{}{at}: {}]",
                            w.finding.line(),
                            w.size(),
                            w.grade.label()
                        ),
                    );
                }
                let counts: Vec<String> = [Grade::Major, Grade::Minor, Grade::Harmless]
                    .into_iter()
                    .map(|grade| {
                        let n = weighed.iter().filter(|(_, w)| w.grade == grade).count();
                        format!("{n} {}", grade.label())
                    })
                    .collect();
                weights = format!("; weighed by the rows{}: {}", sizes.at, counts.join(", "));
            }
            None => {
                for (label, f) in &findings {
                    evidence.push_finding(
                        finding_id(label, f),
                        format!("{label}: {} [unweighed]", f.line()),
                    );
                }
            }
        }
        if !definite.is_empty() {
            evidence.summary = format!(
                "{} statement(s) add a NOT NULL column without a default to a table holding rows: the migration fails there ({total} findings in all)",
                definite.len()
            );
            evidence.push_counterexample("fails on a table holding rows", definite);
            return Ok(Outcome::refuted(evidence));
        }
        if counting == 0 {
            evidence.summary = format!(
                "the {total} findings in {migrations_named} of {judged} migrations ({by_rule}) are all minor or on tables empty at this size{weights}: the lock trace (locks-stay-short-under-load) measures them",
            );
            return Ok(Outcome::proven(evidence));
        }
        evidence.summary = format!(
            "{total} findings in {migrations_named} of {judged} migrations, statements that may stall or break the running application ({by_rule}){weights}; {counting} major at the claimed size: static guesses, not proof, which the lock trace measures only at its own scale",
        );
        Ok(Outcome::not_proven(evidence))
    }
}

/// A finding's id, the same from run to run: the step, the rule, the table and what on it
/// (`step 0004 add index: index-without-concurrently public.projects projects_idx`), never
/// its weight.
fn finding_id(step: &str, finding: &lint::Finding) -> String {
    format!("step {step}: {}", finding.id())
}

/// The SQL of the first watched directory read as a migrations layout with steps (Prisma's
/// `prisma/migrations`, a golang-migrate directory run by a script).
fn watched_sql(watch: &[std::path::PathBuf]) -> Option<(Vec<StepSql>, String)> {
    watch.iter().filter(|p| p.is_dir()).find_map(|dir| {
        let (layout, files) = layout::read(dir).ok()?;
        let steps: Vec<StepSql> = files
            .into_iter()
            .map(|f| StepSql {
                version: f.version,
                label: format!("{:04} {}", f.version, f.description),
                sql: f.up,
            })
            .collect();
        (!steps.is_empty()).then(|| {
            (
                steps,
                format!("{} (watched, {} layout)", dir.display(), layout.name()),
            )
        })
    })
}

/// "3 index-without-concurrently, 1 missing-lock-timeout".
fn count_by_rule(rules: impl Iterator<Item = Rule>) -> String {
    let mut counts: BTreeMap<Rule, usize> = BTreeMap::new();
    for rule in rules {
        *counts.entry(rule).or_default() += 1;
    }
    counts
        .iter()
        .map(|(rule, n)| format!("{n} {rule}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Rows per table (`schema.table`) at the claimed number of users: counted in a database
/// migrated to the last migration and seeded at the smallest verify scale, then scaled up
/// in proportion (generated rows grow with the users; reference data the migrations
/// inserted is overestimated). `None`, said in the evidence, when nothing was counted.
async fn row_counts(ctx: &Context, evidence: &mut Evidence) -> Option<Sizes> {
    let users = match crate::indexes::scales::verify_scales(ctx.subject()) {
        Ok(scales) => scales.first().copied()?,
        Err(e) => {
            evidence.push_observation("row counts", format!("not measured: {e}"));
            return None;
        }
    };
    let claimed = harness::schema::dataset::scale_of(ctx.subject())
        .map(|s| s.claimed_users)
        .unwrap_or(users)
        .max(users);
    let counted = async {
        let db = ctx.seeded_database("unsafe_ddl_rows", users).await?;
        let mut conn = db
            .connect_admin()
            .await
            .map_err(|e| ScenarioError::sql("connect to the seeded database", e))?;
        let tables: Vec<(String, String)> = sqlx::query_as(
            "SELECT n.nspname::text, c.relname::text FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
             AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1, 2",
        )
        .fetch_all(&mut conn)
        .await
        .map_err(|e| ScenarioError::sql("list the seeded tables", e))?;
        let mut rows = BTreeMap::new();
        for (schema, table) in tables {
            let count: i64 = sqlx::query_scalar(&format!(
                "SELECT count(*) FROM {}.{}",
                quote_ident(&schema),
                quote_ident(&table)
            ))
            .fetch_one(&mut conn)
            .await
            .map_err(|e| ScenarioError::sql(format!("count the rows of {schema}.{table}"), e))?;
            let scaled = count.max(0) as f64 * claimed as f64 / users as f64;
            rows.insert(lint::qualify(&schema, &table), scaled.round() as u64);
        }
        let _ = conn.close().await;
        Ok::<_, ScenarioError>(rows)
    }
    .await;
    let label = harness::schema::dataset::scale_label;
    match counted {
        Ok(rows) => {
            let at = format!(" at the claimed {} users", label(claimed));
            evidence.push_observation(
                "row counts",
                format!(
                    "{}: counted in a database seeded at {} users ({} tables), scaled ×{}",
                    at.trim(),
                    label(users),
                    rows.len(),
                    claimed / users
                ),
            );
            Some(Sizes { rows, at })
        }
        Err(e) => {
            evidence.push_observation("row counts", format!("not measured: {e}"));
            None
        }
    }
}

/// Row counts by table, and the scale they stand for (" at the claimed 100k users").
struct Sizes {
    rows: BTreeMap<String, u64>,
    at: String,
}
