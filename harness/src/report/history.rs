//! Trends across runs (`--history DIR`): each run's figures appended as one JSON line to
//! `DIR/history.jsonl`, each figure followed across the last runs, and a figure that got
//! worse than their median by more than [`TOLERANCE`] flagged as a regression. A flag is
//! news, not a verdict: timings depend on the machine, so it never changes the exit code.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::report::evidence::Scorecard;
use crate::report::figure::Figure;
use crate::schema::dataset::scale_label;

/// The file in the history directory.
pub const FILE_NAME: &str = "history.jsonl";
/// How much worse than the median of the last runs a figure may get before it is flagged.
pub const TOLERANCE: f64 = 0.25;
/// How many earlier runs the median is taken over.
pub const WINDOW: usize = 5;
/// How many earlier runs a figure needs before it can be flagged.
pub const MIN_RUNS: usize = 3;

/// A figure's unit, and the smallest rise worth flagging in it (below it, noise).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Ms,
    Seconds,
}

impl Unit {
    fn floor(self) -> f64 {
        match self {
            Unit::Ms => 1.0,
            Unit::Seconds => 1.0,
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Unit::Ms => "ms",
            Unit::Seconds => "s",
        }
    }
}

/// One measured figure: lower is better.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Measure {
    pub value: f64,
    pub unit: Unit,
}

/// One run's line in the history file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct HistoryRun {
    pub started_at: String,
    /// `verify`, `bench` or `drill`: figures are followed within one command.
    pub command: String,
    pub subject: String,
    pub seed: u64,
    pub figures: BTreeMap<String, Measure>,
}

/// A figure worse than the median of the last runs by more than the tolerance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Regression {
    /// The figure's name, as in the history file.
    pub figure: String,
    /// Its unit.
    pub unit: Unit,
    /// Its value in this run.
    pub value: f64,
    /// The median of its last runs.
    pub median: f64,
    /// How many earlier runs the median is of.
    pub runs: usize,
    /// How much worse than the median it may get, as a fraction (0.25 is 25%).
    pub tolerance: f64,
}

impl Regression {
    /// "RTO at 10k users: 12.3 s against a median of 8.1 s over the last 5 runs (+52%, tolerance 25%)".
    pub fn describe(&self) -> String {
        let unit = self.unit.symbol();
        format!(
            "{}: {:.3} {unit} against a median of {:.3} {unit} over the last {} runs (+{:.0}%, tolerance {:.0}%)",
            self.figure,
            self.value,
            self.median,
            self.runs,
            (self.value / self.median - 1.0) * 100.0,
            self.tolerance * 100.0
        )
    }
}

/// One figure across runs, oldest first, this run last.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Trend {
    /// The figure's name, as in the history file.
    pub figure: String,
    /// Its unit.
    pub unit: Unit,
    /// Its value in each run, oldest first, this run last.
    pub points: Vec<TrendPoint>,
}

/// A figure in one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TrendPoint {
    /// When that run started.
    pub started_at: String,
    /// The figure in that run.
    pub value: f64,
}

/// A history file that cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("failed to read the history {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("failed to read the history {path}:{line}: not a readiness history line: {source}")]
    Parse {
        path: String,
        line: usize,
        source: serde_json::Error,
    },
    #[error("failed to write the history {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

/// The runs recorded in a history directory.
#[derive(Debug)]
pub struct History {
    path: PathBuf,
    runs: Vec<HistoryRun>,
}

