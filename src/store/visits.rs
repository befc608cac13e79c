//! Visits: a buyer's visit to a supplier (and one of its sites) on a date, with who went, what
//! was inspected, and the findings written there.

use crate::store::insert::Stored;
use crate::store::wire::Txn;
use std::collections::BTreeMap;

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    Set, sea_query::IntoCondition,
};
use serde::Serialize;

use super::audit::{self, Change};
use super::entities::{buyer, site, supplier, visit, visit_visitor};
use super::notes::{self, NoteView};
use super::operations::Op;
use super::{Corrected, Store, lookup, sites, versions};
use crate::domain::status::Severity;
use crate::error::{Error, Result};

pub struct NewVisit {
    pub supplier: String,
    pub buyer: String,
    pub site: Option<String>,
    pub date: NaiveDate,
    pub visitors: Vec<String>,
    pub purpose: Option<String>,
    pub lines_inspected: Option<i32>,
    pub summary: Option<String>,
    pub findings: Vec<(Severity, String)>,
}

/// A visit with its findings, as `visit show`, `visit list` and `supplier show` give it.
#[derive(Debug, Clone, Serialize)]
pub struct VisitView {
    pub id: i32,
    pub date: NaiveDate,
    pub supplier_id: i32,
    pub supplier: String,
    pub buyer_id: i32,
    pub buyer: String,
    pub site_id: Option<i32>,
    pub site: Option<String>,
    pub visitors: Vec<String>,
    pub purpose: Option<String>,
    pub lines_inspected: Option<i32>,
    pub summary: Option<String>,
    pub findings: Vec<NoteView>,
    /// Voided (a correction): out of lists and reports, kept in `show` and the log.
    pub voided: bool,
    pub void_reason: Option<String>,
}

crate::row!(VisitView {
    id,
    date,
    supplier_id,
    supplier,
    buyer_id,
    buyer,
    site_id,
    site,
    visitors,
    purpose,
    lines_inspected,
    summary,
    findings,
    voided,
    void_reason
});

pub async fn log(store: &Store, new: NewVisit) -> Result<VisitView> {
    store
        .write_reading(
            // With the operation's start: one round trip on a server.
            async |txn| lookup::supplier_and_buyer(txn, &new.supplier, &new.buyer).await,
            async |txn, op, (supplier, buyer)| log_in(txn, op, &new, supplier, buyer).await,
        )
        .await
}

async fn log_in(
    txn: &Txn,
    op: &Op,
    new: &NewVisit,
    supplier: supplier::Model,
    buyer: buyer::Model,
) -> Result<VisitView> {
    sites::ensure_active(&supplier)?;
    super::dated::listed_by(txn, op.seq, &supplier, new.date).await?;
    let site = match &new.site {
        Some(reference) => Some(lookup::site(txn, &supplier, reference).await?),
        None => None,
    };
    check_lines(new.lines_inspected, site.as_ref())?;
    let created = visit::ActiveModel {
        supplier_id: Set(supplier.id),
        buyer_id: Set(buyer.id),
        site_id: Set(site.as_ref().map(|s| s.id)),
        visit_date: Set(new.date),
        purpose: Set(new.purpose.clone()),
        lines_inspected: Set(new.lines_inspected),
        summary: Set(new.summary.clone()),
        created_at: Set(crate::store::now()),
        recorded_by: Set(op.seq),
        ..Default::default()
    }
    .stored(txn)
    .await?;
    if !new.visitors.is_empty() {
        visit_visitor::Entity::insert_many(new.visitors.iter().map(|name| visit_visitor::ActiveModel {
            visit_id: Set(created.id),
            name: Set(name.clone()),
            recorded_by: Set(op.seq),
            ..Default::default()
        }))
        .exec_without_returning(txn)
        .await?;
    }
    let findings = insert_findings(txn, op.seq, &supplier, created.id, new).await?;
    let view = VisitView {
        id: created.id,
        date: created.visit_date,
        supplier_id: supplier.id,
        supplier: supplier.name.clone(),
        buyer_id: buyer.id,
        buyer: buyer.name.clone(),
        site_id: site.as_ref().map(|s| s.id),
        site: site.map(|s| s.name),
        visitors: new.visitors.clone(),
        purpose: created.purpose,
        lines_inspected: created.lines_inspected,
        summary: created.summary,
        findings,
        voided: false,
        void_reason: None,
    };
    audit::record(
        txn,
        op,
        Change {
            action: "visit.log",
            entity: "visit",
            entity_id: view.id,
            supplier_id: Some(supplier.id),
            summary: format!(
                "{} visited {} on {} ({})",
                buyer.name,
                supplier.name,
                view.date,
                crate::domain::text::counted(view.findings.len() as u64, "finding")
            ),
            before: None,
            after: Some(&view),
        },
    )
    .await?;
    Ok(view)
}

