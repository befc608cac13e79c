//! Capacity, holdings and quotes: how many units (complete lines, tools) a supplier can deliver
//! per quarter of a capability, who holds them, and what lead time it quoted to a buyer. Each is
//! a dated statement (`stated_on`; a later one for the same key supersedes an earlier one) with
//! its provenance (`source`, `confidence`), versioned like every record table (a history twin).
//! Deal events gain the same provenance: carried-over events of competitors are `likely`, ours
//! `confirmed`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Capacity {
    Table,
    Id,
    SupplierId,
    Capability,
    Period,
    Units,
    Unit,
    StatedOn,
    Source,
    Confidence,
    Note,
    CreatedAt,
    RecordedBy,
}

#[derive(DeriveIden)]
enum Holding {
    Table,
    Id,
    SupplierId,
    BuyerId,
    Capability,
    Period,
    Units,
    Status,
    StatedOn,
    Source,
    Confidence,
    Note,
    CreatedAt,
    RecordedBy,
}

#[derive(DeriveIden)]
enum Quote {
    Table,
    Id,
    SupplierId,
    BuyerId,
    Capability,
    LeadTime,
    LeadDays,
    Price,
    Currency,
    ValidUntil,
    StatedOn,
    Source,
    Confidence,
    Note,
    CreatedAt,
    RecordedBy,
}

#[derive(DeriveIden)]
enum Supplier {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Buyer {
    Table,
    Id,
}

/// One-line text (a source): up to 1,000 characters, which MySQL's default VARCHAR(255) is not.
fn line(manager: &SchemaManager, col: impl IntoIden) -> ColumnDef {
    match manager.get_database_backend() {
        DbBackend::MySql => ColumnDef::new(col)
            .custom(Alias::new("VARCHAR(1000)"))
            .null()
            .take(),
        _ => text_null(col),
    }
}

/// Long text (a note): up to 64 KiB, which MySQL's TEXT is not.
fn long(manager: &SchemaManager, col: impl IntoIden) -> ColumnDef {
    match manager.get_database_backend() {
        DbBackend::MySql => ColumnDef::new(col).custom(Alias::new("MEDIUMTEXT")).null().take(),
        _ => text_null(col),
    }
}

/// Money: an exact decimal on servers, its exact text on SQLite (as the core record has it).
fn money(manager: &SchemaManager, col: impl IntoIden) -> ColumnDef {
    match manager.get_database_backend() {
        DbBackend::Sqlite => text_null(col),
        _ => decimal_len_null(col, 20, 4),
    }
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Restrict)
        .take()
}

fn index(name: &str, table: &str, cols: &[&str]) -> IndexCreateStatement {
    let mut stmt = Index::create().name(name).table(Alias::new(table)).take();
    for col in cols {
        stmt.col(Alias::new(*col));
    }
    stmt
}

