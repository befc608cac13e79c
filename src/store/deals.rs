//! Deals: one per buyer and supplier. Every change is a dated deal event, so the history is never
//! overwritten; the deal row holds what the latest event says, for quick reading.

use crate::store::insert::Stored;
use crate::store::wire::Txn;
use chrono::{NaiveDate, Utc};
use rust_decimal::Decimal;
use std::collections::HashMap;

use futures_util::TryFutureExt;
use sea_orm::sea_query::{Condition, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::Serialize;

use crate::output::{Cell, Row, ToCell};

use super::audit::{self, Change};
use super::entities::{buyer, deal, deal_event, supplier};
use super::money::Money;
use super::operations::Op;
use super::versions;
use super::{Store, lookup, sites};
use crate::domain::deal::{DealEvent, DealHistory, Verdict};
use crate::domain::status::{Confidence, DealStatus};
use crate::error::{Error, Result};

pub struct DealChange {
    pub supplier: String,
    pub buyer: String,
    pub status: DealStatus,
    pub date: NaiveDate,
    /// Amount and ISO currency code, given together.
    pub value: Option<(Decimal, String)>,
    pub scope: Option<String>,
    pub note: Option<String>,
    /// Where the news came from, and how sure we are (`None`: by the buyer's kind).
    pub source: Option<String>,
    pub confidence: Option<Confidence>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DealView {
    pub id: i32,
    pub buyer_id: i32,
    pub buyer: String,
    pub supplier_id: i32,
    pub supplier: String,
    pub status: DealStatus,
    /// The date of the event that set the current status.
    pub since: NaiveDate,
    pub value: Option<Decimal>,
    pub currency: Option<String>,
    pub scope: Option<String>,
    /// Where the status in force was heard (its event's `--source`).
    pub source: Option<String>,
    /// How sure that status is: a competitor's signing heard in the trade press is not fact.
    pub confidence: Confidence,
    /// Every event voided: the deal is void (out of lists and reports; `deal set` starts it
    /// afresh).
    pub voided: bool,
}

crate::row!(DealView {
    id,
    buyer_id,
    buyer,
    supplier_id,
    supplier,
    status,
    since,
    value,
    currency,
    scope,
    source,
    confidence,
    voided
});

#[derive(Debug, Clone, Serialize)]
pub struct DealEventView {
    pub id: i32,
    pub deal_id: i32,
    pub buyer: String,
    pub supplier: String,
    pub date: NaiveDate,
    pub status: DealStatus,
    pub value: Option<Decimal>,
    pub currency: Option<String>,
    pub scope: Option<String>,
    pub note: Option<String>,
    pub actor: String,
    pub recorded_at: String,
    /// Voided (a correction): out of the deal's status and `deal history`, kept in `show`.
    pub voided: bool,
    pub void_reason: Option<String>,
    pub source: Option<String>,
    pub confidence: Confidence,
}

crate::row!(DealEventView {
    id,
    deal_id,
    buyer,
    supplier,
    date,
    status,
    value,
    currency,
    scope,
    note,
    actor,
    recorded_at,
    voided,
    void_reason,
    source,
    confidence
});

/// A deal with its whole history, as `supplier show` gives it.
#[derive(Debug, Serialize)]
pub struct DealFile {
    #[serde(flatten)]
    pub deal: DealView,
    pub history: Vec<DealEventView>,
}

/// A deal with its history: the deal's columns, then the history as nested records.
impl Row for DealFile {
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "buyer_id",
        "buyer",
        "supplier_id",
        "supplier",
        "status",
        "since",
        "value",
        "currency",
        "scope",
        "source",
        "confidence",
        "voided",
        "history",
    ];

    fn cells(&self) -> Vec<Cell> {
        let mut cells = self.deal.cells();
        cells.push(self.history.cell());
        cells
    }
}

pub enum DealOutcome {
    Recorded(DealView),
    /// The deal already stood so on that date and nothing new was given: nothing was written.
    Unchanged(DealView),
}

/// Amounts read back the same from every backend (`Money::canonical`).
fn amount(value: Option<Money>) -> Option<Decimal> {
    value.map(Money::canonical)
}

/// The event whose status is in force: the latest not voided, by date and then recording.
fn in_force<'a>(events: impl IntoIterator<Item = &'a deal_event::Model>) -> Option<&'a deal_event::Model> {
    events
        .into_iter()
        .filter(|e| !e.voided)
        .max_by_key(|e| (e.event_date, e.id))
}

