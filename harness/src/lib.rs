//! The machinery of readiness: disposable PostgreSQL servers behind one backend trait,
//! template databases, migrations, catalog introspection, evidence and reports.
//!
//! The harness knows no claim: the claims live in the `scenarios` crate, which hands
//! the [`runner`] its scenarios and gets a [`evidence::Scorecard`] back.

pub mod backend;
pub mod backup;
pub mod catalog;
pub mod cleanup;
pub mod command;
pub mod configfiles;
pub mod dataset;
pub mod evidence;
pub mod growth;
pub mod integrity;
pub mod invariants;
pub mod isolation;
pub mod locks;
pub mod manifest;
pub mod migrate;
pub mod names;
pub mod netns;
pub mod plan;
pub mod probe;
pub mod process_group;
pub mod property;
pub mod proxy;
pub mod redact;
pub mod report;
pub mod rowgen;
pub mod runner;
pub mod scenario;
pub mod seed;
pub mod skip;
pub mod subject;
pub mod template;
pub mod wait;

pub use backend::{Backend, BackendKind, Server, ServerProfile};
pub use evidence::{Evidence, Outcome, Status};
pub use scenario::{Context, Scenario};
