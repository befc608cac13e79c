//! `vetted undo`: the inverse of an operation, as a new operation that names it.
//!
//! From the row versions (`versions`): the rows operation X wrote are retired (retracted by
//! the undo U); those X created are deleted, children first; those X changed or removed get
//! back the versions X retracted, parents first, now recorded by U. Undoing U the same way
//! redoes X. Refused when a later operation changed any of the same records: it retracted a
//! version X wrote, it re-created a row X removed, or it added a record to one X created.

use crate::store::wire::Txn;
use std::collections::{HashMap, HashSet};

use chrono::SecondsFormat;
use sea_orm::sea_query::ExprTrait;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, Statement,
};
use serde::Serialize;

use super::Store;
use super::entities::operation;
use super::failure::{self, Failure};
use super::log::{self, Changes, LogEntry, LogFilter};
use super::operations::{Kind, Op, RESTORE, UNDO};
use super::versions::{self, Versioned, children_first, parents_first};
use crate::error::{Error, Result};

/// What `undo` did, or would do (`--dry-run`).
#[derive(Debug, Serialize)]
pub struct UndoOutcome {
    /// The operation undone: how many records of each kind it changed, and its changes when
    /// they are few (`log::Changes::Brief`).
    pub undone: LogEntry,
    /// The undo's own operation (none on a dry run).
    pub operation: Option<String>,
    /// Whether it redid what an undo had undone.
    pub redo: bool,
    pub dry_run: bool,
}

/// Whether the command undoes an operation or redoes one (undoes an undo).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Way {
    /// Default: the actor's latest operation not undone (again: the one before).
    Undo,
    /// An undo. Default: the actor's latest undo not yet redone.
    Redo,
}

/// Undoes the operation `reference` names (by default the actor's latest, `way`); `changes`
/// says how much of what it had changed the answer reads.
pub async fn undo(
    store: &Store,
    way: Way,
    reference: Option<&str>,
    dry_run: bool,
    changes: Changes,
) -> Result<UndoOutcome> {
    let named = target(&store.db, store, way, reference).await?;
    if way == Way::Redo && named.kind != UNDO {
        let target = named;
        return Err(Error::Conflict(format!(
            "operation {} ({}) is not an undo, so there is nothing to redo; `vetted undo {}` takes it back",
            target.id,
            target.summary,
            &target.id[..Ord::min(13, target.id.len())]
        )));
    }
    let target = in_force(&store.db, named).await?;
    admissible(&store.db, &target, None).await?;
    let undone = describe(&store.db, &target, changes).await?;
    let redo = target.kind == UNDO;
    if dry_run {
        return Ok(UndoOutcome {
            undone,
            operation: None,
            redo,
            dry_run,
        });
    }
    let id = store
        .write_reading_as(Kind::Undo(target.seq), lock(&target), async |txn, op, ()| {
            // Decided afresh in the transaction, once the operation is ours to undo: another
            // undo of it may have come first.
            let plan = admissible(txn, &target, Some(op.seq)).await?;
            apply(txn, op, &target, &plan).await?;
            op.set_summary(summary(&target));
            Ok(operation::Entity::find_by_id(op.seq)
                .one(txn)
                .await?
                .map(|o| o.id)
                .unwrap_or_default())
        })
        .await
        // A key taken while it ran is first a collision, run again (on a cluster the other
        // undo may only now be seen, and the rerun names it); what still clashes is said here.
        .map_err(|e| clash(e, &target))?;
    Ok(UndoOutcome {
        undone,
        operation: Some(id),
        redo,
        dry_run,
    })
}

/// Locks the operation to undo for this transaction (where the backend locks rows): a second
/// undo of it waits for the first to finish, then finds it undone. (SQLite's writers take turns
/// anyway; on a cluster the unique key on `undoes` refuses the second at commit.)
fn lock(target: &operation::Model) -> impl AsyncFnMut(&Txn) -> Result<()> {
    let seq = target.seq;
    async move |txn: &Txn| {
        operation::Entity::find_by_id(seq)
            .lock_exclusive()
            .one(txn)
            .await?;
        Ok(())
    }
}

