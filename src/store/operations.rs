//! Operations: every command that changes the record is one, written in the transaction that
//! makes its changes. Rows written carry the operation's number (`recorded_by`), and the audit
//! entries it writes link to it; `vetted log` and `vetted undo` read them back.

use crate::store::insert::Stored;
use crate::store::wire::Txn;
use std::sync::Mutex;

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set,
};

use super::entities::operation;
use super::transaction::Keep;
use crate::error::Result;

/// What an operation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An ordinary command.
    Change,
    /// `vetted undo` of the operation numbered so.
    Undo(i32),
    /// `import all`: a whole database restored with the log it carries.
    Restore,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Change => "change",
            Kind::Undo(_) => "undo",
            Kind::Restore => "restore",
        }
    }
}

pub const RESTORE: &str = "restore";
pub const UNDO: &str = "undo";

/// The operation a write transaction is part of.
#[derive(Debug)]
pub struct Op {
    /// Its number: what `recorded_by` and `retracted_by` hold.
    pub seq: i32,
    pub actor: String,
    /// The one-line summary: the first change's, unless the command gives its own.
    summary: Mutex<Option<String>>,
}

impl Op {
    /// Takes `summary` as the operation's, unless it has one.
    pub fn summarise(&self, summary: &str) {
        let mut held = self.summary.lock().unwrap_or_else(|e| e.into_inner());
        if held.is_none() {
            *held = Some(summary.to_string());
        }
    }

    /// Gives the operation `summary`, whatever it had.
    pub fn set_summary(&self, summary: String) {
        *self.summary.lock().unwrap_or_else(|e| e.into_inner()) = Some(summary);
    }

    fn summary(&self) -> Option<String> {
        self.summary.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// The last operation recorded at or before `moment` (0: none), for `--known-at`.
pub async fn last_at(conn: &impl ConnectionTrait, moment: chrono::DateTime<Utc>) -> Result<i32> {
    let mut query = operation::Entity::find()
        .select_only()
        .column(operation::Column::Seq);
    // A moment to come is now (MySQL's driver cannot even bind one after 2038).
    if moment < Utc::now() {
        query = query.filter(operation::Column::At.lte(moment));
    }
    Ok(query
        // By time (its index finds the last at once); operations are timed as they commit.
        .order_by_desc(operation::Column::At)
        .order_by_desc(operation::Column::Seq)
        .into_tuple::<i32>()
        .one(conn)
        .await?
        .unwrap_or(0))
}

/// Starts an operation in `txn`, before any of its changes.
pub async fn begin(conn: &Txn, actor: &str, command: &str, kind: Kind) -> Result<Op> {
    let inserted = operation::ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        at: Set(Utc::now()),
        actor: Set(actor.to_string()),
        command: Set(command.to_string()),
        summary: Set(String::new()),
        kind: Set(kind.name().to_string()),
        undoes: Set(match kind {
            Kind::Undo(seq) => Some(seq),
            _ => None,
        }),
        ..Default::default()
    }
    .stored(conn)
    .await?;
    Ok(Op {
        seq: inserted.seq,
        actor: actor.to_string(),
        summary: Mutex::new(None),
    })
}

/// Ends an operation before its transaction commits: its time becomes now (so that operations
/// are in time order as they commit) with its summary. An operation that recorded no change is
/// to be rolled back whole: a command that changed nothing leaves nothing, not even an
/// operation.
pub async fn finish(conn: &impl ConnectionTrait, op: &Op) -> Result<Keep> {
    let Some(summary) = op.summary() else {
        return Ok(Keep::Discard);
    };
    let finished = operation::Entity::update_many()
        .col_expr(operation::Column::At, Expr::value(Utc::now()))
        .col_expr(operation::Column::Summary, Expr::value(summary))
        .filter(operation::Column::Seq.eq(op.seq))
        .build(conn.get_database_backend());
    Ok(Keep::CommitAfter(finished))
}
