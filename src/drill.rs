//! `readiness drill`: a restore drill at a chosen scale, its figures on the terminal and in
//! `drill.json`, and the verdict against the claimed RTO as the exit code.

use std::process::ExitCode;

use anyhow::Context as _;
use harness::report::evidence::Status;
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
        outcome.status.label(),
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

    std::fs::create_dir_all(&args.report)
        .with_context(|| format!("failed to create {}", args.report.display()))?;
    let path = args.report.join("drill.json");
    let json = serde_json::json!({ "drill": report, "status": outcome.status, "evidence": outcome.evidence });
    let text = harness::report::redact::redact(&serde_json::to_string_pretty(&json)?);
    std::fs::write(&path, text).with_context(|| format!("failed to write {}", path.display()))?;
    eprintln!("  report: {}", path.display());
    Ok(exit::of_status(outcome.status))
}
