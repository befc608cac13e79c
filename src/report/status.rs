//! `report status`: every active supplier with its capabilities, scarcity, deals by buyer, visits
//! and open findings, plus capability coverage and each buyer's deal pipeline.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::NaiveDate;
use rayon::prelude::*;
use sea_orm::ConnectionTrait;
use serde::Serialize;

use super::known::Known;
use super::{FindingCounts, VisitTally, facts};
use crate::domain::scarcity::Scarcity;
use crate::domain::status::BuyerKind;
use crate::domain::status::DealStatus;
use crate::error::Result;

#[derive(Debug, Serialize)]
pub struct StatusReport {
    pub as_of: NaiveDate,
    /// The moment the record is read as it stood then (`--known-at`), when one was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub known_at: Option<chrono::DateTime<chrono::Utc>>,
    pub threshold: usize,
    pub buyers: Vec<BuyerPipeline>,
    pub capabilities: Vec<CapabilityCoverage>,
    pub suppliers: Vec<SupplierStatus>,
}

/// A buyer and how many of its deals stood in each status on the day.
#[derive(Debug, Serialize)]
pub struct BuyerPipeline {
    pub name: String,
    pub kind: BuyerKind,
    pub deals: BTreeMap<String, u64>,
}

#[derive(Debug, Serialize)]
pub struct CapabilityCoverage {
    pub name: String,
    pub suppliers: usize,
    pub scarce: bool,
}

crate::row!(CapabilityCoverage {
    name,
    suppliers,
    scarce
});

#[derive(Debug, Serialize)]
pub struct SupplierStatus {
    pub id: i32,
    pub name: String,
    pub native_name: Option<String>,
    pub capabilities: Vec<String>,
    pub scarce: bool,
    pub scarce_reasons: Vec<String>,
    /// Buyer name → deal status on the day (names shared with the other suppliers' deals).
    pub deals: BTreeMap<Arc<str>, &'static str>,
    pub last_visit: Option<NaiveDate>,
    pub visits: u64,
    pub open_findings: FindingCounts,
}

/// The report for every buyer, or `only` one (a buyer id).
pub async fn build(
    conn: &impl ConnectionTrait,
    only: Option<i32>,
    threshold: usize,
    as_of: NaiveDate,
    known: Known,
) -> Result<StatusReport> {
    // Independent reads in two lanes, a connection each (SQLite's pool has two): the two long
    // aggregates apart, and the short reads first, so that their rows are worked on while the
    // aggregates run (`biased`: the query is sent before the work starts).
    let ((suppliers, scarcity, visits), (buyers, deals_of, findings)) = tokio::try_join!(
        async {
            let then = facts::Then::load(conn, known, as_of).await?;
            let suppliers = facts::active_suppliers(conn, known, &then, None).await?;
            let (visits, scarcity) = tokio::join!(
                biased;
                facts::visit_tallies(conn, known, as_of, only.as_ref().map(std::slice::from_ref), None),
                async { Scarcity::new(threshold, suppliers.iter().map(|s| s.capabilities.as_slice())) },
            );
            Ok::<_, crate::error::Error>((suppliers, scarcity, visits?))
        },
        async {
            let deals = facts::deal_statuses(conn, known, as_of, None).await?;
            let buyers: Vec<facts::Buyer> = facts::buyers(conn, known).await?;
            let (findings, deals_of) = tokio::join!(
                biased;
                facts::open_findings(conn, known, as_of, None),
                async { deals_by_supplier(&buyers, &deals, only) },
            );
            Ok((buyers, deals_of, findings?))
        },
    )?;

    // One buyer's report shows that buyer's pipeline.
    let pipelines: Vec<BuyerPipeline> = pipelines(&buyers, &suppliers, &deals_of)
        .into_iter()
        .zip(&buyers)
        .filter(|(_, b)| only.is_none_or(|id| id == b.id))
        .map(|(pipeline, _)| pipeline)
        .collect();
    let capabilities = scarcity
        .capabilities()
        .map(|(name, suppliers, scarce)| CapabilityCoverage {
            name: name.to_string(),
            suppliers,
            scarce,
        })
        .collect();
    let names: Vec<Arc<str>> = buyers.iter().map(|b| Arc::from(b.name.as_str())).collect();
    let suppliers = supplier_rows(suppliers, &scarcity, &visits, &findings, &deals_of, &names);
    Ok(StatusReport {
        known_at: None,
        as_of,
        threshold,
        buyers: pipelines,
        capabilities,
        suppliers,
    })
}