/// The undo's summary: `undid <what X did>`; undoing an undo says `redid`.
fn summary(target: &operation::Model) -> String {
    match target.summary.strip_prefix("undid ") {
        Some(rest) if target.kind == UNDO => format!("redid {rest}"),
        _ => match target.summary.strip_prefix("redid ") {
            Some(rest) if target.kind == UNDO => format!("undid {rest}"),
            _ => format!("undid {}", target.summary),
        },
    }
}

/// The operation a reference names (its id or the start of it, at least 4 characters), or by
/// default the actor's latest operation not undone: for an undo one that is not an undo (so
/// undoing again walks further back), for a redo an undo.
async fn target(
    conn: &impl ConnectionTrait,
    store: &Store,
    way: Way,
    reference: Option<&str>,
) -> Result<operation::Model> {
    let Some(reference) = reference else {
        return latest_standing(conn, store, way).await?.ok_or_else(|| {
            let what = match way {
                Way::Undo => "no operation to undo",
                Way::Redo => "no undo to redo",
            };
            Error::Conflict(format!(
                "{} has {what} (see `vetted log --actor '{}'`)",
                store.actor, store.actor
            ))
        });
    };
    super::operations::named(conn, reference).await
}

/// The actor's latest operation that stands (not undone, or undone and redone): for an undo one
/// that is not an undo, for a redo an undo. Looked for a page at a time, newest first.
async fn latest_standing(
    conn: &impl ConnectionTrait,
    store: &Store,
    way: Way,
) -> Result<Option<operation::Model>> {
    const PAGE: u64 = 50;
    let kind = || match way {
        Way::Undo => operation::Column::Kind.ne(UNDO),
        Way::Redo => operation::Column::Kind.eq(UNDO),
    };
    let mut before = i32::MAX;
    loop {
        let page = operation::Entity::find()
            .filter(operation::Column::Actor.eq(store.actor.as_str()))
            .filter(kind())
            .filter(operation::Column::Seq.lt(before))
            .order_by_desc(operation::Column::Seq)
            .limit(PAGE)
            .all(conn)
            .await?;
        let Some(last) = page.last() else {
            return Ok(None);
        };
        before = last.seq;
        let full = page.len() as u64 == PAGE;
        for op in page {
            // A redo is not itself something to redo: redo walks forward through the undos.
            if way == Way::Redo && undoes_an_undo(conn, &op).await? {
                continue;
            }
            if chain(conn, &op).await?.len() % 2 == 1 {
                return Ok(Some(op));
            }
        }
        if !full {
            return Ok(None);
        }
    }
}

/// Whether `op` undid an undo (it is a redo).
async fn undoes_an_undo(conn: &impl ConnectionTrait, op: &operation::Model) -> Result<bool> {
    let Some(target) = op.undoes else {
        return Ok(false);
    };
    Ok(operation::Entity::find_by_id(target)
        .one(conn)
        .await?
        .is_some_and(|t| t.kind == UNDO))
}

/// `op` and the undos that followed it, each of the one before (an undo, its redo, ...): `op`
/// stands when the chain has an odd length, and its last operation is what is in force.
async fn chain(conn: &impl ConnectionTrait, op: &operation::Model) -> Result<Vec<operation::Model>> {
    let mut chain = vec![op.clone()];
    while let Some(next) = operation::Entity::find()
        .filter(operation::Column::Undoes.eq(chain[chain.len() - 1].seq))
        .one(conn)
        .await?
    {
        chain.push(next);
    }
    Ok(chain)
}

/// What undoing `target` takes back: `target` itself, or, when it was undone and redone since,
/// the last redo (undoing it undoes `target` again). Refused when `target` stands undone.
async fn in_force(conn: &impl ConnectionTrait, target: operation::Model) -> Result<operation::Model> {
    let mut chain = chain(conn, &target).await?;
    let last = chain.pop().unwrap_or_else(|| target.clone());
    if chain.len() % 2 == 1 {
        return Err(already_undone(&target, &last));
    }
    Ok(last)
}

