//! `report capacity`: per supplier, capability and quarter, the units it can deliver, who holds
//! them (ours, sister teams, competitors; rumours listed but not counted), what is free; per
//! capability and quarter the totals; and per capability the outlook: how many units are free
//! in the next four quarters, how fast they are being taken, and when they run out.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter, QuerySelect};
use serde::Serialize;

use super::facts;
use super::known::Known;
use crate::domain::capacity::{Outlook, Period, left, outlook};
use crate::domain::status::{BuyerKind, Confidence, HoldStatus};
use crate::error::Result;
use crate::store::entities::{capacity, holding};

/// How far back units taken count for the pace of an outlook.
pub const PACE_DAYS: u64 = 180;

#[derive(Debug, Serialize)]
pub struct CapacityReport {
    pub as_of: NaiveDate,
    /// The moment the record is read as it stood then (`--known-at`), when one was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub known_at: Option<chrono::DateTime<chrono::Utc>>,
    pub from: Period,
    pub to: Period,
    pub rows: Vec<CapacityRow>,
    pub totals: Vec<Total>,
    pub outlook: Vec<OutlookRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SupplierRef {
    pub id: i32,
    pub name: String,
}

/// One supplier's capability in one quarter.
#[derive(Debug, Clone, Serialize)]
pub struct CapacityRow {
    pub supplier: SupplierRef,
    pub capability: String,
    pub period: Period,
    /// The units stated (0 when none is: only holdings are known).
    pub capacity: i64,
    pub held: Vec<Held>,
    /// Capacity less what is reserved or contracted, never below 0 (rumoured holdings are not
    /// subtracted; rumoured capacity is not counted: `domain::capacity::left`).
    pub free: i64,
    /// How sure the capacity statement is (none: no capacity stated).
    pub confidence: Option<Confidence>,
    /// Units reserved or contracted beyond the capacity that counts.
    pub over_held: i64,
    /// The buyer a report asks the window for (`--buyer`) holds units here.
    #[serde(skip)]
    pub held_by_buyer: bool,
}

/// A buyer's hold on a row's units.
#[derive(Debug, Clone, Serialize)]
pub struct Held {
    pub buyer: String,
    pub kind: BuyerKind,
    pub units: i64,
    pub status: HoldStatus,
    pub confidence: Confidence,
}

/// A capability's quarter, all suppliers together.
#[derive(Debug, Clone, Serialize)]
pub struct Total {
    pub capability: String,
    pub period: Period,
    /// Capacity that counts (confirmed or likely).
    pub capacity: i64,
    /// Reserved or contracted.
    pub held: i64,
    pub free: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct OutlookRow {
    pub capability: String,
    #[serde(flatten)]
    pub outlook: Outlook,
    /// Makers with capacity stated in those quarters and not one unit free in any of them.
    pub sold_out: Vec<SupplierRef>,
    /// With `--buyer`: the first quarter in which that buyer could still get a unit delivered
    /// (one free, or already its own) from a maker whose quoted lead time (its latest valid
    /// quote to the buyer) reaches it from the as-of day; none when no quarter shown has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<Option<Period>>,
}

/// What the report covers.
pub struct Scope {
    pub capability: Option<String>,
    pub from: Period,
    pub to: Period,
    pub as_of: NaiveDate,
    /// The buyer whose window is asked for.
    pub buyer: Option<i32>,
}

/// A statement's key and when it was made: the latest by day, then by recording, stands.
pub type Standing<K, T> = HashMap<K, (NaiveDate, i32, T)>;

/// The holdings that stand, per supplier, capability, quarter and buyer: units, status and
/// confidence.
pub type Holdings = Standing<(i32, String, String, i32), (i64, HoldStatus, Confidence)>;

fn keep_latest<K: Eq + std::hash::Hash, T>(
    map: &mut Standing<K, T>,
    key: K,
    when: (NaiveDate, i32),
    value: T,
) {
    match map.get(&key) {
        Some((day, id, _)) if (*day, *id) >= when => {}
        _ => {
            map.insert(key, (when.0, when.1, value));
        }
    }
}

/// Which statements to read: of some capabilities and suppliers (or all), about the quarters
/// from `from` to `to`, as they stood at the end of `as_of`.
pub struct Reading<'a> {
    pub capabilities: Option<&'a [String]>,
    pub suppliers: Option<&'a [i32]>,
    pub from: Period,
    pub to: Period,
    pub as_of: NaiveDate,
}

/// The capacity statements that stand, per supplier, capability and quarter: units and
/// confidence.
pub type Capacities = Standing<(i32, String, String), (i64, Confidence)>;

/// The capacity and holdings statements that stand.
pub struct Statements {
    pub capacity: Capacities,
    pub held: Holdings,
}

impl Statements {
    /// Each supplier's free units per capability and quarter (`domain::capacity::left`).
    pub fn free(&self) -> HashMap<(i32, String, String), i64> {
        let mut taken: HashMap<(i32, String, String), i64> = HashMap::new();
        for ((supplier, capability, period, _), (_, _, (units, status, _))) in &self.held {
            if status.takes_units() {
                *taken
                    .entry((*supplier, capability.clone(), period.clone()))
                    .or_default() += units;
            }
        }
        let keys: HashSet<&(i32, String, String)> = self.capacity.keys().chain(taken.keys()).collect();
        keys.into_iter()
            .map(|key| {
                let stated = self.capacity.get(key).map(|(_, _, stated)| *stated);
                let left = left(stated, taken.get(key).copied().unwrap_or(0));
                (key.clone(), left.free)
            })
            .collect()
    }

