//! What the reports need from the store, as of the end of a day: active suppliers with their
//! capabilities, buyers, deal statuses from the dated events, visit tallies and open findings.
//! Tallies are aggregated by the database, not loaded row by row.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::NaiveDate;
use sea_orm::sea_query::{Asterisk, Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
    Select, Statement, TryGetableMany,
};
use serde::de::DeserializeOwned;

use super::known::Known;
use super::{BySupplier, FindingCounts, VisitTally};
use crate::domain::deal::{DealEvent, DealHistory};
use crate::domain::status::{Confidence, DealStatus, FactKind, ScarceOverride, Severity};
use crate::domain::timeline;
use crate::error::Result;
use crate::store::IN_CHUNK;
use crate::store::entities::{
    buyer, dated_fact, deal, deal_event, note, quote, supplier, supplier_capability, visit,
};

/// What a supplier's record said at the end of a day: whether it was listed and not archived,
/// its scarcity override and its capabilities.
#[derive(Debug, Clone, PartialEq)]
struct Said {
    active: bool,
    scarce: ScarceOverride,
    capabilities: BTreeSet<String>,
}

/// The day a report is as of, and the suppliers whose dated facts (`domain::timeline`) changed
/// after it: what each of their records says now, and what it said then. Every other
/// supplier's record says then what it says now, so the report reads it as it stands.
pub struct Then {
    pub day: NaiveDate,
    moved: HashMap<i32, (Said, Said)>,
}

impl Then {
    /// The suppliers with a fact dated after `day`, as they stood then.
    pub async fn load(conn: &impl ConnectionTrait, known: Known, day: NaiveDate) -> Result<Then> {
        let mut ids: BTreeSet<i32> = BTreeSet::new();
        for part in known.parts() {
            let mut later = Query::select();
            later
                .distinct()
                .column(dated_fact::Column::SupplierId)
                .and_where(Expr::col(dated_fact::Column::ValidFrom).gt(day));
            part.from::<dated_fact::Entity>(&mut later);
            for row in conn.query_all(&later).await? {
                ids.insert(row.try_get_by_index::<i32>(0)?);
            }
        }
        let ids: Vec<i32> = ids.into_iter().collect();
        let mut moved = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(IN_CHUNK) {
            let mut offered: HashMap<i32, BTreeSet<String>> = HashMap::new();
            for c in known
                .all::<supplier_capability::Entity>(conn, |find| {
                    find.filter(supplier_capability::Column::SupplierId.is_in(chunk.iter().copied()))
                })
                .await?
            {
                offered.entry(c.supplier_id).or_default().insert(c.capability);
            }
            // Each supplier as it stands now, and (so far) whether it was archived then; a merged
            // one is part of the one it was merged into, whatever the day.
            let mut said: HashMap<i32, (Option<NaiveDate>, Said, Said, bool)> = HashMap::new();
            for record in known
                .all::<supplier::Entity>(conn, |find| {
                    find.filter(supplier::Column::Id.is_in(chunk.iter().copied()))
                })
                .await?
            {
                let now = Said {
                    active: !record.archived && record.listed_on <= day && record.merged_into.is_none(),
                    scarce: record.scarce_override,
                    capabilities: offered.remove(&record.id).unwrap_or_default(),
                };
                let listed_on = record.merged_into.is_none().then_some(record.listed_on);
                said.insert(record.id, (listed_on, now.clone(), now, record.archived));
            }
            let facts = known
                .all::<dated_fact::Entity>(conn, |find| {
                    find.filter(dated_fact::Column::SupplierId.is_in(chunk.iter().copied()))
                })
                .await?;
            for ((supplier, kind, subject), of_key) in crate::store::dated::timelines(facts) {
                let Some((_, _, then, archived)) = said.get_mut(&supplier) else {
                    continue;
                };
                let value = timeline::value_then(&of_key, day).cloned().flatten();
                match kind {
                    FactKind::Archived => *archived = value.is_some(),
                    FactKind::Scarce => {
                        if let Some(v) = value.as_deref().and_then(ScarceOverride::from_stored) {
                            then.scarce = v;
                        }
                    }
                    FactKind::Capability if value.is_some() => {
                        then.capabilities.insert(subject);
                    }
                    FactKind::Capability => {
                        then.capabilities.remove(&subject);
                    }
                    FactKind::Alias | FactKind::Lines => {}
                }
            }
            for (id, (listed_on, now, mut then, archived)) in said {
                then.active = !archived && listed_on.is_some_and(|listed_on| listed_on <= day);
                moved.insert(id, (now, then));
            }
        }
        Ok(Then { day, moved })
    }
}