/// Refuses what cannot be undone: a restore, an operation already undone, and one a later
/// operation built on. `undo`: the undo's own operation, once begun.
async fn admissible(
    conn: &impl ConnectionTrait,
    target: &operation::Model,
    undo: Option<i32>,
) -> Result<Plan> {
    if target.kind == RESTORE {
        return Err(Error::Conflict(format!(
            "operation {} restored a whole backup (import all): it has no earlier state in this \
             database to return to; to start over, restore into a new --db",
            target.id
        )));
    }
    if let Some(undo) = operation::Entity::find()
        .filter(operation::Column::Undoes.eq(target.seq))
        .filter(operation::Column::Seq.ne(undo.unwrap_or(0)))
        .one(conn)
        .await?
    {
        return Err(already_undone(target, &undo));
    }
    let mut later: Option<(i32, String)> = None;
    let mut plan = Plan::default();
    parents_first!(E => match changed_later::<E>(conn, target.seq).await? {
        Err(found) if later.as_ref().is_none_or(|(seq, _)| found.0 < *seq) => later = Some(found),
        Err(_) => {}
        Ok(netted) if !netted.is_empty() => {
            plan.netted.insert(versions::table_name::<E>(), netted);
        }
        Ok(_) => {}
    });
    for (child, column, parent) in REFERENCES {
        // Rows x created count as its own whoever holds them now: one changed and changed back
        // since (by an undo) is taken back with it (`Netted`), and so is no shelter for a
        // record a later operation added to it.
        let created = plan.created_ids(parent);
        for found in built_on(conn, target.seq, child, column, parent, &created).await? {
            // A record the undo takes back too is no obstacle.
            if plan.takes_back(child, &found.1) {
                continue;
            }
            if later.as_ref().is_none_or(|(seq, _)| found.0 < *seq) {
                later = Some((found.0, format!("{parent} {} (added a {child} to it)", found.2)));
            }
        }
    }
    let Some((seq, what)) = later else {
        return Ok(plan);
    };
    let by = operation::Entity::find_by_id(seq).one(conn).await?;
    // An undo of it that committed while this one read (on another node of a cluster) is
    // what stands in the way.
    if let Some(undo) = by.as_ref().filter(|o| o.undoes == Some(target.seq)) {
        return Err(already_undone(target, undo));
    }
    let by = by.map_or_else(
        || format!("#{seq}"),
        |o| {
            format!(
                "#{} {} ({}, by {} at {})",
                o.seq,
                o.id,
                o.summary,
                o.actor,
                o.at.to_rfc3339_opts(SecondsFormat::Secs, true)
            )
        },
    );
    Err(Error::Conflict(format!(
        "cannot undo #{} {} ({}): a later operation, {by}, changed {what}; undo that one first",
        target.seq, target.id, target.summary
    )))
}

fn already_undone(target: &operation::Model, undo: &operation::Model) -> Error {
    let (what, again) = if target.kind == UNDO {
        ("redone", "`vetted undo` takes the redo back")
    } else {
        ("undone", "`vetted redo` brings it back")
    };
    Error::Conflict(format!(
        "operation #{} {} was already {what} by #{} {} ({}); {again}",
        target.seq, target.id, undo.seq, undo.id, undo.summary
    ))
}

/// Which table's column refers to which table's id: a record another operation added to one
/// the undone operation created keeps it from being undone.
const REFERENCES: &[(&str, &str, &str)] = &[
    ("supplier_alias", "supplier_id", "supplier"),
    ("supplier_capability", "supplier_id", "supplier"),
    ("site", "supplier_id", "supplier"),
    ("visit", "supplier_id", "supplier"),
    ("visit", "buyer_id", "buyer"),
    ("visit", "site_id", "site"),
    ("visit_visitor", "visit_id", "visit"),
    ("note", "supplier_id", "supplier"),
    ("note", "visit_id", "visit"),
    ("deal", "buyer_id", "buyer"),
    ("deal", "supplier_id", "supplier"),
    ("deal_event", "deal_id", "deal"),
    ("capacity", "supplier_id", "supplier"),
    ("holding", "supplier_id", "supplier"),
    ("holding", "buyer_id", "buyer"),
    ("quote", "supplier_id", "supplier"),
    ("quote", "buyer_id", "buyer"),
];

