//! The operation log and row versions (transaction time), and dated facts (valid time).
//!
//! Every command that changes the record writes one row of `operation` (`seq` orders them; `id`
//! is the UUIDv7 users see). Every row of the ten record tables says which operation wrote it
//! (`recorded_by`); a row an operation changes or removes is first copied into its table's
//! `<table>_history` twin with `retracted_by` set to that operation. The record as it stood
//! after operation S is then: current rows with `recorded_by <= S`, plus history rows with
//! `recorded_by <= S < retracted_by`. History twins are created from their tables' own column
//! lists, so they hold the same values in the same types; servers give them a key of their own
//! (Galera replicates only tables with a primary key).
//!
//! Carried over: each audit entry written before the log becomes an operation of its own (same
//! number, time, actor and summary; the command line was not recorded), and each stored row is
//! taken as written by the first operation at or after its last change (child rows without a
//! timestamp, by their parent's).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::prelude::DateTimeUtc;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DatedFact {
    Table,
    Id,
    SupplierId,
    Kind,
    Subject,
    Value,
    ValidFrom,
}

#[derive(DeriveIden)]
enum Supplier {
    Table,
    Id,
    ListedOn,
}

#[derive(DeriveIden)]
enum Operation {
    Table,
    Seq,
    Id,
    At,
    Actor,
    Command,
    Summary,
    Kind,
    Undoes,
}

/// The versioned tables, parents before children, with the timestamp that dates each row's
/// current version, or the parent table and key column a child takes its operation from.
const TABLES: &[(&str, Dated)] = &[
    ("buyer", Dated::At("created_at")),
    ("supplier", Dated::At("updated_at")),
    ("supplier_alias", Dated::Parent("supplier", "supplier_id")),
    ("supplier_capability", Dated::Parent("supplier", "supplier_id")),
    ("dated_fact", Dated::Parent("supplier", "supplier_id")),
    ("site", Dated::At("created_at")),
    ("visit", Dated::At("created_at")),
    ("visit_visitor", Dated::Parent("visit", "visit_id")),
    ("note", Dated::At("created_at")),
    ("deal", Dated::At("updated_at")),
    ("deal_event", Dated::At("created_at")),
];

enum Dated {
    At(&'static str),
    Parent(&'static str, &'static str),
}

/// Audit entries carried over per statement.
const CHUNK: i64 = 2_000;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        manager
            .create_table(
                Table::create()
                    .table(Operation::Table)
                    .col(pk_auto(Operation::Seq))
                    .col(string_len(Operation::Id, 36).unique_key())
                    .col(timestamp_with_time_zone(Operation::At))
                    .col(string(Operation::Actor))
                    .col(text(Operation::Command))
                    .col(text(Operation::Summary))
                    // change, undo (of `undoes`), or restore (`import all`)
                    .col(string_len(Operation::Kind, 16).default("change"))
                    .col(integer_null(Operation::Undoes))
                    .to_owned(),
            )
            .await?;
        if backend == DbBackend::MySql {
            // `--known-at` compares moments to the microsecond; MySQL's plain TIMESTAMP keeps
            // whole seconds (rounded), and ends in 2038.
            db.execute_unprepared("ALTER TABLE `operation` MODIFY `at` DATETIME(6) NOT NULL")
                .await?;
        }
        for (name, cols) in [
            ("idx_operation_at", &["at"][..]),
            ("idx_operation_actor", &["actor", "seq"][..]),
            ("idx_operation_undoes", &["undoes"][..]),
        ] {
            manager.create_index(index(name, "operation", cols)).await?;
        }
        add_valid_time(manager, backend).await?;
        add_counter(manager, "audit_entry", "operation_id").await?;
        manager
            .create_index(index(
                "idx_audit_entry_operation",
                "audit_entry",
                &["operation_id"],
            ))
            .await?;
        for (table, _) in TABLES {
            add_counter(manager, table, "recorded_by").await?;
        }

        carry_over_operations(db, backend).await?;
        for (table, dated) in TABLES {
            let sql = match dated {
                Dated::At(column) => format!(
                    "UPDATE {t} SET recorded_by = coalesce(\
                     (SELECT o.seq FROM operation o WHERE o.at >= {t}.{column} ORDER BY o.at, o.seq LIMIT 1), \
                     (SELECT max(o.seq) FROM operation o), 0)",
                    t = q(backend, table),
                ),
                Dated::Parent(parent, key) => format!(
                    "UPDATE {t} SET recorded_by = coalesce(\
                     (SELECT p.recorded_by FROM {p} p WHERE p.id = {t}.{key}), 0)",
                    t = q(backend, table),
                    p = q(backend, parent),
                ),
            };
            db.execute_unprepared(&sql).await?;
        }

