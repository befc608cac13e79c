//! Full backups: every table, ids, history and audit included, as one versioned JSON document.
//! A backup restores into an empty database only, so ids and references stay exactly as they
//! were, and export → import → export gives the same document.

use crate::store::wire::Txn;
use migrations::MigratorTrait;

use super::schema::Migrations;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, IntoActiveModel, Iterable, PaginatorTrait,
    QueryFilter, QueryOrder, Statement,
};
use serde::{Deserialize, Serialize};

use super::Store;
use super::entities::{
    audit_entry, buyer, capacity, dated_fact, deal, deal_event, holding, note, operation, quote, site,
    supplier, supplier_alias, supplier_capability, visit, visit_visitor,
};
use super::operations::{self, Kind};
use super::transaction;
use super::versions::{self, Versioned};
use crate::error::{Error, Result};

/// What the document says it is, so a reader can refuse what it does not understand.
pub const FORMAT: &str = "vetted-backup";
/// 2: with the operation log and the rows' earlier versions; 1 (before the log) still restores.
pub const VERSION: u32 = 2;
const VERSIONS_READ: [u32; 2] = [1, 2];

#[derive(Debug, Serialize, Deserialize)]
pub struct Backup {
    pub format: String,
    pub version: u32,
    /// The newest migration of the database it came from.
    pub schema: String,
    pub buyers: Vec<buyer::Model>,
    pub suppliers: Vec<supplier::Model>,
    pub supplier_aliases: Vec<supplier_alias::Model>,
    pub supplier_capabilities: Vec<supplier_capability::Model>,
    pub sites: Vec<site::Model>,
    pub visits: Vec<visit::Model>,
    pub visit_visitors: Vec<visit_visitor::Model>,
    pub notes: Vec<note::Model>,
    pub deals: Vec<deal::Model>,
    pub deal_events: Vec<deal_event::Model>,
    pub audit_entries: Vec<audit_entry::Model>,
    /// What the suppliers' records said from a day on (`domain::timeline`).
    #[serde(default)]
    pub dated_facts: Vec<dated_fact::Model>,
    /// Capacity, holdings and quotes (`store::capacity`).
    #[serde(default)]
    pub capacity: Vec<capacity::Model>,
    #[serde(default)]
    pub holdings: Vec<holding::Model>,
    #[serde(default)]
    pub quotes: Vec<quote::Model>,
    /// The operation log, but for restores (`import all`), which it must not repeat.
    #[serde(default)]
    pub operations: Vec<operation::Model>,
    /// Earlier versions of rows, with the operation that retracted each (`store::versions`).
    #[serde(default)]
    pub history: History,
}

/// A backup's earlier row versions, per table.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct History {
    pub buyers: Vec<Retired<buyer::Model>>,
    pub suppliers: Vec<Retired<supplier::Model>>,
    pub supplier_aliases: Vec<Retired<supplier_alias::Model>>,
    pub supplier_capabilities: Vec<Retired<supplier_capability::Model>>,
    pub sites: Vec<Retired<site::Model>>,
    pub visits: Vec<Retired<visit::Model>>,
    pub visit_visitors: Vec<Retired<visit_visitor::Model>>,
    pub notes: Vec<Retired<note::Model>>,
    pub deals: Vec<Retired<deal::Model>>,
    pub deal_events: Vec<Retired<deal_event::Model>>,
    #[serde(default)]
    pub dated_facts: Vec<Retired<dated_fact::Model>>,
    #[serde(default)]
    pub capacity: Vec<Retired<capacity::Model>>,
    #[serde(default)]
    pub holdings: Vec<Retired<holding::Model>>,
    #[serde(default)]
    pub quotes: Vec<Retired<quote::Model>>,
}

/// A version of a row, and the operation that retracted it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Retired<M> {
    pub retracted_by: i32,
    pub row: M,
}

async fn retired<E: Versioned>(conn: &impl ConnectionTrait) -> Result<Vec<Retired<E::Model>>> {
    Ok(versions::history_rows::<E>(conn)
        .await?
        .into_iter()
        .map(|(row, retracted_by)| Retired { retracted_by, row })
        .collect())
}