fn quoted(backend: DbBackend, name: &str) -> String {
    match backend {
        DbBackend::MySql => format!("`{name}`"),
        _ => format!("\"{name}\""),
    }
}

/// Records of `E` that operation `x` wrote or removed and a later operation changed: when every
/// one of them now stands as `x` left it (changed and changed back, as by an undo), the records
/// to take back one by one; otherwise the first later operation that changed one, and which.
async fn changed_later<E: Versioned>(
    conn: &impl ConnectionTrait,
    x: i32,
) -> Result<std::result::Result<Vec<Netted>, (i32, String)>> {
    // Versions x wrote that a later operation retracted: what x left, and who changed it.
    let left: Vec<(serde_json::Value, i32)> = versions::retracted_written::<E>(conn, x).await?;
    // Rows x retracted whose key another operation has written since.
    let rewritten = versions::rewritten::<E>(conn, x).await?;
    if left.is_empty() && rewritten.is_empty() {
        return Ok(Ok(Vec::new()));
    }
    let mut after: HashMap<String, (serde_json::Value, i32)> = HashMap::new();
    for (row, by) in left {
        after.insert(versions::key_text::<E>(&row), (row, by));
    }
    let mut keys: Vec<serde_json::Value> = after.values().map(|(row, _)| row.clone()).collect();
    keys.extend(rewritten);
    let current: HashMap<String, serde_json::Value> = versions::current_rows::<E>(conn, &keys)
        .await?
        .into_iter()
        .map(|row| (versions::key_text::<E>(&row), row))
        .collect();
    let before: HashMap<String, serde_json::Value> = versions::retracted_rows::<E>(conn, x)
        .await?
        .into_iter()
        .map(|row| (versions::key_text::<E>(&row), row))
        .collect();
    let mut netted = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for key_row in &keys {
        let key = versions::key_text::<E>(key_row);
        if !seen.insert(key.clone()) {
            continue;
        }
        let now = current.get(&key);
        let left = after.get(&key);
        if versions::same_content(now, left.map(|(row, _)| row)) {
            netted.push(Netted {
                key: key.clone(),
                current: now.cloned(),
                before: before.get(&key).cloned(),
            });
            continue;
        }
        let by = now
            .and_then(|row| row[versions::RECORDED_BY].as_i64())
            .map(|seq| seq as i32)
            .or(left.map(|(_, by)| *by))
            .unwrap_or_default();
        return Ok(Err((by, format!("{} {key}", versions::table_name::<E>()))));
    }
    Ok(Ok(netted))
}

/// Later operations that added a `child` row to a `parent` row operation `x` created: the
/// operation, the child's key and the parent's (both as text).
async fn built_on(
    conn: &impl ConnectionTrait,
    x: i32,
    child: &str,
    column: &str,
    parent: &str,
    also: &[i32],
) -> Result<Vec<(i32, String, String)>> {
    let backend = conn.get_database_backend();
    let child_key = if child == "supplier_capability" {
        "c.supplier_id, c.capability"
    } else {
        "c.id"
    };
    let sql = format!(
        "SELECT c.recorded_by AS later, {c_key} AS child_key, {p_id} AS parent_key \
         FROM {child} c JOIN {parent} p ON c.{column} = p.id \
         WHERE c.recorded_by <> {x} AND (p.id IN ({also}) OR (p.recorded_by = {x} \
           AND p.id NOT IN (SELECT h.id FROM {history} h WHERE h.retracted_by = {x}))) \
         ORDER BY c.recorded_by LIMIT 100",
        // Ids read from the record, not input; `NULL` when there are none.
        also = if also.is_empty() {
            "NULL".to_string()
        } else {
            also.iter().map(i32::to_string).collect::<Vec<_>>().join(", ")
        },
        c_key = key_text(backend, child_key),
        p_id = key_text(backend, "p.id"),
        child = quoted(backend, child),
        parent = quoted(backend, parent),
        column = quoted(backend, column),
        history = quoted(backend, &format!("{parent}_history")),
    );
    let mut out = Vec::new();
    for row in conn.query_all_raw(Statement::from_string(backend, sql)).await? {
        out.push((
            row.try_get("", "later")?,
            row.try_get("", "child_key")?,
            row.try_get("", "parent_key")?,
        ));
    }
    Ok(out)
}

