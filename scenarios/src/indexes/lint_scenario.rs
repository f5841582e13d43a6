//! Claim: indexes; fault: none; check: one catalog lint rule ([`super::lints`]) over the
//! migrated schema — or, for a rule that needs it, over a dataset clone at the largest
//! scale after every main query ran once. Each finding is one of the evidence's, with an
//! id of the rule and the index or constraint (`duplicate-index public.users_email_idx`).
//! A rule that refutes also turns each into a counterexample; an advisory rule's findings
//! leave the verdict PROVEN.

use std::collections::BTreeSet;
use std::sync::Arc;

use async_trait::async_trait;
use harness::run::scenario::{Context, ScenarioError};
use harness::schema::catalog::Catalog;
use harness::schema::dataset::scale_label;
use harness::{Evidence, Outcome, Scenario};

use super::lints::{LintInput, Rule, Severity};
use super::scales::verify_scales;
use super::workload::AtScale;

/// A lint rule run as a scenario.
pub struct LintScenario {
    rule: Arc<dyn Rule>,
}

impl LintScenario {
    pub fn new(rule: Arc<dyn Rule>) -> LintScenario {
        LintScenario { rule }
    }
}

#[async_trait]
impl Scenario for LintScenario {
    fn id(&self) -> &'static str {
        self.rule.id()
    }

    fn claim(&self) -> &'static harness::run::scenario::ClaimSpec {
        super::CLAIM
    }

    fn title(&self) -> &'static str {
        self.rule.title()
    }

    async fn run(&self, ctx: &Context) -> Result<Outcome, ScenarioError> {
        let input = if self.rule.needs_workload() {
            with_workload(ctx).await?
        } else {
            schema_only(ctx).await?
        };
        let indexes: usize = input.catalog.tables.iter().map(|t| t.indexes.len()).sum();
        let mut evidence = Evidence::new("")
            .observe("tables inspected", input.catalog.tables.len())
            .observe("indexes inspected", indexes);
        if !input.workload.is_empty() {
            evidence.push_observation("workload", &input.workload);
        }
        let findings = self.rule.check(&input);
        if findings.is_empty() {
            evidence.summary = format!("no finding among {indexes} indexes");
            return Ok(Outcome::proven(evidence));
        }
        let messages: Vec<String> = findings.iter().map(|f| f.message.clone()).collect();
        // one finding each, named by the rule and what it is about
        for finding in &findings {
            evidence.push_finding(
                format!("{} {}", self.rule.id(), finding.object),
                format!("{} (fix: {})", finding.message, finding.fix),
            );
        }
        match self.rule.severity() {
            Severity::Refutes => {
                for finding in findings {
                    evidence.push_counterexample(
                        finding.message,
                        vec![format!("fix: {}", finding.fix)],
                    );
                }
                evidence.summary = headline(&messages);
                Ok(Outcome::refuted(evidence))
            }
            Severity::Advisory => {
                evidence.summary = format!(
                    "advisory, which costs writes rather than reads: {}",
                    headline(&messages)
                );
                Ok(Outcome::proven(evidence))
            }
        }
    }
}

/// One line however many findings there are: the first, and how many more (each is its
/// own line in the evidence).
fn headline(messages: &[String]) -> String {
    match messages {
        [] => String::new(),
        [one] => one.clone(),
        [first, rest @ ..] => format!("{first} (and {} more finding(s))", rest.len()),
    }
}

/// The migrated schema's catalog.
async fn schema_only(ctx: &Context) -> Result<LintInput, ScenarioError> {
    let migrations = ctx.migrations().await?;
    let db = ctx.migrated_database("indexes_lint").await?;
    let catalog = db
        .read_catalog(migrations.bookkeeping_tables())
        .await
        .map_err(|e| ScenarioError::sql("read the catalog", e))?;
    Ok(LintInput {
        catalog,
        ..LintInput::default()
    })
}

/// The catalog of a dataset clone at the largest scale, with the indexes every main query
/// (its triggers and cascades included) scanned there.
async fn with_workload(ctx: &Context) -> Result<LintInput, ScenarioError> {
    let users = *verify_scales(ctx.subject())?
        .last()
        .expect("verify scales are never empty");
    let migrations = ctx.migrations().await?;
    let mut at = AtScale::open(ctx, users).await?;
    let mut used = BTreeSet::new();
    for query in at.queries.clone() {
        let probe = query.probe(&mut at.conn).await?;
        used.extend(
            probe
                .explained
                .root
                .indexes()
                .into_iter()
                .map(str::to_owned),
        );
        // `regclass` text quotes mixed-case names (`"IDX_9e7d…"`): the catalog's are bare
        used.extend(probe.index_scanned.iter().map(|s| {
            s.relation
                .rsplit('.')
                .next()
                .unwrap_or(&s.relation)
                .trim_matches('"')
                .replace("\"\"", "\"")
        }));
    }
    let catalog = Catalog::read(&mut at.conn, migrations.bookkeeping_tables())
        .await
        .map_err(|e| ScenarioError::sql("read the catalog", e))?;
    let workload = format!(
        "{} main queries at {} users ({})",
        at.queries.len(),
        scale_label(users),
        ctx.main_queries().await?.origin()
    );
    at.close().await;
    Ok(LintInput {
        catalog,
        used_indexes: used,
        workload,
    })
}
