//! `readiness bench`: builds the seeded dataset at each scale (timing the build and a
//! clone), measures every main query's median latency there, and writes `bench.json` and
//! `bench.svg` (latency against scale, one line per query, drawn by the HTML report's
//! latency chart) into the report directory; with `--history`, each figure across runs
//! too (`bench-trends.svg`), those worse than the last runs' median flagged.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;
use harness::checks::growth::{Curve, Sampling, INDEX_LOOKUP_MAX_SLOPE};
use harness::report::chart;
use harness::report::figure::Figure;
use harness::report::history::{figure_measures, History, HistoryRun};
use harness::run::progress;
use harness::run::scenario::{Context, Run, RunOptions};
use harness::schema::dataset::{scale_label, seeded_template, LoadReport};
use harness::subject::Subject;
use harness::Status;
use serde::Serialize;

use crate::cli::BenchArgs;
use crate::exit;
use crate::progress::HalfLine;
use crate::verify::select_backend;

pub async fn run(args: BenchArgs) -> ExitCode {
    match bench(args).await {
        Ok(()) => ExitCode::from(exit::PROVEN),
        Err(e) => exit::report_error(&e),
    }
}

/// One scale's dataset: how big, how long to build and to clone.
#[derive(Debug, Serialize)]
struct DatasetSummary {
    users: u64,
    label: String,
    rows: u64,
    /// Migrations, generation, index rebuild and VACUUM (FREEZE, ANALYZE) into a template.
    build_ms: f64,
    /// Where the load's time went.
    phases: Vec<Phase>,
    /// `CREATE DATABASE … TEMPLATE … STRATEGY FILE_COPY` of the built template.
    clone_ms: f64,
}

#[derive(Debug, Serialize)]
struct Phase {
    phase: String,
    ms: f64,
}

#[derive(Debug, Serialize)]
struct QuerySummary {
    #[serde(flatten)]
    curve: Curve,
    slope: Option<f64>,
    grows_with_table: bool,
}

#[derive(Debug, Serialize)]
struct Summary {
    subject: String,
    server: String,
    seed: u64,
    started_at: String,
    /// Latency is the server's planning + execution time, the median of many runs.
    latency: &'static str,
    index_lookup_max_slope: f64,
    datasets: Vec<DatasetSummary>,
    queries: Vec<QuerySummary>,
}

async fn bench(args: BenchArgs) -> anyhow::Result<()> {
    let subject_dir = args
        .subject
        .clone()
        .unwrap_or_else(|| scenarios::subjects::bundled(scenarios::subjects::INSTANTVIZ));
    let subject = Subject::load(&subject_dir).context("failed to load the subject")?;
    let scales = if args.scales.is_empty() {
        scenarios::indexes::scales::verify_scales(&subject).map_err(anyhow::Error::new)?
    } else {
        let mut scales = args.scales.clone();
        scales.sort_unstable();
        scales.dedup();
        scales
    };
    if let Some(dir) = &args.history {
        History::open(dir)?;
    }
    let backend = select_backend(&args.backend).await?;
    let seed = args.seed.unwrap_or_else(harness::run::seed::random);
    eprintln!(
        "readiness: benchmarking {} at {} users on {} (seed {seed})",
        subject.name(),
        scenarios::indexes::scales::labels(&scales),
        backend.describe()
    );
    let started_at = chrono_now();
    let run = Run::new(subject, backend, RunOptions::from_env(seed));
    let ctx = Context::new(run.clone(), "indexes/bench");
    let result = measure(&ctx, &scales, seed, started_at).await;
    ctx.finish(if result.is_ok() {
        Status::Proven
    } else {
        Status::NotProven
    })
    .await;
    let summary = result?;
    print_table(&summary);
    write(&summary, &args.report)?;
    if let Some(dir) = &args.history {
        record_history(dir, &summary, &args.report)?;
    }
    Ok(())
}

/// The bench's figures: each dataset's build and clone, each query's latency per scale.
fn figures(summary: &Summary) -> Vec<Figure> {
    let mut figures: Vec<Figure> = summary
        .datasets
        .iter()
        .map(|d| Figure::Dataset {
            users: d.users,
            build_ms: d.build_ms,
            clone_ms: Some(d.clone_ms),
        })
        .collect();
    let curves: Vec<Curve> = summary.queries.iter().map(|q| q.curve.clone()).collect();
    figures.push(Figure::latency(&curves, summary.index_lookup_max_slope));
    figures
}

/// Judges the bench's figures against the history in `dir`, appends them, prints what got
/// worse and charts every figure across runs in `bench-trends.svg`.
fn record_history(dir: &Path, summary: &Summary, report: &Path) -> anyhow::Result<()> {
    let run = HistoryRun {
        started_at: summary.started_at.clone(),
        command: "bench".into(),
        subject: summary.subject.clone(),
        seed: summary.seed,
        figures: figures(summary).iter().flat_map(figure_measures).collect(),
    };
    let (regressions, trends) = History::record(dir, &run, true)?;
    for regression in &regressions {
        println!("regression: {}", regression.describe());
    }
    let svg = report.join("bench-trends.svg");
    std::fs::write(&svg, chart::trend::render(&trends, &regressions))
        .with_context(|| format!("failed to write {}", svg.display()))?;
    eprintln!("  trends: {}", svg.display());
    Ok(())
}

