//! `readiness mutate`: the suite proves it can fail. Each mutant of the subject (one
//! protection removed) runs its claim's scenarios, which must turn red on it.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context as _};
use harness::report::evidence::{ScenarioReport, Scorecard, Status};
use harness::run::runner::{self, Quiet};
use harness::run::scenario::{Context, Run, RunOptions};
use harness::subject::Subject;
use scenarios::mutants::{self, Mutant};
use serde::Serialize;

use crate::cli::MutateArgs;
use crate::exit;

pub async fn run(args: MutateArgs) -> ExitCode {
    match mutate(args).await {
        Ok(code) => ExitCode::from(code),
        Err(e) => exit::report_error(&e),
    }
}

/// What one mutant's run came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Verdict {
    /// A scenario of the expected claim came out REFUTED where the unmutated subject's did
    /// not, or with a finding or counterexample it did not have.
    Caught,
    /// Every scenario of the expected claim came out as on the unmutated subject: a hole in
    /// the suite.
    Survived,
    /// Nothing refuted, something not proven: the suite could not tell.
    NotProven,
}

impl Verdict {
    fn word(self) -> &'static str {
        match self {
            Verdict::Caught => "caught",
            Verdict::Survived => "SURVIVED",
            Verdict::NotProven => "NOT PROVEN",
        }
    }
}

/// One mutant's line of the table and of mutate.json.
#[derive(Debug, Serialize)]
struct MutantResult {
    mutant: String,
    kind: &'static str,
    claim: &'static str,
    sql: String,
    verdict: Verdict,
    /// The scenario that caught it, or that could not tell.
    scenario: Option<String>,
    /// The other scenarios of the claim it turned red.
    also_caught_by: Vec<String>,
    evidence: String,
    duration_ms: f64,
}

/// mutate.json.
#[derive(Debug, Serialize)]
struct MutateReport {
    subject: String,
    seed: u64,
    /// Each expected claim's status on the unmutated subject.
    baseline: BTreeMap<String, Status>,
    mutants: Vec<MutantResult>,
    caught: usize,
    total: usize,
    /// Caught over total (1 when there is no mutant).
    score: f64,
    duration_ms: f64,
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
    let name = subject.name().to_owned();
    let mut derived = derive(subject, backend.clone(), options.clone()).await?;
    derived.retain(|m| args.only.is_empty() || args.only.iter().any(|k| k == m.kind));
    eprintln!("  {} mutants", derived.len());