#[derive(Debug, Clone)]
pub struct ActiveSupplier {
    pub id: i32,
    pub name: String,
    pub native_name: Option<String>,
    pub scarce_override: ScarceOverride,
    pub capabilities: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Buyer {
    pub id: i32,
    pub name: String,
    pub external: bool,
}

/// The chunks of a supplier subset to query, or one pass over everything (`None`).
fn chunks(subset: Option<&[i32]>) -> Vec<Option<&[i32]>> {
    match subset {
        Some(ids) => ids.chunks(IN_CHUNK).map(Some).collect(),
        None => vec![None],
    }
}

/// Runs `query` and reads its rows. On SQLite and PostgreSQL the database hands them over as one
/// JSON array it builds: one value crosses instead of a row at a time (a status report over
/// 100,000 suppliers reads some 600,000 rows, and handing each over separately costs more than
/// the query). MariaDB's JSON aggregate is cut off at `group_concat_max_len`, so there the rows
/// come one by one. `columns` are the query's result columns, in the order of `T`'s fields.
pub(super) async fn read_rows<E, T>(
    conn: &impl ConnectionTrait,
    query: Select<E>,
    columns: &[&str],
) -> Result<Vec<T>>
where
    E: EntityTrait,
    T: DeserializeOwned + TryGetableMany,
{
    let backend = conn.get_database_backend();
    let quote = |c: &&str| format!("q.\"{c}\"");
    let list = columns.iter().map(quote).collect::<Vec<_>>().join(", ");
    let aggregate = match backend {
        DbBackend::Postgres => format!("coalesce(json_agg(json_build_array({list})), '[]')::text"),
        DbBackend::Sqlite => format!("json_group_array(json_array({list}))"),
        _ => return Ok(query.into_tuple::<T>().all(conn).await?),
    };
    let inner = query.build(backend);
    let sql = format!("SELECT {aggregate} AS json_rows FROM ({}) AS q", inner.sql);
    let values = inner.values.map(|v| v.0).unwrap_or_default();
    let row = conn
        .query_one_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?
        .ok_or_else(|| sea_orm::DbErr::RecordNotFound("a report's aggregate row".into()))?;
    let json: String = row.try_get("", "json_rows")?;
    // A value the rows' types refuse (a status changed by hand) is a stored value vetted cannot
    // read, as it is when sea-orm decodes a row; the aggregate's line and column say nothing.
    serde_json::from_str(&json).map_err(|e| {
        let text = e.to_string();
        let place = format!(" at line {} column {}", e.line(), e.column());
        let message = text.strip_suffix(&place).unwrap_or(&text).to_string();
        sea_orm::DbErr::Json(message).into()
    })
}

/// Who offers what at the end of the day, read once for a gaps report: how many active
/// suppliers offer each capability (`load`), and the suppliers it can list for the capabilities
/// found scarce (`candidates`).
pub struct Offers {
    /// Per capability, the suppliers the stored record says offer it (active or not).
    offered_by: BTreeMap<String, Vec<i32>>,
    /// Suppliers marked scarce by override.
    overridden: Vec<i32>,
    /// Suppliers whose facts changed since and that were active then (`active_suppliers`
    /// reads them as they stood).
    moved_active: Vec<i32>,
}

impl Offers {
    /// The active suppliers, who offers what, and the scarce overrides are read together (one
    /// round trip on a server) and matched here: a join would read a supplier's row for each of
    /// its capabilities, and, as the record stood, join each part of the one table (`Known`)
    /// with each part of the other.
    /// Returns how many active suppliers offer each capability (counted from the record as it
    /// stands, then corrected for the suppliers whose dated facts changed since) with the offers.
    pub async fn load(
        conn: &impl ConnectionTrait,
        known: Known,
        then: &Then,
    ) -> Result<(BTreeMap<String, usize>, Offers)> {
        let (active, offered, overridden) = tokio::try_join!(
            stored_active(conn, known, then.day),
            known.rows::<supplier_capability::Entity, (i32, String)>(
                conn,
                &["supplier_id", "capability"],
                |find| {
                    find.select_only().columns([
                        supplier_capability::Column::SupplierId,
                        supplier_capability::Column::Capability,
                    ])
                }
            ),
            known.rows::<supplier::Entity, (i32,)>(conn, &["id"], |find| {
                find.select_only()
                    .column(supplier::Column::Id)
                    .filter(supplier::Column::ScarceOverride.eq(ScarceOverride::Yes))
            }),
        )?;
        let mut offered_by: BTreeMap<String, Vec<i32>> = BTreeMap::new();
        for (supplier, capability) in offered {
            offered_by.entry(capability).or_default().push(supplier);
        }
        let mut counts: BTreeMap<String, usize> = offered_by
            .iter()
            .map(|(capability, by)| {
                (
                    capability.clone(),
                    by.iter().filter(|s| active.contains(s)).count(),
                )
            })
            .collect();
        for (now, said) in then.moved.values() {
            if now.active {
                for capability in &now.capabilities {
                    if let Some(n) = counts.get_mut(capability) {
                        *n = n.saturating_sub(1);
                    }
                }
            }
            if said.active {
                for capability in &said.capabilities {
                    *counts.entry(capability.clone()).or_default() += 1;
                }
            }
        }
        counts.retain(|_, n| *n > 0);
        let moved_active = then
            .moved
            .iter()
            .filter(|(_, (_, said))| said.active)
            .map(|(id, _)| *id)
            .collect();
        let offers = Offers {
            offered_by,
            overridden: overridden.into_iter().map(|(id,)| id).collect(),
            moved_active,
        };
        Ok((counts, offers))
    }