/// Key columns as one text (`3` or `3/hjt-full-line`), as `versions::key_text` writes it.
fn key_text(backend: DbBackend, keys: &str) -> String {
    let parts: Vec<String> = keys
        .split(", ")
        .map(|k| match backend {
            DbBackend::MySql => format!("CAST({k} AS CHAR)"),
            _ => format!("CAST({k} AS TEXT)"),
        })
        .collect();
    match backend {
        DbBackend::MySql => format!("CONCAT_WS('/', {})", parts.join(", ")),
        _ => parts.join(" || '/' || "),
    }
}

/// A record a later operation changed and changed back, to take back on its own: its key, the
/// row now (all columns), and the version the undone operation retracted (none: it created it).
#[derive(Debug)]
struct Netted {
    key: String,
    current: Option<serde_json::Value>,
    before: Option<serde_json::Value>,
}

/// What undoing an operation takes back beyond the rows it still holds, per table.
#[derive(Debug, Default)]
struct Plan {
    netted: HashMap<&'static str, Vec<Netted>>,
}

impl Plan {
    fn records(&self, table: &str) -> &[Netted] {
        self.netted.get(table).map_or(&[], Vec::as_slice)
    }

    /// Whether the undo takes back record `key` of `table` (a child it removes with its parent).
    fn takes_back(&self, table: &str, key: &str) -> bool {
        self.records(table)
            .iter()
            .any(|n| n.key == key && n.before.is_none())
    }

    /// Ids of `table`'s records the undone operation created that are taken back one by one.
    fn created_ids(&self, table: &str) -> Vec<i32> {
        self.records(table)
            .iter()
            .filter(|n| n.before.is_none())
            .filter_map(|n| n.key.parse().ok())
            .collect()
    }

    fn keys(&self, table: &str) -> std::collections::HashSet<String> {
        self.records(table).iter().map(|n| n.key.clone()).collect()
    }
}

/// The operation as the log shows it, with as much of its changes as `changes` asks for.
async fn describe(
    conn: &impl ConnectionTrait,
    target: &operation::Model,
    changes: Changes,
) -> Result<LogEntry> {
    let filter = LogFilter {
        changes,
        ..Default::default()
    };
    log::one(conn, target.seq, &filter)
        .await?
        .ok_or_else(|| Error::Other(format!("operation {} vanished", target.id)))
}

/// Applies the inverse of `target` as operation `op`, in an order no reference between the
/// records breaks: what `x` removed comes back first (parents first), then what it changed goes
/// back (which may point at what just came back: a merge's events at the duplicate's deal),
/// and what it created goes last (children first, once nothing points at it any more).
async fn apply(txn: &Txn, op: &Op, target: &operation::Model, plan: &Plan) -> Result<()> {
    let x = target.seq;
    parents_first!(E => retire_written::<E>(txn, op.seq, x, plan).await?);
    parents_first!(E => restore_retracted::<E>(txn, op.seq, x, plan, Restore::Removed).await?);
    parents_first!(E => restore_retracted::<E>(txn, op.seq, x, plan, Restore::Changed).await?);
    children_first!(E => delete_created::<E>(txn, x, plan).await?);
    Ok(())
}

/// Keeps the versions `x` wrote (and the records changed back since) as history, retracted
/// by the undo.
async fn retire_written<E: Versioned>(txn: &Txn, undo: i32, x: i32, plan: &Plan) -> Result<()> {
    versions::retire::<E>(txn, undo, versions::recorded_by::<E>().eq(x)).await?;
    let rows: Vec<serde_json::Value> = plan
        .records(versions::table_name::<E>())
        .iter()
        .filter_map(|n| n.current.clone())
        .collect();
    for condition in versions::key_conditions::<E>(&rows) {
        versions::retire::<E>(txn, undo, condition).await?;
    }
    Ok(())
}

