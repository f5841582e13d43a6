//! `readiness verify` and `readiness list`.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context as _};
use harness::backend::container::ContainerBackend;
use harness::backend::{self, BackendOptions};
use harness::report;
use harness::report::baseline::Baseline;
use harness::report::evidence::Scorecard;
use harness::report::history::{self, History, HistoryRun};
use harness::run::scenario::{Run, RunOptions};
use harness::subject::Subject;
use harness::BackendKind;

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
    // a bad subject, baseline or history is reported before any server starts
    Subject::load(&subject_dir).context("failed to load the subject")?;
    // read once: every major of a matrix is compared with the same baseline
    let baseline = args.baseline.as_deref().map(Baseline::read).transpose()?;
    if let Some(dir) = &args.history {
        History::open(dir)?;
    }
    if !args.pg.is_empty() {
        return verify_matrix(&args, &subject_dir, baseline.as_ref()).await;
    }
    let backend = select_backend(&args.backend).await?;
    backend
        .preflight()
        .await
        .context("failed to reach the PostgreSQL server")?;
    let places = Places {
        report: args.report.clone(),
        history: args.history.clone(),
    };
    verify_once(&args, &subject_dir, backend, &places, baseline.as_ref()).await
}

/// `--pg 15,17`: every major's backend first (so that a missing image stops the run before
/// anything starts), then the whole verify per major, each with its own report directory.
async fn verify_matrix(
    args: &VerifyArgs,
    subject_dir: &Path,
    baseline: Option<&Baseline>,
) -> anyhow::Result<u8> {
    if args.backend.image.is_some() || args.backend.url.is_some() {
        bail!("--pg picks each major's image itself: it cannot be combined with --image or --url");
    }
    if args
        .backend
        .backend
        .is_some_and(|k| k != BackendKind::Container)
    {
        bail!("--pg runs on the container backend: it cannot be combined with --backend native or url");
    }
    let mut backends = Vec::new();
    for &major in &args.pg {
        let backend = ContainerBackend::for_major(major)
            .await
            .with_context(|| format!("failed to get a PostgreSQL {major} container backend"))?;
        backends.push((major, backend));
    }
    let mut worst = exit::PROVEN;
    for (major, backend) in backends {
        eprintln!("\n== PostgreSQL {major} ==");
        // each major's reports and history apart: their figures are not comparable
        let places = Places {
            report: args.report.join(format!("pg{major}")),
            history: args.history.as_ref().map(|h| h.join(format!("pg{major}"))),
        };
        let code = verify_once(args, subject_dir, Arc::new(backend), &places, baseline).await?;
        worst = exit::worst(worst, code);
    }
    Ok(worst)
}

/// Where one verify writes its reports and keeps its history.
struct Places {
    report: std::path::PathBuf,
    history: Option<std::path::PathBuf>,
}

async fn verify_once(
    args: &VerifyArgs,
    subject_dir: &Path,
    backend: Arc<dyn harness::Backend>,
    places: &Places,
    baseline: Option<&Baseline>,
) -> anyhow::Result<u8> {
    let report_dir = &places.report;
    let subject = Subject::load(subject_dir).context("failed to load the subject")?;
    let seed = args.seed.unwrap_or_else(harness::run::seed::random);
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
    let scorecard = harness::run::runner::run(
        &claims,
        &scenarios::all(),
        run.clone(),
        &Progress::default(),
    )
    .await;
    drop(run);

    let mut scorecard = scorecard;
    if let Some(dir) = &places.history {
        record_history(dir, &mut scorecard)?;
    }
    scorecard.baseline = baseline.map(|b| b.compare(&scorecard));

    let rendered = report::terminal::render(&scorecard, args.detail);
    if crate::colour::on_stdout() {
        print!("{}", crate::colour::scorecard(&rendered));
    } else {
        print!("{rendered}");
    }
    let written = report::write_all(&scorecard, report_dir)
        .with_context(|| format!("failed to write the report into {}", report_dir.display()))?;
    eprintln!("  reports:");
    for file in &written {
        eprintln!("    {file}");
    }

    Ok(exit::of_scorecard(&scorecard))
}

/// Judges this run's figures against the history in `dir`, then appends them (a run
/// stopped by an input error is not recorded: its figures are not a whole run's).
fn record_history(dir: &Path, scorecard: &mut Scorecard) -> anyhow::Result<()> {
    let run = HistoryRun {
        started_at: scorecard.started_at.clone(),
        command: "verify".into(),
        subject: scorecard.subject.clone(),
        seed: scorecard.seed,
        figures: history::figures_of(scorecard, scenarios::CLAIMS.len()),
    };
    let whole = scorecard.input_errors.is_empty();
    (scorecard.regressions, scorecard.trends) = History::record(dir, &run, whole)?;
    Ok(())
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
        for s in all.iter().filter(|s| s.claim().id == claim.id) {
            println!("  {:<34} {}", s.id(), s.title());
            any = true;
        }
        if !any {
            println!("  (not implemented: reported as NOT PROVEN)");
        }
    }
    ExitCode::from(exit::PROVEN)
}
