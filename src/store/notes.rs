//! Notes: inspection findings on a visit, or desk notes on a supplier, and their resolution.

use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, Set,
};
use serde::Serialize;

use super::audit::{self, Change};
use super::entities::{note, supplier, visit};
use super::operations::Op;
use super::versions;
use super::{Store, lookup, sites};
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
    resolution
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
            status: if n.resolved_on.is_some() {
                "resolved"
            } else {
                "open"
            },
            resolved_on: n.resolved_on,
            resolution: n.resolution,
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
pub async fn insert(conn: &impl ConnectionTrait, op: i32, row: NoteRow) -> Result<note::Model> {
    Ok(note::ActiveModel {
        supplier_id: Set(row.supplier_id),
        visit_id: Set(row.visit_id),
        topic: Set(row.topic),
        severity: Set(row.severity),
        body: Set(row.text),
        noted_on: Set(row.date),
        created_at: Set(Utc::now()),
        recorded_by: Set(op),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}

pub async fn add(store: &Store, new: NewNote) -> Result<NoteView> {
    store
        .write(async |txn, op| add_in(store, txn, op, &new).await)
        .await
}

async fn add_in(store: &Store, txn: &DatabaseTransaction, op: &Op, new: &NewNote) -> Result<NoteView> {
    let (supplier, visit) = match &new.target {
        NoteTarget::Visit(id) => {
            let visit = visit::Entity::find_by_id(*id)
                .one(txn)
                .await?
                .ok_or_else(|| Error::NotFound {
                    kind: "visit",
                    within: None,
                    reference: id.to_string(),
                    candidates: Vec::new(),
                })?;
            let supplier = supplier::Entity::find_by_id(visit.supplier_id)
                .one(txn)
                .await?
                .ok_or_else(|| sea_orm::DbErr::RecordNotFound(format!("supplier #{}", visit.supplier_id)))?;
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
    txn: &DatabaseTransaction,
    op: &Op,
    id: i32,
    resolution: Option<String>,
    date: NaiveDate,
) -> Result<NoteView> {
    let found = note::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(|| Error::NotFound {
            kind: "note",
            within: None,
            reference: id.to_string(),
            candidates: Vec::new(),
        })?;
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
    let supplier = lookup::supplier_names(txn, [found.supplier_id])
        .await?
        .remove(&found.supplier_id)
        .unwrap_or_default();
    let before = NoteView::new(found.clone(), &supplier);
    versions::retire::<note::Entity>(txn, op.seq, note::Column::Id.eq(id)).await?;
    let mut active = found.into_active_model();
    active.recorded_by = Set(op.seq);
    active.resolved_on = Set(Some(date));
    active.resolution = Set(resolution);
    let after = NoteView::new(active.update(txn).await?, &supplier);
    audit::record(
        txn,
        op,
        Change {
            action: "note.resolve",
            entity: "note",
            entity_id: id,
            supplier_id: Some(after.supplier_id),
            summary: format!("resolved {} note #{id}", after.severity),
            before: Some(&before),
            after: Some(&after),
        },
    )
    .await?;
    Ok(after)
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
