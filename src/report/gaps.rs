//! `report gaps`: the scarce, active suppliers a buyer has no signed deal with, most urgent first —
//! pressed hardest by others (signed, negotiating, evaluating or visiting), then fewest
//! alternatives, then longest since this buyer's last visit.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use sea_orm::ConnectionTrait;
use serde::Serialize;

use super::known::Known;
use super::{FindingCounts, capacity, facts};
use crate::domain::capacity::Period;
use crate::domain::scarcity::{Basis, Scarcity};
use crate::domain::status::{BuyerKind, Confidence, DealStatus, HoldStatus};
use crate::error::Result;
use crate::store::lookup;

#[derive(Debug, Serialize)]
pub struct GapsReport {
    pub buyer: String,
    pub as_of: NaiveDate,
    /// The moment the record is read as it stood then (`--known-at`), when one was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub known_at: Option<chrono::DateTime<chrono::Utc>>,
    pub threshold: usize,
    /// What scarcity is judged by: `suppliers` or `capacity`.
    pub scarce_by: Basis,
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
    /// Competitors' interest on the day (external buyers), the early warnings: their
    /// evaluating, negotiating or signed deals, their holds on its units, and their visits in
    /// the last `RECENT_DAYS` days. What ranks a supplier as pressed.
    pub competitors: Vec<Competitor>,
    /// The same of our sister teams (other internal buyers): people who can introduce us, not
    /// rivals; they do not press.
    pub sister_teams: Vec<Competitor>,
    /// Its free units in the next four quarters, of the capabilities it is scarce for; none
    /// when it stated no capacity for them.
    pub free_units: Option<i64>,
    /// The first of the next eight quarters with a unit free.
    pub earliest_free_period: Option<Period>,
    /// This buyer's latest quote from it that still holds: `40w`, `9m`, `280d`.
    pub quoted_lead_time: Option<String>,
}

/// One other buyer's interest in a supplier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Competitor {
    pub buyer: String,
    pub kind: BuyerKind,
    /// The deal's status, the holding's (`reserved`, `contracted`, `rumoured`), or `visited`.
    pub status: &'static str,
    /// When that status took effect, or the day of the latest visit.
    pub since: NaiveDate,
    /// How sure we are of it.
    pub confidence: Confidence,
    /// For a hold: the units held, per quarter (`3 × 2027Q1`); empty otherwise.
    pub units: Vec<HeldUnits>,
}

/// Units a buyer holds of a supplier in one quarter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeldUnits {
    pub units: i64,
    pub period: Period,
}

/// How far back another buyer's visit counts as interest.
pub const RECENT_DAYS: u64 = 90;

/// How hard competitors press on a supplier: signed by one or its units contracted (3),
/// negotiating or units reserved (2), evaluating, a rumoured hold or a visit lately (1), nobody
/// (0). Our sister teams do not press.
fn pressure(gap: &Gap) -> u8 {
    gap.competitors
        .iter()
        .map(|c| match c.status {
            "signed" | "contracted" => 3,
            "negotiating" | "reserved" => 2,
            _ => 1,
        })
        .max()
        .unwrap_or(0)
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

/// What a gaps report is asked.
pub struct Question<'a> {
    pub buyer: &'a str,
    pub threshold: usize,
    pub as_of: NaiveDate,
    /// What scarcity is judged by (`--scarce-by`).
    pub scarce_by: Basis,
}

/// How many quarters ahead a gap looks for a free unit.
const LOOK_AHEAD: i32 = 8;

pub async fn build(conn: &impl ConnectionTrait, question: &Question<'_>, known: Known) -> Result<GapsReport> {
    let (as_of, threshold) = (question.as_of, question.threshold);
    // Independent reads are asked for together throughout: on a server they share round trips.
    // Scarcity first, from counts the database makes; then only the few suppliers it can list.
    let (buyer, then) = tokio::try_join!(
        lookup::buyer(conn, question.buyer),
        facts::Then::load(conn, known, as_of)
    )?;
    let (counts, offers) = facts::Offers::load(conn, known, &then).await?;
    let now = Period::of_day(as_of);
    let scarcity = if question.scarce_by == Basis::Capacity {
        let reading = capacity::Reading {
            capabilities: None,
            suppliers: None,
            from: now,
            to: now.plus(3),
            as_of,
        };
        let (standing, active) = tokio::try_join!(
            capacity::standing(conn, known, &reading),
            facts::active_ids(conn, known, &then)
        )?;
        let free = standing.free();
        let mut by_capability: std::collections::BTreeMap<String, i64> = Default::default();
        for ((supplier, capability, _), units) in free {
            if active.contains(&supplier) {
                *by_capability.entry(capability).or_default() += units.max(0);
            }
        }
        Scarcity::by_capacity(threshold, counts, by_capability)
    } else {
        Scarcity::from_counts(threshold, counts)
    };
    let scarce: Vec<String> = scarcity
        .capabilities()
        .filter(|(_, _, scarce)| *scarce)
        .map(|(name, _, _)| name.to_string())
        .collect();
    let candidates = offers.candidates(&scarce);
    let (suppliers, found) = tokio::try_join!(
        facts::active_suppliers(conn, known, &then, Some(&candidates)),
        Found::load(conn, known, &buyer, as_of, &candidates)
    )?;
    let mut scarce_count = 0;
    let mut gaps: Vec<Gap> = Vec::new();
    for s in suppliers {
        let assessment = scarcity.assess(&s.capabilities, s.scarce_override);
        if !assessment.scarce {
            continue;
        }
        scarce_count += 1;
        if let Some(gap) = found.gap(s, assessment, now) {
            gaps.push(gap);
        }
    }
    gaps.sort_by(urgency);
    Ok(GapsReport {
        buyer: buyer.name,
        as_of,
        known_at: None,
        threshold,
        scarce_by: question.scarce_by,
        suppliers: gaps,
        scarce: scarce_count,
    })
}