fn q(backend: DbBackend, name: &str) -> String {
    match backend {
        DbBackend::MySql => format!("`{name}`"),
        _ => format!("\"{name}\""),
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Capacity::Table)
                    .col(pk_auto(Capacity::Id))
                    .col(integer(Capacity::SupplierId))
                    .col(string_len(Capacity::Capability, 64))
                    .col(char_len(Capacity::Period, 6))
                    .col(integer(Capacity::Units))
                    .col(string_len(Capacity::Unit, 16).default("lines"))
                    .col(date(Capacity::StatedOn))
                    .col(line(manager, Capacity::Source))
                    .col(string_len(Capacity::Confidence, 16))
                    .col(long(manager, Capacity::Note))
                    .col(timestamp_with_time_zone(Capacity::CreatedAt))
                    .col(integer(Capacity::RecordedBy).default(0))
                    .foreign_key(&mut fk(
                        "fk_capacity_supplier",
                        (Capacity::Table, Capacity::SupplierId),
                        (Supplier::Table, Supplier::Id),
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Holding::Table)
                    .col(pk_auto(Holding::Id))
                    .col(integer(Holding::SupplierId))
                    .col(integer(Holding::BuyerId))
                    .col(string_len(Holding::Capability, 64))
                    .col(char_len(Holding::Period, 6))
                    .col(integer(Holding::Units))
                    .col(string_len(Holding::Status, 16))
                    .col(date(Holding::StatedOn))
                    .col(line(manager, Holding::Source))
                    .col(string_len(Holding::Confidence, 16))
                    .col(long(manager, Holding::Note))
                    .col(timestamp_with_time_zone(Holding::CreatedAt))
                    .col(integer(Holding::RecordedBy).default(0))
                    .foreign_key(&mut fk(
                        "fk_holding_supplier",
                        (Holding::Table, Holding::SupplierId),
                        (Supplier::Table, Supplier::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_holding_buyer",
                        (Holding::Table, Holding::BuyerId),
                        (Buyer::Table, Buyer::Id),
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Quote::Table)
                    .col(pk_auto(Quote::Id))
                    .col(integer(Quote::SupplierId))
                    .col(integer(Quote::BuyerId))
                    .col(string_len(Quote::Capability, 64))
                    .col(string_len(Quote::LeadTime, 16))
                    .col(integer(Quote::LeadDays))
                    .col(money(manager, Quote::Price))
                    .col(char_len_null(Quote::Currency, 3))
                    .col(date_null(Quote::ValidUntil))
                    .col(date(Quote::StatedOn))
                    .col(line(manager, Quote::Source))
                    .col(string_len(Quote::Confidence, 16))
                    .col(long(manager, Quote::Note))
                    .col(timestamp_with_time_zone(Quote::CreatedAt))
                    .col(integer(Quote::RecordedBy).default(0))
                    .foreign_key(&mut fk(
                        "fk_quote_supplier",
                        (Quote::Table, Quote::SupplierId),
                        (Supplier::Table, Supplier::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_quote_buyer",
                        (Quote::Table, Quote::BuyerId),
                        (Buyer::Table, Buyer::Id),
                    ))
                    .take(),
            )
            .await?;
        for (name, table, cols) in [
            (
                "ix_capacity_key",
                "capacity",
                &["supplier_id", "capability", "period"][..],
            ),
            (
                "ix_capacity_capability",
                "capacity",
                &["capability", "period"][..],
            ),
            (
                "ix_holding_key",
                "holding",
                &["supplier_id", "capability", "period", "buyer_id"][..],
            ),
            ("ix_holding_capability", "holding", &["capability", "period"][..]),
            ("ix_holding_buyer", "holding", &["buyer_id"][..]),
            (
                "ix_quote_supplier_buyer",
                "quote",
                &["supplier_id", "buyer_id"][..],
            ),
            ("ix_quote_buyer", "quote", &["buyer_id"][..]),
        ] {
            manager.create_index(index(name, table, cols)).await?;
        }

        // Provenance of deal events, and of their earlier versions.
        let backend = manager.get_database_backend();
        for table in ["deal_event", "deal_event_history"] {
            // One change per statement: SQLite alters a table one column at a time.
            for column in [
                line(manager, Alias::new("source")),
                string_len(Alias::new("confidence"), 16)
                    .default("confirmed")
                    .take(),
            ] {
                manager
                    .alter_table(
                        Table::alter()
                            .table(Alias::new(table))
                            .add_column(column)
                            .to_owned(),
                    )
                    .await?;
            }
        }
        let db = manager.get_connection();
        db.execute_unprepared(&format!(
            "UPDATE {e} SET confidence = 'likely' WHERE deal_id IN \
             (SELECT d.id FROM {d} d JOIN {b} b ON b.id = d.buyer_id WHERE b.external = {yes})",
            e = q(backend, "deal_event"),
            d = q(backend, "deal"),
            b = q(backend, "buyer"),
            yes = if backend == DbBackend::Postgres {
                "TRUE"
            } else {
                "1"
            },
        ))
        .await?;

        // The new tables' history twins, as migration 4 made the others': the table's columns,
        // the retracting operation, and on servers a key of their own.
        for table in ["capacity", "holding", "quote"] {
            let history = format!("{table}_history");
            let empty = match backend {
                DbBackend::MySql => "LIMIT 0",
                _ => "WHERE 1 = 0",
            };
            db.execute_unprepared(&format!(
                "CREATE TABLE {h} AS SELECT * FROM {t} {empty}",
                h = q(backend, &history),
                t = q(backend, table),
            ))
            .await?;
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(&history))
                        .add_column(
                            ColumnDef::new(Alias::new("retracted_by"))
                                .integer()
                                .not_null()
                                .default(0),
                        )
                        .to_owned(),
                )
                .await?;
            match backend {
                DbBackend::Postgres => {
                    db.execute_unprepared(&format!(
                        "ALTER TABLE {} ADD COLUMN history_id BIGSERIAL PRIMARY KEY",
                        q(backend, &history)
                    ))
                    .await?;
                }
                DbBackend::MySql => {
                    db.execute_unprepared(&format!(
                        "ALTER TABLE {} ADD COLUMN history_id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY",
                        q(backend, &history)
                    ))
                    .await?;
                }
                _ => {}
            }
            for column in ["recorded_by", "retracted_by"] {
                let name = format!("idx_{history}_{column}");
                manager.create_index(index(&name, &history, &[column])).await?;
            }
            let name = format!("idx_{table}_recorded_by");
            manager
                .create_index(index(&name, table, &["recorded_by"]))
                .await?;
        }
        Ok(())
    }
}