    /// Units newly reserved or contracted from `since` on, per capability.
    pub fn taken_since(&self, since: NaiveDate) -> BTreeMap<String, i64> {
        let mut taken: BTreeMap<String, i64> = BTreeMap::new();
        for ((_, capability, _, _), (day, _, (units, status, _))) in &self.held {
            if status.takes_units() && *day >= since {
                *taken.entry(capability.clone()).or_default() += units;
            }
        }
        taken
    }
}

/// The statements `reading` asks for, as they stood (`known`): the latest per key.
pub async fn standing(
    conn: &impl ConnectionTrait,
    known: Known,
    reading: &Reading<'_>,
) -> Result<Statements> {
    let periods: Vec<String> = (0..reading.from.span(reading.to) as i32)
        .map(|i| reading.from.plus(i).to_string())
        .collect();
    let mut capacity: Capacities = HashMap::new();
    let mut held: Holdings = HashMap::new();
    for suppliers in chunks(reading.suppliers) {
        for capabilities in chunks(reading.capabilities) {
            type CapacityRowRead = (i32, i32, String, String, i64, Confidence, NaiveDate);
            let statements: Vec<CapacityRowRead> = known
                .rows::<capacity::Entity, _>(
                    conn,
                    &[
                        "id",
                        "supplier_id",
                        "capability",
                        "period",
                        "units",
                        "confidence",
                        "stated_on",
                    ],
                    |find| {
                        let mut query = find
                            .select_only()
                            .columns([
                                capacity::Column::Id,
                                capacity::Column::SupplierId,
                                capacity::Column::Capability,
                                capacity::Column::Period,
                                capacity::Column::Units,
                                capacity::Column::Confidence,
                                capacity::Column::StatedOn,
                            ])
                            .filter(capacity::Column::StatedOn.lte(reading.as_of))
                            .filter(capacity::Column::Period.is_in(periods.iter().map(String::as_str)));
                        if let Some(c) = capabilities {
                            query = query
                                .filter(capacity::Column::Capability.is_in(c.iter().map(String::as_str)));
                        }
                        if let Some(s) = suppliers {
                            query = query.filter(capacity::Column::SupplierId.is_in(s.iter().copied()));
                        }
                        query
                    },
                )
                .await?;
            for (id, supplier, capability, period, units, confidence, day) in statements {
                keep_latest(
                    &mut capacity,
                    (supplier, capability, period),
                    (day, id),
                    (units, confidence),
                );
            }
            let holdings: Vec<HoldingRowRead> = known
                .rows::<holding::Entity, _>(conn, &HOLDING_COLUMNS, |find| {
                    let mut query = find
                        .select_only()
                        .columns([
                            holding::Column::Id,
                            holding::Column::SupplierId,
                            holding::Column::BuyerId,
                            holding::Column::Capability,
                            holding::Column::Period,
                            holding::Column::Units,
                            holding::Column::Status,
                            holding::Column::Confidence,
                            holding::Column::StatedOn,
                        ])
                        .filter(holding::Column::StatedOn.lte(reading.as_of))
                        .filter(holding::Column::Period.is_in(periods.iter().map(String::as_str)));
                    if let Some(c) = capabilities {
                        query = query.filter(holding::Column::Capability.is_in(c.iter().map(String::as_str)));
                    }
                    if let Some(s) = suppliers {
                        query = query.filter(holding::Column::SupplierId.is_in(s.iter().copied()));
                    }
                    query
                })
                .await?;
            for (id, supplier, buyer, capability, period, units, status, confidence, day) in holdings {
                keep_latest(
                    &mut held,
                    (supplier, capability, period, buyer),
                    (day, id),
                    (units, status, confidence),
                );
            }
        }
    }
    Ok(Statements { capacity, held })
}

/// A holding as read: id, supplier, buyer, capability, quarter, units, status, confidence, day.
type HoldingRowRead = (
    i32,
    i32,
    i32,
    String,
    String,
    i64,
    HoldStatus,
    Confidence,
    NaiveDate,
);

const HOLDING_COLUMNS: [&str; 9] = [
    "id",
    "supplier_id",
    "buyer_id",
    "capability",
    "period",
    "units",
    "status",
    "confidence",
    "stated_on",
];

/// A list in chunks to send in `IN (...)`, or one pass over everything (`None`).
fn chunks<T>(list: Option<&[T]>) -> Vec<Option<&[T]>> {
    match list {
        Some(items) => items.chunks(crate::store::IN_CHUNK).map(Some).collect(),
        None => vec![None],
    }
}

pub async fn build(conn: &impl ConnectionTrait, known: Known, scope: &Scope) -> Result<CapacityReport> {
    let capabilities = scope.capability.clone().map(|c| vec![c]);
    let reading = Reading {
        capabilities: capabilities.as_deref(),
        suppliers: None,
        from: scope.from,
        to: scope.to,
        as_of: scope.as_of,
    };
    let statements = standing(conn, known, &reading).await?;
    let taken = statements.taken_since(scope.as_of - chrono::Days::new(PACE_DAYS - 1));
    let leads = match scope.buyer {
        Some(buyer) => facts::quoted_lead_days(conn, known, scope.as_of, buyer).await?,
        None => HashMap::new(),
    };
    let mut report = assemble(conn, known, scope, statements.capacity, statements.held, taken).await?;
    if scope.buyer.is_some() {
        for outlook in &mut report.outlook {
            outlook.window = Some(window(scope, &report.rows, &outlook.capability, &leads));
        }
    }
    Ok(report)
}

/// Rows, totals and outlook from the statements that stand, over the suppliers active on the
/// day.
async fn assemble(
    conn: &impl ConnectionTrait,
    known: Known,
    scope: &Scope,
    capacity: Capacities,
    held: Holdings,
    taken: BTreeMap<String, i64>,
) -> Result<CapacityReport> {
    let mut ids: Vec<i32> = capacity
        .keys()
        .map(|k| k.0)
        .chain(held.keys().map(|k| k.0))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let then = facts::Then::load(conn, known, scope.as_of).await?;
    let active: HashMap<i32, String> = facts::active_suppliers(conn, known, &then, Some(&ids))
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let buyers: HashMap<i32, facts::Buyer> = facts::buyers(conn, known)
        .await?
        .into_iter()
        .map(|b| (b.id, b))
        .collect();
    let mut rows: Rows = BTreeMap::new();
    for ((supplier, capability, period), (_, _, (units, confidence))) in &capacity {
        if let Some(r) = row(&mut rows, &active, *supplier, capability, period) {
            r.capacity = *units;
            r.confidence = Some(*confidence);
        }
    }
    for ((supplier, capability, period, buyer), (_, _, (units, status, confidence))) in &held {
        let (Some(b), false) = (buyers.get(buyer), *status == HoldStatus::Released) else {
            continue;
        };
        if let Some(r) = row(&mut rows, &active, *supplier, capability, period) {
            if scope.buyer == Some(*buyer) && status.takes_units() && *units > 0 {
                r.held_by_buyer = true;
            }
            r.held.push(Held {
                buyer: b.name.clone(),
                kind: BuyerKind::of(b.external),
                units: *units,
                status: *status,
                confidence: *confidence,
            });
        }
    }
    let mut rows: Vec<CapacityRow> = rows.into_values().collect();
    for r in &mut rows {
        // Ours first, then competitors, each by name.
        r.held.sort_by(|a, b| {
            (a.kind == BuyerKind::External, &a.buyer).cmp(&(b.kind == BuyerKind::External, &b.buyer))
        });
        let taken = r
            .held
            .iter()
            .filter(|h| h.status.takes_units())
            .map(|h| h.units)
            .sum::<i64>();
        let left = left(r.confidence.map(|c| (r.capacity, c)), taken);
        (r.free, r.over_held) = (left.free, left.over_held);
    }
    let totals = totals(&rows);
    let outlook = outlooks(scope, &rows, &totals, &taken);
    Ok(CapacityReport {
        as_of: scope.as_of,
        known_at: None,
        from: scope.from,
        to: scope.to,
        rows,
        totals,
        outlook,
    })
}

/// Rows by capability, supplier name and id, and quarter.
type Rows = BTreeMap<(String, String, i32, String), CapacityRow>;

/// The row of an active supplier's capability in a quarter (none for a supplier not active on
/// the day).
fn row<'a>(
    rows: &'a mut Rows,
    active: &HashMap<i32, String>,
    supplier: i32,
    capability: &str,
    period: &str,
) -> Option<&'a mut CapacityRow> {
    let name = active.get(&supplier)?;
    let period_value = Period::from_stored(period)?;
    Some(
        rows.entry((capability.to_string(), name.clone(), supplier, period.to_string()))
            .or_insert_with(|| CapacityRow {
                supplier: SupplierRef {
                    id: supplier,
                    name: name.clone(),
                },
                capability: capability.to_string(),
                period: period_value,
                capacity: 0,
                held: Vec::new(),
                free: 0,
                confidence: None,
                over_held: 0,
                held_by_buyer: false,
            }),
    )
}

