//! `report gaps`: the scarce, active suppliers a buyer has no signed deal with, most urgent first —
//! pressed hardest by others (signed, negotiating, evaluating or visiting), then fewest
//! alternatives, then longest since this buyer's last visit.

use std::cmp::Ordering;
use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::ConnectionTrait;
use serde::Serialize;

use super::known::Known;
use super::{FindingCounts, facts};
use crate::domain::scarcity::Scarcity;
use crate::domain::status::{BuyerKind, DealStatus};
use crate::error::Result;
use crate::store::lookup;

#[derive(Debug, Serialize)]
pub struct GapsReport {
    pub buyer: String,
    pub as_of: NaiveDate,
    pub threshold: usize,
    pub suppliers: Vec<Gap>,
    /// How many active suppliers were scarce, signed or not (a report with none says so).
    #[serde(skip)]
    pub scarce: usize,
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
    /// This buyer's latest visit and its visits.
    pub last_visit: Option<NaiveDate>,
    pub visits: u64,
    pub open_findings: FindingCounts,
    /// Visits by any of our teams (internal buyers, this one included).
    pub team_visits: u64,
    pub last_team_visit: Option<NaiveDate>,
    /// Other buyers' interest on the day, the early warnings: their evaluating, negotiating or
    /// signed deals, and their visits in the last `RECENT_DAYS` days.
    pub competitors: Vec<Competitor>,
}

/// One other buyer's interest in a supplier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Competitor {
    pub buyer: String,
    pub kind: BuyerKind,
    /// The deal's status, or `visited`.
    pub status: &'static str,
    /// When that status took effect, or the day of the latest visit.
    pub since: NaiveDate,
}

/// How far back another buyer's visit counts as interest.
pub const RECENT_DAYS: u64 = 90;

/// How hard others press on a supplier: signed by another (3), negotiating (2), evaluating or
/// visited lately (1), nobody (0).
fn pressure(gap: &Gap) -> u8 {
    gap.competitors
        .iter()
        .map(|c| match c.status {
            "signed" => 3,
            "negotiating" => 2,
            _ => 1,
        })
        .max()
        .unwrap_or(0)
        .max(if gap.signed_with.is_empty() { 0 } else { 3 })
}

/// Most urgent first: the most pressed by others (signed elsewhere, then negotiating, then
/// evaluating or visited lately), then fewest alternatives, then longest since this buyer's last
/// visit (never visited counts as the longest).
pub fn urgency(a: &Gap, b: &Gap) -> Ordering {
    pressure(b)
        .cmp(&pressure(a))
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
    let team: Vec<i32> = buyers.iter().filter(|b| !b.external).map(|b| b.id).collect();
    let deals = facts::deal_statuses(conn, known, as_of, subset).await?;
    let visits = facts::visit_tallies(conn, known, as_of, Some(&[buyer.id]), subset).await?;
    let team_visits = facts::visit_tallies(conn, known, as_of, Some(&team), subset).await?;
    let recent_from = as_of - chrono::Days::new(RECENT_DAYS - 1);
    let recent = facts::latest_visits(conn, known, recent_from, as_of, &candidates).await?;
    let mut findings = facts::open_findings(conn, known, as_of, subset).await?;
    let mut scarce_count = 0;
    let mut gaps: Vec<Gap> = Vec::new();
    for s in suppliers {
        let assessment = scarcity.assess(&s.capabilities, s.scarce_override);
        if !assessment.scarce {
            continue;
        }
        scarce_count += 1;
        let ours = deals.get(&(buyer.id, s.id)).map(|(status, _)| *status);
        if ours == Some(DealStatus::Signed) {
            continue;
        }
        let signed_with = buyers
            .iter()
            .filter(|b| b.id != buyer.id && deals.get(&(b.id, s.id)).is_some_and(|d| d.0.is_signed()))
            .map(|b| b.name.clone())
            .collect();
        let tally = visits.get(&s.id).copied().unwrap_or_default();
        let team_tally = team_visits.get(&s.id).copied().unwrap_or_default();
        gaps.push(Gap {
            competitors: competitors(&buyers, buyer.id, s.id, &deals, &recent),
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
            team_visits: team_tally.visits,
            last_team_visit: team_tally.last,
        });
    }
    gaps.sort_by(urgency);
    Ok(GapsReport {
        buyer: buyer.name,
        as_of,
        threshold,
        suppliers: gaps,
        scarce: scarce_count,
    })
}

/// Other buyers' interest in supplier `supplier`: deals evaluating, negotiating or signed, then
/// visits lately, each buyer in the order of `buyers` (ours first, by name).
fn competitors(
    buyers: &[facts::Buyer],
    us: i32,
    supplier: i32,
    deals: &HashMap<(i32, i32), (DealStatus, NaiveDate)>,
    recent: &HashMap<(i32, i32), NaiveDate>,
) -> Vec<Competitor> {
    let others = || buyers.iter().filter(|b| b.id != us);
    let interested = |status: DealStatus| {
        matches!(
            status,
            DealStatus::Evaluating | DealStatus::Negotiating | DealStatus::Signed
        )
    };
    let mut found: Vec<Competitor> = others()
        .filter_map(|b| {
            let (status, since) = deals.get(&(b.id, supplier)).copied()?;
            interested(status).then(|| Competitor {
                buyer: b.name.clone(),
                kind: BuyerKind::of(b.external),
                status: status.as_str(),
                since,
            })
        })
        .collect();
    found.extend(others().filter_map(|b| {
        recent.get(&(supplier, b.id)).map(|day| Competitor {
            buyer: b.name.clone(),
            kind: BuyerKind::of(b.external),
            status: "visited",
            since: *day,
        })
    }));
    found
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
            team_visits: 0,
            last_team_visit: None,
            competitors: Vec::new(),
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
    fn others_negotiating_or_visiting_come_before_the_untouched() {
        let pressed = |name: &str, status: &'static str| Gap {
            competitors: vec![Competitor {
                buyer: "Helios".into(),
                kind: BuyerKind::External,
                status,
                since: "2026-10-01".parse().unwrap(),
            }],
            ..gap(name, &[], Some(2), None)
        };
        let mut gaps = [
            gap("untouched, one alternative", &[], Some(1), None),
            pressed("visited by another", "visited"),
            pressed("negotiated by another", "negotiating"),
            gap("signed elsewhere", &["Helios"], Some(2), None),
            pressed("evaluated by another", "evaluating"),
        ];
        gaps.sort_by(urgency);
        let order: Vec<&str> = gaps.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(
            order,
            [
                "signed elsewhere",
                "negotiated by another",
                "evaluated by another",
                "visited by another",
                "untouched, one alternative"
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
