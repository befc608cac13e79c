//! The audit log: every mutation writes one entry (who, when, what, before and after) in the same
//! transaction as the change itself, and `vetted history` reads them back.

use crate::store::wire::Txn;
use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QueryTrait, Set,
};
use serde::Serialize;

use super::entities::{audit_entry, supplier};
use super::operations::Op;
use super::versions;
use crate::error::Result;

/// A change about to be recorded: the record before and after it, as the views show them.
pub struct Change<'a, T: Serialize> {
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: i32,
    pub supplier_id: Option<i32>,
    pub summary: String,
    pub before: Option<&'a T>,
    pub after: Option<&'a T>,
}

/// Records a change, in the transaction that makes it.
/// The entry is part of `op`, and its summary becomes the operation's unless it has one.
pub async fn record<T: Serialize>(conn: &Txn, op: &Op, change: Change<'_, T>) -> Result<()> {
    let json = |record: Option<&T>| {
        record
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| crate::error::Error::Other(format!("recording the change: {e}")))
    };
    let (before, after) = (json(change.before)?, json(change.after)?);
    op.summarise(&change.summary);
    let entry = audit_entry::ActiveModel {
        at: Set(crate::store::now()),
        actor: Set(op.actor.clone()),
        action: Set(change.action.to_string()),
        entity: Set(change.entity.to_string()),
        entity_id: Set(change.entity_id),
        supplier_id: Set(change.supplier_id),
        summary: Set(change.summary),
        before: Set(before),
        after: Set(after),
        operation_id: Set(op.seq),
        ..Default::default()
    };
    // Nothing waits for the entry: on a server it goes out with the next statement.
    conn.defer(audit_entry::Entity::insert(entry).build(conn.get_database_backend()))
        .await?;
    Ok(())
}

/// The operation that wrote supplier `id`'s first version.
async fn creator(conn: &impl ConnectionTrait, id: i32) -> Result<Option<i32>> {
    let versions = versions::written_by::<supplier::Entity>(conn, supplier::Column::Id.eq(id)).await?;
    Ok(versions.into_iter().min())
}

/// One audit entry as `vetted history` shows it.
#[derive(Debug, Serialize)]
pub struct HistoryEntry {
    pub id: i32,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: i32,
    pub supplier_id: Option<i32>,
    pub summary: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

crate::row!(HistoryEntry {
    id,
    at,
    actor,
    action,
    entity,
    entity_id,
    supplier_id,
    summary,
    before,
    after
});

/// Audit entries, oldest first, optionally since a day and for one supplier.
pub async fn history(
    conn: &impl ConnectionTrait,
    since: Option<NaiveDate>,
    supplier_id: Option<i32>,
) -> Result<Vec<HistoryEntry>> {
    let mut query = audit_entry::Entity::find().order_by_asc(audit_entry::Column::Id);
    if let Some(day) = since {
        let start = day.and_time(chrono::NaiveTime::MIN).and_utc();
        query = query.filter(audit_entry::Column::At.gte(start));
    }
    if let Some(id) = supplier_id {
        // The supplier's own entries, and the entry of the operation that created it when that
        // was not about it alone (an import).
        let mut about = Condition::any().add(audit_entry::Column::SupplierId.eq(id));
        if let Some(created_by) = creator(conn, id).await? {
            about = about.add(
                Condition::all()
                    .add(audit_entry::Column::OperationId.eq(created_by))
                    .add(audit_entry::Column::SupplierId.is_null()),
            );
        }
        query = query.filter(about);
    }
    let parse = |text: Option<String>| text.and_then(|t| serde_json::from_str(&t).ok());
    Ok(query
        .all(conn)
        .await?
        .into_iter()
        .map(|e| HistoryEntry {
            id: e.id,
            at: e.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            actor: e.actor,
            action: e.action,
            entity: e.entity,
            entity_id: e.entity_id,
            supplier_id: e.supplier_id,
            summary: e.summary,
            before: parse(e.before),
            after: parse(e.after),
        })
        .collect())
}