/// A visit inspects no more lines than its site has.
fn check_lines(lines_inspected: Option<i32>, site: Option<&site::Model>) -> Result<()> {
    if let (Some(inspected), Some(site)) = (lines_inspected, site)
        && let Some(lines) = site.lines.filter(|lines| inspected > *lines)
    {
        return Err(Error::invalid(
            "lines-inspected",
            format!(
                "{inspected} is more than the {lines} production lines of site {}",
                site.name
            ),
        ));
    }
    Ok(())
}

/// The visit's findings, as notes on it.
async fn insert_findings(
    txn: &Txn,
    op: i32,
    supplier: &supplier::Model,
    visit_id: i32,
    new: &NewVisit,
) -> Result<Vec<NoteView>> {
    let mut findings = Vec::with_capacity(new.findings.len());
    for (severity, text) in &new.findings {
        let row = notes::NoteRow {
            supplier_id: supplier.id,
            visit_id: Some(visit_id),
            date: new.date,
            topic: None,
            severity: *severity,
            text: text.clone(),
        };
        let note = notes::insert(txn, op, row).await?;
        findings.push(NoteView::new(note, &supplier.name));
    }
    Ok(findings)
}

/// Builds views for stored visits, loading names, visitors and findings in batches.
async fn views(
    conn: &impl ConnectionTrait,
    visits: Vec<visit::Model>,
    known: Option<&supplier::Model>,
) -> Result<Vec<VisitView>> {
    let ids: Vec<i32> = visits.iter().map(|v| v.id).collect();
    let site_ids: Vec<i32> = visits
        .iter()
        .filter_map(|v| v.site_id)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let site_names = async {
        let mut sites: BTreeMap<i32, String> = BTreeMap::new();
        for chunk in site_ids.chunks(super::IN_CHUNK) {
            for s in site::Entity::find()
                .filter(site::Column::Id.is_in(chunk.iter().copied()))
                .all(conn)
                .await?
            {
                sites.insert(s.id, s.name);
            }
        }
        Ok::<_, crate::error::Error>(sites)
    };
    let visitor_names = async {
        let mut visitors: BTreeMap<i32, Vec<String>> = BTreeMap::new();
        for chunk in ids.chunks(super::IN_CHUNK) {
            for v in visit_visitor::Entity::find()
                .filter(visit_visitor::Column::VisitId.is_in(chunk.iter().copied()))
                .order_by_asc(visit_visitor::Column::Id)
                .all(conn)
                .await?
            {
                visitors.entry(v.visit_id).or_default().push(v.name);
            }
        }
        Ok(visitors)
    };
    // What the visits refer to, asked for together (one round trip on a server).
    let (suppliers, buyers, sites, mut visitors, notes) = tokio::try_join!(
        lookup::supplier_names_but(conn, visits.iter().map(|v| v.supplier_id), known),
        lookup::buyer_names(conn),
        site_names,
        visitor_names,
        notes::of_visits(conn, &ids, known),
    )?;
    let mut findings: BTreeMap<i32, Vec<NoteView>> = BTreeMap::new();
    for note in notes {
        if let Some(visit_id) = note.visit_id {
            findings.entry(visit_id).or_default().push(note);
        }
    }
    Ok(visits
        .into_iter()
        .map(|v| VisitView {
            id: v.id,
            date: v.visit_date,
            supplier_id: v.supplier_id,
            supplier: suppliers.get(&v.supplier_id).cloned().unwrap_or_default(),
            buyer_id: v.buyer_id,
            buyer: buyers.get(&v.buyer_id).cloned().unwrap_or_default(),
            site_id: v.site_id,
            site: v.site_id.and_then(|id| sites.get(&id).cloned()),
            visitors: visitors.remove(&v.id).unwrap_or_default(),
            purpose: v.purpose,
            lines_inspected: v.lines_inspected,
            summary: v.summary,
            findings: findings.remove(&v.id).unwrap_or_default(),
            voided: v.voided,
            void_reason: v.void_reason,
        })
        .collect())
}

/// The visit numbered `id`.
pub async fn find(conn: &impl ConnectionTrait, id: i32) -> Result<visit::Model> {
    visit::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| Error::NotFound {
            kind: "visit",
            within: None,
            reference: id.to_string(),
            candidates: Vec::new(),
        })
}

