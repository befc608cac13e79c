//! Writing the suppliers an import creates, with their aliases and capabilities, in bulk.
//!
//! SQLite and PostgreSQL take each batch as one JSON parameter that the database unpacks into
//! rows: one statement and one bound value per table per batch, where a multi-row INSERT would
//! bind 15 values a row (and build them through sea-query one by one). MariaDB takes sea-orm
//! multi-row INSERTs. Ids: on SQLite the import holds the write lock from its first statement, so
//! it numbers new suppliers itself; PostgreSQL hands them out from the table's sequence; on
//! MariaDB they are read back by normalised name (unique) after the insert.

use crate::store::wire::Txn;
use std::collections::{BTreeSet, HashMap, VecDeque};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ActiveValue::Unchanged;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, Statement, Value,
};

use super::super::dated::{self, KeyChange, YES};
use super::super::entities::{supplier, supplier_alias, supplier_capability};
use super::super::suppliers::{self, SupplierView};
use super::super::{IN_CHUNK, lookup, versions};
use super::draft::{Draft, StoredSupplier};
use crate::domain::status::{FactKind, ScarceOverride};
use crate::error::{Error, Result};

/// Rows per multi-row INSERT on MariaDB: 15 bound values each stays under its 65,535.
const INSERT_CHUNK: usize = 1_000;

/// Supplier columns a JSON row carries, in order, and their PostgreSQL types.
const SUPPLIER_COLUMNS: [(&str, &str); 13] = [
    ("id", "int4"),
    ("name", "text"),
    ("name_norm", "text"),
    ("native_name", "text"),
    ("native_norm", "text"),
    ("country", "text"),
    ("province", "text"),
    ("city", "text"),
    ("address", "text"),
    ("website", "text"),
    ("scarce_override", "text"),
    ("note", "text"),
    ("listed_on", "date"),
];
const ALIAS_COLUMNS: [(&str, &str); 3] = [("supplier_id", "int4"), ("alias", "text"), ("alias_norm", "text")];
const CAPABILITY_COLUMNS: [(&str, &str); 2] = [("supplier_id", "int4"), ("capability", "text")];

pub(super) struct Writer {
    backend: DbBackend,
    /// The import's operation, which every row it writes is recorded by.
    op: i32,
    /// The import's day (`--date`): new suppliers are listed from it, changes hold from it.
    listed_on: NaiveDate,
    /// SQLite: the next id to give.
    next_id: i32,
    /// PostgreSQL: ids drawn from the sequence and not used yet.
    reserved: VecDeque<i32>,
}

impl Writer {
    /// `max_id`: the largest supplier id stored when the import began.
    /// `op`: the import's operation.
    pub(super) async fn new(txn: &Txn, max_id: i32, op: i32, listed_on: NaiveDate) -> Result<Writer> {
        let backend = txn.get_database_backend();
        let mut next_id = 0;
        if backend == DbBackend::Sqlite {
            // AUTOINCREMENT never reuses an id, even one whose row is gone: start after both.
            let row = txn
                .query_one_raw(Statement::from_string(
                    backend,
                    "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'supplier'), 0) AS seq",
                ))
                .await?
                .ok_or_else(|| sea_orm::DbErr::RecordNotFound("the supplier id sequence".into()))?;
            next_id = Ord::max(row.try_get::<i32>("", "seq")?, max_id) + 1;
        }
        Ok(Writer {
            backend,
            op,
            listed_on,
            next_id,
            reserved: VecDeque::new(),
        })
    }

    /// Whether new suppliers are written by statements that `prepare` builds without asking the
    /// database (after `reserve`), so that they can run while the next batch is matched.
    pub(super) fn defers(&self) -> bool {
        matches!(self.backend, DbBackend::Sqlite | DbBackend::Postgres)
    }

    /// Makes sure `prepare` has ids for `count` new suppliers.
    pub(super) async fn reserve(&mut self, txn: &Txn, count: usize) -> Result<()> {
        if self.backend != DbBackend::Postgres || self.reserved.len() >= count {
            return Ok(());
        }
        let rows = txn
            .query_all_raw(Statement::from_sql_and_values(
                self.backend,
                "SELECT nextval(pg_get_serial_sequence('supplier', 'id'))::int4 AS id \
                 FROM generate_series(1, $1)",
                [Value::from((count - self.reserved.len()) as i32)],
            ))
            .await?;
        for row in rows {
            self.reserved.push_back(row.try_get::<i32>("", "id")?);
        }
        Ok(())
    }