/// Deletes the rows `x` created: written by it, with no version it retracted (and those
/// changed back since). The keys it retracted are read once (`NOT IN`), not looked up per row.
async fn delete_created<E: Versioned>(txn: &Txn, x: i32, plan: &Plan) -> Result<()> {
    let backend = txn.get_database_backend();
    let table = quoted(backend, versions::table_name::<E>());
    let history = quoted(backend, &versions::history_table::<E>());
    let keys = versions::key_columns::<E>()
        .iter()
        .map(|k| quoted(backend, k))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "DELETE FROM {table} WHERE recorded_by = {x} AND ({keys}) NOT IN \
         (SELECT {keys} FROM {history} WHERE retracted_by = {x})"
    );
    txn.execute_raw(Statement::from_string(backend, sql)).await?;
    let created: Vec<serde_json::Value> = plan
        .records(versions::table_name::<E>())
        .iter()
        .filter(|n| n.before.is_none())
        .filter_map(|n| n.current.clone())
        .collect();
    for condition in versions::key_conditions::<E>(&created) {
        E::delete_many().filter(condition).exec(txn).await?;
    }
    Ok(())
}

/// Which of the versions `x` retracted `restore_retracted` gives back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Restore {
    /// Rows `x` removed: inserted again.
    Removed,
    /// Rows `x` changed: updated back.
    Changed,
}

/// Gives back the versions `x` retracted, recorded by the undo: rows it removed are inserted
/// again, rows it changed are updated to them (`which`). The updates go out together (on a
/// server, in as few messages as their size allows: `Txn::defer`).
async fn restore_retracted<E: Versioned>(
    txn: &Txn,
    undo: i32,
    x: i32,
    plan: &Plan,
    which: Restore,
) -> Result<()> {
    let table = versions::table_name::<E>();
    let netted = plan.keys(table);
    let mut old: Vec<E::Model> = Vec::new();
    let retracted = versions::retracted_models::<E>(txn, x).await?;
    if !retracted.is_empty() {
        let changed: HashSet<String> = E::find()
            .filter(versions::recorded_by::<E>().eq(x))
            .all(txn)
            .await?
            .iter()
            .map(|m| versions::key_of::<E>(m))
            .collect::<Result<_>>()?;
        for model in retracted {
            let key = versions::key_of::<E>(&model)?;
            let stands = changed.contains(&key);
            if !netted.contains(&key) && stands == (which == Restore::Changed) {
                old.push(model);
            }
        }
    }
    for record in plan.records(table) {
        if let Some(before) = &record.before
            && record.current.is_some() == (which == Restore::Changed)
        {
            old.push(serde_json::from_value(before.clone())?);
        }
    }
    let backend = txn.get_database_backend();
    let mut removed = Vec::new();
    for model in old {
        let key = versions::key_condition::<E>(&model);
        // Every column written, not only those that differ from what the model was read as.
        let mut active = model.into_active_model().reset_all();
        versions::stamp::<E>(&mut active, undo);
        match which {
            Restore::Changed => {
                txn.defer(E::update_many().set(active).filter(key).build(backend))
                    .await?;
            }
            Restore::Removed => removed.push(active),
        }
    }
    for chunk in removed.chunks(versions::INSERT_ROWS / versions::column_count::<E>()) {
        E::insert_many(chunk.to_vec()).exec_without_returning(txn).await?;
    }
    Ok(())
}

/// A key a later operation took (a name given back that another record now has) makes the
/// undo a conflict, not a collision to retry.
fn clash(error: Error, target: &operation::Model) -> Error {
    match failure::of(&error) {
        Some(Failure::Duplicate { what }) => Error::Conflict(format!(
            "cannot undo {} ({}): {what} it would give back is taken by a later record",
            target.id, target.summary
        )),
        Some(Failure::ValueRefused) => Error::Conflict(format!(
            "cannot undo {} ({}): a later record refers to one it would take back; see `vetted log`",
            target.id, target.summary
        )),
        _ => error,
    }
}
