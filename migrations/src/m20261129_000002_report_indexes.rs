//! An index that lets the reports count open findings per supplier and severity from the index
//! alone, instead of visiting a million note rows one by one.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Note {
    Table,
    SupplierId,
    Severity,
    NotedOn,
    ResolvedOn,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("ix_note_open_by_supplier")
                    .table(Note::Table)
                    .col(Note::SupplierId)
                    .col(Note::Severity)
                    .col(Note::NotedOn)
                    .col(Note::ResolvedOn)
                    .to_owned(),
            )
            .await
    }
}