    // each claim on the unmutated subject first: a mutant is caught by what it adds
    let mut baselines: Vec<(&'static str, Scorecard)> = Vec::new();
    for mutant in &derived {
        if baselines.iter().any(|(id, _)| *id == mutant.claim.id) {
            continue;
        }
        eprintln!("  baseline: {} on the unmutated subject", mutant.claim.id);
        let subject = Subject::load(&subject_dir).context("failed to load the subject")?;
        let run = Run::new(subject, backend.clone(), options.clone());
        let scorecard = runner::run(&[*mutant.claim], &scenarios::all(), run, &Quiet).await;
        baselines.push((mutant.claim.id, scorecard));
    }

    let mut results = Vec::new();
    for (position, mutant) in derived.iter().enumerate() {
        eprintln!("  [{}/{}] {}", position + 1, derived.len(), mutant.label);
        let subject = Subject::load(&subject_dir).context("failed to load the subject")?;
        let options = options.clone().with_schema_mutation(mutant.sql.clone());
        let run = Run::new(subject, backend.clone(), options);
        let began = Instant::now();
        let scorecard = runner::run(&[*mutant.claim], &scenarios::all(), run, &Quiet).await;
        let baseline = baselines
            .iter()
            .find(|(id, _)| *id == mutant.claim.id)
            .map(|(_, scorecard)| scorecard)
            .expect("every mutant's claim has its baseline");
        let result = judge(
            mutant,
            &scorecard,
            baseline,
            began.elapsed().as_secs_f64() * 1e3,
        );
        eprintln!("        {}: {}", result.verdict.word(), result.evidence);
        results.push(result);
    }

    let caught = results
        .iter()
        .filter(|r| r.verdict == Verdict::Caught)
        .count();
    let report = MutateReport {
        subject: name,
        seed,
        baseline: baselines
            .iter()
            .flat_map(|(_, scorecard)| scorecard.claims.iter())
            .map(|c| (c.id.clone(), c.status))
            .collect(),
        caught,
        total: results.len(),
        score: if results.is_empty() {
            1.0
        } else {
            caught as f64 / results.len() as f64
        },
        mutants: results,
        duration_ms: started.elapsed().as_secs_f64() * 1e3,
    };
    print!("{}", render(&report));
    let path = write(&report, &args.report)?;
    eprintln!("  report:\n    {}", path.display());
    Ok(if caught == report.total {
        exit::PROVEN
    } else {
        exit::NOT_ALL_PROVEN
    })
}

/// The mutants of the subject, read from a migrated scratch database's catalog.
async fn derive(
    subject: Subject,
    backend: Arc<dyn harness::Backend>,
    options: RunOptions,
) -> anyhow::Result<Vec<Mutant>> {
    let run = Run::new(subject, backend, options);
    let ctx = Context::new(run.clone(), "mutate");
    let derived = async {
        let db = ctx.migrated_database("mutants").await?;
        let bookkeeping = run.subject.manifest.migrations.bookkeeping_tables();
        let catalog = db.read_catalog(&bookkeeping).await.map_err(|e| {
            harness::run::scenario::ScenarioError::sql("read the migrated catalog", e)
        })?;
        mutants::derive(&run.subject, catalog)
    }
    .await;
    ctx.finish(Status::Proven).await;
    derived.context("failed to derive the mutants")
}

/// Caught when a scenario of the mutant's claim is newly REFUTED: it was not on the
/// unmutated subject (`baseline`), or it names a finding or counterexample the baseline's
/// did not. Survived when nothing new is refuted and every scenario is PROVEN or refuted
/// as on the baseline; else not proven.
fn judge(
    mutant: &Mutant,
    scorecard: &Scorecard,
    baseline: &Scorecard,
    duration_ms: f64,
) -> MutantResult {
    let scenarios = claim_scenarios(scorecard, mutant.claim.id);
    let before = claim_scenarios(baseline, mutant.claim.id);
    let newly_red: Vec<(&ScenarioReport, String)> = scenarios
        .iter()
        .filter(|s| s.status == Status::Refuted)
        .filter_map(|s| {
            let was_red = before
                .iter()
                .find(|b| b.id == s.id && b.status == Status::Refuted);
            let known = was_red.map(|b| red_lines(b)).unwrap_or_default();
            match red_lines(s)
                .into_iter()
                .find(|(key, _)| !known.iter().any(|(known_key, _)| known_key == key))
            {
                Some((_, line)) => Some((*s, line)),
                // refuted now and not before, with nothing listed: its summary says why
                None if was_red.is_none() => Some((*s, first_line(&s.evidence.summary))),
                None => None,
            }
        })
        .collect();
    let not_proven = scenarios
        .iter()
        .find(|s| s.status == Status::NotProven)
        .copied();
    let also: Vec<String> = newly_red
        .iter()
        .skip(1)
        .map(|(s, _)| s.id.clone())
        .collect();
    let (verdict, scenario, evidence) = match (newly_red.first(), not_proven) {
        (Some((s, line)), _) => (Verdict::Caught, Some(*s), line.clone()),
        (None, Some(s)) => (Verdict::NotProven, Some(s), first_line(&s.evidence.summary)),
        (None, None) if scenarios.is_empty() => (
            Verdict::NotProven,
            None,
            scorecard
                .input_errors
                .first()
                .map(|e| first_line(&e.message))
                .unwrap_or_else(|| "no scenario of the claim ran".into()),
        ),
        (None, None) => (
            Verdict::Survived,
            None,
            "every scenario of the claim came out as on the unmutated subject".into(),
        ),
    };
    MutantResult {
        mutant: mutant.label.clone(),
        kind: mutant.kind,
        claim: mutant.claim.id,
        sql: mutant.sql.clone(),
        verdict,
        scenario: scenario.map(|s| s.id.clone()),
        also_caught_by: also,
        evidence,
        duration_ms,
    }
}

fn claim_scenarios<'a>(scorecard: &'a Scorecard, claim: &str) -> Vec<&'a ScenarioReport> {
    scorecard
        .claims
        .iter()
        .filter(|c| c.id == claim)
        .flat_map(|c| c.scenarios.iter())
        .collect()
}