fn view(d: deal::Model, buyer: &str, supplier: &str, current: Option<&deal_event::Model>) -> DealView {
    DealView {
        voided: d.voided,
        source: current.and_then(|e| e.source.clone()),
        confidence: current.map_or(Confidence::Confirmed, |e| e.confidence),
        id: d.id,
        buyer_id: d.buyer_id,
        buyer: buyer.to_string(),
        supplier_id: d.supplier_id,
        supplier: supplier.to_string(),
        status: d.status,
        since: d.status_date,
        value: amount(d.value),
        currency: d.currency,
        scope: d.scope,
    }
}

fn event_view(e: deal_event::Model, buyer: &str, supplier: &str) -> DealEventView {
    DealEventView {
        id: e.id,
        deal_id: e.deal_id,
        buyer: buyer.to_string(),
        supplier: supplier.to_string(),
        date: e.event_date,
        status: e.status,
        value: amount(e.value),
        currency: e.currency,
        scope: e.scope,
        note: e.note,
        actor: e.actor,
        recorded_at: e.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        voided: e.voided,
        void_reason: e.void_reason,
        source: e.source,
        confidence: e.confidence,
    }
}

/// Events of a deal in the order they took effect: by date, then by when they were recorded;
/// voided ones too.
async fn events_of(conn: &impl ConnectionTrait, deal_id: i32) -> Result<Vec<deal_event::Model>> {
    Ok(deal_event::Entity::find()
        .filter(deal_event::Column::DealId.eq(deal_id))
        .order_by_asc(deal_event::Column::EventDate)
        .order_by_asc(deal_event::Column::Id)
        .all(conn)
        .await?)
}

/// The events of the deals `which` selects, in the order they took effect (by deal: the caller
/// groups them), read without reading the deals first.
fn events_of_deals(which: Condition) -> sea_orm::Select<deal_event::Entity> {
    deal_event::Entity::find()
        .filter(
            deal_event::Column::DealId.in_subquery(
                Query::select()
                    .column(deal::Column::Id)
                    .from(deal::Entity)
                    .cond_where(which)
                    .to_owned(),
            ),
        )
        .order_by_asc(deal_event::Column::EventDate)
        .order_by_asc(deal_event::Column::Id)
}

/// The history a deal's stored events make: the events not voided.
async fn history_of(conn: &impl ConnectionTrait, deal_id: i32) -> Result<DealHistory> {
    Ok(history_from(&events_of(conn, deal_id).await?))
}

/// The history stored events make (a deal's, in order): the events not voided.
fn history_from(events: &[deal_event::Model]) -> DealHistory {
    history_from_models(events.iter())
}

/// The history a deal's stored events make, in any order: the events not voided.
pub(super) fn history_from_models<'a>(events: impl Iterator<Item = &'a deal_event::Model>) -> DealHistory {
    DealHistory::new(events.filter(|e| !e.voided).map(history_event).collect())
}

/// A stored event as the deal's history sees it.
fn history_event(e: &deal_event::Model) -> DealEvent {
    DealEvent {
        date: e.event_date,
        seq: i64::from(e.id),
        status: e.status,
        value: e
            .value
            .zip(e.currency.clone())
            .map(|(Money(amount), code)| (amount, code)),
        scope: e.scope.clone(),
    }
}

pub async fn set(store: &Store, change: DealChange) -> Result<DealOutcome> {
    store
        .write_reading(
            // With the operation's start: one round trip on a server.
            async |txn| lookup::supplier_and_buyer(txn, &change.supplier, &change.buyer).await,
            async |txn, op, (supplier, buyer)| set_in(txn, op, &change, supplier, buyer).await,
        )
        .await
}

