//! What stderr shows while a command runs: on a terminal with `CI` unset, progress bars
//! (indicatif) for the harness's tasks, with each finished scenario's line above them;
//! otherwise no bar, and one line per scenario (`  claim/scenario … PROVEN (1.2 s)`).

use std::ffi::OsStr;
use std::io::{IsTerminal, Write};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use harness::report::evidence::ScenarioReport;
use harness::run::progress::{self as tasks, ProgressSink, ProgressTask, Task};
use harness::run::runner::Observer;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

/// Whether to draw bars: stderr is a terminal and `CI` is unset (or empty).
pub fn shows_bars(stderr_is_terminal: bool, ci: Option<&OsStr>) -> bool {
    let in_ci = ci.is_some_and(|value| !value.is_empty());
    stderr_is_terminal && !in_ci
}

/// How stderr was found when the command started.
struct Screen {
    /// The bars, when they are drawn.
    bars: Option<MultiProgress>,
    /// Whether the status words in the scenario lines are coloured.
    colour: bool,
}

static SCREEN: OnceLock<Screen> = OnceLock::new();

fn screen() -> &'static Screen {
    SCREEN.get_or_init(|| Screen {
        bars: None,
        colour: false,
    })
}

/// Looks at stderr and the environment once, before anything is printed, and on a
/// terminal outside CI sends the harness's tasks to bars.
pub fn install() {
    let stderr_is_terminal = std::io::stderr().is_terminal();
    let bars =
        shows_bars(stderr_is_terminal, std::env::var_os("CI").as_deref()).then(MultiProgress::new);
    if let Some(bars) = &bars {
        let _ = tasks::install(Box::new(Bars(bars.clone())));
    }
    let _ = SCREEN.set(Screen {
        bars,
        colour: crate::colour::on_stderr(),
    });
}

/// Prints a whole line on stderr, above the bars when they are drawn.
pub fn line(text: &str) {
    match &screen().bars {
        Some(bars) => {
            let _ = bars.println(text);
        }
        None => eprintln!("{text}"),
    }
}

/// A line said in two halves: without bars, its head as soon as the work starts and the
/// rest when it ends (as always, for anyone watching a log); with bars, whole at the end.
#[derive(Debug)]
pub struct HalfLine {
    head: String,
}

impl HalfLine {
    pub fn start(head: String) -> HalfLine {
        if screen().bars.is_none() {
            eprint!("{head}");
            let _ = std::io::stderr().flush();
        }
        HalfLine { head }
    }

    pub fn end(self, tail: &str) {
        match &screen().bars {
            Some(_) => line(&format!("{}{tail}", self.head)),
            None => eprintln!("{tail}"),
        }
    }
}

/// The log's writer: stderr, with the bars lifted while a message is written.
pub fn log_writer() -> LogWriter {
    LogWriter
}

#[derive(Debug)]
pub struct LogWriter;

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &screen().bars {
            Some(bars) => bars.suspend(|| std::io::stderr().write(buf)),
            None => std::io::stderr().write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// The scenarios' lines as they run (and, with bars, a spinner for the running one).
#[derive(Debug, Default)]
pub struct Progress {
    running: Mutex<Option<(HalfLine, Task)>>,
}

impl Observer for Progress {
    fn scenario_started(&self, claim: &str, scenario: &str, _title: &str) {
        let half = HalfLine::start(format!("  {claim}/{scenario} … "));
        let spinner = tasks::begin(&format!("{claim}/{scenario}"), None);
        *self.running.lock().unwrap_or_else(|p| p.into_inner()) = Some((half, spinner));
    }

    fn scenario_finished(&self, _claim: &str, report: &ScenarioReport) {
        let running = self
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        let label = report.status.label();
        let label = if screen().colour {
            crate::colour::status(label)
        } else {
            label.to_owned()
        };
        let tail = format!("{label} ({:.1} s)", report.duration_ms / 1000.0);
        match running {
            Some((half, spinner)) => {
                spinner.finish();
                half.end(&tail);
            }
            None => line(&tail),
        }
    }
}

/// The harness's tasks as bars (a known total) or spinners, cleared when they finish.
struct Bars(MultiProgress);

impl ProgressSink for Bars {
    fn begin(&self, task: &str, total: Option<u64>) -> Box<dyn ProgressTask> {
        let (bar, template) = match total {
            Some(total) => (
                ProgressBar::new(total),
                "  {spinner} {prefix} [{bar:24}] {pos}/{len} ({elapsed}) {msg}",
            ),
            None => (
                ProgressBar::new_spinner(),
                "  {spinner} {prefix} ({elapsed}) {msg}",
            ),
        };
        let style = ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        let bar = self
            .0
            .add(bar.with_style(style).with_prefix(task.to_owned()));
        bar.enable_steady_tick(Duration::from_millis(120));
        Box::new(Bar {
            bar,
            bars: self.0.clone(),
        })
    }
}

struct Bar {
    bar: ProgressBar,
    bars: MultiProgress,
}

impl ProgressTask for Bar {
    fn doing(&mut self, what: &str) {
        self.bar.set_message(what.to_owned());
    }

    fn advance(&mut self, steps: u64) {
        self.bar.inc(steps);
    }

    fn finish(&mut self) {
        self.bar.finish_and_clear();
        self.bars.remove(&self.bar);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_only_on_a_terminal_outside_ci() {
        assert!(shows_bars(true, None));
        assert!(shows_bars(true, Some(OsStr::new(""))));
        assert!(!shows_bars(true, Some(OsStr::new("true"))));
        assert!(!shows_bars(true, Some(OsStr::new("1"))));
        assert!(!shows_bars(false, None));
        assert!(!shows_bars(false, Some(OsStr::new("true"))));
    }
}
