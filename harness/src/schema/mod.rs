//! The subject's schema: its migrations applied and rolled back, template databases built
//! from them once and cloned, the catalog read and compared, rows and datasets generated
//! from it, the main queries (the manifest's or derived from it), and query plans and
//! probes on it, and unsafe DDL in the migrations named before they run.

pub mod catalog;
pub mod dataset;
pub mod lint;
pub mod lock_mode;
pub mod main_queries;
pub mod migrate;
pub mod plan;
pub mod probe;
pub mod rowgen;
pub mod template;
