//! `readiness drill`: a restore drill at a chosen scale, its figures on the terminal and in
//! `drill.json`, and the verdict against the claimed RTO as the exit code.

use std::process::ExitCode;

use anyhow::Context as _;
use harness::report::evidence::Status;
use harness::report::figure::Figure;
use harness::report::history::{figure_measures, History, HistoryRun, Regression};
use harness::run::scenario::{Context, Run, RunOptions};
use harness::subject::Subject;
use scenarios::restore_drill::{Drill, DEFAULT_USERS};

use crate::cli::DrillArgs;
use crate::exit;

pub async fn run(args: DrillArgs) -> ExitCode {
    match drill(args).await {
        Ok(code) => ExitCode::from(code),
        Err(e) => exit::report_error(&e),
    }
}

async fn drill(args: DrillArgs) -> anyhow::Result<u8> {
    let subject_dir = args
        .subject
        .clone()
        .unwrap_or_else(|| scenarios::subjects::bundled(scenarios::subjects::INSTANTVIZ));
    let subject = Subject::load(&subject_dir).context("failed to load the subject")?;
    if let Some(dir) = &args.history {
        History::open(dir)?;
    }
    let users = args
        .scale
        .or_else(|| subject.manifest.scale.as_ref().map(|s| s.claimed_users))
        .unwrap_or(DEFAULT_USERS);
    let backend = crate::verify::select_backend(&args.backend).await?;
    let seed = args.seed.unwrap_or_else(harness::run::seed::random);
    eprintln!(
        "readiness: restore drill of {} at {} users on {} (seed {seed})",
        subject.name(),
        harness::schema::dataset::scale_label(users),
        backend.describe()
    );

    let run = Run::new(subject, backend, RunOptions::from_env(seed));
    let ctx = Context::new(run.clone(), "restore_drill/drill");
    let drilled = Drill {
        users,
        builtin_fallback: true,
    }
    .run(&ctx)
    .await;
    let report = match drilled {
        Ok(report) => report,
        Err(e) => {
            ctx.finish(Status::NotProven).await;
            return Err(anyhow::Error::new(e).context("failed to run the restore drill"));
        }
    };
    let outcome = report.outcome();
    let kept = ctx.finish(outcome.status).await;
    drop(ctx);
    drop(run);

    print!("{}", report.render());
    println!(
        "{}: {}",
        crate::colour::status_on_stdout(outcome.status.label()),
        harness::report::redact::redact(&outcome.evidence.summary)
    );
    for counterexample in &outcome.evidence.counterexamples {
        for detail in &counterexample.details {
            println!("  {}", harness::report::redact::redact(detail));
        }
    }
    if let Some(kept) = kept {
        println!("  kept: {}", harness::report::redact::redact(&kept));
    }

    let regressions = match &args.history {
        Some(dir) => record_history(dir, &report, seed)?,
        None => Vec::new(),
    };
    for regression in &regressions {
        println!("  regression: {}", regression.describe());
    }

    std::fs::create_dir_all(&args.report)
        .with_context(|| format!("failed to create {}", args.report.display()))?;
    let path = args.report.join("drill.json");
    let json = serde_json::json!({
        "drill": report,
        "status": outcome.status,
        "evidence": outcome.evidence,
        "regressions": regressions,
    });
    let text = harness::report::redact::redact(&serde_json::to_string_pretty(&json)?);
    std::fs::write(&path, text).with_context(|| format!("failed to write {}", path.display()))?;
    eprintln!("  report: {}", path.display());
    Ok(exit::of_status(outcome.status))
}

/// Judges the drill's figures against the history in `dir`, then appends them (a drill
/// that failed part way is not recorded: its times are not a whole drill's).
fn record_history(
    dir: &std::path::Path,
    report: &scenarios::restore_drill::drill::DrillReport,
    seed: u64,
) -> anyhow::Result<Vec<Regression>> {
    let run = HistoryRun {
        started_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        command: "drill".into(),
        subject: report.subject.clone(),
        seed,
        figures: figure_measures(&Figure::Drill(report.figure()))
            .into_iter()
            .collect(),
    };
    let (regressions, _) = History::record(dir, &run, report.failure.is_none())?;
    Ok(regressions)
}
