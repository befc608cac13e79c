//! What the reports need from the store, as of the end of a day: active suppliers with their
//! capabilities, buyers, deal statuses from the dated events, visit tallies and open findings.
//! Tallies are aggregated by the database, not loaded row by row.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use sea_orm::sea_query::{Asterisk, Expr, ExprTrait, JoinType, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
    Select, Statement, TryGetableMany,
};
use serde::de::DeserializeOwned;

use super::{BySupplier, FindingCounts, VisitTally};
use crate::domain::deal::{DealEvent, DealHistory};
use crate::domain::status::{DealStatus, FactKind, ScarceOverride, Severity};
use crate::domain::timeline;
use crate::error::Result;
use crate::store::IN_CHUNK;
use crate::store::entities::{
    buyer, dated_fact, deal, deal_event, note, supplier, supplier_capability, visit,
};
use crate::store::versions::{self, Versioned};

/// Which record a report reads: the one that stands now, or the one that stood after an
/// operation (`--known-at`), from the row versions (`store::versions`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Known(Option<i32>);

impl Known {
    /// The record as it stands.
    pub const NOW: Known = Known(None);

    /// The record as it stood after operation `seq`.
    pub fn after(seq: i32) -> Known {
        Known(Some(seq))
    }

    /// `E::find()`, reading the record this stands for.
    fn find<E: Versioned>(self) -> Select<E> {
        let mut select = E::find();
        if let Some(seq) = self.0 {
            QuerySelect::query(&mut select)
                .from_clear()
                .from_subquery(versions::as_known::<E>(seq), E::default());
        }
        select
    }

    /// `FROM E`, reading the record this stands for.
    fn from<E: Versioned>(self, query: &mut SelectStatement) {
        match self.0 {
            Some(seq) => query.from_subquery(versions::as_known::<E>(seq), E::default()),
            None => query.from(E::default()),
        };
    }

