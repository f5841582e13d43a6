//! The subject's application, run for a scenario: started in the background from `[app]`
//! against a disposable database, and asked its health endpoint over HTTP.

pub mod http;
mod running;

pub use running::{Ready, RunningApp};