    /// Ids of suppliers that offer any of `capabilities` or are marked scarce by override, and
    /// those whose facts changed since: the only ones a gaps report can list (active ones among
    /// them: `active_suppliers`).
    pub fn candidates(&self, capabilities: &[String]) -> Vec<i32> {
        let mut ids: BTreeSet<i32> = BTreeSet::new();
        for capability in capabilities {
            ids.extend(self.offered_by.get(capability).into_iter().flatten());
        }
        ids.extend(&self.overridden);
        ids.extend(&self.moved_active);
        ids.into_iter().collect()
    }
}

/// Ids of the suppliers whose stored record says they are active on `day` (listed by then, not
/// archived, not merged): before the corrections of `Then` for those whose facts changed since.
async fn stored_active(conn: &impl ConnectionTrait, known: Known, day: NaiveDate) -> Result<HashSet<i32>> {
    Ok(known
        .rows::<supplier::Entity, (i32,)>(conn, &["id"], |find| {
            find.select_only()
                .column(supplier::Column::Id)
                .filter(supplier::Column::Archived.eq(false))
                .filter(supplier::Column::MergedInto.is_null())
                .filter(supplier::Column::ListedOn.lte(day))
        })
        .await?
        .into_iter()
        .map(|(id,)| id)
        .collect())
}

/// Ids of the suppliers active at the end of the day.
pub async fn active_ids(conn: &impl ConnectionTrait, known: Known, then: &Then) -> Result<HashSet<i32>> {
    let mut active = stored_active(conn, known, then.day).await?;
    for (id, (_, said)) in &then.moved {
        if said.active {
            active.insert(*id);
        } else {
            active.remove(id);
        }
    }
    Ok(active)
}

/// Suppliers active at the end of the day (listed by then, not archived), in name order, with
/// their capabilities: all, or a subset.
pub async fn active_suppliers(
    conn: &impl ConnectionTrait,
    known: Known,
    then: &Then,
    subset: Option<&[i32]>,
) -> Result<Vec<ActiveSupplier>> {
    // Id, normalised name, name, native name, scarcity override.
    type Listed = (i32, String, String, Option<String>, ScarceOverride);
    const COLUMNS: [&str; 5] = ["id", "name_norm", "name", "native_name", "scarce_override"];
    let listed = |find: Select<supplier::Entity>| {
        find.select_only()
            .columns([
                supplier::Column::Id,
                supplier::Column::NameNorm,
                supplier::Column::Name,
                supplier::Column::NativeName,
                supplier::Column::ScarceOverride,
            ])
            .filter(supplier::Column::ListedOn.lte(then.day))
            .filter(supplier::Column::MergedInto.is_null())
    };
    let mut rows: Vec<Listed> = Vec::new();
    // Suppliers whose facts changed since may have been active then whatever they are now:
    // read apart, whether archived or not.
    let wanted: Option<std::collections::HashSet<i32>> = subset.map(|ids| ids.iter().copied().collect());
    let moved: Vec<i32> = then
        .moved
        .keys()
        .copied()
        .filter(|id| wanted.as_ref().is_none_or(|w| w.contains(id)))
        .collect();
    for ids in moved.chunks(IN_CHUNK) {
        rows.extend(
            known
                .rows::<supplier::Entity, Listed>(conn, &COLUMNS, |find| {
                    listed(find).filter(supplier::Column::Id.is_in(ids.iter().copied()))
                })
                .await?,
        );
    }
    let mut capabilities: Vec<(i32, String)> = Vec::new();
    for chunk in chunks(subset) {
        rows.extend(
            known
                .rows::<supplier::Entity, Listed>(conn, &COLUMNS, |find| {
                    let query = listed(find).filter(supplier::Column::Archived.eq(false));
                    match chunk {
                        Some(ids) => query.filter(supplier::Column::Id.is_in(ids.iter().copied())),
                        None => query,
                    }
                })
                .await?,
        );
        capabilities.extend(
            known
                .rows::<supplier_capability::Entity, (i32, String)>(
                    conn,
                    &["supplier_id", "capability"],
                    |find| {
                        let caps = find
                            .select_only()
                            .columns([
                                supplier_capability::Column::SupplierId,
                                supplier_capability::Column::Capability,
                            ])
                            .order_by_asc(supplier_capability::Column::SupplierId)
                            .order_by_asc(supplier_capability::Column::Capability);
                        match chunk {
                            Some(ids) => caps
                                .filter(supplier_capability::Column::SupplierId.is_in(ids.iter().copied())),
                            None => caps,
                        }
                    },
                )
                .await?,
        );
    }
    // Suppliers and capabilities both by id (the aggregate need not keep the query's order, but
    // it usually does, and sorting sorted rows is one pass), then matched up in one walk.
    rows.sort_unstable_by_key(|r| r.0);
    rows.dedup_by_key(|r| r.0);
    rows.retain(|r| then.moved.get(&r.0).is_none_or(|(_, said)| said.active));
    capabilities.sort_unstable();
    let mut capabilities = capabilities.into_iter().peekable();
    let mut suppliers: Vec<(String, ActiveSupplier)> = rows
        .into_iter()
        .map(|(id, name_norm, name, native_name, scarce)| {
            let mut offered = Vec::new();
            while let Some((of, capability)) = capabilities.next_if(|(of, _)| *of <= id) {
                if of == id {
                    offered.push(capability); // else an archived supplier's
                }
            }
            let (capabilities, scarce_override) = match then.moved.get(&id) {
                Some((_, said)) => (said.capabilities.iter().cloned().collect(), said.scarce),
                None => (offered, scarce),
            };
            let supplier = ActiveSupplier {
                capabilities,
                id,
                name,
                native_name,
                scarce_override,
            };
            (name_norm, supplier)
        })
        .collect();
    // By name here rather than by the database: an ORDER BY on the name index costs a row
    // lookup per supplier. Normalised names are unique.
    suppliers.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.id.cmp(&b.1.id)));
    Ok(suppliers.into_iter().map(|(_, supplier)| supplier).collect())
}

