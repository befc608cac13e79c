//! `vetted log`: the operations, newest first, each with the changes it made, read from the row
//! versions (`versions`): what it wrote is its `after`, what it retracted its `before`.

use std::collections::BTreeMap;

use chrono::{NaiveDate, SecondsFormat};
use sea_orm::sea_query::{Expr, ExprTrait, Query, UnionType};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;

use super::entities::{audit_entry, operation, supplier};
use super::versions::{self, Version, parents_first};
use crate::error::Result;

/// Which operations `log` lists.
#[derive(Debug, Default)]
pub struct LogFilter {
    pub since: Option<NaiveDate>,
    pub actor: Option<String>,
    pub supplier_id: Option<i32>,
    pub limit: Option<u64>,
    /// Also read each operation's changes (the table leaves them out).
    pub with_changes: bool,
}

/// One operation as `vetted log` shows it.
#[derive(Debug, Serialize)]
pub struct LogEntry {
    pub id: String,
    pub at: String,
    pub actor: String,
    pub command: String,
    pub summary: String,
    /// The operation this one undoes.
    pub undoes: Option<String>,
    /// The operation that undid this one (an undo of an undo redoes).
    pub undone_by: Option<String>,
    pub changes: Vec<LogChange>,
}

crate::row!(LogEntry {
    id,
    at,
    actor,
    command,
    summary,
    undoes,
    undone_by,
    changes
});

