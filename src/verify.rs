//! `readiness verify` and `readiness list`.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context as _};
use harness::backend::{self, BackendOptions};
use harness::report;
use harness::scenario::{Run, RunOptions};
use harness::subject::Subject;

use crate::cli::{BackendArgs, VerifyArgs};
use crate::exit;
use crate::progress::Progress;

pub async fn run(args: VerifyArgs) -> ExitCode {
    match verify(args).await {
        Ok(code) => ExitCode::from(code),
        Err(e) => exit::report_error(&e),
    }
}

async fn verify(args: VerifyArgs) -> anyhow::Result<u8> {
    for claim in &args.only {
        if !scenarios::claims::is_claim(claim) {
            let known: Vec<&str> = scenarios::CLAIMS.iter().map(|c| c.id).collect();
            bail!(
                "--only: unknown claim `{claim}` (known: {})",
                known.join(", ")
            );
        }
    }
    let subject_dir = args
        .subject
        .clone()
        .unwrap_or_else(|| scenarios::subjects::bundled(scenarios::subjects::INSTANTVIZ));
    let subject = Subject::load(&subject_dir).context("failed to load the subject")?;
    let backend = select_backend(&args.backend).await?;
    let seed = args.seed.unwrap_or_else(harness::seed::random);
    eprintln!(
        "readiness: verifying {} on {} (seed {seed})",
        subject.name(),
        backend.describe()
    );

    let claims: Vec<_> = scenarios::CLAIMS
        .iter()
        .copied()
        .filter(|c| args.only.is_empty() || args.only.iter().any(|o| o == c.id))
        .collect();
    let run = Run::new(subject, backend, RunOptions::from_env(seed));
    let scorecard = harness::runner::run(&claims, &scenarios::all(), run.clone(), &Progress).await;
    drop(run);

    print!("{}", report::terminal::render(&scorecard, args.detail));
    let written = report::write_all(&scorecard, &args.report)
        .with_context(|| format!("failed to write the report into {}", args.report.display()))?;
    eprintln!(
        "  reports: {}",
        written
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );

    if !scorecard.input_errors.is_empty() {
        return Ok(exit::USAGE);
    }
    Ok(if scorecard.all_proven() {
        exit::PROVEN
    } else {
        exit::NOT_ALL_PROVEN
    })
}

/// The backend the arguments ask for.
pub async fn select_backend(args: &BackendArgs) -> anyhow::Result<Arc<dyn harness::Backend>> {
    let options = BackendOptions {
        kind: args.backend,
        url: args.url.clone(),
        image: args.image.clone(),
    };
    backend::select(&options)
        .await
        .context("failed to get a PostgreSQL server")
}

pub fn list() -> ExitCode {
    let all = scenarios::all();
    for claim in scenarios::CLAIMS {
        println!("{:<15} {}", claim.id, claim.title);
        let mut any = false;
        for s in all.iter().filter(|s| s.claim() == claim.id) {
            println!("  {:<34} {}", s.id(), s.title());
            any = true;
        }
        if !any {
            println!("  (not implemented: reported as NOT PROVEN)");
        }
    }
    ExitCode::from(exit::PROVEN)
}
