//! Claim: backups; fault: the whole server is destroyed after the backup ("if Docker
//! crashed"); check: the subject's database, dumped by the harness's pg_dump in custom
//! format (restored serially) and in directory format with parallel jobs, restores into a brand-new server with
//! the same fingerprint (every table's rows and contents, sequences, the catalog), every
//! invariant holding and pg_amcheck clean. This shows that a pg_dump backup of this schema
//! and data can work; whether the subject's own tooling does is `own-scripts-round-trip`.

use async_trait::async_trait;
use harness::backup::{self, DumpOptions};
use harness::run::scenario::{Context, ScenarioError};
use harness::schema::template::TemplatePool;
use harness::{Evidence, Outcome, Scenario};

use super::USERS;
use harness::backup::restored;
use harness::backup::source::{self, Source};
use harness::backup::tool::{self, JOBS};

pub struct PgDumpRoundTrip;

#[async_trait]
impl Scenario for PgDumpRoundTrip {
    fn id(&self) -> &'static str {
        "pg-dump-round-trip"
    }

    fn claim(&self) -> &'static harness::run::scenario::ClaimSpec {
        super::CLAIM
    }

    fn title(&self) -> &'static str {
        "custom and directory-format dumps restore into a brand-new server identical to the destroyed source"
    }

    async fn run(&self, ctx: &Context) -> Result<Outcome, ScenarioError> {
        let mut evidence = Evidence::new("").seed(ctx.seed());
        let source = Source::seeded(ctx, "round_trip_source", USERS).await?;
        let tools = tool::tools_of(source.server.as_ref())?;
        let expected = source.fingerprint(ctx).await?;
        let into = source::restored_into(source.server.as_ref());
        evidence.push_observation(
            "source",
            format!(
                "{} users: {} rows in {} tables, {} sequences",
                USERS,
                expected.total_rows(),
                expected.tables.len(),
                expected.sequences.len()
            ),
        );
        if let Some(sources) = source.load.describe_sources() {
            evidence.push_observation("source data", sources);
        }

        let dir = tool::backup_dir()?;
        let mut backups = Vec::new();
        for options in [DumpOptions::custom(), DumpOptions::directory(JOBS)] {
            let path = dir
                .path()
                .join(format!("round_trip.{}", options.extension()));
            match backup::dump(&tools, &source.db.admin(), &path, options).await {
                Ok(made) => {
                    evidence.push_observation(
                        format!("pg_dump, {}", options.describe()),
                        format!(
                            "{}, sha256 manifest beside it",
                            harness::report::human_bytes(made.bytes)
                        ),
                    );
                    evidence.push_timing(format!("dump ({})", options.describe()), made.dump_time);
                    backups.push(made);
                }
                Err(e) => {
                    evidence.summary = format!("pg_dump ({}) fails", options.describe());
                    evidence.push_counterexample("back up", vec![tool::refusal(e)?]);
                    return Ok(Outcome::refuted(evidence));
                }
            }
        }

        evidence.push_observation("fault", source.destroy(ctx).await?);

        let mut target_server = None;
        for made in &backups {
            let label = format!("round_trip_{}", made.options.extension());
            let target = match &target_server {
                None => {
                    let (db, provision) = source::fresh_target(ctx, &label).await?;
                    evidence.push_timing("provision a new server", provision);
                    target_server = Some(db.server().clone());
                    db
                }
                Some(server) => ctx.track(TemplatePool::new(server.clone()).empty(&label).await?),
            };
            let what = made.options.describe();
            match backup::restore(
                &tools,
                &made.path,
                &target.admin(),
                made.options.restore_options(),
            )
            .await
            {
                Ok(restored) => {
                    evidence.push_timing(format!("restore ({what})"), restored.restore_time)
                }
                Err(e) => {
                    evidence.summary =
                        format!("the {what} backup does not restore into a new server");
                    evidence
                        .push_counterexample(format!("restore ({what})"), vec![tool::refusal(e)?]);
                    return Ok(Outcome::refuted(evidence));
                }
            }
            let check = restored::check_restored(ctx.subject(), &expected, &target).await?;
            check.record(&mut evidence, &what);
            let problems = check.problems();
            if !problems.is_empty() {
                let tables = if check.differences.tables.is_empty() {
                    String::new()
                } else {
                    format!(
                        ": tables that differ: {}",
                        harness::report::summarised(&check.differences.tables)
                    )
                };
                evidence.summary = format!("the restored copy ({what}) is not the source{tables}");
                evidence.push_counterexample(
                    format!("restored copy ({what}) against the source"),
                    problems,
                );
                return Ok(Outcome::refuted(evidence));
            }
            if let Some(why) = check.unchecked() {
                evidence.summary = why;
                return Ok(Outcome::not_proven(evidence));
            }
        }
        evidence.summary = format!(
            "custom and directory-format (-j {JOBS}) dumps of {} rows restore into {into} identical to the destroyed source",
            expected.total_rows()
        );
        Ok(Outcome::proven(evidence))
    }
}
