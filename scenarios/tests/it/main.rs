//! The integration tests of this crate, gathered in one binary (one link instead of one per
//! file): each module is one area's tests, run against real PostgreSQL servers.

mod access_control_claim;
mod backups_claim;
mod catalog_snapshots;
mod command_flows;
#[allow(dead_code)]
mod common;
mod constraints_claim;
mod corpus;
mod dataset_load;
mod derived_data;
mod indexes_claim;
mod indexes_plans;
mod migration_layouts;
mod migration_locks;
mod migrations_claim;
mod monitoring_claim;
mod report_renderings;
mod restore_drill_claim;
mod transactions_claim;
mod unsafe_ddl;