async fn restore_retired<E: Versioned>(txn: &Txn, rows: &[Retired<E::Model>]) -> Result<()> {
    let rows: Vec<(E::Model, i32)> = rows.iter().map(|r| (r.row.clone(), r.retracted_by)).collect();
    versions::insert_history::<E>(txn, &rows).await
}

/// Reads a backup document. A record that does not fit is named by its path and the place in
/// the file: `deals[3].status: 'bogus' is not a deal status at line 120 column 24`.
pub fn read(name: &str, text: &str) -> Result<Backup> {
    let mut document = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut document).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_data() && path != "." {
            Error::invalid(&path, in_words(&inner.to_string()))
        } else {
            Error::invalid(name, format!("not a vetted backup: {inner}"))
        }
    })
}

/// A reader's complaint about a value in the user's words: serde's and the value types'
/// wording (`invalid value: integer `3000000000`, expected i32`) says what a Rust type wanted.
/// The record's path says where; the place in the file is kept.
fn in_words(message: &str) -> String {
    let (message, place) = match message.rsplit_once(" at line ") {
        Some((message, place)) => (message, format!(" at line {place}")),
        None => (message, String::new()),
    };
    // chrono's complaints about a date or a time.
    const CHRONO: [&str; 5] = [
        "input contains invalid characters",
        "premature end of input",
        "input is out of range",
        "trailing input",
        "input is not enough for unique date and time",
    ];
    if CHRONO.contains(&message) {
        return format!("is not a date (YYYY-MM-DD) or time (RFC 3339) as vetted writes them{place}");
    }
    let Some((found, expected)) = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))
        .and_then(|m| m.rsplit_once(", expected "))
    else {
        return format!("{message}{place}");
    };
    let found = found.replace('`', "");
    let wanted = match expected {
        "i32" => "a whole number from -2147483648 to 2147483647",
        "u32" => "a whole number from 0 to 4294967295",
        "i64" | "u64" => "a whole number",
        "a string" | "a borrowed string" => "text in quotes",
        "a boolean" => "true or false",
        "a sequence" => "a list",
        e if e.starts_with("struct ") || e == "a map" => "an object",
        _ => "a value of the kind this field holds",
    };
    format!("{found} is not {wanted}{place}")
}

fn latest_migration() -> String {
    Migrations::migrations()
        .last()
        .map(|m| m.name().to_string())
        .unwrap_or_default()
}

/// Every row of an entity, in primary-key order.
async fn all<E: EntityTrait>(conn: &impl ConnectionTrait, order: E::Column) -> Result<Vec<E::Model>> {
    Ok(E::find().order_by_asc(order).all(conn).await?)
}

pub async fn export_all(store: &Store) -> Result<Backup> {
    let db = &store.db;
    Ok(Backup {
        format: FORMAT.to_string(),
        version: VERSION,
        schema: latest_migration(),
        buyers: all::<buyer::Entity>(db, buyer::Column::Id).await?,
        suppliers: all::<supplier::Entity>(db, supplier::Column::Id).await?,
        supplier_aliases: all::<supplier_alias::Entity>(db, supplier_alias::Column::Id).await?,
        supplier_capabilities: supplier_capability::Entity::find()
            .order_by_asc(supplier_capability::Column::SupplierId)
            .order_by_asc(supplier_capability::Column::Capability)
            .all(db)
            .await?,
        sites: all::<site::Entity>(db, site::Column::Id).await?,
        visits: all::<visit::Entity>(db, visit::Column::Id).await?,
        visit_visitors: all::<visit_visitor::Entity>(db, visit_visitor::Column::Id).await?,
        notes: all::<note::Entity>(db, note::Column::Id).await?,
        deals: all::<deal::Entity>(db, deal::Column::Id).await?,
        deal_events: all::<deal_event::Entity>(db, deal_event::Column::Id).await?,
        audit_entries: all::<audit_entry::Entity>(db, audit_entry::Column::Id).await?,
        dated_facts: all::<dated_fact::Entity>(db, dated_fact::Column::Id).await?,
        capacity: all::<capacity::Entity>(db, capacity::Column::Id).await?,
        holdings: all::<holding::Entity>(db, holding::Column::Id).await?,
        quotes: all::<quote::Entity>(db, quote::Column::Id).await?,
        operations: operation::Entity::find()
            .filter(operation::Column::Kind.ne(operations::RESTORE))
            .order_by_asc(operation::Column::Seq)
            .all(db)
            .await?,
        history: History {
            buyers: retired::<buyer::Entity>(db).await?,
            suppliers: retired::<supplier::Entity>(db).await?,
            supplier_aliases: retired::<supplier_alias::Entity>(db).await?,
            supplier_capabilities: retired::<supplier_capability::Entity>(db).await?,
            sites: retired::<site::Entity>(db).await?,
            visits: retired::<visit::Entity>(db).await?,
            visit_visitors: retired::<visit_visitor::Entity>(db).await?,
            notes: retired::<note::Entity>(db).await?,
            deals: retired::<deal::Entity>(db).await?,
            deal_events: retired::<deal_event::Entity>(db).await?,
            dated_facts: retired::<dated_fact::Entity>(db).await?,
            capacity: retired::<capacity::Entity>(db).await?,
            holdings: retired::<holding::Entity>(db).await?,
            quotes: retired::<quote::Entity>(db).await?,
        },
    })
}