/// A stored visit as `visit show` gives it.
async fn view(conn: &impl ConnectionTrait, found: visit::Model) -> Result<VisitView> {
    views(conn, vec![found], None)
        .await?
        .pop()
        .ok_or_else(|| Error::Other("a visit's view went missing".into()))
}

pub async fn show(store: &Store, id: i32) -> Result<VisitView> {
    view(&store.db, find(&store.db, id).await?).await
}

pub async fn of_supplier(conn: &impl ConnectionTrait, supplier: &supplier::Model) -> Result<Vec<VisitView>> {
    let found = visit::Entity::find()
        .filter(visit::Column::SupplierId.eq(supplier.id))
        .order_by_asc(visit::Column::VisitDate)
        .order_by_asc(visit::Column::Id)
        .all(conn)
        .await?;
    views(conn, found, Some(supplier)).await
}

#[derive(Default)]
pub struct VisitFilter {
    pub supplier: Option<String>,
    pub buyer: Option<String>,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

pub async fn list(store: &Store, filter: VisitFilter) -> Result<Vec<VisitView>> {
    let mut query = visit::Entity::find()
        .filter(visit::Column::Voided.eq(false))
        .order_by_asc(visit::Column::VisitDate)
        .order_by_asc(visit::Column::Id);
    if let Some(reference) = &filter.supplier {
        let supplier = lookup::supplier(&store.db, reference).await?;
        query = query.filter(visit::Column::SupplierId.eq(supplier.id));
    }
    if let Some(reference) = &filter.buyer {
        let buyer = lookup::buyer(&store.db, reference).await?;
        query = query.filter(visit::Column::BuyerId.eq(buyer.id));
    }
    if let Some(since) = filter.since {
        query = query.filter(visit::Column::VisitDate.gte(since));
    }
    if let Some(until) = filter.until {
        query = query.filter(visit::Column::VisitDate.lte(until));
    }
    let mut list = views(&store.db, query.all(&store.db).await?, None).await?;
    // A voided finding leaves lists too, though its visit stands.
    for visit in &mut list {
        visit.findings.retain(|f| f.void_reason.is_none());
    }
    Ok(list)
}

/// What `visit edit` changes: each field given, or `None` to leave it. A field set to
/// `Some(None)` is cleared.
#[derive(Debug, Default)]
pub struct VisitEdit {
    /// Another supplier it was at (a reference): its findings move with it.
    pub supplier: Option<String>,
    /// Another buyer whose visit it was (a reference).
    pub buyer: Option<String>,
    pub date: Option<NaiveDate>,
    pub site: Option<Option<String>>,
    pub purpose: Option<Option<String>>,
    pub lines_inspected: Option<Option<i32>>,
    pub summary: Option<Option<String>>,
    /// The whole list of visitors, replacing the one stored.
    pub visitors: Option<Vec<String>>,
}

pub async fn edit(store: &Store, id: i32, edit: VisitEdit) -> Result<Corrected<VisitView>> {
    store
        .write(async |txn, op| edit_in(txn, op, id, &edit).await)
        .await
}

async fn edit_in(txn: &Txn, op: &Op, id: i32, edit: &VisitEdit) -> Result<Corrected<VisitView>> {
    let found = find(txn, id).await?;
    super::refuse_voided("visit", found.id, found.voided, found.void_reason.as_deref())?;
    let before = view(txn, found.clone()).await?;
    let supplier = match &edit.supplier {
        Some(reference) => lookup::supplier(txn, reference).await?,
        None => lookup::supplier_by_id(txn, found.supplier_id).await?,
    };
    let moved = supplier.id != found.supplier_id;
    if moved {
        sites::ensure_active(&supplier)?;
    }
    let buyer_id = match &edit.buyer {
        Some(reference) => lookup::buyer(txn, reference).await?.id,
        None => found.buyer_id,
    };
    // A site belongs to its supplier: moved, the visit keeps none unless one is named.
    let site_id = match &edit.site {
        Some(Some(reference)) => Some(lookup::site(txn, &supplier, reference).await?.id),
        Some(None) => None,
        None if moved => None,
        None => found.site_id,
    };
    let date = edit.date.unwrap_or(found.visit_date);
    let lines_inspected = edit.lines_inspected.unwrap_or(found.lines_inspected);
    if let Some(site_id) = site_id {
        let site = site::Entity::find_by_id(site_id).one(txn).await?;
        check_lines(lines_inspected, site.as_ref())?;
    }
    // Only what differs counts as a change.
    let mut active = found.clone().into_active_model();
    if moved {
        active.supplier_id = Set(supplier.id);
    }
    if buyer_id != found.buyer_id {
        active.buyer_id = Set(buyer_id);
    }
    if date != found.visit_date {
        active.visit_date = Set(date);
    }
    if site_id != found.site_id {
        active.site_id = Set(site_id);
    }
    if lines_inspected != found.lines_inspected {
        active.lines_inspected = Set(lines_inspected);
    }
    if let Some(purpose) = edit.purpose.clone().filter(|p| *p != found.purpose) {
        active.purpose = Set(purpose);
    }
    if let Some(summary) = edit.summary.clone().filter(|s| *s != found.summary) {
        active.summary = Set(summary);
    }
    let visitors_change = match &edit.visitors {
        Some(names) if *names != before.visitors => Some(names),
        _ => None,
    };
    if !active.is_changed() && visitors_change.is_none() {
        return Ok(Corrected::Unchanged(before));
    }
    if date != found.visit_date || moved {
        super::dated::listed_by(txn, op.seq, &supplier, date).await?;
    }
    if date != found.visit_date {
        notes::move_findings(txn, op.seq, id, found.visit_date, date).await?;
    }
    if moved {
        // Its findings are about the supplier visited: they go where it goes.
        super::merge::repoint::<super::entities::note::Entity>(
            txn,
            op.seq,
            super::entities::note::Column::VisitId.eq(id),
            "supplier_id",
            supplier.id,
        )
        .await?;
    }
    if active.is_changed() {
        versions::retire::<visit::Entity>(txn, op.seq, visit::Column::Id.eq(id)).await?;
        active.recorded_by = Set(op.seq);
        active.update(txn).await?;
    }
    if let Some(names) = visitors_change {
        replace_visitors(txn, op.seq, id, names).await?;
    }
    let after = view(txn, find(txn, id).await?).await?;
    audit::record(
        txn,
        op,
        Change {
            action: "visit.edit",
            entity: "visit",
            entity_id: id,
            supplier_id: Some(supplier.id),
            summary: format!(
                "corrected visit #{id} ({} at {} on {})",
                after.buyer, after.supplier, after.date
            ),
            before: Some(&before),
            after: Some(&after),
        },
    )
    .await?;
    Ok(Corrected::Saved(after))
}

/// The visitors of visit `id` become `names`.
async fn replace_visitors(txn: &Txn, op: i32, id: i32, names: &[String]) -> Result<()> {
    versions::remove::<visit_visitor::Entity>(
        txn,
        op,
        visit_visitor::Column::VisitId.eq(id).into_condition(),
    )
    .await?;
    if !names.is_empty() {
        visit_visitor::Entity::insert_many(names.iter().map(|name| visit_visitor::ActiveModel {
            visit_id: Set(id),
            name: Set(name.clone()),
            recorded_by: Set(op),
            ..Default::default()
        }))
        .exec_without_returning(txn)
        .await?;
    }
    Ok(())
}

pub async fn void(store: &Store, id: i32, reason: String) -> Result<VisitView> {
    store
        .write(async |txn, op| void_in(txn, op, id, &reason).await)
        .await
}

async fn void_in(txn: &Txn, op: &Op, id: i32, reason: &str) -> Result<VisitView> {
    let found = find(txn, id).await?;
    super::refuse_voided("visit", found.id, found.voided, found.void_reason.as_deref())?;
    let before = view(txn, found.clone()).await?;
    versions::retire::<visit::Entity>(txn, op.seq, visit::Column::Id.eq(id)).await?;
    let mut active = found.into_active_model();
    active.voided = Set(true);
    active.void_reason = Set(Some(reason.to_string()));
    active.recorded_by = Set(op.seq);
    active.update(txn).await?;
    notes::void_findings(txn, op.seq, id, &format!("visit #{id} voided: {reason}")).await?;
    let after = view(txn, find(txn, id).await?).await?;
    audit::record(
        txn,
        op,
        Change {
            action: "visit.void",
            entity: "visit",
            entity_id: id,
            supplier_id: Some(after.supplier_id),
            summary: format!(
                "voided visit #{id} ({} at {} on {}): {}",
                after.buyer,
                after.supplier,
                after.date,
                crate::domain::text::excerpt(reason, 200)
            ),
            before: Some(&before),
            after: Some(&after),
        },
    )
    .await?;
    Ok(after)
}