/// A holding that stands: buyer, status, day stated, confidence, units, quarter.
type Held = (i32, HoldStatus, NaiveDate, Confidence, i64, Period);

/// What the report found about its candidate suppliers, read together.
struct Found {
    buyer: i32,
    buyers: Vec<facts::Buyer>,
    deals: HashMap<(i32, i32), (DealStatus, NaiveDate)>,
    confidences: HashMap<(i32, i32), Confidence>,
    visits: super::BySupplier<super::VisitTally>,
    team_visits: super::BySupplier<super::VisitTally>,
    recent: HashMap<(i32, i32), NaiveDate>,
    findings: std::cell::RefCell<super::BySupplier<FindingCounts>>,
    /// Per supplier: the holdings that stand.
    held: HashMap<i32, Vec<Held>>,
    /// Per supplier: free units per capability and quarter.
    free: HashMap<i32, Vec<(String, Period, i64)>>,
    quotes: HashMap<i32, String>,
}

impl Found {
    async fn load(
        conn: &impl ConnectionTrait,
        known: Known,
        buyer: &crate::store::entities::buyer::Model,
        as_of: NaiveDate,
        candidates: &[i32],
    ) -> Result<Found> {
        let subset = Some(candidates);
        let recent_from = as_of - chrono::Days::new(RECENT_DAYS - 1);
        let now = Period::of_day(as_of);
        let reading = capacity::Reading {
            capabilities: None,
            suppliers: Some(candidates),
            from: now,
            to: now.plus(LOOK_AHEAD - 1),
            as_of,
        };
        let (buyers, statements, deals, confidences, by_buyer, recent, findings, quotes) = tokio::try_join!(
            facts::buyers(conn, known),
            capacity::standing(conn, known, &reading),
            facts::deal_statuses(conn, known, as_of, subset),
            facts::deal_confidences(conn, known, as_of, candidates),
            facts::visit_tallies_by_buyer(conn, known, as_of, subset),
            facts::latest_visits(conn, known, recent_from, as_of, candidates),
            facts::open_findings(conn, known, as_of, subset),
            facts::quoted_lead_times(conn, known, as_of, buyer.id, candidates),
        )?;
        // This buyer's visits, and the team's (every internal buyer's).
        let team: HashSet<i32> = buyers.iter().filter(|b| !b.external).map(|b| b.id).collect();
        let mut visits = super::BySupplier::<super::VisitTally>::new();
        let mut team_visits = super::BySupplier::<super::VisitTally>::new();
        for ((supplier, by), tally) in by_buyer {
            if by == buyer.id {
                visits.entry(supplier).or_default().add(tally.visits, tally.last);
            }
            if team.contains(&by) {
                team_visits
                    .entry(supplier)
                    .or_default()
                    .add(tally.visits, tally.last);
            }
        }
        let mut free: HashMap<i32, Vec<(String, Period, i64)>> = HashMap::new();
        for ((supplier, capability, period), units) in statements.free() {
            if let Some(period) = Period::from_stored(&period) {
                free.entry(supplier)
                    .or_default()
                    .push((capability, period, units));
            }
        }
        let mut held: HashMap<i32, Vec<_>> = HashMap::new();
        for ((supplier, _, period, buyer), (day, _, (units, status, confidence))) in statements.held {
            if let Some(period) = Period::from_stored(&period) {
                held.entry(supplier)
                    .or_default()
                    .push((buyer, status, day, confidence, units, period));
            }
        }
        Ok(Found {
            free,
            held,
            buyer: buyer.id,
            deals,
            confidences,
            visits,
            team_visits,
            recent,
            findings: findings.into(),
            quotes,
            buyers,
        })
    }