/// Buyers, ours first, by name.
pub async fn buyers(conn: &impl ConnectionTrait, known: Known) -> Result<Vec<Buyer>> {
    let mut buyers: Vec<Buyer> = known
        .all::<buyer::Entity>(conn, |find| find.filter(buyer::Column::MergedInto.is_null()))
        .await?
        .into_iter()
        .map(|b| Buyer {
            id: b.id,
            name: b.name,
            external: b.external,
        })
        .collect();
    buyers.sort_by(|a, b| (a.external, &a.name).cmp(&(b.external, &b.name)));
    Ok(buyers)
}

/// Each deal's status at the end of `day` and the day it took effect, for all suppliers or a
/// subset: (buyer id, supplier id) → (status, since). A deal's stored status is that of its latest event and `status_date` that event's
/// date (`store::deals` keeps both), so when no deal changed after `day` the stored statuses are
/// the answer; otherwise the dated events are replayed.
pub async fn deal_statuses(
    conn: &impl ConnectionTrait,
    known: Known,
    day: NaiveDate,
    subset: Option<&[i32]>,
) -> Result<HashMap<(i32, i32), (DealStatus, NaiveDate)>> {
    let mut deals: Vec<(i32, i32, i32, DealStatus, NaiveDate)> = Vec::new();
    let columns = ["id", "buyer_id", "supplier_id", "status", "status_date"];
    for chunk in chunks(subset) {
        deals.extend(
            known
                .rows::<deal::Entity, (i32, i32, i32, DealStatus, NaiveDate)>(conn, &columns, |find| {
                    let query = find
                        .select_only()
                        .columns([
                            deal::Column::Id,
                            deal::Column::BuyerId,
                            deal::Column::SupplierId,
                            deal::Column::Status,
                            deal::Column::StatusDate,
                        ])
                        // A void deal (every event voided) stands nowhere.
                        .filter(deal::Column::Voided.eq(false));
                    match chunk {
                        Some(ids) => query.filter(deal::Column::SupplierId.is_in(ids.iter().copied())),
                        None => query,
                    }
                })
                .await?,
        );
    }
    let mut statuses = HashMap::with_capacity(deals.len());
    if deals.iter().all(|d| d.4 <= day) {
        for (_, buyer, supplier, status, since) in deals {
            statuses.insert((buyer, supplier), (status, since));
        }
        return Ok(statuses);
    }
    let events = events_by_then(
        conn,
        known,
        day,
        subset.map(|_| deals.iter().map(|d| d.0).collect()),
    )
    .await?;
    let mut by_deal: BTreeMap<i32, Vec<DealEvent>> = BTreeMap::new();
    for (deal_id, date, id, status) in events {
        by_deal
            .entry(deal_id)
            .or_default()
            .push(DealEvent::status(date, i64::from(id), status));
    }
    for (id, buyer, supplier, _, _) in deals {
        let history = DealHistory::new(by_deal.remove(&id).unwrap_or_default());
        if let Some(standing) = history.standing_on(day) {
            statuses.insert((buyer, supplier), standing);
        }
    }
    Ok(statuses)
}

