//! Corrections, and reports as the record stood.
//!
//! Corrections: a visit, a note or a deal event can be voided (`voided`, with the reason): it
//! leaves lists and reports but stays in `show` and the log. A supplier, buyer or site merged
//! into another keeps its row, pointing at the one it was merged into (`merged_into`), so that
//! its id and names still resolve. Each history twin gets the same columns.
//!
//! Reports: the report indexes carry `recorded_by` and `voided`, so that a report as the record
//! stood after an operation (`--known-at`) counts visits and open findings from the index
//! alone, as a report of today does, instead of looking up a million rows. Each new index is
//! made before the one it replaces is dropped: on MySQL the old one may be the index that
//! serves a foreign key, and a key must always have one.
//!
//! The index of undone operations holds only undos (where the backend can leave rows out of an
//! index): in a log of a million operations and a few undos, statistics of the full index tell
//! SQLite's planner that any one value is shared by a million rows, and it then reads the whole
//! log to find which of fifty operations were undone.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Tables whose records can be voided.
const VOIDABLE: &[&str] = &["visit", "note", "deal_event"];

/// Tables whose records can be merged into another.
const MERGEABLE: &[&str] = &["supplier", "buyer", "site"];

/// (table, index replaced, new index, its columns).
const REPLACED: &[(&str, &str, &str, &[&str])] = &[
    (
        "visit",
        "ix_visit_supplier_date",
        "ix_visit_supplier_date_recorded",
        &["supplier_id", "visit_date", "recorded_by", "voided"],
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
            "voided",
        ],
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in VOIDABLE {
            for t in [String::from(*table), format!("{table}_history")] {
                add_column(
                    manager,
                    &t,
                    ColumnDef::new("voided").boolean().not_null().default(false),
                )
                .await?;
                // Long text: up to 64 KiB of characters, more than MySQL's TEXT holds.
                let mut reason = ColumnDef::new("void_reason");
                match manager.get_database_backend() {
                    DbBackend::MySql => reason.custom(Alias::new("MEDIUMTEXT")),
                    _ => reason.text(),
                };
                add_column(manager, &t, reason.null()).await?;
            }
        }
        for table in MERGEABLE {
            for t in [String::from(*table), format!("{table}_history")] {
                add_column(manager, &t, ColumnDef::new("merged_into").integer().null()).await?;
            }
        }
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
        if manager.get_database_backend() != DbBackend::MySql {
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

async fn add_column(manager: &SchemaManager<'_>, table: &str, column: &mut ColumnDef) -> Result<(), DbErr> {
    manager
        .alter_table(
            Table::alter()
                .table(Alias::new(table))
                .add_column(column.to_owned())
                .to_owned(),
        )
        .await
}
