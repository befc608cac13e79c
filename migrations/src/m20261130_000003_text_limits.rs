//! Text holds what the input limits allow on every backend: one-line text (city, province,
//! website, a note's topic) up to 1,000 characters, long text up to 64 KiB, and an audit entry's
//! before/after whatever long text they carry. Plain string and text columns are unlimited on
//! PostgreSQL and SQLite, but MariaDB makes them `VARCHAR(255)` and `TEXT` (65,535 bytes), so
//! only MariaDB/MySQL columns change.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Table, column, the MySQL type it gets, and whether it is nullable.
const COLUMNS: &[(&str, &str, &str, bool)] = &[
    ("supplier", "province", "VARCHAR(1000)", true),
    ("supplier", "city", "VARCHAR(1000)", true),
    ("supplier", "website", "VARCHAR(1000)", true),
    ("site", "city", "VARCHAR(1000)", true),
    ("site", "province", "VARCHAR(1000)", true),
    ("note", "topic", "VARCHAR(1000)", true),
    ("buyer", "note", "MEDIUMTEXT", true),
    ("supplier", "note", "MEDIUMTEXT", true),
    ("visit", "summary", "MEDIUMTEXT", true),
    ("note", "body", "MEDIUMTEXT", false),
    ("note", "resolution", "MEDIUMTEXT", true),
    ("deal_event", "note", "MEDIUMTEXT", true),
    // A visit's entry holds its summary and every finding, each up to 64 KiB.
    ("audit_entry", "before", "LONGTEXT", true),
    ("audit_entry", "after", "LONGTEXT", true),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::MySql {
            return Ok(());
        }
        for (table, column, kind, nullable) in COLUMNS {
            let mut def = ColumnDef::new(Alias::new(*column));
            def.custom(Alias::new(*kind));
            if *nullable {
                def.null();
            } else {
                def.not_null();
            }
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(*table))
                        .modify_column(def)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