/// Deal events dated on or before `day` (of the deals `deal_ids`, or all): (deal id, date,
/// event id, status).
async fn events_by_then(
    conn: &impl ConnectionTrait,
    known: Known,
    day: NaiveDate,
    deal_ids: Option<Vec<i32>>,
) -> Result<Vec<(i32, NaiveDate, i32, DealStatus)>> {
    let deal_subset = deal_ids.as_deref();
    let mut events: Vec<(i32, NaiveDate, i32, DealStatus)> = Vec::new();
    let columns = ["deal_id", "event_date", "id", "status"];
    for chunk in chunks(deal_subset) {
        events.extend(
            known
                .rows::<deal_event::Entity, (i32, NaiveDate, i32, DealStatus)>(conn, &columns, |find| {
                    let query = find
                        .select_only()
                        .columns([
                            deal_event::Column::DealId,
                            deal_event::Column::EventDate,
                            deal_event::Column::Id,
                            deal_event::Column::Status,
                        ])
                        .filter(deal_event::Column::EventDate.lte(day))
                        .filter(deal_event::Column::Voided.eq(false));
                    match chunk {
                        Some(ids) => query.filter(deal_event::Column::DealId.is_in(ids.iter().copied())),
                        None => query,
                    }
                })
                .await?,
        );
    }
    Ok(events)
}

/// How sure we are of each deal's status at the end of `day` (its event in force then), for a
/// subset of suppliers: (buyer id, supplier id) → confidence.
pub async fn deal_confidences(
    conn: &impl ConnectionTrait,
    known: Known,
    day: NaiveDate,
    subset: &[i32],
) -> Result<HashMap<(i32, i32), Confidence>> {
    let mut deals: HashMap<i32, (i32, i32)> = HashMap::new();
    let mut latest: HashMap<i32, (NaiveDate, i32, Confidence)> = HashMap::new();
    for chunk in subset.chunks(IN_CHUNK) {
        let rows: Vec<(i32, i32, i32)> = known
            .rows::<deal::Entity, _>(conn, &["id", "buyer_id", "supplier_id"], |find| {
                find.select_only()
                    .columns([deal::Column::Id, deal::Column::BuyerId, deal::Column::SupplierId])
                    .filter(deal::Column::SupplierId.is_in(chunk.iter().copied()))
                    .filter(deal::Column::Voided.eq(false))
            })
            .await?;
        let ids: Vec<i32> = rows.iter().map(|r| r.0).collect();
        deals.extend(
            rows.into_iter()
                .map(|(id, buyer, supplier)| (id, (buyer, supplier))),
        );
        for ids in ids.chunks(IN_CHUNK) {
            let events: Vec<(i32, NaiveDate, i32, Confidence)> = known
                .rows::<deal_event::Entity, _>(conn, &["deal_id", "event_date", "id", "confidence"], |find| {
                    find.select_only()
                        .columns([
                            deal_event::Column::DealId,
                            deal_event::Column::EventDate,
                            deal_event::Column::Id,
                            deal_event::Column::Confidence,
                        ])
                        .filter(deal_event::Column::EventDate.lte(day))
                        .filter(deal_event::Column::Voided.eq(false))
                        .filter(deal_event::Column::DealId.is_in(ids.iter().copied()))
                })
                .await?;
            for (deal, date, id, confidence) in events {
                let slot = latest.entry(deal).or_insert((date, id, confidence));
                if (date, id) > (slot.0, slot.1) {
                    *slot = (date, id, confidence);
                }
            }
        }
    }
    Ok(latest
        .into_iter()
        .filter_map(|(deal, (_, _, confidence))| deals.get(&deal).map(|pair| (*pair, confidence)))
        .collect())
}

