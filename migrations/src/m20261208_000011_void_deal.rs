//! A deal whose every event was voided is void itself (`deal void` of its only event): it leaves
//! lists and reports, and a later `deal set` for the same buyer and supplier starts it afresh.
//! Its row and events stay, for `show`, the log and undo.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["deal", "deal_history"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .add_column(
                            ColumnDef::new("voided")
                                .boolean()
                                .not_null()
                                .default(false)
                                .to_owned(),
                        )
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