/// Inserts rows as they are (ids included), in chunks that keep under the bound-parameter limits.
async fn restore<E, M>(txn: &Txn, rows: &[M]) -> Result<()>
where
    E: EntityTrait<Model = M>,
    M: IntoActiveModel<E::ActiveModel> + sea_orm::ModelTrait<Entity = E> + Clone,
{
    let chunk = (30_000 / E::Column::iter().count()).max(1);
    for rows in rows.chunks(chunk) {
        let batch: Vec<E::ActiveModel> = rows
            .iter()
            .cloned()
            .map(IntoActiveModel::into_active_model)
            .collect();
        E::insert_many(batch).exec_without_returning(txn).await?;
    }
    Ok(())
}

/// Restores a backup into an empty database, in one transaction.
pub async fn import_all(store: &Store, backup: Backup) -> Result<u64> {
    if backup.format != FORMAT {
        return Err(Error::invalid(
            "file",
            format!("not a vetted backup (format is '{}')", backup.format),
        ));
    }
    if !VERSIONS_READ.contains(&backup.version) {
        return Err(Error::invalid(
            "file",
            format!(
                "backup version {} is not one this vetted reads (it reads versions 1 to {VERSION})",
                backup.version
            ),
        ));
    }
    let known: Vec<String> = Migrations::migrations()
        .iter()
        .map(|m| m.name().to_string())
        .collect();
    if !backup.schema.is_empty() && !known.contains(&backup.schema) {
        return Err(Error::invalid(
            "file",
            format!(
                "the backup comes from a newer vetted (schema {}); upgrade vetted to restore it",
                backup.schema
            ),
        ));
    }
    super::backup_check::check(&backup, store.today)?;
    // The restore's own operation comes after the ones it restores.
    transaction::write_or_discard(&store.db, async |txn| {
        let total = restore_all(txn, &backup).await?;
        super::name_keys::recompute_all(txn).await?;
        let op = store.begin_op(txn, Kind::Restore).await?;
        op.set_summary(format!("restored a backup of {total} records"));
        // It has a summary: it is finished with its commit.
        Ok((total, operations::finish(txn, &op).await?))
    })
    .await
}