/// A buyer's latest quote from each of `suppliers` that holds on `day` (made by then, valid
/// until then or longer): supplier id → the lead time as quoted.
pub async fn quoted_lead_times(
    conn: &impl ConnectionTrait,
    known: Known,
    day: NaiveDate,
    buyer: i32,
    suppliers: &[i32],
) -> Result<HashMap<i32, String>> {
    let mut latest: HashMap<i32, (NaiveDate, i32, String)> = HashMap::new();
    for chunk in suppliers.chunks(IN_CHUNK) {
        let rows: Vec<(i32, NaiveDate, i32, String)> = known
            .rows::<quote::Entity, _>(conn, &["supplier_id", "stated_on", "id", "lead_time"], |find| {
                find.select_only()
                    .columns([
                        quote::Column::SupplierId,
                        quote::Column::StatedOn,
                        quote::Column::Id,
                        quote::Column::LeadTime,
                    ])
                    .filter(quote::Column::BuyerId.eq(buyer))
                    .filter(quote::Column::StatedOn.lte(day))
                    .filter(
                        quote::Column::ValidUntil
                            .is_null()
                            .or(quote::Column::ValidUntil.gte(day)),
                    )
                    .filter(quote::Column::SupplierId.is_in(chunk.iter().copied()))
            })
            .await?;
        for (supplier, stated, id, lead) in rows {
            let slot = latest.entry(supplier).or_insert((stated, id, lead.clone()));
            if (stated, id) > (slot.0, slot.1) {
                *slot = (stated, id, lead);
            }
        }
    }
    Ok(latest.into_iter().map(|(s, (_, _, lead))| (s, lead)).collect())
}

/// The lead time, in days, of `buyer`'s latest quote per supplier and capability that holds on
/// `day` (stated by then, not expired).
pub async fn quoted_lead_days(
    conn: &impl ConnectionTrait,
    known: Known,
    day: NaiveDate,
    buyer: i32,
) -> Result<HashMap<(i32, String), u32>> {
    let rows: Vec<(i32, String, NaiveDate, i32, i32)> = known
        .rows::<quote::Entity, _>(
            conn,
            &["supplier_id", "capability", "stated_on", "id", "lead_days"],
            |find| {
                find.select_only()
                    .columns([
                        quote::Column::SupplierId,
                        quote::Column::Capability,
                        quote::Column::StatedOn,
                        quote::Column::Id,
                        quote::Column::LeadDays,
                    ])
                    .filter(quote::Column::BuyerId.eq(buyer))
                    .filter(quote::Column::StatedOn.lte(day))
                    .filter(
                        quote::Column::ValidUntil
                            .is_null()
                            .or(quote::Column::ValidUntil.gte(day)),
                    )
            },
        )
        .await?;
    let mut latest: HashMap<(i32, String), (NaiveDate, i32, u32)> = HashMap::new();
    for (supplier, capability, stated, id, days) in rows {
        let days = u32::try_from(days).unwrap_or(0);
        let slot = latest.entry((supplier, capability)).or_insert((stated, id, days));
        if (stated, id) > (slot.0, slot.1) {
            *slot = (stated, id, days);
        }
    }
    Ok(latest.into_iter().map(|(k, (_, _, days))| (k, days)).collect())
}

/// Visits on or before `day` per supplier, by some buyers (`by`) or all.
pub async fn visit_tallies(
    conn: &impl ConnectionTrait,
    known: Known,
    day: NaiveDate,
    by: Option<&[i32]>,
    subset: Option<&[i32]>,
) -> Result<BySupplier<VisitTally>> {
    let mut tallies: BySupplier<VisitTally> = BySupplier::new();
    for chunk in chunks(subset) {
        let rows: Vec<(i32, i64, Option<NaiveDate>)> = known
            .rows::<visit::Entity, _>(conn, &["supplier_id", "visits", "last_visit"], |find| {
                let mut query = tally(find, day, chunk);
                if let Some(buyers) = by {
                    query = query.filter(visit::Column::BuyerId.is_in(buyers.iter().copied()));
                }
                query
            })
            .await?;
        // A supplier's visits may come in two parts (`Known`): added up.
        for (supplier, visits, last) in rows {
            tallies.entry(supplier).or_default().add(visits as u64, last);
        }
    }
    Ok(tallies)
}

