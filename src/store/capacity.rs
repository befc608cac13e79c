//! Capacity, holdings and quotes: dated statements about a supplier's delivery slots. A later
//! statement for the same key (supplier, capability, quarter, and for a holding the buyer)
//! supersedes an earlier one; every statement is kept, so a report as of a past day reads the
//! ones that stood then.

use crate::store::insert::Stored;
use crate::store::wire::Txn;
use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;

use super::audit::{self, Change};
use super::entities::{buyer, capacity, holding, quote, supplier};
use super::money::Money;
use super::operations::{Kind, Op};
use super::{Store, lookup, sites};
use crate::domain::capacity::{LeadTime, Period};
use crate::domain::status::{BuyerKind, Confidence, HoldStatus};
use crate::domain::text;
use crate::error::{Error, Result};

/// Where a statement came from and how sure we are of it (`None`: the default for who made
/// the move, `Confidence::default_for`).
#[derive(Debug, Clone, Default)]
pub struct Provenance {
    pub source: Option<String>,
    pub confidence: Option<Confidence>,
    pub note: Option<String>,
}

/// `capacity set`: what a supplier can deliver in a quarter.
pub struct NewCapacity {
    pub supplier: String,
    pub capability: String,
    pub period: Period,
    pub units: i32,
    pub unit: String,
    pub date: NaiveDate,
    pub provenance: Provenance,
}

/// `hold set`: a buyer's hold on a supplier's units in a quarter.
pub struct NewHolding {
    pub supplier: String,
    pub buyer: String,
    pub capability: String,
    pub period: Period,
    pub units: i32,
    pub status: HoldStatus,
    pub date: NaiveDate,
    pub provenance: Provenance,
}

/// `quote add`: a lead time (and price) a supplier quoted a buyer.
pub struct NewQuote {
    pub supplier: String,
    pub buyer: String,
    pub capability: String,
    pub lead_time: LeadTime,
    pub price: Option<(Decimal, String)>,
    pub valid_until: Option<NaiveDate>,
    pub date: NaiveDate,
    pub provenance: Provenance,
}

#[derive(Debug, Clone, Serialize)]
pub struct CapacityView {
    pub id: i32,
    pub supplier_id: i32,
    pub supplier: String,
    pub capability: String,
    pub period: Period,
    pub units: i32,
    pub unit: String,
    pub date: NaiveDate,
    pub source: Option<String>,
    pub confidence: Confidence,
    pub note: Option<String>,
}

crate::row!(CapacityView {
    id,
    supplier_id,
    supplier,
    capability,
    period,
    units,
    unit,
    date,
    source,
    confidence,
    note
});