    /// `JOIN E ON on`, reading the record this stands for.
    fn inner_join<E: Versioned>(self, query: &mut SelectStatement, on: Expr) {
        match self.0 {
            Some(seq) => query.join_subquery(
                JoinType::InnerJoin,
                versions::as_known::<E>(seq),
                E::default(),
                on,
            ),
            None => query.inner_join(E::default(), on),
        };
    }
}

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
        let mut later = Query::select();
        later
            .distinct()
            .column(dated_fact::Column::SupplierId)
            .and_where(Expr::col(dated_fact::Column::ValidFrom).gt(day));
        known.from::<dated_fact::Entity>(&mut later);
        let ids: Vec<i32> = conn
            .query_all(&later)
            .await?
            .iter()
            .map(|row| row.try_get_by_index::<i32>(0))
            .collect::<std::result::Result<_, _>>()?;
        let mut moved = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(IN_CHUNK) {
            let mut offered: HashMap<i32, BTreeSet<String>> = HashMap::new();
            for c in known
                .find::<supplier_capability::Entity>()
                .filter(supplier_capability::Column::SupplierId.is_in(chunk.iter().copied()))
                .all(conn)
                .await?
            {
                offered.entry(c.supplier_id).or_default().insert(c.capability);
            }
            // Each supplier as it stands now, and (so far) whether it was archived then.
            let mut said: HashMap<i32, (NaiveDate, Said, Said, bool)> = HashMap::new();
            for record in known
                .find::<supplier::Entity>()
                .filter(supplier::Column::Id.is_in(chunk.iter().copied()))
                .all(conn)
                .await?
            {
                let now = Said {
                    active: !record.archived && record.listed_on <= day,
                    scarce: record.scarce_override,
                    capabilities: offered.remove(&record.id).unwrap_or_default(),
                };
                said.insert(record.id, (record.listed_on, now.clone(), now, record.archived));
            }
            let facts = known
                .find::<dated_fact::Entity>()
                .filter(dated_fact::Column::SupplierId.is_in(chunk.iter().copied()))
                .all(conn)
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
                then.active = !archived && listed_on <= day;
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
async fn read_rows<E, T>(conn: &impl ConnectionTrait, query: Select<E>, columns: &[&str]) -> Result<Vec<T>>
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

/// How many active suppliers offer each capability at the end of the day: counted by the
/// database from the record as it stands, then corrected for the suppliers whose dated facts
/// changed since.
pub async fn capability_counts(
    conn: &impl ConnectionTrait,
    known: Known,
    then: &Then,
) -> Result<BTreeMap<String, usize>> {
    use supplier_capability::Column as C;
    let mut query = Query::select();
    query
        .column((supplier_capability::Entity, C::Capability))
        .expr(Expr::col((supplier_capability::Entity, C::SupplierId)).count());
    known.from::<supplier_capability::Entity>(&mut query);
    known.inner_join::<supplier::Entity>(
        &mut query,
        Expr::col((supplier::Entity, supplier::Column::Id))
            .equals((supplier_capability::Entity, C::SupplierId)),
    );
    query
        .and_where(Expr::col((supplier::Entity, supplier::Column::Archived)).eq(false))
        .and_where(Expr::col((supplier::Entity, supplier::Column::ListedOn)).lte(then.day))
        .group_by_col((supplier_capability::Entity, C::Capability));
    let mut counts = BTreeMap::new();
    for row in conn.query_all(&query).await? {
        let capability: String = row.try_get_by_index(0)?;
        let n: i64 = row.try_get_by_index(1)?;
        counts.insert(capability, n as usize);
    }
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
    Ok(counts)
}

/// Ids of active suppliers that offer any of `capabilities` or are marked scarce by override:
/// the only ones a gaps report can list.
pub async fn scarce_candidates(
    conn: &impl ConnectionTrait,
    known: Known,
    then: &Then,
    capabilities: &[String],
) -> Result<Vec<i32>> {
    let mut ids: std::collections::BTreeSet<i32> = std::collections::BTreeSet::new();
    for chunk in capabilities.chunks(IN_CHUNK) {
        ids.extend(
            known
                .find::<supplier_capability::Entity>()
                .select_only()
                .column(supplier_capability::Column::SupplierId)
                .filter(supplier_capability::Column::Capability.is_in(chunk.iter().map(String::as_str)))
                .into_tuple::<i32>()
                .all(conn)
                .await?,
        );
    }
    ids.extend(
        known
            .find::<supplier::Entity>()
            .select_only()
            .column(supplier::Column::Id)
            .filter(supplier::Column::ScarceOverride.eq(ScarceOverride::Yes))
            .into_tuple::<i32>()
            .all(conn)
            .await?,
    );
    // Those whose facts changed since are read as they stood (`active_suppliers`).
    ids.extend(
        then.moved
            .iter()
            .filter(|(_, (_, said))| said.active)
            .map(|(id, _)| *id),
    );
    Ok(ids.into_iter().collect())
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
    let listed = || {
        known
            .find::<supplier::Entity>()
            .select_only()
            .columns([
                supplier::Column::Id,
                supplier::Column::NameNorm,
                supplier::Column::Name,
                supplier::Column::NativeName,
                supplier::Column::ScarceOverride,
            ])
            .filter(supplier::Column::ListedOn.lte(then.day))
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
        let query = listed().filter(supplier::Column::Id.is_in(ids.iter().copied()));
        rows.extend(read_rows::<_, Listed>(conn, query, &COLUMNS).await?);
    }
    let mut capabilities: Vec<(i32, String)> = Vec::new();
    for chunk in chunks(subset) {
        let mut query = listed().filter(supplier::Column::Archived.eq(false));
        let mut caps = known
            .find::<supplier_capability::Entity>()
            .select_only()
            .columns([
                supplier_capability::Column::SupplierId,
                supplier_capability::Column::Capability,
            ])
            .order_by_asc(supplier_capability::Column::SupplierId)
            .order_by_asc(supplier_capability::Column::Capability);
        if let Some(ids) = chunk {
            query = query.filter(supplier::Column::Id.is_in(ids.iter().copied()));
            caps = caps.filter(supplier_capability::Column::SupplierId.is_in(ids.iter().copied()));
        }
        rows.extend(read_rows::<_, Listed>(conn, query, &COLUMNS).await?);
        capabilities.extend(read_rows::<_, (i32, String)>(conn, caps, &["supplier_id", "capability"]).await?);
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
    Ok(known
        .find::<buyer::Entity>()
        .order_by_asc(buyer::Column::External)
        .order_by_asc(buyer::Column::Name)
        .all(conn)
        .await?
        .into_iter()
        .map(|b| Buyer {
            id: b.id,
            name: b.name,
            external: b.external,
        })
        .collect())
}

/// Each deal's status at the end of `day`, for all suppliers or a subset: (buyer id, supplier id)
/// → status. A deal's stored status is that of its latest event and `status_date` that event's
/// date (`store::deals` keeps both), so when no deal changed after `day` the stored statuses are
/// the answer; otherwise the dated events are replayed.
pub async fn deal_statuses(
    conn: &impl ConnectionTrait,
    known: Known,
    day: NaiveDate,
    subset: Option<&[i32]>,
) -> Result<HashMap<(i32, i32), DealStatus>> {
    let mut deals: Vec<(i32, i32, i32, DealStatus, NaiveDate)> = Vec::new();
    for chunk in chunks(subset) {
        let mut query = known.find::<deal::Entity>().select_only().columns([
            deal::Column::Id,
            deal::Column::BuyerId,
            deal::Column::SupplierId,
            deal::Column::Status,
            deal::Column::StatusDate,
        ]);
        if let Some(ids) = chunk {
            query = query.filter(deal::Column::SupplierId.is_in(ids.iter().copied()));
        }
        deals.extend(
            read_rows::<_, (i32, i32, i32, DealStatus, NaiveDate)>(
                conn,
                query,
                &["id", "buyer_id", "supplier_id", "status", "status_date"],
            )
            .await?,
        );
    }
    let mut statuses = HashMap::with_capacity(deals.len());
    if deals.iter().all(|d| d.4 <= day) {
        for (_, buyer, supplier, status, _) in deals {
            statuses.insert((buyer, supplier), status);
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
        if let Some(status) = history.status_on(day) {
            statuses.insert((buyer, supplier), status);
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
    for chunk in chunks(deal_subset) {
        let mut query = known
            .find::<deal_event::Entity>()
            .select_only()
            .columns([
                deal_event::Column::DealId,
                deal_event::Column::EventDate,
                deal_event::Column::Id,
                deal_event::Column::Status,
            ])
            .filter(deal_event::Column::EventDate.lte(day));
        if let Some(ids) = chunk {
            query = query.filter(deal_event::Column::DealId.is_in(ids.iter().copied()));
        }
        events.extend(
            read_rows::<_, (i32, NaiveDate, i32, DealStatus)>(
                conn,
                query,
                &["deal_id", "event_date", "id", "status"],
            )
            .await?,
        );
    }
    Ok(events)
}

/// Visits on or before `day` per supplier, for one buyer or all.
pub async fn visit_tallies(
    conn: &impl ConnectionTrait,
    known: Known,
    day: NaiveDate,
    buyer: Option<i32>,
    subset: Option<&[i32]>,
) -> Result<BySupplier<VisitTally>> {
    let mut rows: Vec<(i32, i64, Option<NaiveDate>)> = Vec::new();
    for chunk in chunks(subset) {
        let mut query = known
            .find::<visit::Entity>()
            .select_only()
            .column(visit::Column::SupplierId)
            .expr_as(Expr::col(Asterisk).count(), "visits")
            .expr_as(Expr::col(visit::Column::VisitDate).max(), "last_visit")
            .filter(visit::Column::VisitDate.lte(day))
            .group_by(visit::Column::SupplierId);
        if let Some(buyer) = buyer {
            query = query.filter(visit::Column::BuyerId.eq(buyer));
        }
        if let Some(ids) = chunk {
            query = query.filter(visit::Column::SupplierId.is_in(ids.iter().copied()));
        }
        rows.extend(
            read_rows::<_, (i32, i64, Option<NaiveDate>)>(
                conn,
                query,
                &["supplier_id", "visits", "last_visit"],
            )
            .await?,
        );
    }
    Ok(rows
        .into_iter()
        .map(|(supplier, visits, last)| {
            (
                supplier,
                VisitTally {
                    visits: visits as u64,
                    last,
                },
            )
        })
        .collect())
}

/// Findings open at the end of `day`: noted by then, and not resolved by then (a finding
/// resolved on `day` is closed that evening). The one home of the rule.
fn open_at_end_of(day: NaiveDate) -> sea_orm::Condition {
    sea_orm::Condition::all().add(note::Column::NotedOn.lte(day)).add(
        note::Column::ResolvedOn
            .is_null()
            .or(note::Column::ResolvedOn.gt(day)),
    )
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
    let mut rows: Vec<(i32, i64, i64, i64, i64)> = Vec::new();
    for chunk in chunks(subset) {
        let mut query = known
            .find::<note::Entity>()
            .select_only()
            .column(note::Column::SupplierId);
        // Columns in the order of `Severity::ALL`: info, minor, major, critical.
        for severity in Severity::ALL {
            query = query.expr_as(
                Expr::case(note::Column::Severity.eq(*severity), Expr::val(1))
                    .finally(Expr::null())
                    .count(),
                severity.as_str(),
            );
        }
        let mut query = query
            .filter(open_at_end_of(day))
            .group_by(note::Column::SupplierId);
        if let Some(ids) = chunk {
            query = query.filter(note::Column::SupplierId.is_in(ids.iter().copied()));
        }
        rows.extend(
            read_rows::<_, (i32, i64, i64, i64, i64)>(
                conn,
                query,
                &["supplier_id", "info", "minor", "major", "critical"],
            )
            .await?,
        );
    }
    Ok(rows
        .into_iter()
        .map(|(supplier, info, minor, major, critical)| {
            let counts = FindingCounts {
                info: info as u64,
                minor: minor as u64,
                major: major as u64,
                critical: critical as u64,
            };
            (supplier, counts)
        })
        .collect())
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
    let mut query = known
        .find::<visit::Entity>()
        .filter(visit::Column::VisitDate.lte(day))
        .order_by_desc(visit::Column::VisitDate)
        .order_by_desc(visit::Column::Id)
        .limit(limit);
    if let Some(buyer) = buyer {
        query = query.filter(visit::Column::BuyerId.eq(buyer));
    }
    let visits = query.all(conn).await?;
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
        found.extend(
            known
                .find::<note::Entity>()
                .filter(note::Column::Severity.eq(severity))
                .filter(open_at_end_of(day))
                .order_by_asc(note::Column::NotedOn)
                .order_by_asc(note::Column::Id)
                .limit(remaining)
                .all(conn)
                .await?,
        );
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
