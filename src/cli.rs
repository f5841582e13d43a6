//! The command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use harness::BackendKind;

#[derive(Debug, Parser)]
#[command(
    name = "readiness",
    version,
    about = "Proves, on a real PostgreSQL, the claims a team makes about its database"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run every claim's scenarios and print the scorecard (exit 0 only when all are PROVEN).
    Verify(VerifyArgs),
    /// List the claims and the scenarios that prove them.
    List,
    /// Measure each main query's latency against the data's scale; writes bench.json and
    /// bench.svg into the report directory.
    Bench(BenchArgs),
    /// Restore drill: seed a server at a scale, back it up, destroy it, restore into a new
    /// one, verify, and measure the recovery time (exit 0 only when under the claimed RTO).
    Drill(DrillArgs),
    /// Look at a project and write a commented readiness.toml for it: its migrations, config
    /// files and scripts, and the constraints its migrated schema has.
    Init(InitArgs),
    /// Mutation testing: derive mutants of the subject (each a copy with one protection
    /// removed), run the scenarios of the claim each should turn red, and report which were
    /// caught; the score goes into report.json and report.html (exit 0 only when every
    /// mutant is caught).
    Mutate(MutateArgs),
}

#[derive(Debug, Args)]
pub struct MutateArgs {
    /// The subject directory, holding readiness.toml (default: the bundled instantviz).
    #[arg(long)]
    pub subject: Option<PathBuf>,
    #[command(flatten)]
    pub backend: BackendArgs,
    /// Only these kinds of mutant, comma-separated: drop-constraint, no-cascade, drop-index.
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// Where the reports go: report.json and report.html with the mutation score, junit.xml, summary.md.
    #[arg(long, default_value = "readiness-report")]
    pub report: PathBuf,
    /// The seed of every mutant's run; a printed seed replays them.
    #[arg(long)]
    pub seed: Option<u64>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The project's directory.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Replace an existing readiness.toml.
    #[arg(long)]
    pub force: bool,
    /// Where the scratch database that reads the schema comes from.
    #[command(flatten)]
    pub backend: BackendArgs,
}

/// Where the servers come from.
#[derive(Debug, Args, Clone)]
pub struct BackendArgs {
    /// native (local server binaries), container (Docker) or url (an existing server).
    /// Default: native when server binaries are found, else container when a Docker engine answers.
    #[arg(long, value_parser = parse_backend)]
    pub backend: Option<BackendKind>,
    /// An existing server for the url backend (default: DATABASE_URL). Only databases named
    /// readiness_* are created and dropped there.
    #[arg(long)]
    pub url: Option<String>,
    /// The image for the container backend (default: READINESS_PG_IMAGE, then a pinned postgres tag).
    #[arg(long)]
    pub image: Option<String>,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The subject directory, holding readiness.toml (default: the bundled instantviz).
    #[arg(long)]
    pub subject: Option<PathBuf>,
    #[command(flatten)]
    pub backend: BackendArgs,
    /// Only these claims, comma-separated (e.g. constraints,migrations).
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// Where report.json, report.html, junit.xml and summary.md go.
    #[arg(long, default_value = "readiness-report")]
    pub report: PathBuf,
    /// The run's seed; a printed seed replays a run.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Print every scenario's evidence, not only the refuted ones'.
    #[arg(long)]
    pub detail: bool,
    /// An earlier run's report.json: exit 0 when nothing got worse than it (no scenario
    /// that was PROVEN is now REFUTED or NOT PROVEN, no new finding), and list what
    /// improved and what regressed. Scenarios and findings are matched by their ids.
    #[arg(long, value_name = "REPORT_JSON")]
    pub baseline: Option<PathBuf>,
    /// Append this run's figures (suite duration, dataset builds, query latencies, RTO) to
    /// DIR/history.jsonl, chart them across runs in report.html, and flag a figure worse
    /// than the median of the last runs beyond the tolerance (a flag, never the exit code).
    #[arg(long, value_name = "DIR")]
    pub history: Option<PathBuf>,
    /// A version matrix: the whole verify once per PostgreSQL major (e.g. 15,17) on the
    /// container backend, with readiness-postgres:<major> (else postgres:<major>); one
    /// scorecard each, reports in <report>/pg<major>.
    #[arg(long, value_delimiter = ',')]
    pub pg: Vec<u32>,
}

#[derive(Debug, Args)]
pub struct DrillArgs {
    /// The subject directory, holding readiness.toml (default: the bundled instantviz).
    #[arg(long)]
    pub subject: Option<PathBuf>,
    #[command(flatten)]
    pub backend: BackendArgs,
    /// Users' worth of data to drill with: 10k, 100k, 1m or a number (default: the
    /// manifest's scale.claimed_users).
    #[arg(long, value_parser = parse_scale)]
    pub scale: Option<u64>,
    /// The seed of the generated data; a printed seed replays a drill.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Where drill.json goes.
    #[arg(long, default_value = "readiness-report")]
    pub report: PathBuf,
    /// Append the drill's figures to DIR/history.jsonl and flag those worse than the median
    /// of the last drills (see verify --history).
    #[arg(long, value_name = "DIR")]
    pub history: Option<PathBuf>,
}

fn parse_backend(s: &str) -> Result<BackendKind, String> {
    s.parse()
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// The subject directory, holding readiness.toml (default: the bundled instantviz).
    #[arg(long)]
    pub subject: Option<PathBuf>,
    #[command(flatten)]
    pub backend: BackendArgs,
    /// Numbers of users, comma-separated, e.g. 1k,10k,100k,1m (default: READINESS_SCALES,
    /// then the manifest's scale.verify_scales).
    #[arg(long, value_delimiter = ',', value_parser = parse_scale)]
    pub scales: Vec<u64>,
    /// Where bench.json and bench.svg go.
    #[arg(long, default_value = "readiness-report")]
    pub report: PathBuf,
    /// Append the bench's figures to DIR/history.jsonl, chart them across runs in
    /// bench-trends.svg, and flag those worse than the median of the last benches.
    #[arg(long, value_name = "DIR")]
    pub history: Option<PathBuf>,
    /// The seed of the generated data.
    #[arg(long)]
    pub seed: Option<u64>,
}

fn parse_scale(s: &str) -> Result<u64, String> {
    harness::schema::dataset::parse_scale(s)
        .ok_or_else(|| format!("`{s}` is not a scale (expected e.g. 1k, 10k, 100k, 1m or 2500)"))
}