impl CapacityView {
    /// One line saying what was stated: the command's answer and the log's summary.
    pub fn sentence(&self) -> String {
        format!(
            "{} can deliver {} {} of {} in {} (stated {})",
            self.supplier, self.units, self.unit, self.capability, self.period, self.date
        )
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct HoldingView {
    pub id: i32,
    pub supplier_id: i32,
    pub supplier: String,
    pub buyer_id: i32,
    pub buyer: String,
    pub kind: BuyerKind,
    pub capability: String,
    pub period: Period,
    pub units: i32,
    pub status: HoldStatus,
    pub date: NaiveDate,
    pub source: Option<String>,
    pub confidence: Confidence,
    pub note: Option<String>,
}

crate::row!(HoldingView {
    id,
    supplier_id,
    supplier,
    buyer_id,
    buyer,
    kind,
    capability,
    period,
    units,
    status,
    date,
    source,
    confidence,
    note
});

impl HoldingView {
    /// One line saying what was stated: the command's answer and the log's summary.
    pub fn sentence(&self) -> String {
        format!(
            "{} {} {} of {} at {} in {} ({}, stated {})",
            self.buyer,
            self.status,
            crate::domain::text::counted(self.units as u64, "unit"),
            self.capability,
            self.supplier,
            self.period,
            self.confidence,
            self.date
        )
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct QuoteView {
    pub id: i32,
    pub supplier_id: i32,
    pub supplier: String,
    pub buyer_id: i32,
    pub buyer: String,
    pub capability: String,
    pub lead_time: String,
    pub lead_days: i32,
    pub price: Option<Decimal>,
    pub currency: Option<String>,
    pub valid_until: Option<NaiveDate>,
    pub date: NaiveDate,
    pub source: Option<String>,
    pub confidence: Confidence,
    pub note: Option<String>,
}

crate::row!(QuoteView {
    id,
    supplier_id,
    supplier,
    buyer_id,
    buyer,
    capability,
    lead_time,
    lead_days,
    price,
    currency,
    valid_until,
    date,
    source,
    confidence,
    note
});

impl QuoteView {
    /// One line saying what was stated: the command's answer and the log's summary.
    pub fn sentence(&self) -> String {
        format!(
            "{} quoted {} a lead time of {} for {} (stated {})",
            self.supplier, self.buyer, self.lead_time, self.capability, self.date
        )
    }
}

fn capacity_view(c: capacity::Model, supplier: &str) -> CapacityView {
    CapacityView {
        id: c.id,
        supplier_id: c.supplier_id,
        supplier: supplier.to_string(),
        capability: c.capability,
        period: c.period,
        units: c.units,
        unit: c.unit,
        date: c.stated_on,
        source: c.source,
        confidence: c.confidence,
        note: c.note,
    }
}

fn holding_view(h: holding::Model, supplier: &str, buyer: &buyer::Model) -> HoldingView {
    HoldingView {
        id: h.id,
        supplier_id: h.supplier_id,
        supplier: supplier.to_string(),
        buyer_id: h.buyer_id,
        buyer: buyer.name.clone(),
        kind: BuyerKind::of(buyer.external),
        capability: h.capability,
        period: h.period,
        units: h.units,
        status: h.status,
        date: h.stated_on,
        source: h.source,
        confidence: h.confidence,
        note: h.note,
    }
}

fn quote_view(q: quote::Model, supplier: &str, buyer: &str) -> QuoteView {
    QuoteView {
        id: q.id,
        supplier_id: q.supplier_id,
        supplier: supplier.to_string(),
        buyer_id: q.buyer_id,
        buyer: buyer.to_string(),
        capability: q.capability,
        lead_time: q.lead_time,
        lead_days: q.lead_days,
        price: q.price.map(|Money(d)| d),
        currency: q.currency,
        valid_until: q.valid_until,
        date: q.stated_on,
        source: q.source,
        confidence: q.confidence,
        note: q.note,
    }
}

/// The supplier a statement is about: active, and on record by the statement's day.
async fn stated_of(txn: &Txn, op: &Op, reference: &str, date: NaiveDate) -> Result<supplier::Model> {
    let supplier = lookup::supplier(txn, reference).await?;
    sites::ensure_active(&supplier)?;
    super::dated::listed_by(txn, op.seq, &supplier, date).await?;
    Ok(supplier)
}

pub async fn set_capacity(store: &Store, new: NewCapacity) -> Result<CapacityView> {
    store
        .write(async |txn, op| {
            let supplier = stated_of(txn, op, &new.supplier, new.date).await?;
            insert_capacity(txn, op, &supplier, &new).await
        })
        .await
}

/// What `import capacity` did.
#[derive(Debug, Clone, Serialize)]
pub struct CapacityImport {
    pub rows: u64,
    pub dry_run: bool,
}

crate::row!(CapacityImport { rows, dry_run });

/// `import capacity`: every row (with the line it came from) stated in one operation, or none.
/// A row naming a supplier that is unknown, ambiguous, archived, or listed after the row's day
/// is a problem of its line; any problem writes nothing. A dry run checks all of that against
/// the database and rolls back.
pub async fn import_capacity(
    store: &Store,
    source: &str,
    rows: &[(u64, NewCapacity)],
    dry_run: bool,
) -> Result<CapacityImport> {
    let done = CapacityImport {
        rows: rows.len() as u64,
        dry_run,
    };
    let body = async |txn: &Txn, op: &Op| -> Result<CapacityImport> {
        let mut suppliers: HashMap<&str, supplier::Model> = HashMap::new();
        let mut problems = RowProblems::default();
        for (line, new) in rows {
            let supplier = match suppliers.get_mut(new.supplier.as_str()) {
                Some(found) => found,
                None => match lookup::supplier(txn, &new.supplier).await {
                    Ok(found) => suppliers.entry(new.supplier.as_str()).or_insert(found),
                    Err(e) => {
                        problems.add(*line, &new.supplier, e)?;
                        continue;
                    }
                },
            };
            let checked = match sites::ensure_active(supplier) {
                Ok(()) => super::dated::listed_by(txn, op.seq, supplier, new.date).await,
                Err(e) => Err(e),
            };
            if let Err(e) = checked {
                problems.add(*line, &new.supplier, e)?;
                continue;
            }
            supplier.listed_on = supplier.listed_on.min(new.date);
            if problems.is_empty() {
                insert_capacity(txn, op, supplier, new).await?;
            }
        }
        if !problems.is_empty() {
            return Err(problems.refusal(Vec::new(), rows.len() as u64));
        }
        op.set_summary(format!(
            "Imported {} from {source}",
            text::counted(rows.len() as u64, "capacity row")
        ));
        Ok(done.clone())
    };
    if dry_run {
        let txn = store.begin_write().await?;
        let op = store.begin_op(&txn, Kind::Change).await?;
        let checked = body(&txn, &op).await;
        txn.rollback().await?;
        return checked;
    }
    store.write(body).await
}

/// What rows of an import got wrong: a value (invalid), or a supplier that is not on record
/// (counted apart: the row is right, the record lacks the supplier).
#[derive(Debug, Default)]
pub struct RowProblems {
    errors: Vec<(u64, String)>,
    invalid: u64,
    unknown: u64,
}

impl RowProblems {
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// Row `line`'s problem with `supplier` (its reference); anything but a reference or value
    /// the row got wrong stops the import.
    fn add(&mut self, line: u64, supplier: &str, e: Error) -> Result<()> {
        let problem = match e {
            Error::NotFound { .. } => {
                self.unknown += 1;
                format!(
                    "line {line}: supplier: '{supplier}' is not on record; add it first \
                     (`vetted supplier add` or `vetted import suppliers`)"
                )
            }
            Error::Ambiguous { .. } => {
                self.invalid += 1;
                format!("line {line}: supplier: {e}")
            }
            Error::Invalid { .. } | Error::Conflict(_) => {
                self.invalid += 1;
                format!("line {line}: {e}")
            }
            e => return Err(e),
        };
        self.errors.push((line, problem));
        Ok(())
    }

    /// The import's refusal, with the problems `found` while reading (line, message), in line
    /// order.
    pub fn refusal(mut self, found: Vec<(u64, String)>, rows: u64) -> Error {
        let lines: std::collections::BTreeSet<u64> = found.iter().map(|(line, _)| *line).collect();
        self.invalid += lines.len() as u64;
        self.errors.extend(found);
        self.errors.sort_by_key(|(line, _)| *line);
        Error::InvalidRows {
            rejected: self.invalid,
            unknown: self.unknown,
            rows,
            errors: self.errors.into_iter().map(|(_, e)| e).collect(),
            skip_hint: false,
        }
    }
}

/// The suppliers `rows` name that are not on record (or are ambiguous), as the import would
/// report them: read, nothing written.
pub async fn check_suppliers<'a>(
    conn: &impl sea_orm::ConnectionTrait,
    rows: impl Iterator<Item = (u64, &'a str)>,
) -> Result<RowProblems> {
    let mut problems = RowProblems::default();
    let mut known: HashMap<&str, bool> = HashMap::new();
    for (line, supplier) in rows {
        if known.get(supplier) == Some(&true) {
            continue;
        }
        match lookup::supplier(conn, supplier).await {
            Ok(_) => {
                known.insert(supplier, true);
            }
            Err(e) => problems.add(line, supplier, e)?,
        }
    }
    Ok(problems)
}

async fn insert_capacity(
    txn: &Txn,
    op: &Op,
    supplier: &supplier::Model,
    new: &NewCapacity,
) -> Result<CapacityView> {
    let p = &new.provenance;
    let created = capacity::ActiveModel {
        supplier_id: Set(supplier.id),
        capability: Set(new.capability.clone()),
        period: Set(new.period),
        units: Set(new.units),
        unit: Set(new.unit.clone()),
        stated_on: Set(new.date),
        source: Set(p.source.clone()),
        confidence: Set(p.confidence.unwrap_or(Confidence::Confirmed)),
        note: Set(p.note.clone()),
        created_at: Set(crate::store::now()),
        recorded_by: Set(op.seq),
        ..Default::default()
    }
    .stored(txn)
    .await?;
    let view = capacity_view(created, &supplier.name);
    let summary = view.sentence();
    record(
        txn,
        op,
        Statement::new("capacity.set", "capacity", view.id, supplier.id),
        summary,
        &view,
    )
    .await?;
    Ok(view)
}

pub async fn set_holding(store: &Store, new: NewHolding) -> Result<HoldingView> {
    store
        .write(async |txn, op| {
            let supplier = stated_of(txn, op, &new.supplier, new.date).await?;
            let buyer = lookup::buyer(txn, &new.buyer).await?;
            let p = &new.provenance;
            let created = holding::ActiveModel {
                supplier_id: Set(supplier.id),
                buyer_id: Set(buyer.id),
                capability: Set(new.capability.clone()),
                period: Set(new.period),
                units: Set(new.units),
                status: Set(new.status),
                stated_on: Set(new.date),
                source: Set(p.source.clone()),
                confidence: Set(p.confidence.unwrap_or(Confidence::default_for(buyer.external))),
                note: Set(p.note.clone()),
                created_at: Set(crate::store::now()),
                recorded_by: Set(op.seq),
                ..Default::default()
            }
            .stored(txn)
            .await?;
            let view = holding_view(created, &supplier.name, &buyer);
            let summary = view.sentence();
            record(
                txn,
                op,
                Statement::new("hold.set", "holding", view.id, supplier.id),
                summary,
                &view,
            )
            .await?;
            Ok(view)
        })
        .await
}

pub async fn add_quote(store: &Store, new: NewQuote) -> Result<QuoteView> {
    store
        .write(async |txn, op| {
            let supplier = stated_of(txn, op, &new.supplier, new.date).await?;
            let buyer = lookup::buyer(txn, &new.buyer).await?;
            let p = &new.provenance;
            let (price, currency) = match new.price.clone() {
                Some((amount, code)) => (Some(Money(amount)), Some(code)),
                None => (None, None),
            };
            let created = quote::ActiveModel {
                supplier_id: Set(supplier.id),
                buyer_id: Set(buyer.id),
                capability: Set(new.capability.clone()),
                lead_time: Set(new.lead_time.to_string()),
                lead_days: Set(new.lead_time.days() as i32),
                price: Set(price),
                currency: Set(currency),
                valid_until: Set(new.valid_until),
                stated_on: Set(new.date),
                source: Set(p.source.clone()),
                confidence: Set(p.confidence.unwrap_or(Confidence::Confirmed)),
                note: Set(p.note.clone()),
                created_at: Set(crate::store::now()),
                recorded_by: Set(op.seq),
                ..Default::default()
            }
            .stored(txn)
            .await?;
            let view = quote_view(created, &supplier.name, &buyer.name);
            let summary = view.sentence();
            record(
                txn,
                op,
                Statement::new("quote.add", "quote", view.id, supplier.id),
                summary,
                &view,
            )
            .await?;
            Ok(view)
        })
        .await
}

/// What a new statement's audit entry is about.
struct Statement {
    action: &'static str,
    entity: &'static str,
    id: i32,
    supplier: i32,
}

impl Statement {
    fn new(action: &'static str, entity: &'static str, id: i32, supplier: i32) -> Self {
        Statement {
            action,
            entity,
            id,
            supplier,
        }
    }
}

/// The audit entry of a new statement.
async fn record<T: Serialize>(txn: &Txn, op: &Op, what: Statement, summary: String, after: &T) -> Result<()> {
    audit::record(
        txn,
        op,
        Change {
            action: what.action,
            entity: what.entity,
            entity_id: what.id,
            supplier_id: Some(what.supplier),
            summary,
            before: None,
            after: Some(after),
        },
    )
    .await
}

/// Which statements a list shows.
#[derive(Debug, Default)]
pub struct StatementFilter {
    pub supplier: Option<String>,
    pub buyer: Option<String>,
    pub capability: Option<String>,
    /// Every statement, superseded ones too; else the one standing per key.
    pub history: bool,
}

/// Keeps, per key, the statement that stands: the latest by day, then by recording.
fn standing<T, K: Eq + std::hash::Hash>(
    all: Vec<T>,
    key: impl Fn(&T) -> K,
    when: impl Fn(&T) -> (NaiveDate, i32),
) -> Vec<T> {
    let mut latest: HashMap<K, (NaiveDate, i32)> = HashMap::new();
    for s in &all {
        let at = when(s);
        latest
            .entry(key(s))
            .and_modify(|best| *best = (*best).max(at))
            .or_insert(at);
    }
    // In the list's own order (supplier, capability, quarter), not the statements'.
    all.into_iter()
        .filter(|s| latest.get(&key(s)) == Some(&when(s)))
        .collect()
}

pub async fn list_capacity(store: &Store, filter: StatementFilter) -> Result<Vec<CapacityView>> {
    let db = &store.db;
    let mut query = capacity::Entity::find()
        .order_by_asc(capacity::Column::SupplierId)
        .order_by_asc(capacity::Column::Capability)
        .order_by_asc(capacity::Column::Period)
        .order_by_asc(capacity::Column::StatedOn)
        .order_by_asc(capacity::Column::Id);
    if let Some(reference) = &filter.supplier {
        query = query.filter(capacity::Column::SupplierId.eq(lookup::supplier(db, reference).await?.id));
    }
    if let Some(capability) = &filter.capability {
        query = query.filter(capacity::Column::Capability.eq(capability.as_str()));
    }
    let mut rows = query.all(db).await?;
    if !filter.history {
        rows = standing(
            rows,
            |c| (c.supplier_id, c.capability.clone(), c.period),
            |c| (c.stated_on, c.id),
        );
    }
    let names = lookup::supplier_names(db, rows.iter().map(|c| c.supplier_id)).await?;
    Ok(rows
        .into_iter()
        .map(|c| {
            let name = names.get(&c.supplier_id).cloned().unwrap_or_default();
            capacity_view(c, &name)
        })
        .collect())
}

pub async fn list_holdings(store: &Store, filter: StatementFilter) -> Result<Vec<HoldingView>> {
    let db = &store.db;
    let mut query = holding::Entity::find()
        .order_by_asc(holding::Column::SupplierId)
        .order_by_asc(holding::Column::Capability)
        .order_by_asc(holding::Column::Period)
        .order_by_asc(holding::Column::BuyerId)
        .order_by_asc(holding::Column::StatedOn)
        .order_by_asc(holding::Column::Id);
    if let Some(reference) = &filter.supplier {
        query = query.filter(holding::Column::SupplierId.eq(lookup::supplier(db, reference).await?.id));
    }
    if let Some(reference) = &filter.buyer {
        query = query.filter(holding::Column::BuyerId.eq(lookup::buyer(db, reference).await?.id));
    }
    if let Some(capability) = &filter.capability {
        query = query.filter(holding::Column::Capability.eq(capability.as_str()));
    }
    let mut rows = query.all(db).await?;
    if !filter.history {
        rows = standing(
            rows,
            |h| (h.supplier_id, h.capability.clone(), h.period, h.buyer_id),
            |h| (h.stated_on, h.id),
        );
    }
    let names = lookup::supplier_names(db, rows.iter().map(|h| h.supplier_id)).await?;
    let buyers: std::collections::HashMap<i32, buyer::Model> = buyer::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|b| (b.id, b))
        .collect();
    let mut views = Vec::with_capacity(rows.len());
    for h in rows {
        let name = names.get(&h.supplier_id).cloned().unwrap_or_default();
        let Some(buyer) = buyers.get(&h.buyer_id) else {
            return Err(sea_orm::DbErr::RecordNotFound(format!("buyer #{}", h.buyer_id)).into());
        };
        views.push(holding_view(h, &name, buyer));
    }
    Ok(views)
}

pub async fn list_quotes(store: &Store, filter: StatementFilter) -> Result<Vec<QuoteView>> {
    let db = &store.db;
    let mut query = quote::Entity::find()
        .order_by_asc(quote::Column::SupplierId)
        .order_by_asc(quote::Column::StatedOn)
        .order_by_asc(quote::Column::Id);
    if let Some(reference) = &filter.supplier {
        query = query.filter(quote::Column::SupplierId.eq(lookup::supplier(db, reference).await?.id));
    }
    if let Some(reference) = &filter.buyer {
        query = query.filter(quote::Column::BuyerId.eq(lookup::buyer(db, reference).await?.id));
    }
    if let Some(capability) = &filter.capability {
        query = query.filter(quote::Column::Capability.eq(capability.as_str()));
    }
    let rows = query.all(db).await?;
    let names = lookup::supplier_names(db, rows.iter().map(|q| q.supplier_id)).await?;
    let buyers = lookup::buyer_names(db).await?;
    Ok(rows
        .into_iter()
        .map(|q| {
            let name = names.get(&q.supplier_id).cloned().unwrap_or_default();
            let buyer = buyers.get(&q.buyer_id).cloned().unwrap_or_default();
            quote_view(q, &name, &buyer)
        })
        .collect())
}
