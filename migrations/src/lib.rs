//! vetted's schema migrations, in order. Append-only: a landed migration is never edited; a
//! change to the schema is a new file listed at the end of `Migrator::migrations`.
//!
//! This crate imports nothing from the application, so the schema history stays readable on its own.

pub use sea_orm_migration::prelude::*;
pub use sea_orm_migration::seaql_migrations;

mod m20261129_000001_core_record;
mod m20261129_000002_report_indexes;
mod m20261130_000003_text_limits;
mod m20261204_000004_operation_log;
mod m20261206_000005_corrections;
mod m20261206_000006_capacity;
mod m20261207_000008_undone_once;
mod m20261207_000009_mysql_microseconds;
mod m20261208_000010_archive_reason;
mod m20261208_000011_void_deal;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261129_000001_core_record::Migration),
            Box::new(m20261129_000002_report_indexes::Migration),
            Box::new(m20261130_000003_text_limits::Migration),
            Box::new(m20261204_000004_operation_log::Migration),
            Box::new(m20261206_000005_corrections::Migration),
            Box::new(m20261206_000006_capacity::Migration),
            Box::new(m20261207_000008_undone_once::Migration),
            Box::new(m20261207_000009_mysql_microseconds::Migration),
            Box::new(m20261208_000010_archive_reason::Migration),
            Box::new(m20261208_000011_void_deal::Migration),
        ]
    }
}