    /// The statement that inserts new suppliers with their aliases and capabilities (SQLite and
    /// PostgreSQL, after `reserve`). One statement for the three tables, so that the database
    /// works through a whole batch without waiting for the next statement to be sent: SQLite
    /// runs a string of statements in one call; PostgreSQL takes data-modifying WITH clauses
    /// (the foreign keys are checked at the end of the statement).
    pub(super) fn prepare(&mut self, drafts: &[Draft], now: DateTime<Utc>) -> Result<Option<Statement>> {
        if drafts.is_empty() {
            return Ok(None);
        }
        let ids: Vec<i32> = match self.backend {
            DbBackend::Postgres => {
                if self.reserved.len() < drafts.len() {
                    return Err(Error::Other(
                        "supplier ids were not reserved before the insert".into(),
                    ));
                }
                self.reserved.drain(..drafts.len()).collect()
            }
            _ => {
                let first = self.next_id;
                self.next_id += drafts.len() as i32;
                (first..self.next_id).collect()
            }
        };
        let rows: Vec<_> = drafts
            .iter()
            .zip(&ids)
            .map(|(d, id)| {
                (
                    id,
                    &d.name,
                    &d.name_norm,
                    &d.native_name,
                    &d.native_norm,
                    &d.country,
                    &d.province,
                    &d.city,
                    &d.address,
                    &d.website,
                    &d.scarce,
                    &d.note,
                    d.date.unwrap_or(self.listed_on),
                )
            })
            .collect();
        let children = children(drafts, &ids);
        let (rows, aliases, capabilities) = (
            json_rows(&rows)?,
            json_rows(&children.aliases)?,
            json_rows(&children.capabilities)?,
        );
        let (sql, values) = match self.backend {
            DbBackend::Postgres => (
                format!(
                    "WITH s AS ({}), a AS ({}) {}",
                    self.json_insert("supplier", &SUPPLIER_COLUMNS, "$1", Some(("$2", "$2"))),
                    self.json_insert("supplier_alias", &ALIAS_COLUMNS, "$3", None),
                    self.json_insert("supplier_capability", &CAPABILITY_COLUMNS, "$4", None),
                ),
                vec![rows, Value::from(now), aliases, capabilities],
            ),
            // sqlx gives plain `?`s the values in order across the statements of one string;
            // numbered ones (`?3`) would leave gaps it does not bind.
            _ => (
                format!(
                    "{};\n{};\n{}",
                    self.json_insert("supplier", &SUPPLIER_COLUMNS, "?", Some(("?", "?"))),
                    self.json_insert("supplier_alias", &ALIAS_COLUMNS, "?", None),
                    self.json_insert("supplier_capability", &CAPABILITY_COLUMNS, "?", None),
                ),
                vec![Value::from(now), Value::from(now), rows, aliases, capabilities],
            ),
        };
        Ok(Some(Statement::from_sql_and_values(self.backend, sql, values)))
    }

    /// Writes what rows changed in stored supplier `id` (`before`, as loaded): its fields, and the
    /// aliases and capabilities it did not have.
    pub(super) async fn update(
        &self,
        txn: &Txn,
        id: i32,
        before: &SupplierView,
        draft: &Draft,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (scarce, children) = self.dated(txn, id, before, draft).await?;
        versions::retire::<supplier::Entity>(txn, self.op, supplier::Column::Id.eq(id)).await?;
        supplier::ActiveModel {
            id: Unchanged(id),
            recorded_by: Set(self.op),
            native_name: Set(draft.native_name.clone()),
            native_norm: Set(draft.native_norm.clone()),
            country: Set(draft.country.clone()),
            province: Set(draft.province.clone()),
            city: Set(draft.city.clone()),
            address: Set(draft.address.clone()),
            website: Set(draft.website.clone()),
            scarce_override: Set(scarce),
            note: Set(draft.note.clone()),
            updated_at: Set(now),
            ..Default::default()
        }
        .update(txn)
        .await?;
        self.add_children(txn, &children).await
    }

