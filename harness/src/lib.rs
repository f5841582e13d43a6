//! The machinery of readiness: disposable PostgreSQL servers behind one backend trait, the
//! subject and its schema, the faults, the checks, backups, evidence and reports.
//!
//! The harness knows no claim: the claims live in the `scenarios` crate, which hands
//! the [`run::runner`] its scenarios and gets a [`report::evidence::Scorecard`] back.
//!
//! | folder | what is there |
//! |---|---|
//! | [`backend`] | PostgreSQL servers (native, container, an existing URL), the names of what the harness creates, cleanup on interrupt |
//! | [`subject`] | the application under test: its manifest, its own config files, its app run in the background and asked over HTTP |
//! | [`schema`] | the subject's schema: migrations, template databases, the catalog, generated rows and datasets, query plans and probes |
//! | [`faults`] | what goes wrong on purpose: the TCP fault proxy, private network namespaces |
//! | [`backup`] | backups judged, not trusted: dump and restore, checksums, fingerprints, retention, the subject's own tools |
//! | [`checks`] | what a run looks for: integrity refusals, invariants, isolation anomalies, growth curves, properties, lock waits |
//! | [`process`] | subprocesses run to their end or left in the background, process groups, waiting on observable state |
//! | [`run`] | the scenario contract and its context, the runner, seeds, progress reports |
//! | [`error`] | why a scenario could not reach a verdict, which every layer's error converts into |
//! | [`skip`] | test suites: a missing prerequisite skips, or fails where it is promised |
//! | [`report`] | evidence and verdicts, redaction, and the scorecard's renderings |

pub mod backend;
pub mod backup;
pub mod checks;
pub mod error;
pub mod faults;
pub mod process;
pub mod report;
pub mod run;
pub mod schema;
pub mod skip;
pub mod subject;

pub use backend::{Backend, BackendKind, Server, ServerProfile};
pub use report::evidence::{Evidence, Outcome, Status};
pub use run::scenario::{Context, Scenario};