impl History {
    /// The history in `dir` (created when missing; an empty history when it has no file yet).
    pub fn open(dir: &Path) -> Result<History, HistoryError> {
        let path = dir.join(FILE_NAME);
        let shown = || path.display().to_string();
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(source) => {
                return Err(HistoryError::Read {
                    path: shown(),
                    source,
                })
            }
        };
        let mut runs = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let run = serde_json::from_str(line).map_err(|source| HistoryError::Parse {
                path: shown(),
                line: i + 1,
                source,
            })?;
            runs.push(run);
        }
        Ok(History { path, runs })
    }

    /// The earlier runs of the same command on the same subject.
    fn earlier<'a>(&'a self, run: &'a HistoryRun) -> impl Iterator<Item = &'a HistoryRun> {
        self.runs
            .iter()
            .filter(move |r| r.command == run.command && r.subject == run.subject)
    }

    /// The figures of `run` that got worse than the median of the last [`WINDOW`] runs
    /// holding them, and each figure's trend with `run` last.
    pub fn judge(&self, run: &HistoryRun) -> (Vec<Regression>, Vec<Trend>) {
        let mut regressions = Vec::new();
        let mut trends = Vec::new();
        for (figure, measure) in &run.figures {
            let mut points: Vec<TrendPoint> = self
                .earlier(run)
                .filter_map(|r| {
                    r.figures
                        .get(figure)
                        .filter(|m| m.unit == measure.unit)
                        .map(|m| TrendPoint {
                            started_at: r.started_at.clone(),
                            value: m.value,
                        })
                })
                .collect();
            let last: Vec<f64> = points.iter().rev().take(WINDOW).map(|p| p.value).collect();
            if last.len() >= MIN_RUNS {
                let median = median(&last);
                if measure.value > median * (1.0 + TOLERANCE)
                    && measure.value - median >= measure.unit.floor()
                {
                    regressions.push(Regression {
                        figure: figure.clone(),
                        unit: measure.unit,
                        value: measure.value,
                        median,
                        runs: last.len(),
                        tolerance: TOLERANCE,
                    });
                }
            }
            points.push(TrendPoint {
                started_at: run.started_at.clone(),
                value: measure.value,
            });
            trends.push(Trend {
                figure: figure.clone(),
                unit: measure.unit,
                points,
            });
        }
        (regressions, trends)
    }

    /// Judges `run` against the history in `dir`, then appends it when it is a whole run
    /// (one stopped part way is judged but not recorded: its figures are not a whole run's).
    pub fn record(
        dir: &Path,
        run: &HistoryRun,
        whole: bool,
    ) -> Result<(Vec<Regression>, Vec<Trend>), HistoryError> {
        let history = History::open(dir)?;
        let judged = history.judge(run);
        if whole {
            history.append(run)?;
        }
        Ok(judged)
    }

    /// Appends `run` to the history file (creating the directory and the file).
    pub fn append(&self, run: &HistoryRun) -> Result<(), HistoryError> {
        let write = || -> std::io::Result<()> {
            if let Some(dir) = self.path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)?;
            let line = serde_json::to_string(run).map_err(std::io::Error::other)?;
            writeln!(file, "{line}")
        };
        write().map_err(|source| HistoryError::Write {
            path: self.path.display().to_string(),
            source,
        })
    }
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len().is_multiple_of(2) {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    }
}

/// A verify run's figures: the suite's duration, each dataset's build, each main query's
/// latency at each scale, and the restore drill's RTO. A run of some claims only (`--only`)
/// names them in its duration, so that it is followed apart from whole runs.
pub fn figures_of(scorecard: &Scorecard, all_claims: usize) -> BTreeMap<String, Measure> {
    let mut figures = BTreeMap::new();
    let duration = if scorecard.claims.len() == all_claims {
        "suite duration".to_owned()
    } else {
        let ids: Vec<&str> = scorecard.claims.iter().map(|c| c.id.as_str()).collect();
        format!("suite duration (--only {})", ids.join(","))
    };
    figures.insert(
        duration,
        Measure {
            value: round(scorecard.duration_ms / 1000.0),
            unit: Unit::Seconds,
        },
    );
    for claim in &scorecard.claims {
        for scenario in &claim.scenarios {
            for figure in &scenario.evidence.figures {
                figures.extend(figure_measures(figure));
            }
        }
    }
    figures
}

