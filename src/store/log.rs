//! `vetted log`: the operations, newest first, each with the changes it made, read from the row
//! versions (`versions`): what it wrote is its `after`, what it retracted its `before`.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, SecondsFormat};
use sea_orm::sea_query::{Expr, ExprTrait, Query, UnionType};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;

use super::entities::{audit_entry, operation, supplier};
use super::versions::{self, Versioned, parents_first};
use crate::error::Result;

/// Which operations `log` lists.
#[derive(Debug, Default)]
pub struct LogFilter {
    pub since: Option<NaiveDate>,
    pub actor: Option<String>,
    pub supplier_id: Option<i32>,
    pub limit: Option<u64>,
    /// How much of each operation's changes to read with it.
    pub changes: Changes,
}

/// How much of an operation's changes `log` reads with it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Changes {
    /// None, nor how many (the table shows each operation's summary).
    #[default]
    None,
    /// How many records of each kind it changed, and every change of an operation that changed
    /// at most `BRIEF` records. An import's hundreds of thousands are counted, never held.
    Brief,
}

/// The most records an operation may have changed for `Changes::Brief` to list its changes.
pub const BRIEF: u64 = 20;

/// One operation as `vetted log` shows it.
#[derive(Debug, Serialize)]
pub struct LogEntry {
    /// Its number: the short handle (`#42`) `undo`, `redo` and `log show` take.
    pub seq: i32,
    pub id: String,
    pub at: String,
    pub actor: String,
    pub command: String,
    pub summary: String,
    /// The operation this one undoes.
    pub undoes: Option<String>,
    /// The operation that undid this one (an undo of an undo redoes).
    pub undone_by: Option<String>,
    /// Its changes: all of them when `changes_complete`, else none (`log --changes` lists
    /// every one).
    pub changes: Vec<LogChange>,
    /// How many records of each kind it changed.
    pub records: Vec<RecordCount>,
    /// Whether `changes` holds every change it made.
    pub changes_complete: bool,
    /// The handles of the operations `undoes` and `undone_by` name, for tables.
    #[serde(skip)]
    pub handles: (Option<i32>, Option<i32>),
}

/// A log entry's row: as serde writes it, but handles (`#42`) where people read operations.
impl crate::output::Row for LogEntry {
    const COLUMNS: &'static [&'static str] = &[
        "seq",
        "id",
        "at",
        "actor",
        "command",
        "summary",
        "undoes",
        "undone_by",
        "changes",
        "records",
        "changes_complete",
    ];

    fn cells(&self) -> Vec<crate::output::Cell> {
        use crate::output::ToCell;
        let handle = |seq: Option<i32>| seq.map(|s| format!("#{s}")).cell();
        vec![
            handle(Some(self.seq)),
            self.id.cell(),
            self.at.cell(),
            self.actor.cell(),
            self.command.cell(),
            self.summary.cell(),
            handle(self.handles.0),
            handle(self.handles.1),
            self.changes.cell(),
            self.records.cell(),
            self.changes_complete.cell(),
        ]
    }
}

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
    let mut counts = match filter.changes {
        Changes::Brief => record_counts(conn, &seqs).await?,
        Changes::None => BTreeMap::new(),
    };
    let mut out = Vec::with_capacity(ops.len());
    for o in ops {
        let records = counts.remove(&o.seq).unwrap_or_default();
        let total: u64 = records.iter().map(|r| r.records).sum();
        let changes_complete = filter.changes == Changes::Brief && total <= BRIEF;
        let mut changes = Vec::new();
        if changes_complete && total > 0 {
            each_change(conn, o.seq, &mut |change| {
                changes.push(change);
                Ok(())
            })
            .await?;
        }
        out.push(LogEntry {
            seq: o.seq,
            undoes: o.undoes.and_then(|seq| ids.ids.get(&seq).cloned()),
            undone_by: ids.undone_by.get(&o.seq).map(|(_, id)| id.clone()),
            handles: (o.undoes, ids.undone_by.get(&o.seq).map(|(seq, _)| *seq)),
            changes,
            records,
            changes_complete,
            id: o.id,
            at: o.at.to_rfc3339_opts(SecondsFormat::Secs, true),
            actor: o.actor,
            command: o.command,
            summary: o.summary,
        });
    }
    Ok(out)
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
    /// Per operation, the one that undid it: its number and id.
    undone_by: BTreeMap<i32, (i32, String)>,
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
    let undone_by = undos
        .into_iter()
        .map(|(seq, target, id)| (target, (seq, id)))
        .collect();
    Ok(Ids { ids, undone_by })
}

/// Keys of one table read per round of `each_change`: memory stays flat whatever an
/// operation changed.
const PAGE: u64 = 1_000;

/// Hands every change operation `seq` made to `each`, table by table (parents first) and in
/// key order within a table, reading them a page of records at a time.
pub async fn each_change(
    conn: &impl ConnectionTrait,
    seq: i32,
    each: &mut impl FnMut(LogChange) -> Result<()>,
) -> Result<()> {
    parents_first!(E => changes_of::<E>(conn, seq, each).await?);
    Ok(())
}

/// `each_change` for one table.
async fn changes_of<E: Versioned>(
    conn: &impl ConnectionTrait,
    seq: i32,
    each: &mut impl FnMut(LogChange) -> Result<()>,
) -> Result<()> {
    let mut after: Option<serde_json::Value> = None;
    loop {
        let keys = versions::touched_keys::<E>(conn, seq, after.as_ref(), PAGE).await?;
        let Some(last) = keys.last().cloned() else {
            return Ok(());
        };
        let (written, retracted) = versions::versions_of_keys::<E>(conn, seq, &keys).await?;
        let mut before: HashMap<String, serde_json::Value> = retracted
            .into_iter()
            .map(|v| (v.key.to_string(), v.row))
            .collect();
        let mut now: HashMap<String, serde_json::Value> =
            written.into_iter().map(|v| (v.key.to_string(), v.row)).collect();
        for key in &keys {
            let id = versions::version_key::<E>(key);
            let text = id.to_string();
            each(LogChange {
                entity: versions::table_name::<E>(),
                before: before.remove(&text),
                after: now.remove(&text),
                id,
            })?;
        }
        if (keys.len() as u64) < PAGE {
            return Ok(());
        }
        after = Some(last);
    }
}

/// How many records of one kind an operation changed.
#[derive(Debug, Clone, Serialize)]
pub struct RecordCount {
    pub entity: &'static str,
    pub records: u64,
}

crate::row!(RecordCount { entity, records });

/// How many records of each kind each of operations `seqs` added, changed or removed (each
/// record once), counted by the database: an import's hundreds of thousands of changes are
/// not read.
pub async fn record_counts(
    conn: &impl ConnectionTrait,
    seqs: &[i32],
) -> Result<BTreeMap<i32, Vec<RecordCount>>> {
    let mut counts: BTreeMap<i32, Vec<RecordCount>> = BTreeMap::new();
    for chunk in seqs.chunks(super::IN_CHUNK) {
        parents_first!(E => {
            for (op, records) in versions::touched_counts::<E>(conn, chunk).await? {
                counts.entry(op).or_default().push(RecordCount { entity: versions::table_name::<E>(), records });
            }
        });
    }
    Ok(counts)
}
