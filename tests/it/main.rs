//! The integration tests of this crate, gathered in one binary (one link instead of one per
//! file): each module is one area's tests, run against real PostgreSQL servers.

mod baseline;
mod cli;
mod container_cli;
mod html_report;
mod mutate;
