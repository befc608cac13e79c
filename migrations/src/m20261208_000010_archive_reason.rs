//! Why a supplier was archived (`supplier archive --reason`): kept with the supplier, and with
//! its earlier versions in the history twin, as long text.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["supplier", "supplier_history"] {
            // Long text: up to 64 KiB of characters, more than MySQL's TEXT holds.
            let mut reason = ColumnDef::new("archive_reason");
            match manager.get_database_backend() {
                DbBackend::MySql => reason.custom(Alias::new("MEDIUMTEXT")),
                _ => reason.text(),
            };
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .add_column(reason.null().to_owned())
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
