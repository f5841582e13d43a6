//! The machinery of readiness: disposable PostgreSQL servers behind one backend trait,
//! template databases, migrations, catalog introspection, evidence and reports.
//!
//! The harness knows no claim: the claims live in the `scenarios` crate, which hands
//! the [`runner`] its scenarios and gets a [`evidence::Scorecard`] back.

pub mod backend;
pub mod catalog;
pub mod cleanup;
pub mod dataset;
pub mod evidence;
pub mod invariants;
pub mod isolation;
pub mod manifest;
pub mod migrate;
pub mod names;
pub mod proxy;
pub mod redact;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod seed;
pub mod subject;
pub mod template;

pub use backend::{Backend, BackendKind, Server, ServerProfile};
pub use evidence::{Evidence, Outcome, Status};
pub use scenario::{Context, Scenario};