    /// The dated changes an update makes (scarcity override, new aliases and capabilities),
    /// recorded from the import's day; what of them holds now: the override, and the aliases
    /// and capabilities to add (none dated before a later fact of the same key).
    async fn dated<'d>(
        &self,
        txn: &Txn,
        id: i32,
        before: &SupplierView,
        draft: &'d Draft,
    ) -> Result<(ScarceOverride, Children<'d>)> {
        let key = |kind, subject: &str, current: Option<String>, new: Option<String>| KeyChange {
            supplier: id,
            listed_on: before.listed_on,
            kind,
            subject: subject.to_string(),
            current,
            new,
            day: Ord::max(draft.date.unwrap_or(self.listed_on), before.listed_on),
        };
        let aliases: Vec<(&'d str, &'d str)> = draft
            .aliases
            .iter()
            .zip(&draft.alias_norms)
            .filter(|(a, _)| !before.aliases.contains(a))
            .map(|(a, n)| (a.as_str(), n.as_str()))
            .collect();
        let capabilities: Vec<&'d str> = draft
            .capabilities
            .iter()
            .filter(|c| !before.capabilities.contains(c))
            .map(String::as_str)
            .collect();
        let mut keys: Vec<KeyChange> = Vec::new();
        if draft.scarce != before.scarce {
            let (from, to) = (before.scarce.as_str(), draft.scarce.as_str());
            keys.push(key(FactKind::Scarce, "", Some(from.into()), Some(to.into())));
        }
        keys.extend(
            aliases
                .iter()
                .map(|(a, n)| key(FactKind::Alias, n, None, Some(a.to_string()))),
        );
        keys.extend(
            capabilities
                .iter()
                .map(|c| key(FactKind::Capability, c, None, Some(YES.into()))),
        );
        if keys.is_empty() {
            return Ok((draft.scarce, Children::default()));
        }
        let now = dated::record(txn, self.op, &keys).await?;
        let holds = |kind, subject: &str| {
            keys.iter()
                .zip(&now)
                .find(|(k, _)| k.kind == kind && k.subject == subject)
                .and_then(|(_, v)| v.clone())
        };
        let scarce = holds(FactKind::Scarce, "")
            .and_then(|v| ScarceOverride::from_stored(&v))
            .unwrap_or(draft.scarce);
        let children = Children {
            aliases: aliases
                .into_iter()
                .filter(|(_, n)| holds(FactKind::Alias, n).is_some())
                .map(|(a, n)| (id, a, n))
                .collect(),
            capabilities: capabilities
                .into_iter()
                .filter(|c| holds(FactKind::Capability, c).is_some())
                .map(|c| (id, c))
                .collect(),
        };
        Ok((scarce, children))
    }

    /// Adds aliases and capabilities to stored suppliers, now.
    async fn add_children(&self, txn: &Txn, children: &Children<'_>) -> Result<()> {
        if self.defers() {
            execute(txn, self.children_statements(children)?).await
        } else {
            insert_children(txn, children, self.op).await
        }
    }

    fn children_statements(&self, children: &Children<'_>) -> Result<Vec<Statement>> {
        let param = if self.backend == DbBackend::Postgres {
            "$1"
        } else {
            "?"
        };
        let mut statements = Vec::new();
        if !children.aliases.is_empty() {
            let sql = self.json_insert("supplier_alias", &ALIAS_COLUMNS, param, None);
            let json = json_rows(&children.aliases)?;
            statements.push(Statement::from_sql_and_values(self.backend, sql, [json]));
        }
        if !children.capabilities.is_empty() {
            let sql = self.json_insert("supplier_capability", &CAPABILITY_COLUMNS, param, None);
            let json = json_rows(&children.capabilities)?;
            statements.push(Statement::from_sql_and_values(self.backend, sql, [json]));
        }
        Ok(statements)
    }

    /// `INSERT INTO table (columns...) SELECT <the fields of each element of the JSON array in
    /// parameter `rows`>`, recorded by the import's operation; with `stamps`, also `archived`
    /// (false) and `created_at`, `updated_at` from those two parameters.
    fn json_insert(
        &self,
        table: &str,
        columns: &[(&str, &str)],
        rows: &str,
        stamps: Option<(&str, &str)>,
    ) -> String {
        let mut names: Vec<String> = columns.iter().map(|(name, _)| name.to_string()).collect();
        let mut fields: Vec<String> = match self.backend {
            DbBackend::Postgres => columns
                .iter()
                .enumerate()
                .map(|(i, (_, ty))| format!("(r->>{i})::{ty}"))
                .collect(),
            _ => (0..columns.len()).map(|i| format!("value->>{i}")).collect(),
        };
        names.push("recorded_by".into());
        fields.push(self.op.to_string());
        if let Some((created, updated)) = stamps {
            names.extend(["archived", "created_at", "updated_at"].map(String::from));
            fields.extend(["FALSE", created, updated].map(String::from));
        }
        let source = match self.backend {
            DbBackend::Postgres => format!("jsonb_array_elements({rows}::jsonb) AS r"),
            _ => format!("jsonb_each({rows})"),
        };
        format!(
            "INSERT INTO {table} ({}) SELECT {} FROM {source}",
            names.join(", "),
            fields.join(", ")
        )
    }

    /// MariaDB: inserts new suppliers with their aliases and capabilities now, by multi-row
    /// INSERTs, reading the ids back by normalised name.
    pub(super) async fn create_now(&self, txn: &Txn, drafts: &[Draft], now: DateTime<Utc>) -> Result<()> {
        let mut ids = Vec::with_capacity(drafts.len());
        for chunk in drafts.chunks(INSERT_CHUNK) {
            supplier::Entity::insert_many(chunk.iter().map(|d| supplier::ActiveModel {
                name: Set(d.name.clone()),
                name_norm: Set(d.name_norm.clone()),
                native_name: Set(d.native_name.clone()),
                native_norm: Set(d.native_norm.clone()),
                country: Set(d.country.clone()),
                province: Set(d.province.clone()),
                city: Set(d.city.clone()),
                address: Set(d.address.clone()),
                website: Set(d.website.clone()),
                scarce_override: Set(d.scarce),
                note: Set(d.note.clone()),
                archived: Set(false),
                listed_on: Set(d.date.unwrap_or(self.listed_on)),
                created_at: Set(now),
                updated_at: Set(now),
                recorded_by: Set(self.op),
                ..Default::default()
            }))
            .exec_without_returning(txn)
            .await?;
            let norms: Vec<&str> = chunk.iter().map(|d| d.name_norm.as_str()).collect();
            let by_norm: HashMap<String, i32> = supplier::Entity::find()
                .select_only()
                .columns([supplier::Column::NameNorm, supplier::Column::Id])
                .filter(supplier::Column::NameNorm.is_in(norms))
                .into_tuple::<(String, i32)>()
                .all(txn)
                .await?
                .into_iter()
                .collect();
            ids.extend(chunk.iter().map(|d| by_norm[&d.name_norm]));
        }
        insert_children(txn, &children(drafts, &ids), self.op).await
    }
}