async fn set_in(
    txn: &Txn,
    op: &Op,
    change: &DealChange,
    supplier: supplier::Model,
    buyer: buyer::Model,
) -> Result<DealOutcome> {
    sites::ensure_active(&supplier)?;
    super::dated::listed_by(txn, op.seq, &supplier, change.date).await?;
    // Writers of one deal take turns (the row lock; SQLite's write lock serialises anyway), so
    // each reads the events the others committed before it projects the deal row. A first deal
    // has no row to lock: concurrent firsts collide on the unique key, and the loser is rerun.
    // The events are asked for in the same message, after the lock (a server runs a message's
    // statements in order, each seeing what was committed before it began).
    let pair = Condition::all()
        .add(deal::Column::BuyerId.eq(buyer.id))
        .add(deal::Column::SupplierId.eq(supplier.id));
    let (existing, events) = tokio::try_join!(
        deal::Entity::find()
            .filter(pair.clone())
            .lock_exclusive()
            .one(txn),
        events_of_deals(pair).all(txn),
    )?;
    let mut history = match &existing {
        Some(_) => history_from(&events),
        None => DealHistory::default(),
    };
    let adds = change.value.is_some() || change.scope.is_some() || change.note.is_some();
    let verdict = history.judge(change.status, change.date, adds)?;
    if let (Some(d), Verdict::Unchanged) = (&existing, verdict) {
        return Ok(DealOutcome::Unchanged(view(
            d.clone(),
            &buyer.name,
            &supplier.name,
            in_force(&events),
        )));
    }

    let now = crate::store::now();
    let before = existing
        .clone()
        .map(|d| view(d, &buyer.name, &supplier.name, in_force(&events)));
    let deal_row = match existing {
        Some(d) => d,
        None => insert_deal(txn, op.seq, buyer.id, supplier.id, change, now).await?,
    };
    let event = insert_event(txn, op, deal_row.id, change, buyer.external, now).await?;
    history.record(history_event(&event));
    let after = view(
        project(txn, op.seq, deal_row, &history, now).await?,
        &buyer.name,
        &supplier.name,
        in_force(events.iter().chain([&event])),
    );
    audit::record(
        txn,
        op,
        Change {
            action: "deal.set",
            entity: "deal",
            entity_id: after.id,
            supplier_id: Some(supplier.id),
            summary: format!(
                "{} deal with {}: {} on {}",
                buyer.name, supplier.name, change.status, change.date
            ),
            before: before.as_ref(),
            after: Some(&after),
        },
    )
    .await?;
    Ok(DealOutcome::Recorded(after))
}

/// A deal's first row, before its first event.
async fn insert_deal(
    txn: &Txn,
    op: i32,
    buyer_id: i32,
    supplier_id: i32,
    change: &DealChange,
    now: chrono::DateTime<Utc>,
) -> Result<deal::Model> {
    Ok(deal::ActiveModel {
        buyer_id: Set(buyer_id),
        supplier_id: Set(supplier_id),
        status: Set(change.status),
        status_date: Set(change.date),
        created_at: Set(now),
        updated_at: Set(now),
        recorded_by: Set(op),
        ..Default::default()
    }
    .stored(txn)
    .await?)
}

async fn insert_event(
    txn: &Txn,
    op: &Op,
    deal_id: i32,
    change: &DealChange,
    external: bool,
    now: chrono::DateTime<Utc>,
) -> Result<deal_event::Model> {
    let (value, currency) = match change.value.clone() {
        Some((amount, currency)) => (Some(Money(amount)), Some(currency)),
        None => (None, None),
    };
    Ok(deal_event::ActiveModel {
        deal_id: Set(deal_id),
        event_date: Set(change.date),
        status: Set(change.status),
        value: Set(value),
        currency: Set(currency),
        scope: Set(change.scope.clone()),
        note: Set(change.note.clone()),
        actor: Set(op.actor.clone()),
        source: Set(change.source.clone()),
        confidence: Set(change.confidence.unwrap_or(Confidence::default_for(external))),
        created_at: Set(now),
        recorded_by: Set(op.seq),
        ..Default::default()
    }
    .stored(txn)
    .await?)
}

/// The deal row holds what its history says now.
async fn project(
    txn: &Txn,
    op: i32,
    deal_row: deal::Model,
    history: &DealHistory,
    now: chrono::DateTime<Utc>,
) -> Result<deal::Model> {
    versions::retire::<deal::Entity>(txn, op, deal::Column::Id.eq(deal_row.id)).await?;
    let mut active = deal_row.into_active_model();
    active.recorded_by = Set(op);
    active.updated_at = Set(now);
    // No event left: the deal is void, and says what it said last.
    let Some(current) = history.current() else {
        active.voided = Set(true);
        return Ok(active.update(txn).await?);
    };
    let (value, currency) = current
        .value
        .map_or((None, None), |(amount, code)| (Some(Money(amount)), Some(code)));
    active.voided = Set(false);
    active.status = Set(current.status);
    active.status_date = Set(current.since);
    active.value = Set(value);
    active.currency = Set(currency);
    active.scope = Set(current.scope);
    Ok(active.update(txn).await?)
}