/// Visits on or before `day` per supplier and buyer: (supplier id, buyer id) → tally.
pub async fn visit_tallies_by_buyer(
    conn: &impl ConnectionTrait,
    known: Known,
    day: NaiveDate,
    subset: Option<&[i32]>,
) -> Result<HashMap<(i32, i32), VisitTally>> {
    let mut tallies: HashMap<(i32, i32), VisitTally> = HashMap::new();
    for chunk in chunks(subset) {
        let rows: Vec<(i32, i64, Option<NaiveDate>, i32)> = known
            .rows::<visit::Entity, _>(
                conn,
                &["supplier_id", "visits", "last_visit", "buyer_id"],
                |find| {
                    tally(find, day, chunk)
                        .column(visit::Column::BuyerId)
                        .group_by(visit::Column::BuyerId)
                },
            )
            .await?;
        for (supplier, visits, last, buyer) in rows {
            tallies
                .entry((supplier, buyer))
                .or_default()
                .add(visits as u64, last);
        }
    }
    Ok(tallies)
}

/// Counts and the latest day of the visits not voided on or before `day`, per supplier (of
/// `chunk`, or all).
fn tally(find: Select<visit::Entity>, day: NaiveDate, chunk: Option<&[i32]>) -> Select<visit::Entity> {
    let query = find
        .select_only()
        .column(visit::Column::SupplierId)
        .expr_as(Expr::col(Asterisk).count(), "visits")
        .expr_as(Expr::col(visit::Column::VisitDate).max(), "last_visit")
        .filter(visit::Column::VisitDate.lte(day))
        .filter(visit::Column::Voided.eq(false))
        .group_by(visit::Column::SupplierId);
    match chunk {
        Some(ids) => query.filter(visit::Column::SupplierId.is_in(ids.iter().copied())),
        None => query,
    }
}

/// Each buyer's latest visit to each of `suppliers` from `from` to `to` (both days counted):
/// (supplier id, buyer id) → the day.
pub async fn latest_visits(
    conn: &impl ConnectionTrait,
    known: Known,
    from: NaiveDate,
    to: NaiveDate,
    suppliers: &[i32],
) -> Result<HashMap<(i32, i32), NaiveDate>> {
    let mut latest: HashMap<(i32, i32), NaiveDate> = HashMap::new();
    for chunk in suppliers.chunks(IN_CHUNK) {
        let rows: Vec<(i32, i32, NaiveDate)> = known
            .rows::<visit::Entity, _>(conn, &["supplier_id", "buyer_id", "last_visit"], |find| {
                find.select_only()
                    .column(visit::Column::SupplierId)
                    .column(visit::Column::BuyerId)
                    .expr_as(Expr::col(visit::Column::VisitDate).max(), "last_visit")
                    .filter(visit::Column::VisitDate.between(from, to))
                    .filter(visit::Column::Voided.eq(false))
                    .filter(visit::Column::SupplierId.is_in(chunk.iter().copied()))
                    .group_by(visit::Column::SupplierId)
                    .group_by(visit::Column::BuyerId)
            })
            .await?;
        for (supplier, buyer, day) in rows {
            let slot = latest.entry((supplier, buyer)).or_insert(day);
            *slot = Ord::max(*slot, day);
        }
    }
    Ok(latest)
}

/// Findings open at the end of `day`: noted by then, and not resolved by then (a finding
/// resolved on `day` is closed that evening); never a voided one. The one home of the rule.
fn open_at_end_of(day: NaiveDate) -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(note::Column::NotedOn.lte(day))
        .add(
            note::Column::ResolvedOn
                .is_null()
                .or(note::Column::ResolvedOn.gt(day)),
        )
        .add(note::Column::Voided.eq(false))
}