        for (table, _) in TABLES {
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
            add_counter(manager, &history, "retracted_by").await?;
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
                // A SQLite table's rowid is its key.
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

/// Valid time: the day each supplier was listed from (carried over: the day it was created),
/// and the dated facts about what a supplier's record says without a date of its own. Today's
/// values need no facts: a key without any holds the record's value since the listing.
async fn add_valid_time(manager: &SchemaManager<'_>, backend: DbBackend) -> Result<(), DbErr> {
    manager
        .alter_table(
            Table::alter()
                .table(Supplier::Table)
                .add_column(date(Supplier::ListedOn).default("1970-01-01"))
                .to_owned(),
        )
        .await?;
    let day = match backend {
        DbBackend::Postgres => "CAST(created_at AT TIME ZONE 'UTC' AS DATE)",
        DbBackend::MySql => "DATE(created_at)",
        _ => "substr(created_at, 1, 10)",
    };
    manager
        .get_connection()
        .execute_unprepared(&format!(
            "UPDATE {} SET listed_on = {day}",
            q(backend, "supplier")
        ))
        .await?;
    manager
        .create_table(
            Table::create()
                .table(DatedFact::Table)
                .col(pk_auto(DatedFact::Id))
                .col(integer(DatedFact::SupplierId))
                // capability, alias, archived, scarce, lines
                .col(string_len(DatedFact::Kind, 16))
                // the capability, the alias's normalised form, a site's id; or empty
                .col(string_len(DatedFact::Subject, 255))
                .col(string_len_null(DatedFact::Value, 255))
                .col(date(DatedFact::ValidFrom))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_dated_fact_supplier")
                        .from(DatedFact::Table, DatedFact::SupplierId)
                        .to(Supplier::Table, Supplier::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
    for (name, cols) in [
        ("idx_dated_fact_key", &["supplier_id", "kind", "subject"][..]),
        ("idx_dated_fact_valid_from", &["valid_from"][..]),
    ] {
        manager.create_index(index(name, "dated_fact", cols)).await?;
    }
    Ok(())
}

/// Adds an integer column that counts from 0 (no operation).
async fn add_counter(manager: &SchemaManager<'_>, table: &str, column: &str) -> Result<(), DbErr> {
    manager
        .alter_table(
            Table::alter()
                .table(Alias::new(table))
                .add_column(ColumnDef::new(Alias::new(column)).integer().not_null().default(0))
                .to_owned(),
        )
        .await
}

/// One operation per audit entry written before the log, numbered as the entry, and the entry
/// linked to it.
async fn carry_over_operations(db: &SchemaManagerConnection<'_>, backend: DbBackend) -> Result<(), DbErr> {
    let mut last = 0i64;
    loop {
        let rows = db
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                match backend {
                    DbBackend::Postgres => {
                        "SELECT id, at, actor, summary FROM audit_entry WHERE id > $1 ORDER BY id LIMIT $2"
                    }
                    _ => "SELECT id, at, actor, summary FROM audit_entry WHERE id > ? ORDER BY id LIMIT ?",
                },
                [last.into(), CHUNK.into()],
            ))
            .await?;
        let Some(row) = rows.last() else { break };
        last = i64::from(row.try_get::<i32>("", "id")?);
        let mut insert = Query::insert();
        insert.into_table(Operation::Table).columns([
            Operation::Seq,
            Operation::Id,
            Operation::At,
            Operation::Actor,
            Operation::Command,
            Operation::Summary,
        ]);
        for row in &rows {
            let seq: i32 = row.try_get("", "id")?;
            let at: DateTimeUtc = row.try_get("", "at")?;
            let actor: String = row.try_get("", "actor")?;
            let summary: String = row.try_get("", "summary")?;
            insert.values_panic([
                seq.into(),
                carried_id(seq, at).into(),
                at.into(),
                actor.into(),
                "(recorded before the operation log)".into(),
                summary.into(),
            ]);
        }
        db.execute(&insert).await?;
    }
    db.execute_unprepared("UPDATE audit_entry SET operation_id = id")
        .await?;
    if backend == DbBackend::Postgres {
        db.execute_unprepared(
            "SELECT setval(pg_get_serial_sequence('operation', 'seq'), coalesce(max(seq), 0) + 1, false) \
             FROM operation",
        )
        .await?;
    }
    Ok(())
}

/// A UUIDv7 for a carried-over entry: its time, and its number where the random bits go, so
/// that the same database always carries over to the same ids.
fn carried_id(seq: i32, at: DateTimeUtc) -> String {
    let mut bits = [0u8; 10];
    bits[6..].copy_from_slice(&seq.to_be_bytes());
    uuid::Builder::from_unix_timestamp_millis(
        <u64 as TryFrom<i64>>::try_from(at.timestamp_millis()).unwrap_or(0),
        &bits,
    )
    .into_uuid()
    .to_string()
}

fn q(backend: DbBackend, name: &str) -> String {
    match backend {
        DbBackend::MySql => format!("`{name}`"),
        _ => format!("\"{name}\""),
    }
}

fn index(name: &str, table: &str, cols: &[&str]) -> IndexCreateStatement {
    let mut stmt = Index::create().name(name).table(Alias::new(table)).take();
    for col in cols {
        stmt.col(Alias::new(*col));
    }
    stmt
}
