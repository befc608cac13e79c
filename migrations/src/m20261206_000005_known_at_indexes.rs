//! The report indexes carry `recorded_by`, so that a report as the record stood after an
//! operation (`--known-at`) counts visits and open findings from the index alone, as a report
//! of today does, instead of looking up a million rows for the operation that wrote each.
//!
//! The index of undone operations holds only undos (where the backend can leave rows out of
//! an index): in a log of a million operations and a few undos, statistics of the full index
//! tell SQLite's planner that any one value is shared by a million rows, and it then reads the
//! whole log to find which of fifty operations were undone.
//!
//! Each new index is made before the one it replaces is dropped: on MySQL the old one may be
//! the index that serves a foreign key, and a key must always have one.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (table, index replaced, new index, its columns).
const REPLACED: &[(&str, &str, &str, &[&str])] = &[
    (
        "visit",
        "ix_visit_supplier_date",
        "ix_visit_supplier_date_recorded",
        &["supplier_id", "visit_date", "recorded_by"],
    ),
    (
        "note",
        "ix_note_open_by_supplier",
        "ix_note_open_recorded",
        &[
            "supplier_id",
            "severity",
            "noted_on",
            "resolved_on",
            "recorded_by",
        ],
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, old, new, columns) in REPLACED {
            let mut index = Index::create().name(*new).table(Alias::new(*table)).take();
            for column in *columns {
                index.col(Alias::new(*column));
            }
            manager.create_index(index).await?;
            manager
                .drop_index(Index::drop().name(*old).table(Alias::new(*table)).to_owned())
                .await?;
        }
        if manager.get_database_backend() != sea_orm_migration::sea_orm::DbBackend::MySql {
            manager
                .create_index(
                    Index::create()
                        .name("idx_operation_undone")
                        .table(Alias::new("operation"))
                        .col(Alias::new("undoes"))
                        .and_where(Expr::col(Alias::new("undoes")).is_not_null())
                        .to_owned(),
                )
                .await?;
            manager
                .drop_index(
                    Index::drop()
                        .name("idx_operation_undoes")
                        .table(Alias::new("operation"))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