/// One record an operation changed: added (no `before`), removed (no `after`) or changed.
#[derive(Debug, Serialize)]
pub struct LogChange {
    pub entity: &'static str,
    pub id: serde_json::Value,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

crate::row!(LogChange {
    entity,
    id,
    before,
    after
});

pub async fn log(conn: &impl ConnectionTrait, filter: &LogFilter) -> Result<Vec<LogEntry>> {
    let mut query = operation::Entity::find().order_by_desc(operation::Column::Seq);
    if let Some(day) = filter.since {
        let start = day.and_time(chrono::NaiveTime::MIN).and_utc();
        query = query.filter(operation::Column::At.gte(start));
    }
    if let Some(actor) = &filter.actor {
        query = query.filter(operation::Column::Actor.eq(actor.as_str()));
    }
    if let Some(id) = filter.supplier_id {
        query = query.filter(operation::Column::Seq.in_subquery(touching_supplier(id)));
    }
    if let Some(limit) = filter.limit {
        query = query.limit(limit);
    }
    let ops = query.all(conn).await?;
    entries(conn, ops, filter).await
}

/// Operations as the log shows them.
async fn entries(
    conn: &impl ConnectionTrait,
    ops: Vec<operation::Model>,
    filter: &LogFilter,
) -> Result<Vec<LogEntry>> {
    let seqs: Vec<i32> = ops.iter().map(|o| o.seq).collect();
    let ids = ids_of(conn, &ops).await?;
    let mut changes = if filter.with_changes {
        changes_of(conn, &seqs).await?
    } else {
        BTreeMap::new()
    };
    Ok(ops
        .into_iter()
        .map(|o| LogEntry {
            undoes: o.undoes.and_then(|seq| ids.ids.get(&seq).cloned()),
            undone_by: ids.undone_by.get(&o.seq).cloned(),
            changes: changes.remove(&o.seq).unwrap_or_default(),
            id: o.id,
            at: o.at.to_rfc3339_opts(SecondsFormat::Secs, true),
            actor: o.actor,
            command: o.command,
            summary: o.summary,
        })
        .collect())
}

/// Operation `seq` as the log shows it.
pub async fn one(conn: &impl ConnectionTrait, seq: i32, filter: &LogFilter) -> Result<Option<LogEntry>> {
    let ops: Vec<operation::Model> = operation::Entity::find_by_id(seq).all(conn).await?;
    Ok(entries(conn, ops, filter).await?.pop())
}

/// Operations that changed supplier `id` or anything of it: those its audit entries name, and
/// those that wrote or retracted a version of the supplier's row (an import's creations too).
fn touching_supplier(id: i32) -> sea_orm::sea_query::SelectStatement {
    let by_entry = Query::select()
        .column(audit_entry::Column::OperationId)
        .from(audit_entry::Entity)
        .and_where(audit_entry::Column::SupplierId.eq(id))
        .to_owned();
    let history = versions::history_table::<supplier::Entity>();
    let column = |table: &str, name: &str| {
        Query::select()
            .expr(Expr::col(sea_orm::sea_query::Alias::new(name)))
            .from(sea_orm::sea_query::Alias::new(table))
            .and_where(Expr::col(sea_orm::sea_query::Alias::new("id")).eq(id))
            .to_owned()
    };
    let mut all = by_entry;
    all.union(UnionType::Distinct, column("supplier", versions::RECORDED_BY))
        .union(UnionType::Distinct, column(&history, versions::RECORDED_BY))
        .union(UnionType::Distinct, column(&history, versions::RETRACTED_BY));
    all
}

/// The ids users see of the operations `ops` undo, and of the operations that undid them.
struct Ids {
    ids: BTreeMap<i32, String>,
    undone_by: BTreeMap<i32, String>,
}

async fn ids_of(conn: &impl ConnectionTrait, ops: &[operation::Model]) -> Result<Ids> {
    let seqs: Vec<i32> = ops.iter().map(|o| o.seq).collect();
    let undone: Vec<i32> = ops.iter().filter_map(|o| o.undoes).collect();
    let mut ids: BTreeMap<i32, String> = BTreeMap::new();
    for chunk in undone.chunks(super::IN_CHUNK) {
        for (seq, id) in operation::Entity::find()
            .select_only()
            .columns([operation::Column::Seq, operation::Column::Id])
            .filter(operation::Column::Seq.is_in(chunk.iter().copied()))
            .into_tuple::<(i32, String)>()
            .all(conn)
            .await?
        {
            ids.insert(seq, id);
        }
    }
    // The latest undo of each, ordered here: ordered by the database, SQLite would walk every
    // operation in order rather than look up the few through the index on `undoes`.
    let mut undos: Vec<(i32, i32, String)> = Vec::new();
    for chunk in seqs.chunks(super::IN_CHUNK) {
        undos.extend(
            operation::Entity::find()
                .select_only()
                .columns([
                    operation::Column::Seq,
                    operation::Column::Undoes,
                    operation::Column::Id,
                ])
                .filter(operation::Column::Undoes.is_in(chunk.iter().copied()))
                .into_tuple::<(i32, i32, String)>()
                .all(conn)
                .await?,
        );
    }
    undos.sort_unstable();
    let undone_by = undos.into_iter().map(|(_, target, id)| (target, id)).collect();
    Ok(Ids { ids, undone_by })
}

/// Each operation's changes, by operation number: versions written and retracted, paired by
/// table and key.
async fn changes_of(conn: &impl ConnectionTrait, seqs: &[i32]) -> Result<BTreeMap<i32, Vec<LogChange>>> {
    let mut out: BTreeMap<i32, Vec<LogChange>> = BTreeMap::new();
    for chunk in seqs.chunks(super::IN_CHUNK) {
        let mut written: Vec<Version> = Vec::new();
        let mut retracted: Vec<Version> = Vec::new();
        parents_first!(E => {
            written.extend(versions::written::<E>(conn, chunk).await?);
            retracted.extend(versions::retracted::<E>(conn, chunk).await?);
        });
        // (op, table, key) → (before, after), in the order the tables and rows came.
        let mut paired: Vec<((i32, &'static str, String), LogChange)> = Vec::new();
        let mut at: BTreeMap<(i32, &'static str, String), usize> = BTreeMap::new();
        for (version, is_after) in retracted
            .into_iter()
            .map(|v| (v, false))
            .chain(written.into_iter().map(|v| (v, true)))
        {
            let slot = (version.op, version.table, version.key.to_string());
            let index = *at.entry(slot.clone()).or_insert_with(|| {
                paired.push((
                    slot,
                    LogChange {
                        entity: version.table,
                        id: version.key.clone(),
                        before: None,
                        after: None,
                    },
                ));
                paired.len() - 1
            });
            let change = &mut paired[index].1;
            if is_after {
                change.after = Some(version.row);
            } else {
                change.before = Some(version.row);
            }
        }
        for ((op, _, _), change) in paired {
            out.entry(op).or_default().push(change);
        }
    }
    Ok(out)
}

/// How many records of one kind an operation changed.
#[derive(Debug, Clone, Serialize)]
pub struct RecordCount {
    pub entity: &'static str,
    pub records: u64,
}

/// How many records of each kind operation `seq` added, changed or removed (each record once),
/// counted by the database: an import's hundreds of thousands of changes are not read.
pub async fn record_counts(conn: &impl ConnectionTrait, seq: i32) -> Result<Vec<RecordCount>> {
    let mut counts = Vec::new();
    parents_first!(E => {
        let records = versions::keys_touched::<E>(conn, seq).await?;
        if records > 0 {
            counts.push(RecordCount { entity: versions::table_name::<E>(), records });
        }
    });
    Ok(counts)
}