/// Findings open at the end of `day`, per supplier and severity: all suppliers or a subset.
pub async fn open_findings(
    conn: &impl ConnectionTrait,
    known: Known,
    day: NaiveDate,
    subset: Option<&[i32]>,
) -> Result<BySupplier<FindingCounts>> {
    // One row per supplier with a count per severity (rather than a row per supplier and
    // severity): a report over every supplier reads a third of the rows.
    let mut open: BySupplier<FindingCounts> = BySupplier::new();
    for chunk in chunks(subset) {
        let rows: Vec<(i32, i64, i64, i64, i64)> = known
            .rows::<note::Entity, _>(
                conn,
                &["supplier_id", "info", "minor", "major", "critical"],
                |find| {
                    let mut query = find.select_only().column(note::Column::SupplierId);
                    // Columns in the order of `Severity::ALL`: info, minor, major, critical.
                    for severity in Severity::ALL {
                        query = query.expr_as(
                            Expr::case(note::Column::Severity.eq(*severity), Expr::val(1))
                                .finally(Expr::null())
                                .count(),
                            severity.as_str(),
                        );
                    }
                    let query = query
                        .filter(open_at_end_of(day))
                        .group_by(note::Column::SupplierId);
                    match chunk {
                        Some(ids) => query.filter(note::Column::SupplierId.is_in(ids.iter().copied())),
                        None => query,
                    }
                },
            )
            .await?;
        // A supplier's findings may come in two parts (`Known`): added up.
        for (supplier, info, minor, major, critical) in rows {
            let counts = open.entry(supplier).or_default();
            counts.info += info as u64;
            counts.minor += minor as u64;
            counts.major += major as u64;
            counts.critical += critical as u64;
        }
    }
    Ok(open)
}

/// A visit for the dashboard's "recent visits".
#[derive(Debug, Clone, serde::Serialize)]
pub struct RecentVisit {
    pub date: NaiveDate,
    pub supplier: String,
    pub buyer: String,
    pub summary: Option<String>,
}

/// The latest visits on or before `day`, newest first.
pub async fn recent_visits(
    conn: &impl ConnectionTrait,
    known: Known,
    day: NaiveDate,
    buyer: Option<i32>,
    limit: u64,
) -> Result<Vec<RecentVisit>> {
    let mut visits = known
        .all::<visit::Entity>(conn, |find| {
            let query = find
                .filter(visit::Column::VisitDate.lte(day))
                .filter(visit::Column::Voided.eq(false))
                .order_by_desc(visit::Column::VisitDate)
                .order_by_desc(visit::Column::Id)
                .limit(limit);
            match buyer {
                Some(buyer) => query.filter(visit::Column::BuyerId.eq(buyer)),
                None => query,
            }
        })
        .await?;
    // The latest of both parts (`Known`).
    visits.sort_by_key(|v| std::cmp::Reverse((v.visit_date, v.id)));
    visits.truncate(limit as usize);
    let suppliers = crate::store::lookup::supplier_names(conn, visits.iter().map(|v| v.supplier_id)).await?;
    let buyers = crate::store::lookup::buyer_names(conn).await?;
    Ok(visits
        .into_iter()
        .map(|v| RecentVisit {
            date: v.visit_date,
            supplier: suppliers.get(&v.supplier_id).cloned().unwrap_or_default(),
            buyer: buyers.get(&v.buyer_id).cloned().unwrap_or_default(),
            summary: v.summary,
        })
        .collect())
}

/// An open finding for the dashboard's "open critical and major findings".
#[derive(Debug, Clone, serde::Serialize)]
pub struct SeriousFinding {
    pub date: NaiveDate,
    pub supplier: String,
    pub severity: Severity,
    pub text: String,
}

/// Critical and major findings open at the end of `day`: critical first, oldest first.
pub async fn serious_open_findings(
    conn: &impl ConnectionTrait,
    known: Known,
    day: NaiveDate,
    limit: u64,
) -> Result<Vec<SeriousFinding>> {
    let mut found = Vec::new();
    for severity in [Severity::Critical, Severity::Major] {
        let remaining = limit.saturating_sub(found.len() as u64);
        if remaining == 0 {
            break;
        }
        let mut oldest = known
            .all::<note::Entity>(conn, |find| {
                find.filter(note::Column::Severity.eq(severity))
                    .filter(open_at_end_of(day))
                    .order_by_asc(note::Column::NotedOn)
                    .order_by_asc(note::Column::Id)
                    .limit(remaining)
            })
            .await?;
        // The oldest of both parts (`Known`).
        oldest.sort_by_key(|n| (n.noted_on, n.id));
        oldest.truncate(remaining as usize);
        found.extend(oldest);
    }
    let suppliers = crate::store::lookup::supplier_names(conn, found.iter().map(|n| n.supplier_id)).await?;
    Ok(found
        .into_iter()
        .map(|n| SeriousFinding {
            date: n.noted_on,
            supplier: suppliers.get(&n.supplier_id).cloned().unwrap_or_default(),
            severity: n.severity,
            text: n.body,
        })
        .collect())
}