/// What a refuted scenario holds against the subject, each as a key that stays the same
/// from run to run (a finding's id, a counterexample's title without its figures) and a
/// line for people.
fn red_lines(scenario: &ScenarioReport) -> Vec<(String, String)> {
    let findings = scenario
        .evidence
        .findings
        .iter()
        .map(|f| (f.id.clone(), f.text.clone()));
    let counterexamples = scenario.evidence.counterexamples.iter().map(|c| {
        let line = match c.details.first() {
            Some(detail) => format!("{}: {detail}", c.title),
            None => c.title.clone(),
        };
        (without_figures(&c.title), line)
    });
    findings.chain(counterexamples).collect()
}

/// `text` with every run of digits as `#`: a counterexample's title may carry a measured
/// figure (a latency, a row count), and a figure that moved is not a new refutation.
fn without_figures(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_digit() {
            if !out.ends_with('#') {
                out.push('#');
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or("").to_owned()
}

/// The table: one mutant a line, then the score.
fn render(report: &MutateReport) -> String {
    let width = report
        .mutants
        .iter()
        .map(|m| m.mutant.chars().count())
        .max()
        .unwrap_or(6)
        .max(6);
    let by = |m: &MutantResult| match (&m.scenario, m.also_caught_by.len()) {
        (None, _) => "-".to_owned(),
        (Some(s), 0) => s.clone(),
        (Some(s), n) => format!("{s} (+{n})"),
    };
    let by_width = report
        .mutants
        .iter()
        .map(|m| by(m).chars().count())
        .max()
        .unwrap_or(9)
        .max(9);
    let mut out = format!(
        "\n{:<width$}  {:<11}  {:<10}  {:<by_width$}  evidence\n",
        "mutant", "claim", "verdict", "caught by"
    );
    for m in &report.mutants {
        out.push_str(&format!(
            "{:<width$}  {:<11}  {:<10}  {:<by_width$}  {}\n",
            m.mutant,
            m.claim,
            m.verdict.word(),
            by(m),
            m.evidence
        ));
    }
    out.push_str(&format!(
        "\nmutation score: {}/{} caught ({:.0}%)\n",
        report.caught,
        report.total,
        report.score * 100.0
    ));
    out
}

fn write(report: &MutateReport, dir: &Path) -> anyhow::Result<std::path::PathBuf> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("failed to create the report directory {}", dir.display()))?;
    let path = dir.join("mutate.json");
    let json = serde_json::to_string_pretty(report).context("failed to render mutate.json")?;
    std::fs::write(&path, json + "\n")
        .with_context(|| format!("failed to write {}", path.display()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::without_figures;

    #[test]
    fn a_moved_figure_leaves_a_counterexample_the_same() {
        assert_eq!(
            without_figures("`login` grows: 1k: 0.393 ms, 3k: 0.743 ms"),
            without_figures("`login` grows: 1k: 0.41 ms, 3k: 12.5 ms")
        );
        assert_ne!(
            without_figures("reads projects in full"),
            without_figures("reads users in full")
        );
    }
}
