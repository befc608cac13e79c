//! Notes: inspection findings on a visit, or desk notes on a supplier, and their resolution.

use crate::store::insert::Stored;
use crate::store::wire::Txn;
use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    Set,
};
use serde::Serialize;

use super::audit::{self, Change};
use super::entities::{note, supplier};
use super::operations::Op;
use super::versions;
use super::{Corrected, Store, lookup, sites};
use crate::domain::status::Severity;
use crate::error::{Error, Result};

/// What a new note is attached to.
pub enum NoteTarget {
    Visit(i32),
    Supplier(String),
}

pub struct NewNote {
    pub target: NoteTarget,
    pub topic: Option<String>,
    pub severity: Severity,
    pub text: String,
    /// Defaults to the visit's date for a visit note, today for a desk note.
    pub date: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NoteView {
    pub id: i32,
    pub supplier_id: i32,
    pub supplier: String,
    pub visit_id: Option<i32>,
    pub date: NaiveDate,
    pub topic: Option<String>,
    pub severity: Severity,
    pub text: String,
    pub status: &'static str,
    pub resolved_on: Option<NaiveDate>,
    pub resolution: Option<String>,
    /// Why it was voided (its status is then `voided`).
    pub void_reason: Option<String>,
}

crate::row!(NoteView {
    id,
    supplier_id,
    supplier,
    visit_id,
    date,
    topic,
    severity,
    text,
    status,
    resolved_on,
    resolution,
    void_reason
});

impl NoteView {
    pub fn new(n: note::Model, supplier: &str) -> Self {
        NoteView {
            id: n.id,
            supplier_id: n.supplier_id,
            supplier: supplier.to_string(),
            visit_id: n.visit_id,
            date: n.noted_on,
            topic: n.topic,
            severity: n.severity,
            text: n.body,
            status: if n.voided {
                "voided"
            } else if n.resolved_on.is_some() {
                "resolved"
            } else {
                "open"
            },
            resolved_on: n.resolved_on,
            resolution: n.resolution,
            void_reason: n.void_reason,
        }
    }
}

/// A note to insert, wherever it comes from (a desk note, or a finding of a visit).
pub struct NoteRow {
    pub supplier_id: i32,
    pub visit_id: Option<i32>,
    pub date: NaiveDate,
    pub topic: Option<String>,
    pub severity: Severity,
    pub text: String,
}

/// Inserts a note inside the caller's transaction, recorded by operation `op` (visit logging
/// adds its findings this way).
pub async fn insert(conn: &Txn, op: i32, row: NoteRow) -> Result<note::Model> {
    Ok(note::ActiveModel {
        supplier_id: Set(row.supplier_id),
        visit_id: Set(row.visit_id),
        topic: Set(row.topic),
        severity: Set(row.severity),
        body: Set(row.text),
        noted_on: Set(row.date),
        created_at: Set(crate::store::now()),
        recorded_by: Set(op),
        ..Default::default()
    }
    .stored(conn)
    .await?)
}

pub async fn add(store: &Store, new: NewNote) -> Result<NoteView> {
    store
        .write(async |txn, op| add_in(store, txn, op, &new).await)
        .await
}

async fn add_in(store: &Store, txn: &Txn, op: &Op, new: &NewNote) -> Result<NoteView> {
    let (supplier, visit) = match &new.target {
        NoteTarget::Visit(id) => {
            let visit = super::visits::find(txn, *id).await?;
            if visit.voided {
                return Err(Error::invalid("visit", format!("visit #{id} is voided")));
            }
            let supplier = lookup::supplier_by_id(txn, visit.supplier_id).await?;
            (supplier, Some(visit))
        }
        NoteTarget::Supplier(reference) => (lookup::supplier(txn, reference).await?, None),
    };
    sites::ensure_active(&supplier)?;
    let date = match (new.date, &visit) {
        (Some(date), Some(v)) if date < v.visit_date => {
            return Err(Error::invalid(
                "date",
                format!("{date} is before visit #{} on {}", v.id, v.visit_date),
            ));
        }
        (Some(date), _) => date,
        (None, Some(v)) => v.visit_date,
        (None, None) => store.today,
    };
    super::dated::listed_by(txn, op.seq, &supplier, date).await?;
    let row = NoteRow {
        supplier_id: supplier.id,
        visit_id: visit.as_ref().map(|v| v.id),
        date,
        topic: new.topic.clone(),
        severity: new.severity,
        text: new.text.clone(),
    };
    let created = insert(txn, op.seq, row).await?;
    let view = NoteView::new(created, &supplier.name);
    audit::record(
        txn,
        op,
        Change {
            action: "note.add",
            entity: "note",
            entity_id: view.id,
            supplier_id: Some(supplier.id),
            summary: format!("added {} note #{} on {}", view.severity, view.id, supplier.name),
            before: None,
            after: Some(&view),
        },
    )
    .await?;
    Ok(view)
}

pub async fn resolve(
    store: &Store,
    id: i32,
    resolution: Option<String>,
    date: NaiveDate,
) -> Result<NoteView> {
    store
        .write(async |txn, op| resolve_in(txn, op, id, resolution.clone(), date).await)
        .await
}

async fn resolve_in(
    txn: &Txn,
    op: &Op,
    id: i32,
    resolution: Option<String>,
    date: NaiveDate,
) -> Result<NoteView> {
    let found = find(txn, id).await?;
    super::refuse_voided("note", found.id, found.voided, found.void_reason.as_deref())?;
    if let Some(on) = found.resolved_on {
        return Err(Error::Conflict(format!(
            "note #{id} was already resolved on {on}"
        )));
    }
    if date < found.noted_on {
        return Err(Error::invalid(
            "date",
            format!("{date} is before the note was made ({})", found.noted_on),
        ));
    }
    let mut active = found.clone().into_active_model();
    active.resolved_on = Set(Some(date));
    active.resolution = Set(resolution);
    let summary = format!("resolved {} note #{id}", found.severity);
    save(txn, op, found, active, "note.resolve", summary).await
}

/// The note numbered `id`.
async fn find(conn: &impl ConnectionTrait, id: i32) -> Result<note::Model> {
    note::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| Error::NotFound {
            kind: "note",
            within: None,
            reference: id.to_string(),
            candidates: Vec::new(),
        })
}

