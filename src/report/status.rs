//! `report status`: every active supplier with its capabilities, scarcity, deals by buyer, visits
//! and open findings, plus capability coverage and each buyer's deal pipeline.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use chrono::NaiveDate;
use rayon::prelude::*;
use sea_orm::ConnectionTrait;
use serde::Serialize;

use super::{FindingCounts, VisitTally, facts};
use crate::domain::scarcity::Scarcity;
use crate::domain::status::DealStatus;
use crate::error::Result;
use crate::store::lookup;

#[derive(Debug, Serialize)]
pub struct StatusReport {
    pub as_of: NaiveDate,
    pub threshold: usize,
    pub buyers: Vec<BuyerPipeline>,
    pub capabilities: Vec<CapabilityCoverage>,
    pub suppliers: Vec<SupplierStatus>,
}

/// A buyer and how many of its deals stood in each status on the day.
#[derive(Debug, Serialize)]
pub struct BuyerPipeline {
    pub name: String,
    pub kind: &'static str,
    pub deals: BTreeMap<String, u64>,
}

#[derive(Debug, Serialize)]
pub struct CapabilityCoverage {
    pub name: String,
    pub suppliers: usize,
    pub scarce: bool,
}

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

pub async fn build(
    conn: &impl ConnectionTrait,
    buyer_ref: Option<&str>,
    threshold: usize,
    as_of: NaiveDate,
) -> Result<StatusReport> {
    let only = match buyer_ref {
        Some(reference) => Some(lookup::buyer(conn, reference).await?.id),
        None => None,
    };
    // Independent reads in two lanes, a connection each (SQLite's pool has two): the two long
    // aggregates apart, and the short reads first, so that their rows are handled while the
    // aggregates run.
    let ((suppliers, visits), (deals, buyers, findings)) = tokio::try_join!(
        async {
            let suppliers = facts::active_suppliers(conn, None).await?;
            let visits = facts::visit_tallies(conn, as_of, only, None).await?;
            Ok::<_, crate::error::Error>((suppliers, visits))
        },
        async {
            let deals = facts::deal_statuses(conn, as_of, None).await?;
            let buyers = facts::buyers(conn).await?;
            let findings = facts::open_findings(conn, as_of, None).await?;
            Ok((deals, buyers, findings))
        },
    )?;
    let scarcity = Scarcity::new(threshold, suppliers.iter().map(|s| s.capabilities.as_slice()));
    let buyers: Vec<facts::Buyer> = buyers
        .into_iter()
        .filter(|b| only.is_none_or(|id| id == b.id))
        .collect();
    let active: HashSet<i32> = suppliers.iter().map(|s| s.id).collect();

    // One pass over the deals: each buyer's pipeline, and each supplier's deals by buyer.
    let buyer_slot: HashMap<i32, usize> = buyers.iter().enumerate().map(|(i, b)| (b.id, i)).collect();
    let mut counts: Vec<BTreeMap<String, u64>> = buyers
        .iter()
        .map(|_| {
            DealStatus::ALL
                .iter()
                .map(|s| (s.as_str().to_string(), 0))
                .collect()
        })
        .collect();
    let mut deals_of: HashMap<i32, Vec<(usize, DealStatus)>> = HashMap::new();
    for (&(buyer, supplier), &status) in &deals {
        let Some(&slot) = buyer_slot.get(&buyer) else {
            continue;
        };
        if active.contains(&supplier) {
            // Every status is there already: no key to allocate.
            if let Some(n) = counts[slot].get_mut(status.as_str()) {
                *n += 1;
            }
        }
        deals_of.entry(supplier).or_default().push((slot, status));
    }
    let names: Vec<Arc<str>> = buyers.iter().map(|b| Arc::from(b.name.as_str())).collect();
    let pipelines = buyers
        .iter()
        .zip(counts)
        .map(|(b, deals)| BuyerPipeline {
            name: b.name.clone(),
            kind: if b.external { "external" } else { "internal" },
            deals,
        })
        .collect();
    let capabilities = scarcity
        .capabilities()
        .map(|(name, suppliers, scarce)| CapabilityCoverage {
            name: name.to_string(),
            suppliers,
            scarce,
        })
        .collect();
    // Each supplier's row from the tallies, on every core (rayon keeps the order).
    let suppliers = suppliers
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
        .collect();
    Ok(StatusReport {
        as_of,
        threshold,
        buyers: pipelines,
        capabilities,
        suppliers,
    })
}
