//! `readiness mutate`: the suite proves it can fail. Each mutant of the subject (one
//! protection removed) runs its claim's scenarios, which must turn red on it.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context as _};
use harness::report;
use harness::report::evidence::Status;
use harness::report::mutation::{self, MutantOutcome, MutationScore, Verdict};
use harness::run::runner::{self, Quiet};
use harness::run::scenario::{ClaimSpec, Context, Run, RunOptions};
use harness::subject::Subject;
use scenarios::mutants;

mod baseline;
mod table;

use baseline::{merge, Baseline};

use crate::cli::MutateArgs;
use crate::exit;

pub async fn run(args: MutateArgs) -> ExitCode {
    match mutate(args).await {
        Ok(code) => ExitCode::from(code),
        Err(e) => exit::report_error(&e),
    }
}

async fn mutate(args: MutateArgs) -> anyhow::Result<u8> {
    for kind in &args.only {
        if !mutants::KINDS.contains(&kind.as_str()) {
            bail!(
                "--only: unknown mutant kind `{kind}` (known: {})",
                mutants::KINDS.join(", ")
            );
        }
    }
    let started = Instant::now();
    let subject_dir = args
        .subject
        .clone()
        .unwrap_or_else(|| scenarios::subjects::bundled(scenarios::subjects::INSTANTVIZ));
    let subject = Subject::load(&subject_dir).context("failed to load the subject")?;
    let backend = crate::verify::select_backend(&args.backend).await?;
    backend
        .preflight()
        .await
        .context("failed to reach the PostgreSQL server")?;
    let seed = args.seed.unwrap_or_else(harness::run::seed::random);
    eprintln!(
        "readiness: mutating {} on {} (seed {seed})",
        subject.name(),
        backend.describe()
    );
    let options = RunOptions::from_env(seed);
    let mutants::Derived {
        mutants: mut derived,
        mut not_derived,
    } = derive(subject, backend.clone(), options.clone()).await?;
    let selected = |kind: &str| args.only.is_empty() || args.only.iter().any(|k| k == kind);
    derived.retain(|m| selected(m.kind));
    not_derived.retain(|n| selected(&n.kind));
    eprintln!("  {} mutants", derived.len());

    // a mutant is caught by what it adds to the unmutated subject's verdicts
    let subject = Subject::load(&subject_dir).context("failed to load the subject")?;
    let mut baseline = Baseline::new(Run::new(subject, backend.clone(), options.clone())).await;

    let mut outcomes = Vec::new();
    let total = derived.len();
    for (position, mutant) in derived.into_iter().enumerate() {
        eprintln!("  [{}/{total}] {}", position + 1, mutant.label);
        let mutants::Applied {
            subject,
            options,
            scratch,
        } = mutant.apply(&subject_dir, options.clone())?;
        let run = Run::new(subject, backend.clone(), options);
        let outcome = run_until_caught(mutant.report(), mutant.claim, run, &mut baseline).await;
        drop(scratch);
        eprintln!("        {}: {}", outcome.verdict.word(), outcome.evidence);
        outcomes.push(outcome);
    }

    let score = MutationScore::new(outcomes, not_derived);
    print!("{}", table::render(&score));
    let all_caught = score.caught == score.total;
    let mut scorecard = baseline.finish();
    scorecard.duration_ms = started.elapsed().as_secs_f64() * 1e3;
    scorecard.mutation = Some(score);
    let written = report::write_all(&scorecard, &args.report)
        .with_context(|| format!("failed to write the report into {}", args.report.display()))?;
    eprintln!("  reports:");
    for file in &written {
        eprintln!("    {file}");
    }
    Ok(if all_caught {
        exit::PROVEN
    } else {
        exit::NOT_ALL_PROVEN
    })
}

/// Runs the claim's scenarios on the mutant one at a time, in the claim's order, and stops
/// at the first that catches it: the rest cannot change the verdict, and a restore drill
/// or a backup under faults takes long.
async fn run_until_caught(
    mutant: mutation::Mutant,
    claim: &'static ClaimSpec,
    run: Arc<Run>,
    baseline: &mut Baseline,
) -> MutantOutcome {
    let began = Instant::now();
    let mut seen = runner::run(&[*claim], &[], run.clone(), &Quiet).await;
    for scenario in scenarios::all()
        .into_iter()
        .filter(|s| s.claim().id == claim.id)
    {
        let unmutated = baseline.of(claim, &scenario).await;
        merge(
            &mut seen,
            runner::run(&[*claim], &[scenario], run.clone(), &Quiet).await,
        );
        let elapsed = began.elapsed().as_secs_f64() * 1e3;
        let outcome = mutation::judge(mutant.clone(), &seen, unmutated, elapsed);
        if outcome.verdict == Verdict::Caught {
            return outcome;
        }
    }
    let elapsed = began.elapsed().as_secs_f64() * 1e3;
    mutation::judge(mutant, &seen, baseline.scorecard(), elapsed)
}

/// The mutants of the subject, read from a migrated scratch database's catalog.
async fn derive(
    subject: Subject,
    backend: Arc<dyn harness::Backend>,
    options: RunOptions,
) -> anyhow::Result<mutants::Derived> {
    let run = Run::new(subject, backend, options);
    let ctx = Context::new(run.clone(), "mutate");
    let derived = async {
        let db = ctx.migrated_database("mutants").await?;
        let bookkeeping = run.subject.manifest.migrations.bookkeeping_tables();
        let catalog = db.read_catalog(&bookkeeping).await.map_err(|e| {
            harness::run::scenario::ScenarioError::sql("read the migrated catalog", e)
        })?;
        let migrations = ctx.migrations().await?;
        mutants::derive(&run.subject, &migrations, catalog)
    }
    .await;
    ctx.finish(Status::Proven).await;
    derived.context("failed to derive the mutants")
}