/// Writes a note's new version (`active`, changed from `found`) as operation `op`, audited.
async fn save(
    txn: &Txn,
    op: &Op,
    found: note::Model,
    mut active: note::ActiveModel,
    action: &'static str,
    summary: String,
) -> Result<NoteView> {
    let supplier = lookup::supplier_names(txn, [found.supplier_id])
        .await?
        .remove(&found.supplier_id)
        .unwrap_or_default();
    let id = found.id;
    let before = NoteView::new(found, &supplier);
    versions::retire::<note::Entity>(txn, op.seq, note::Column::Id.eq(id)).await?;
    active.recorded_by = Set(op.seq);
    let after = NoteView::new(active.update(txn).await?, &supplier);
    audit::record(
        txn,
        op,
        Change {
            action,
            entity: "note",
            entity_id: id,
            supplier_id: Some(after.supplier_id),
            summary,
            before: Some(&before),
            after: Some(&after),
        },
    )
    .await?;
    Ok(after)
}

/// What `note edit` changes: each field given, or `None` to leave it (`Some(None)` clears the
/// topic).
#[derive(Debug, Default)]
pub struct NoteEdit {
    pub topic: Option<Option<String>>,
    pub severity: Option<Severity>,
    pub text: Option<String>,
}

pub async fn edit(store: &Store, id: i32, edit: NoteEdit) -> Result<Corrected<NoteView>> {
    store
        .write(async |txn, op| edit_in(txn, op, id, &edit).await)
        .await
}

async fn edit_in(txn: &Txn, op: &Op, id: i32, edit: &NoteEdit) -> Result<Corrected<NoteView>> {
    let found = find(txn, id).await?;
    super::refuse_voided("note", found.id, found.voided, found.void_reason.as_deref())?;
    let mut active = found.clone().into_active_model();
    // Only what differs counts as a change.
    if let Some(topic) = edit.topic.clone().filter(|t| *t != found.topic) {
        active.topic = Set(topic);
    }
    if let Some(severity) = edit.severity.filter(|s| *s != found.severity) {
        active.severity = Set(severity);
    }
    if let Some(text) = edit.text.clone().filter(|t| *t != found.body) {
        active.body = Set(text);
    }
    if !active.is_changed() {
        let supplier = lookup::supplier_names(txn, [found.supplier_id]).await?;
        let name = supplier.get(&found.supplier_id).cloned().unwrap_or_default();
        return Ok(Corrected::Unchanged(NoteView::new(found, &name)));
    }
    let summary = format!("corrected note #{id}");
    Ok(Corrected::Saved(
        save(txn, op, found, active, "note.edit", summary).await?,
    ))
}

pub async fn reopen(store: &Store, id: i32, reason: String) -> Result<NoteView> {
    store
        .write(async |txn, op| {
            let found = find(txn, id).await?;
            super::refuse_voided("note", found.id, found.voided, found.void_reason.as_deref())?;
            if found.resolved_on.is_none() {
                return Err(Error::Conflict(format!("note #{id} is open already")));
            }
            let mut active = found.clone().into_active_model();
            active.resolved_on = Set(None);
            active.resolution = Set(None);
            let summary = format!(
                "reopened {} note #{id}: {}",
                found.severity,
                crate::domain::text::excerpt(&reason, 200)
            );
            save(txn, op, found, active, "note.reopen", summary).await
        })
        .await
}