/// The history figures one evidence figure gives.
pub fn figure_measures(figure: &Figure) -> Vec<(String, Measure)> {
    let ms = |value: f64| Measure {
        value: round(value),
        unit: Unit::Ms,
    };
    let seconds = |value: f64| Measure {
        value: round(value),
        unit: Unit::Seconds,
    };
    match figure {
        Figure::Latency { queries, .. } => queries
            .iter()
            .flat_map(|q| {
                q.points.iter().map(move |p| {
                    (
                        format!("latency of `{}` at {} users", q.query, scale_label(p.users)),
                        ms(p.median_ms),
                    )
                })
            })
            .collect(),
        Figure::Drill(drill) => {
            let mut out = vec![(
                format!("RTO at {} users", scale_label(drill.users)),
                seconds(drill.rto_seconds),
            )];
            for step in &drill.steps {
                out.push((
                    format!("drill at {} users: {}", scale_label(drill.users), step.step),
                    seconds(step.seconds),
                ));
            }
            out
        }
        Figure::Dataset {
            users,
            build_ms,
            clone_ms,
        } => {
            let mut out = vec![(
                format!("dataset at {} users: build", scale_label(*users)),
                ms(*build_ms),
            )];
            if let Some(clone_ms) = clone_ms {
                out.push((
                    format!("dataset at {} users: clone", scale_label(*users)),
                    ms(*clone_ms),
                ));
            }
            out
        }
    }
}

fn round(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(at: &str, rto: f64) -> HistoryRun {
        HistoryRun {
            started_at: at.into(),
            command: "drill".into(),
            subject: "instantviz".into(),
            seed: 1,
            figures: BTreeMap::from([(
                "RTO at 10k users".to_owned(),
                Measure {
                    value: rto,
                    unit: Unit::Seconds,
                },
            )]),
        }
    }

    #[test]
    fn a_figure_worse_than_the_median_beyond_the_tolerance_is_flagged() {
        let dir = tempfile::tempdir().unwrap();
        let history = History::open(dir.path()).unwrap();
        for (i, rto) in [8.0, 9.0, 8.5, 30.0, 8.2].into_iter().enumerate() {
            history.append(&run(&format!("t{i}"), rto)).unwrap();
        }
        let history = History::open(dir.path()).unwrap();
        // the median of the last five (8.0 8.2 8.5 9.0 30.0) is 8.5: 10.0 is within 25%
        let (regressions, trends) = history.judge(&run("t5", 10.0));
        assert!(regressions.is_empty(), "{regressions:?}");
        assert_eq!(trends[0].points.len(), 6);
        let (regressions, _) = history.judge(&run("t5", 11.0));
        assert_eq!(regressions.len(), 1);
        assert_eq!(
            regressions[0].describe(),
            "RTO at 10k users: 11.000 s against a median of 8.500 s over the last 5 runs (+29%, tolerance 25%)"
        );
    }

    #[test]
    fn too_few_runs_or_a_rise_under_the_floor_flag_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let history = History::open(dir.path()).unwrap();
        history.append(&run("t0", 1.0)).unwrap();
        history.append(&run("t1", 1.0)).unwrap();
        let history = History::open(dir.path()).unwrap();
        assert!(history.judge(&run("t2", 50.0)).0.is_empty());
        history.append(&run("t2", 1.0)).unwrap();
        let history = History::open(dir.path()).unwrap();
        // +90% but under a second: noise
        assert!(history.judge(&run("t3", 1.9)).0.is_empty());
        assert_eq!(history.judge(&run("t3", 2.1)).0.len(), 1);
    }

    #[test]
    fn a_bad_line_names_the_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "{}\n").unwrap();
        let error = History::open(dir.path()).unwrap_err().to_string();
        assert!(
            error.contains("history.jsonl:1: not a readiness history line"),
            "{error}"
        );
    }
}
