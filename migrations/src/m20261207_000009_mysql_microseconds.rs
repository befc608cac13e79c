//! MySQL/MariaDB keep every moment to the microsecond, as PostgreSQL and SQLite do.
//!
//! `timestamp_with_time_zone` columns are `TIMESTAMP` on MySQL: whole seconds, and none after
//! 2038. A backup moved between backends then did not export the same, and two changes within
//! one second could not be told apart. Every such column (the record tables' `created_at` and
//! `updated_at`, the audit trail's `at`, and their history twins') becomes `DATETIME(6)`, which
//! holds the UTC wall-clock time the session writes (its time zone is UTC). `operation.at` is one
//! already (migration 4). Other backends are unchanged.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::MySql {
            return Ok(());
        }
        let db = manager.get_connection();
        let columns = db
            .query_all_raw(Statement::from_string(
                DbBackend::MySql,
                "SELECT TABLE_NAME AS table_name, COLUMN_NAME AS column_name, IS_NULLABLE AS nullable \
                 FROM information_schema.COLUMNS \
                 WHERE TABLE_SCHEMA = DATABASE() AND DATA_TYPE = 'timestamp' \
                 ORDER BY TABLE_NAME, ORDINAL_POSITION",
            ))
            .await?;
        let mut by_table: Vec<(String, Vec<String>)> = Vec::new();
        for row in columns {
            let table: String = row.try_get("", "table_name")?;
            let column: String = row.try_get("", "column_name")?;
            let nullable: String = row.try_get("", "nullable")?;
            let null = if nullable == "YES" { "NULL" } else { "NOT NULL" };
            let change = format!("MODIFY `{column}` DATETIME(6) {null}");
            match by_table.last_mut() {
                Some((last, changes)) if *last == table => changes.push(change),
                _ => by_table.push((table, vec![change])),
            }
        }
        for (table, changes) in by_table {
            db.execute_unprepared(&format!("ALTER TABLE `{table}` {}", changes.join(", ")))
                .await?;
        }
        Ok(())
    }
}
