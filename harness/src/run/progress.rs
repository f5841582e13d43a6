//! Progress of long steps (dataset builds, drills, benches), told to a process-global sink
//! that shows nothing until a program installs one: library code reports without knowing
//! whether anyone, or any terminal, is watching.
//!
//! ```
//! use harness::run::progress;
//!
//! let mut task = progress::begin("dataset at 10k users", Some(3));
//! task.doing("generate users");
//! task.advance(1);
//! task.finish(); // dropping the task finishes it too
//! ```

use std::sync::OnceLock;

/// Where progress goes: installed once per process with [`install`].
pub trait ProgressSink: Send + Sync {
    /// A task starts: `total` steps when they are known (a bar), else an open-ended one
    /// (a spinner).
    fn begin(&self, task: &str, total: Option<u64>) -> Box<dyn ProgressTask>;
}

/// One task's progress, as a sink shows it.
pub trait ProgressTask: Send + Sync {
    /// What the task is doing now, shown beside it.
    fn doing(&mut self, what: &str);
    /// `steps` more of the task's total done.
    fn advance(&mut self, steps: u64);
    /// The task is over: called once, by [`Task::finish`] or when the [`Task`] is dropped.
    fn finish(&mut self);
}

static SINK: OnceLock<Box<dyn ProgressSink>> = OnceLock::new();

/// Sends every later task's progress to `sink`; `Err` (with the sink) when one was
/// already installed.
pub fn install(sink: Box<dyn ProgressSink>) -> Result<(), Box<dyn ProgressSink>> {
    SINK.set(sink)
}

/// Starts a task on the installed sink (on none, a task that shows nothing).
pub fn begin(task: &str, total: Option<u64>) -> Task {
    Task {
        shown: SINK.get().map(|sink| sink.begin(task, total)),
    }
}

/// A running task; finished when dropped, so that an early return by `?` ends it too.
pub struct Task {
    shown: Option<Box<dyn ProgressTask>>,
}

impl std::fmt::Debug for Task {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Task")
            .field("shown", &self.shown.is_some())
            .finish()
    }
}

impl Task {
    /// What the task is doing now.
    pub fn doing(&mut self, what: &str) {
        if let Some(shown) = &mut self.shown {
            shown.doing(what);
        }
    }

    /// `steps` more of the total done.
    pub fn advance(&mut self, steps: u64) {
        if let Some(shown) = &mut self.shown {
            shown.advance(steps);
        }
    }

    /// Ends the task.
    pub fn finish(mut self) {
        self.end();
    }

    fn end(&mut self) {
        if let Some(mut shown) = self.shown.take() {
            shown.finish();
        }
    }
}

impl Drop for Task {
    fn drop(&mut self) {
        self.end();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_sink_a_task_shows_nothing_and_finishes_quietly() {
        let mut task = begin("nothing installed", Some(2));
        assert!(task.shown.is_none());
        task.doing("a step");
        task.advance(1);
        task.finish();
    }
}