/// Per capability and quarter, all suppliers added up.
fn totals(rows: &[CapacityRow]) -> Vec<Total> {
    let mut totals: BTreeMap<(String, Period), Total> = BTreeMap::new();
    for r in rows {
        let t = totals
            .entry((r.capability.clone(), r.period))
            .or_insert_with(|| Total {
                capability: r.capability.clone(),
                period: r.period,
                capacity: 0,
                held: 0,
                free: 0,
            });
        if r.confidence.is_some_and(Confidence::counts) {
            t.capacity += r.capacity;
        }
        t.held += r
            .held
            .iter()
            .filter(|h| h.status.takes_units())
            .map(|h| h.units)
            .sum::<i64>();
        t.free += r.free;
    }
    totals.into_values().collect()
}

/// The first quarter in which the buyer could get a unit of `capability`: the earliest, over the
/// makers, of the first quarter at or after both the first one shown and the one its quoted
/// lead time reaches from the as-of day (no quote: the as-of day's), with a unit free or held
/// by the buyer already.
fn window(
    scope: &Scope,
    rows: &[CapacityRow],
    capability: &str,
    leads: &HashMap<(i32, String), u32>,
) -> Option<Period> {
    let first = Ord::max(scope.from, Period::of_day(scope.as_of));
    rows.iter()
        .filter(|r| r.capability == capability && r.period <= scope.to)
        .filter(|r| r.free > 0 || r.held_by_buyer)
        .filter(|r| {
            let lead = leads
                .get(&(r.supplier.id, capability.to_string()))
                .copied()
                .unwrap_or(0);
            let delivered = scope.as_of + chrono::Days::new(u64::from(lead));
            r.period >= Ord::max(first, Period::of_day(delivered))
        })
        .map(|r| r.period)
        .min()
}