pub async fn void(store: &Store, id: i32, reason: String) -> Result<NoteView> {
    store
        .write(async |txn, op| {
            let found = find(txn, id).await?;
            super::refuse_voided("note", found.id, found.voided, found.void_reason.as_deref())?;
            let mut active = found.clone().into_active_model();
            active.voided = Set(true);
            active.void_reason = Set(Some(reason.clone()));
            let summary = format!(
                "voided {} note #{id}: {}",
                found.severity,
                crate::domain::text::excerpt(&reason, 200)
            );
            save(txn, op, found, active, "note.void", summary).await
        })
        .await
}

/// Voids the findings of visit `visit_id` that are not voided yet (the visit is voided).
pub async fn void_findings(txn: &Txn, op: i32, visit_id: i32, reason: &str) -> Result<()> {
    let which = note::Column::VisitId
        .eq(visit_id)
        .and(note::Column::Voided.eq(false));
    versions::retire::<note::Entity>(txn, op, which.clone()).await?;
    note::Entity::update_many()
        .col_expr(note::Column::Voided, Expr::value(true))
        .col_expr(note::Column::VoidReason, Expr::value(reason))
        .col_expr(note::Column::RecordedBy, Expr::value(op))
        .filter(which)
        .exec(txn)
        .await?;
    Ok(())
}

/// Findings of visit `visit_id` noted on the visit's day move with it from `from` to `to`; one
/// resolved before `to` would be resolved before it was noted, and is refused.
pub async fn move_findings(txn: &Txn, op: i32, visit_id: i32, from: NaiveDate, to: NaiveDate) -> Result<()> {
    let which = note::Column::VisitId
        .eq(visit_id)
        .and(note::Column::NotedOn.eq(from));
    if let Some(early) = note::Entity::find()
        .filter(which.clone())
        .filter(note::Column::ResolvedOn.lt(to))
        .one(txn)
        .await?
    {
        return Err(Error::invalid(
            "date",
            format!(
                "finding #{} of this visit was resolved on {}, before {to}",
                early.id,
                early.resolved_on.map(|d| d.to_string()).unwrap_or_default()
            ),
        ));
    }
    versions::retire::<note::Entity>(txn, op, which.clone()).await?;
    note::Entity::update_many()
        .col_expr(note::Column::NotedOn, Expr::value(to))
        .col_expr(note::Column::RecordedBy, Expr::value(op))
        .filter(which)
        .exec(txn)
        .await?;
    Ok(())
}

/// Views of stored notes, with their suppliers' names.
async fn views(
    conn: &impl ConnectionTrait,
    notes: Vec<note::Model>,
    known: Option<&supplier::Model>,
) -> Result<Vec<NoteView>> {
    let names = lookup::supplier_names_but(conn, notes.iter().map(|n| n.supplier_id), known).await?;
    Ok(notes
        .into_iter()
        .map(|n| {
            let supplier = names.get(&n.supplier_id).cloned().unwrap_or_default();
            NoteView::new(n, &supplier)
        })
        .collect())
}

/// Notes on a supplier that belong to no visit.
pub async fn desk_notes(conn: &impl ConnectionTrait, supplier: &supplier::Model) -> Result<Vec<NoteView>> {
    let found = note::Entity::find()
        .filter(note::Column::SupplierId.eq(supplier.id))
        .filter(note::Column::VisitId.is_null())
        .order_by_asc(note::Column::NotedOn)
        .order_by_asc(note::Column::Id)
        .all(conn)
        .await?;
    views(conn, found, Some(supplier)).await
}

/// Findings of the given visits, in the order they were written.
pub async fn of_visits(
    conn: &impl ConnectionTrait,
    visit_ids: &[i32],
    known: Option<&supplier::Model>,
) -> Result<Vec<NoteView>> {
    let mut found = Vec::new();
    for chunk in visit_ids.chunks(super::IN_CHUNK) {
        found.extend(
            note::Entity::find()
                .filter(note::Column::VisitId.is_in(chunk.iter().copied()))
                .order_by_asc(note::Column::Id)
                .all(conn)
                .await?,
        );
    }
    views(conn, found, known).await
}

pub struct NoteFilter {
    pub supplier: Option<String>,
    pub open_only: bool,
    pub min_severity: Option<Severity>,
}

pub async fn list(store: &Store, filter: NoteFilter) -> Result<Vec<NoteView>> {
    let mut query = note::Entity::find()
        .filter(note::Column::Voided.eq(false))
        .order_by_asc(note::Column::NotedOn)
        .order_by_asc(note::Column::Id);
    if let Some(reference) = &filter.supplier {
        let supplier = lookup::supplier(&store.db, reference).await?;
        query = query.filter(note::Column::SupplierId.eq(supplier.id));
    }
    if filter.open_only {
        query = query.filter(note::Column::ResolvedOn.is_null());
    }
    if let Some(min) = filter.min_severity {
        let allowed: Vec<Severity> = Severity::ALL.iter().copied().filter(|s| *s >= min).collect();
        query = query.filter(note::Column::Severity.is_in(allowed));
    }
    views(&store.db, query.all(&store.db).await?, None).await
}