pub struct DealFilter {
    pub buyer: Option<String>,
    pub status: Option<DealStatus>,
}

pub async fn list(store: &Store, filter: DealFilter) -> Result<Vec<DealView>> {
    let mut query = deal::Entity::find()
        .filter(deal::Column::Voided.eq(false))
        .order_by_asc(deal::Column::BuyerId)
        .order_by_asc(deal::Column::SupplierId);
    if let Some(reference) = &filter.buyer {
        let buyer = lookup::buyer(&store.db, reference).await?;
        query = query.filter(deal::Column::BuyerId.eq(buyer.id));
    }
    if let Some(status) = filter.status {
        query = query.filter(deal::Column::Status.eq(status));
    }
    let deals = query.all(&store.db).await?;
    let ids: Vec<i32> = deals.iter().map(|d| d.id).collect();
    let (suppliers, buyers) = tokio::try_join!(
        lookup::supplier_names(&store.db, deals.iter().map(|d| d.supplier_id)),
        lookup::buyer_names(&store.db)
    )?;
    // The event in force of each deal says how sure its status is.
    let mut current: HashMap<i32, deal_event::Model> = HashMap::new();
    for chunk in ids.chunks(super::IN_CHUNK) {
        for event in deal_event::Entity::find()
            .filter(deal_event::Column::DealId.is_in(chunk.iter().copied()))
            .filter(deal_event::Column::Voided.eq(false))
            .all(&store.db)
            .await?
        {
            if let Some(standing) = in_force(current.get(&event.deal_id).into_iter().chain([&event])) {
                let standing = standing.clone();
                current.insert(standing.deal_id, standing);
            }
        }
    }
    Ok(deals
        .into_iter()
        .map(|d| {
            let b = buyers.get(&d.buyer_id).cloned().unwrap_or_default();
            let s = suppliers.get(&d.supplier_id).cloned().unwrap_or_default();
            let event = current.get(&d.id);
            view(d, &b, &s, event)
        })
        .collect())
}

/// Every deal of a supplier with its history, buyers in name order.
pub async fn files_of_supplier(
    conn: &impl ConnectionTrait,
    supplier: &supplier::Model,
) -> Result<Vec<DealFile>> {
    let (supplier_id, supplier_name) = (supplier.id, &supplier.name);
    // The deals, their events and the buyers' names, asked for together (one round trip on a
    // server).
    let (buyers, deals, events) = tokio::try_join!(
        lookup::buyer_names(conn),
        deal::Entity::find()
            .filter(deal::Column::SupplierId.eq(supplier_id))
            .order_by_asc(deal::Column::BuyerId)
            .all(conn)
            .map_err(Error::from),
        events_of_deals(Condition::all().add(deal::Column::SupplierId.eq(supplier_id)))
            .all(conn)
            .map_err(Error::from),
    )?;
    let mut events_of: HashMap<i32, Vec<deal_event::Model>> = HashMap::new();
    for event in events {
        events_of.entry(event.deal_id).or_default().push(event);
    }
    Ok(deals
        .into_iter()
        .map(|d| {
            let buyer_name = buyers.get(&d.buyer_id).cloned().unwrap_or_default();
            let events = events_of.remove(&d.id).unwrap_or_default();
            DealFile {
                deal: view(d, &buyer_name, supplier_name, in_force(&events)),
                history: events
                    .into_iter()
                    .map(|e| event_view(e, &buyer_name, supplier_name))
                    .collect(),
            }
        })
        .collect())
}

