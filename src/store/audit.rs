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
    /// An edit's changes, for people: `city: Suzhou → Wuxi; note: – → …`.
    pub changed: String,
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
    after,
    changed
});

/// One field a change changed, its values as people read them.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Difference {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// The fields whose values differ between two versions of a record (objects of the same
/// view), in the order the record lists them; none when either is not an object.
pub fn differences(before: &serde_json::Value, after: &serde_json::Value) -> Vec<Difference> {
    let (Some(before), Some(after)) = (before.as_object(), after.as_object()) else {
        return Vec::new();
    };
    after
        .iter()
        .filter(|(field, value)| field.as_str() != "id" && before.get(field.as_str()) != Some(*value))
        .map(|(field, value)| Difference {
            field: field.clone(),
            before: shown(before.get(field.as_str()).unwrap_or(&serde_json::Value::Null)),
            after: shown(value),
        })
        .collect()
}

/// `differences`, in a line: `city: Suzhou → Wuxi; note: – → text`.
pub fn differences_line(before: &serde_json::Value, after: &serde_json::Value) -> String {
    differences(before, after)
        .iter()
        .map(|d| format!("{}: {} → {}", d.field, d.before, d.after))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A value as a person reads it: text as it is, a list joined with `; `, nothing as `–`.
fn shown(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "–".to_string(),
        serde_json::Value::String(text) => text.clone(),
        serde_json::Value::Bool(true) => "yes".to_string(),
        serde_json::Value::Bool(false) => "no".to_string(),
        serde_json::Value::Array(items) if items.is_empty() => "–".to_string(),
        serde_json::Value::Array(items) => items.iter().map(shown).collect::<Vec<_>>().join("; "),
        other => other.to_string(),
    }
}

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
        .map(|e| {
            let (before, after) = (parse(e.before), parse(e.after));
            let changed = match (&before, &after) {
                (Some(b), Some(a)) => differences_line(b, a),
                _ => String::new(),
            };
            HistoryEntry {
                id: e.id,
                at: e.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                actor: e.actor,
                action: e.action,
                entity: e.entity,
                entity_id: e.entity_id,
                supplier_id: e.supplier_id,
                summary: e.summary,
                before,
                after,
                changed,
            }
        })
        .collect())
}
