//! The integration tests of this crate, gathered in one binary (one link instead of one per
//! file): each module is one area's tests, run against real PostgreSQL servers.

mod backup_tools;
mod container_backend;
mod native_backend;
mod runner;
mod url_backend;
mod wire_protocol;