/// The dated events of a supplier's deals (one buyer's, or all), in the order they took effect.
pub async fn history(
    store: &Store,
    supplier_ref: &str,
    buyer_ref: Option<&str>,
) -> Result<Vec<DealEventView>> {
    let supplier = lookup::supplier(&store.db, supplier_ref).await?;
    let buyer: Option<buyer::Model> = match buyer_ref {
        Some(reference) => Some(lookup::buyer(&store.db, reference).await?),
        None => None,
    };
    let mut events: Vec<DealEventView> = files_of_supplier(&store.db, &supplier)
        .await?
        .into_iter()
        .filter(|f| buyer.as_ref().is_none_or(|b| b.id == f.deal.buyer_id))
        .flat_map(|f| f.history)
        .filter(|e| !e.voided)
        .collect();
    events.sort_by(|a, b| a.date.cmp(&b.date).then(a.id.cmp(&b.id)));
    if events.is_empty()
        && let Some(b) = &buyer
    {
        return Err(Error::NotFound {
            kind: "deal",
            within: None,
            reference: format!("{} with {}", b.name, supplier.name),
            candidates: Vec::new(),
        });
    }
    Ok(events)
}

pub async fn void(store: &Store, event_id: i32, reason: String) -> Result<DealView> {
    store
        .write(async |txn, op| void_in(txn, op, event_id, &reason).await)
        .await
}

async fn void_in(txn: &Txn, op: &Op, event_id: i32, reason: &str) -> Result<DealView> {
    let event = deal_event::Entity::find_by_id(event_id)
        .one(txn)
        .await?
        .ok_or_else(|| Error::NotFound {
            kind: "deal event",
            within: None,
            reference: event_id.to_string(),
            candidates: Vec::new(),
        })?;
    super::refuse_voided("deal event", event_id, event.voided, event.void_reason.as_deref())?;
    let deal_row = deal::Entity::find_by_id(event.deal_id)
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or_else(|| sea_orm::DbErr::RecordNotFound(format!("deal #{}", event.deal_id)))?;
    let events = events_of(txn, deal_row.id).await?;
    let mut history = history_from(&events);
    history.remove(i64::from(event_id));
    // Its only event voided, the deal is void (one entered for the wrong buyer, say).
    history.check()?;
    let supplier = lookup::supplier_by_id(txn, deal_row.supplier_id).await?;
    let buyer = buyer::Entity::find_by_id(deal_row.buyer_id)
        .one(txn)
        .await?
        .map(|b| b.name)
        .unwrap_or_default();
    let before = view(deal_row.clone(), &buyer, &supplier.name, in_force(&events));
    let left = in_force(events.iter().filter(|e| e.id != event_id));
    versions::retire::<deal_event::Entity>(txn, op.seq, deal_event::Column::Id.eq(event_id)).await?;
    let mut active = event.clone().into_active_model();
    active.voided = Set(true);
    active.void_reason = Set(Some(reason.to_string()));
    active.recorded_by = Set(op.seq);
    active.update(txn).await?;
    let after = view(
        project(txn, op.seq, deal_row, &history, crate::store::now()).await?,
        &buyer,
        &supplier.name,
        left,
    );
    audit::record(
        txn,
        op,
        Change {
            action: "deal.void",
            entity: "deal",
            entity_id: after.id,
            supplier_id: Some(supplier.id),
            summary: format!(
                "voided {} on {} of {buyer}'s deal with {}: {}; {}",
                event.status,
                event.event_date,
                supplier.name,
                crate::domain::text::excerpt(reason, 200),
                if after.voided {
                    "the deal is void".to_string()
                } else {
                    format!("now {} (since {})", after.status, after.since)
                }
            ),
            before: Some(&before),
            after: Some(&after),
        },
    )
    .await?;
    Ok(after)
}

/// Moves the events of deal `from` onto deal `into` (the same buyer and supplier once two
/// records were merged): one history in date order. `from` goes, and `into` says what the
/// joined history says.
pub(super) async fn combine(txn: &Txn, op: i32, from: deal::Model, into: deal::Model) -> Result<()> {
    super::merge::repoint::<deal_event::Entity>(
        txn,
        op,
        deal_event::Column::DealId.eq(from.id),
        "deal_id",
        into.id,
    )
    .await?;
    versions::remove::<deal::Entity>(
        txn,
        op,
        sea_orm::Condition::all().add(deal::Column::Id.eq(from.id)),
    )
    .await?;
    let history = history_of(txn, into.id).await?;
    project(txn, op, into, &history, crate::store::now()).await?;
    Ok(())
}