    /// The gap of a scarce supplier; none when this buyer has it signed.
    fn gap(
        &self,
        s: facts::ActiveSupplier,
        assessment: crate::domain::scarcity::Assessment,
        now: Period,
    ) -> Option<Gap> {
        let ours = self.deals.get(&(self.buyer, s.id)).map(|(status, _)| *status);
        if ours == Some(DealStatus::Signed) {
            return None;
        }
        let signed_with = self
            .buyers
            .iter()
            .filter(|b| b.id != self.buyer && self.deals.get(&(b.id, s.id)).is_some_and(|d| d.0.is_signed()))
            .map(|b| b.name.clone())
            .collect();
        let tally = self.visits.get(&s.id).copied().unwrap_or_default();
        let team_tally = self.team_visits.get(&s.id).copied().unwrap_or_default();
        let (free_units, earliest_free_period) = self.free_of(s.id, &assessment.reasons, now);
        let (competitors, sister_teams) = self
            .interest(s.id)
            .into_iter()
            .partition(|c| c.kind == BuyerKind::External);
        Some(Gap {
            competitors,
            sister_teams,
            id: s.id,
            name: s.name,
            native_name: s.native_name,
            scarce_reasons: assessment.reasons,
            alternatives: assessment.alternatives,
            deal_status: ours.map(|d| d.as_str().to_string()),
            signed_with,
            last_visit: tally.last,
            visits: tally.visits,
            open_findings: self.findings.borrow_mut().remove(&s.id).unwrap_or_default(),
            team_visits: team_tally.visits,
            last_team_visit: team_tally.last,
            free_units,
            earliest_free_period,
            quoted_lead_time: self.quotes.get(&s.id).cloned(),
        })
    }

    /// A supplier's free units of the capabilities it is scarce for (all it states capacity of,
    /// when scarce by override) in the four quarters from `now`, and the first quarter of the
    /// next eight with one free; none when it stated no capacity for them.
    fn free_of(&self, supplier: i32, reasons: &[String], now: Period) -> (Option<i64>, Option<Period>) {
        let mine: Vec<(Period, i64)> = self
            .free
            .get(&supplier)
            .into_iter()
            .flatten()
            .filter(|(capability, _, _)| {
                reasons.contains(capability) || reasons.iter().all(|r| r == "override")
            })
            .map(|(_, period, units)| (*period, *units))
            .collect();
        if mine.is_empty() {
            return (None, None);
        }
        let next_four = mine
            .iter()
            .filter(|(p, _)| *p <= now.plus(3))
            .map(|(_, n)| (*n).max(0))
            .sum();
        let earliest = (0..LOOK_AHEAD)
            .map(|i| now.plus(i))
            .find(|p| mine.iter().filter(|(q, _)| q == p).map(|(_, n)| n).sum::<i64>() > 0);
        (Some(next_four), earliest)
    }

    /// Other buyers' interest in a supplier: deals evaluating, negotiating or signed, holdings
    /// of its units, then visits lately, each buyer in the order of `buyers` (ours first, by
    /// name), with how sure we are of each.
    fn interest(&self, supplier: i32) -> Vec<Competitor> {
        let others = || self.buyers.iter().filter(|b| b.id != self.buyer);
        let entry =
            |b: &facts::Buyer, status: &'static str, since: NaiveDate, confidence: Confidence| Competitor {
                buyer: b.name.clone(),
                kind: BuyerKind::of(b.external),
                status,
                since,
                confidence,
                units: Vec::new(),
            };
        let mut found: Vec<Competitor> = others()
            .filter_map(|b| {
                let (status, since) = self.deals.get(&(b.id, supplier)).copied()?;
                let interested = matches!(
                    status,
                    DealStatus::Evaluating | DealStatus::Negotiating | DealStatus::Signed
                );
                let confidence = self
                    .confidences
                    .get(&(b.id, supplier))
                    .copied()
                    .unwrap_or(Confidence::Confirmed);
                interested.then(|| entry(b, status.as_str(), since, confidence))
            })
            .collect();
        for b in others() {
            // Each status a buyer holds units in, as last stated, with the units per quarter.
            type Holds = (NaiveDate, Confidence, Vec<HeldUnits>);
            let mut held: std::collections::BTreeMap<&'static str, Holds> = Default::default();
            for (buyer, status, day, confidence, units, period) in
                self.held.get(&supplier).into_iter().flatten()
            {
                if *buyer == b.id && *status != HoldStatus::Released && *units > 0 {
                    let slot = held
                        .entry(status.as_str())
                        .or_insert((*day, *confidence, Vec::new()));
                    if *day > slot.0 {
                        (slot.0, slot.1) = (*day, *confidence);
                    }
                    slot.2.push(HeldUnits {
                        units: *units,
                        period: *period,
                    });
                }
            }
            found.extend(held.into_iter().map(|(status, (since, confidence, mut units))| {
                units.sort_by_key(|u| u.period);
                Competitor {
                    units,
                    ..entry(b, status, since, confidence)
                }
            }));
        }
        found.extend(others().filter_map(|b| {
            self.recent
                .get(&(supplier, b.id))
                .map(|day| entry(b, "visited", *day, Confidence::Confirmed))
        }));
        found
    }
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
            // A competitor who signed is among the competitors too.
            competitors: signed_with
                .iter()
                .map(|buyer| Competitor {
                    buyer: buyer.to_string(),
                    kind: BuyerKind::External,
                    status: "signed",
                    since: "2026-01-01".parse().unwrap(),
                    confidence: Confidence::Confirmed,
                    units: Vec::new(),
                })
                .collect(),
            sister_teams: Vec::new(),
            free_units: None,
            earliest_free_period: None,
            quoted_lead_time: None,
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
                confidence: Confidence::Confirmed,
                units: Vec::new(),
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