/// Each buyer's pipeline: its deals with active suppliers, by status.
fn pipelines(
    buyers: &[facts::Buyer],
    suppliers: &[facts::ActiveSupplier],
    deals_of: &HashMap<i32, Vec<(usize, DealStatus)>>,
) -> Vec<BuyerPipeline> {
    let mut counts: Vec<BTreeMap<String, u64>> = buyers
        .iter()
        .map(|_| {
            DealStatus::ALL
                .iter()
                .map(|s| (s.as_str().to_string(), 0))
                .collect()
        })
        .collect();
    for (slot, status) in suppliers.iter().filter_map(|s| deals_of.get(&s.id)).flatten() {
        // Every status is there already: no key to allocate.
        if let Some(n) = counts[*slot].get_mut(status.as_str()) {
            *n += 1;
        }
    }
    buyers
        .iter()
        .zip(counts)
        .map(|(b, deals)| BuyerPipeline {
            name: b.name.clone(),
            kind: BuyerKind::of(b.external),
            deals,
        })
        .collect()
}

/// Each supplier's row from the tallies, on every core (rayon keeps the order).
fn supplier_rows(
    suppliers: Vec<facts::ActiveSupplier>,
    scarcity: &Scarcity,
    visits: &super::BySupplier<VisitTally>,
    findings: &super::BySupplier<FindingCounts>,
    deals_of: &HashMap<i32, Vec<(usize, DealStatus)>>,
    names: &[Arc<str>],
) -> Vec<SupplierStatus> {
    suppliers
        .into_par_iter()
        .map(|s| {
            let assessment = scarcity.assess(&s.capabilities, s.scarce_override);
            let tally: VisitTally = visits.get(&s.id).copied().unwrap_or_default();
            SupplierStatus {
                deals: deals_of
                    .get(&s.id)
                    .into_iter()
                    .flatten()
                    .map(|&(slot, status)| (names[slot].clone(), status.as_str()))
                    .collect(),
                id: s.id,
                name: s.name,
                native_name: s.native_name,
                capabilities: s.capabilities,
                scarce: assessment.scarce,
                scarce_reasons: assessment.reasons,
                last_visit: tally.last,
                visits: tally.visits,
                open_findings: findings.get(&s.id).cloned().unwrap_or_default(),
            }
        })
        .collect()
}

/// Each supplier's deals as (the buyer's place in `buyers`, status). A report for one buyer
/// (`only`) shows its deals and, of the others, the signed ones: a supplier another buyer has
/// locked up is what that buyer needs to see.
fn deals_by_supplier(
    buyers: &[facts::Buyer],
    deals: &HashMap<(i32, i32), (DealStatus, NaiveDate)>,
    only: Option<i32>,
) -> HashMap<i32, Vec<(usize, DealStatus)>> {
    let slot: HashMap<i32, usize> = buyers.iter().enumerate().map(|(i, b)| (b.id, i)).collect();
    let mut deals_of: HashMap<i32, Vec<(usize, DealStatus)>> = HashMap::new();
    for (&(buyer, supplier), &(status, _)) in deals {
        let shown = only.is_none_or(|id| id == buyer || status.is_signed());
        if let (Some(&slot), true) = (slot.get(&buyer), shown) {
            deals_of.entry(supplier).or_default().push((slot, status));
        }
    }
    deals_of
}