/// The restore proper: refuses a database with records, then inserts every table.
async fn restore_all(txn: &Txn, backup: &Backup) -> Result<u64> {
    let counts = [
        buyer::Entity::find().count(txn).await?,
        supplier::Entity::find().count(txn).await?,
        visit::Entity::find().count(txn).await?,
        deal::Entity::find().count(txn).await?,
        audit_entry::Entity::find().count(txn).await?,
    ];
    if counts.iter().any(|c| *c > 0) {
        return Err(Error::Conflict(
            "import all restores into an empty database, and this one has records; use a new --db".into(),
        ));
    }
    let total = (backup.buyers.len()
        + backup.suppliers.len()
        + backup.sites.len()
        + backup.visits.len()
        + backup.notes.len()
        + backup.deals.len()
        + backup.deal_events.len()
        + backup.capacity.len()
        + backup.holdings.len()
        + backup.quotes.len()) as u64;
    restore::<buyer::Entity, _>(txn, &backup.buyers).await?;
    let listed = |s: &supplier::Model| s.clone().listed();
    let suppliers: Vec<supplier::Model> = backup.suppliers.iter().map(listed).collect();
    restore::<supplier::Entity, _>(txn, &suppliers).await?;
    restore::<supplier_alias::Entity, _>(txn, &backup.supplier_aliases).await?;
    restore::<supplier_capability::Entity, _>(txn, &backup.supplier_capabilities).await?;
    restore::<site::Entity, _>(txn, &backup.sites).await?;
    restore::<visit::Entity, _>(txn, &backup.visits).await?;
    restore::<visit_visitor::Entity, _>(txn, &backup.visit_visitors).await?;
    restore::<note::Entity, _>(txn, &backup.notes).await?;
    restore::<deal::Entity, _>(txn, &backup.deals).await?;
    restore::<deal_event::Entity, _>(txn, &backup.deal_events).await?;
    restore::<dated_fact::Entity, _>(txn, &backup.dated_facts).await?;
    restore::<capacity::Entity, _>(txn, &backup.capacity).await?;
    restore::<holding::Entity, _>(txn, &backup.holdings).await?;
    restore::<quote::Entity, _>(txn, &backup.quotes).await?;
    restore::<audit_entry::Entity, _>(txn, &backup.audit_entries).await?;
    // A command line restored as this vetted would have recorded it: passwords masked.
    let operations: Vec<operation::Model> = backup
        .operations
        .iter()
        .cloned()
        .map(|mut o| {
            o.command = operations::masked(&o.command);
            o
        })
        .collect();
    restore::<operation::Entity, _>(txn, &operations).await?;
    let h = &backup.history;
    restore_retired::<buyer::Entity>(txn, &h.buyers).await?;
    let suppliers: Vec<Retired<supplier::Model>> = h
        .suppliers
        .iter()
        .map(|r| Retired {
            retracted_by: r.retracted_by,
            row: listed(&r.row),
        })
        .collect();
    restore_retired::<supplier::Entity>(txn, &suppliers).await?;
    restore_retired::<supplier_alias::Entity>(txn, &h.supplier_aliases).await?;
    restore_retired::<supplier_capability::Entity>(txn, &h.supplier_capabilities).await?;
    restore_retired::<site::Entity>(txn, &h.sites).await?;
    restore_retired::<visit::Entity>(txn, &h.visits).await?;
    restore_retired::<visit_visitor::Entity>(txn, &h.visit_visitors).await?;
    restore_retired::<note::Entity>(txn, &h.notes).await?;
    restore_retired::<deal::Entity>(txn, &h.deals).await?;
    restore_retired::<deal_event::Entity>(txn, &h.deal_events).await?;
    restore_retired::<dated_fact::Entity>(txn, &h.dated_facts).await?;
    restore_retired::<capacity::Entity>(txn, &h.capacity).await?;
    restore_retired::<holding::Entity>(txn, &h.holdings).await?;
    restore_retired::<quote::Entity>(txn, &h.quotes).await?;
    reset_sequences(txn).await?;
    // The restore is an operation of its own (the caller's), which backups leave out: the
    // restored log is the history, and a backup must round-trip exactly (export → import →
    // export gives the same document).
    Ok(total)
}

/// PostgreSQL sequences do not move when ids are given explicitly; SQLite and MySQL adjust.
async fn reset_sequences(txn: &Txn) -> Result<()> {
    if txn.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    for (table, key) in [("operation", "seq")].into_iter().chain(
        [
            "buyer",
            "supplier",
            "supplier_alias",
            "site",
            "visit",
            "visit_visitor",
            "note",
            "deal",
            "deal_event",
            "dated_fact",
            "capacity",
            "holding",
            "quote",
            "audit_entry",
        ]
        .map(|table| (table, "id")),
    ) {
        // Table names are constants of this file, not input.
        txn.execute_raw(Statement::from_string(
            DbBackend::Postgres,
            format!(
                "SELECT setval(pg_get_serial_sequence('\"{table}\"', '{key}'), COALESCE((SELECT MAX({key}) FROM \"{table}\"), 0) + 1, false)"
            ),
        ))
        .await?;
    }
    Ok(())
}