/// Aliases (supplier id, alias, normalised) and capabilities (supplier id, tag) to add.
#[derive(Default)]
struct Children<'a> {
    pub(super) aliases: Vec<(i32, &'a str, &'a str)>,
    pub(super) capabilities: Vec<(i32, &'a str)>,
}

fn children<'a>(drafts: &'a [Draft], ids: &[i32]) -> Children<'a> {
    let mut children = Children::default();
    for (d, &id) in drafts.iter().zip(ids) {
        for (alias, norm) in d.aliases.iter().zip(&d.alias_norms) {
            children.aliases.push((id, alias, norm));
        }
        for capability in &d.capabilities {
            children.capabilities.push((id, capability));
        }
    }
    children
}

/// Rows as one JSON parameter.
fn json_rows<T: serde::Serialize>(rows: &[T]) -> Result<Value> {
    Ok(Value::from(serde_json::to_string(rows)?))
}

/// Aliases and capabilities by multi-row INSERTs (MariaDB, which takes no JSON statement).
async fn insert_children(txn: &Txn, children: &Children<'_>, op: i32) -> Result<()> {
    for chunk in children.aliases.chunks(INSERT_CHUNK * 5) {
        supplier_alias::Entity::insert_many(chunk.iter().map(|&(supplier_id, alias, alias_norm)| {
            supplier_alias::ActiveModel {
                supplier_id: Set(supplier_id),
                alias: Set(alias.to_string()),
                alias_norm: Set(alias_norm.to_string()),
                recorded_by: Set(op),
                ..Default::default()
            }
        }))
        .exec_without_returning(txn)
        .await?;
    }
    for chunk in children.capabilities.chunks(INSERT_CHUNK * 5) {
        supplier_capability::Entity::insert_many(chunk.iter().map(|&(supplier_id, capability)| {
            supplier_capability::ActiveModel {
                supplier_id: Set(supplier_id),
                capability: Set(capability.to_string()),
                recorded_by: Set(op),
            }
        }))
        .exec_without_returning(txn)
        .await?;
    }
    Ok(())
}