/// Per capability: its outlook from the as-of quarter (or `--from`, if later) to `--to`.
fn outlooks(
    scope: &Scope,
    rows: &[CapacityRow],
    totals: &[Total],
    taken: &BTreeMap<String, i64>,
) -> Vec<OutlookRow> {
    let first = Ord::max(scope.from, Period::of_day(scope.as_of));
    let mut capabilities: Vec<&str> = totals.iter().map(|t| t.capability.as_str()).collect();
    capabilities.dedup();
    capabilities
        .into_iter()
        .map(|capability| {
            let free: Vec<(Period, i64)> = totals
                .iter()
                .filter(|t| t.capability == capability)
                .map(|t| (t.period, t.free))
                .collect();
            // Worked out with the quoted lead times afterwards (`window`).
            let window = None;
            let mut free_by_maker: BTreeMap<(&str, i32), i64> = BTreeMap::new();
            for r in rows
                .iter()
                .filter(|r| r.capability == capability && r.period >= first)
            {
                *free_by_maker
                    .entry((&r.supplier.name, r.supplier.id))
                    .or_default() += r.free;
            }
            let sold_out = free_by_maker
                .into_iter()
                .filter(|(_, free)| *free == 0)
                .map(|((name, id), _)| SupplierRef {
                    id,
                    name: name.to_string(),
                })
                .collect();
            OutlookRow {
                capability: capability.to_string(),
                sold_out,
                outlook: outlook(
                    first,
                    scope.to,
                    &free,
                    taken.get(capability).copied().unwrap_or(0),
                ),
                window,
            }
        })
        .collect()
}

crate::row!(Total {
    capability,
    period,
    capacity,
    held,
    free
});