async fn measure(
    ctx: &Context,
    scales: &[u64],
    seed: u64,
    started_at: String,
) -> anyhow::Result<Summary> {
    let pool = ctx.pool().await?;
    let migrations = ctx.migrations().await?;
    let subject = std::sync::Arc::new(ctx.subject().clone());
    let mut datasets = Vec::new();
    let mut building = progress::begin("datasets", Some(scales.len() as u64));
    for &users in scales {
        building.doing(&format!("{} users", scale_label(users)));
        let said = HalfLine::start(format!("  dataset at {} users … ", scale_label(users)));
        let started = Instant::now();
        let template = seeded_template(&pool, migrations.clone(), subject.clone(), users, seed)
            .await
            .with_context(|| {
                format!(
                    "failed to build the dataset at {} users",
                    scale_label(users)
                )
            })?;
        let build_ms = ms(started.elapsed());
        let started = Instant::now();
        let clone = pool.clone_of(&template.name, "bench_clone").await?;
        let clone_ms = ms(started.elapsed());
        clone.drop_database().await?;
        let report: LoadReport = template
            .built
            .context("the dataset template was built before the bench started")?;
        said.end(&format!(
            "built in {:.1} s, cloned in {:.2} s",
            build_ms / 1000.0,
            clone_ms / 1000.0
        ));
        building.advance(1);
        datasets.push(DatasetSummary {
            users,
            label: scale_label(users),
            rows: report.total_rows(),
            build_ms,
            phases: report
                .phases
                .iter()
                .map(|(phase, took)| Phase {
                    phase: phase.clone(),
                    ms: ms(*took),
                })
                .collect(),
            clone_ms,
        });
    }
    building.finish();
    let main = ctx.main_queries().await.map_err(anyhow::Error::new)?;
    if main.queries.is_empty() {
        anyhow::bail!(
            "nothing to measure in {}: {}",
            ctx.subject().manifest_path.display(),
            scenarios::indexes::workload::NO_MAIN_QUERY
        );
    }
    crate::progress::line(&format!(
        "  measuring {} main queries ({}) …",
        main.queries.len(),
        main.origin()
    ));
    let measuring = progress::begin(
        &format!("measure {} main queries", main.queries.len()),
        None,
    );
    let (curves, _) =
        scenarios::indexes::workload::measure_curves(ctx, scales, Sampling::default())
            .await
            .map_err(anyhow::Error::new)?;
    measuring.finish();
    let server = pool.server().describe();
    Ok(Summary {
        subject: ctx.subject().name().to_owned(),
        server: harness::report::redact::redact(&server),
        seed,
        started_at,
        latency: "median server time (planning + execution) of EXPLAIN ANALYZE runs, rolled back",
        index_lookup_max_slope: INDEX_LOOKUP_MAX_SLOPE,
        datasets,
        queries: curves
            .into_iter()
            .map(|curve| QuerySummary {
                slope: curve.slope(),
                grows_with_table: curve.grows_with_table(),
                curve,
            })
            .collect(),
    })
}

fn print_table(summary: &Summary) {
    let width = summary
        .queries
        .iter()
        .map(|q| q.curve.query.len())
        .max()
        .unwrap_or(5)
        .max(5);
    let mut header = format!("{:<width$}", "query");
    for dataset in &summary.datasets {
        header.push_str(&format!(" {:>10}", dataset.label));
    }
    println!("\n{header}      slope");
    for query in &summary.queries {
        let mut line = format!("{:<width$}", query.curve.query);
        for point in &query.curve.points {
            line.push_str(&format!(" {:>7.3} ms", point.median_ms));
        }
        let verdict = if query.grows_with_table {
            "  grows with the table"
        } else {
            ""
        };
        match query.slope {
            Some(slope) => println!("{line} {slope:>10.2}{verdict}"),
            None => println!("{line} {:>10}", "-"),
        }
    }
    println!();
    for dataset in &summary.datasets {
        println!(
            "dataset {:>5}: {:>9} rows, built in {:>6.1} s, cloned in {:.2} s",
            dataset.label,
            dataset.rows,
            dataset.build_ms / 1000.0,
            dataset.clone_ms / 1000.0
        );
    }
}

fn write(summary: &Summary, dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("failed to create the report directory {}", dir.display()))?;
    let json = dir.join("bench.json");
    std::fs::write(&json, serde_json::to_string_pretty(summary)? + "\n")
        .with_context(|| format!("failed to write {}", json.display()))?;
    let svg = dir.join("bench.svg");
    let curves: Vec<Curve> = summary.queries.iter().map(|q| q.curve.clone()).collect();
    let Figure::Latency { max_slope, queries } =
        Figure::latency(&curves, summary.index_lookup_max_slope)
    else {
        unreachable!("Figure::latency makes a latency figure")
    };
    let title = format!(
        "{}: median latency of the main queries by scale",
        summary.subject
    );
    std::fs::write(&svg, chart::latency::render(&title, max_slope, &queries))
        .with_context(|| format!("failed to write {}", svg.display()))?;
    eprintln!("  reports: {}, {}", json.display(), svg.display());
    Ok(())
}

fn ms(elapsed: std::time::Duration) -> f64 {
    (elapsed.as_secs_f64() * 1e5).round() / 100.0
}

fn chrono_now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