/// Runs statements in order.
pub(super) async fn execute(txn: &Txn, statements: impl IntoIterator<Item = Statement>) -> Result<()> {
    for statement in statements {
        txn.execute_raw(statement).await?;
    }
    Ok(())
}

/// Settings for an import's transaction.
pub(super) async fn tune(txn: &Txn) -> Result<()> {
    match txn.get_database_backend() {
        DbBackend::Postgres => {
            // The planner's statistics describe the tables as they were before this import; as
            // the import grows them inside its transaction, it would keep choosing sequential
            // scans for the per-batch lookups (quadratic time). The lookups are all index-shaped.
            txn.execute_unprepared("SET LOCAL enable_seqscan = off").await?;
        }
        DbBackend::Sqlite => {
            // A bigger page cache for this connection: index pages stay in memory instead of
            // being spilled to the WAL and read back (32 MiB, within the import's memory budget).
            txn.execute_unprepared("PRAGMA cache_size = -32768").await?;
        }
        _ => {}
    }
    Ok(())
}

/// Stored suppliers any of `keys` names, as users see them and with the keys they answer to.
/// Those above `max_id_before` were created by this import.
pub(super) async fn load_matching(
    conn: &impl ConnectionTrait,
    keys: &BTreeSet<String>,
    max_id_before: i32,
) -> Result<Vec<StoredSupplier>> {
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    let ids: Vec<i32> = lookup::supplier_ids_named(conn, &keys)
        .await?
        .into_iter()
        .collect();
    let mut models = Vec::with_capacity(ids.len());
    let mut alias_norms: HashMap<i32, Vec<String>> = HashMap::new();
    for chunk in ids.chunks(IN_CHUNK) {
        models.extend(
            supplier::Entity::find()
                .filter(supplier::Column::Id.is_in(chunk.iter().copied()))
                .all(conn)
                .await?,
        );
        // In the order `suppliers::views` gives the aliases: as added.
        let aliases: Vec<(i32, String)> = supplier_alias::Entity::find()
            .select_only()
            .columns([
                supplier_alias::Column::SupplierId,
                supplier_alias::Column::AliasNorm,
            ])
            .filter(supplier_alias::Column::SupplierId.is_in(chunk.iter().copied()))
            .order_by_asc(supplier_alias::Column::Id)
            .into_tuple()
            .all(conn)
            .await?;
        for (id, norm) in aliases {
            alias_norms.entry(id).or_default().push(norm);
        }
    }
    let keys: Vec<(String, Option<String>)> = models
        .iter()
        .map(|m| (m.name_norm.clone(), m.native_norm.clone()))
        .collect();
    let views = suppliers::views(conn, models).await?;
    Ok(views
        .into_iter()
        .zip(keys)
        .map(|(view, (name_norm, native_norm))| StoredSupplier {
            alias_norms: alias_norms.remove(&view.id).unwrap_or_default(),
            by_this_import: view.id > max_id_before,
            name_norm,
            native_norm,
            view,
        })
        .collect())
}

/// The largest supplier id stored before the import began.
pub(super) async fn max_supplier_id(txn: &Txn) -> Result<i32> {
    Ok(supplier::Entity::find()
        .select_only()
        .expr(Expr::col(supplier::Column::Id).max())
        .into_tuple::<Option<i32>>()
        .one(txn)
        .await?
        .flatten()
        .unwrap_or(0))
}
