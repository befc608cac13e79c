//! `report gaps`: the scarce, active suppliers a buyer has no signed deal with, most urgent first —
//! signed with someone else, then fewest alternatives, then longest since this buyer's last visit.

use std::cmp::Ordering;

use chrono::NaiveDate;
use sea_orm::ConnectionTrait;
use serde::Serialize;

use super::known::Known;
use super::{FindingCounts, facts};
use crate::domain::scarcity::Scarcity;
use crate::domain::status::DealStatus;
use crate::error::Result;
use crate::store::lookup;

#[derive(Debug, Serialize)]
pub struct GapsReport {
    pub buyer: String,
    pub as_of: NaiveDate,
    pub threshold: usize,
    pub suppliers: Vec<Gap>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Gap {
    pub id: i32,
    pub name: String,
    pub native_name: Option<String>,
    pub scarce_reasons: Vec<String>,
    pub alternatives: Option<usize>,
    /// This buyer's deal status on the day, or null.
    pub deal_status: Option<String>,
    /// Other buyers, ours or competitors, holding a signed deal on the day.
    pub signed_with: Vec<String>,
    pub last_visit: Option<NaiveDate>,
    pub visits: u64,
    pub open_findings: FindingCounts,
}

/// Most urgent first. Never visited counts as the longest since a visit.
pub fn urgency(a: &Gap, b: &Gap) -> Ordering {
    a.signed_with
        .is_empty()
        .cmp(&b.signed_with.is_empty())
        .then(
            a.alternatives
                .unwrap_or(usize::MAX)
                .cmp(&b.alternatives.unwrap_or(usize::MAX)),
        )
        .then(a.last_visit.cmp(&b.last_visit))
        .then(a.name.cmp(&b.name))
}

pub async fn build(
    conn: &impl ConnectionTrait,
    buyer_ref: &str,
    threshold: usize,
    as_of: NaiveDate,
    known: Known,
) -> Result<GapsReport> {
    let buyer = lookup::buyer(conn, buyer_ref).await?;
    // Scarcity first, from counts the database makes; then only the few suppliers it can list.
    let then = facts::Then::load(conn, known, as_of).await?;
    let scarcity = Scarcity::from_counts(threshold, facts::capability_counts(conn, known, &then).await?);
    let scarce: Vec<String> = scarcity
        .capabilities()
        .filter(|(_, _, scarce)| *scarce)
        .map(|(name, _, _)| name.to_string())
        .collect();
    let candidates = facts::scarce_candidates(conn, known, &then, &scarce).await?;
    let subset = Some(candidates.as_slice());
    let suppliers = facts::active_suppliers(conn, known, &then, subset).await?;
    let buyers = facts::buyers(conn, known).await?;
    let deals = facts::deal_statuses(conn, known, as_of, subset).await?;
    let visits = facts::visit_tallies(conn, known, as_of, Some(buyer.id), subset).await?;
    let mut findings = facts::open_findings(conn, known, as_of, subset).await?;
    let mut gaps: Vec<Gap> = Vec::new();
    for s in suppliers {
        let assessment = scarcity.assess(&s.capabilities, s.scarce_override);
        let ours = deals.get(&(buyer.id, s.id)).copied();
        if !assessment.scarce || ours == Some(DealStatus::Signed) {
            continue;
        }
        let signed_with = buyers
            .iter()
            .filter(|b| b.id != buyer.id && deals.get(&(b.id, s.id)) == Some(&DealStatus::Signed))
            .map(|b| b.name.clone())
            .collect();
        let tally = visits.get(&s.id).copied().unwrap_or_default();
        gaps.push(Gap {
            id: s.id,
            name: s.name,
            native_name: s.native_name,
            scarce_reasons: assessment.reasons,
            alternatives: assessment.alternatives,
            deal_status: ours.map(|d| d.as_str().to_string()),
            signed_with,
            last_visit: tally.last,
            visits: tally.visits,
            open_findings: findings.remove(&s.id).unwrap_or_default(),
        });
    }
    gaps.sort_by(urgency);
    Ok(GapsReport {
        buyer: buyer.name,
        as_of,
        threshold,
        suppliers: gaps,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gap(name: &str, signed_with: &[&str], alternatives: Option<usize>, last_visit: Option<&str>) -> Gap {
        Gap {
            id: 0,
            name: name.into(),
            native_name: None,
            scarce_reasons: vec![],
            alternatives,
            deal_status: None,
            signed_with: signed_with.iter().map(|s| s.to_string()).collect(),
            last_visit: last_visit.map(|d| d.parse().unwrap()),
            visits: 0,
            open_findings: FindingCounts::default(),
        }
    }

    #[test]
    fn locked_up_first_then_fewest_alternatives_then_longest_unvisited() {
        let mut gaps = [
            gap("visited recently", &[], Some(1), Some("2026-10-01")),
            gap("many alternatives", &[], Some(2), None),
            gap("signed elsewhere", &["Helios"], Some(2), Some("2026-11-01")),
            gap("never visited", &[], Some(1), None),
            gap("visited long ago", &[], Some(1), Some("2026-01-01")),
            gap("override only", &[], None, None),
        ];
        gaps.sort_by(urgency);
        let order: Vec<&str> = gaps.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(
            order,
            [
                "signed elsewhere",
                "never visited",
                "visited long ago",
                "visited recently",
                "many alternatives",
                "override only"
            ]
        );
    }

    #[test]
    fn ties_fall_back_to_the_name() {
        let mut gaps = [gap("b", &[], Some(1), None), gap("a", &[], Some(1), None)];
        gaps.sort_by(urgency);
        assert_eq!(gaps[0].name, "a");
    }
}
