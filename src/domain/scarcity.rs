//! Scarcity: a capability is scarce when at most `threshold` active suppliers offer it; a supplier
//! is scarce when it offers a scarce capability or its override says `yes` (`no` always wins).

use std::collections::{BTreeMap, HashMap};

use super::status::ScarceOverride;

/// The default threshold: a capability offered by three or fewer active suppliers is scarce.
pub const DEFAULT_THRESHOLD: usize = 3;

/// Capability counts over the active suppliers, and the threshold they are judged by.
#[derive(Debug, Clone)]
pub struct Scarcity {
    pub threshold: usize,
    counts: BTreeMap<String, usize>,
    /// Scarcity by capacity (`--scarce-by capacity`): each capability's free units in the next
    /// four quarters, judged against the threshold instead of the suppliers offering it.
    free: Option<BTreeMap<String, i64>>,
}

/// What scarcity says of one supplier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub scarce: bool,
    /// The scarce capabilities it offers, or `override` when only the override makes it scarce.
    pub reasons: Vec<String>,
    /// Other active suppliers offering its scarce capability (the fewest over its scarce
    /// capabilities); for a supplier scarce by override only, the fewest over all it offers.
    pub alternatives: Option<usize>,
}

impl Scarcity {
    /// From counts the database made (capability → active suppliers offering it).
    pub fn from_counts(threshold: usize, counts: BTreeMap<String, usize>) -> Scarcity {
        Scarcity {
            threshold,
            counts,
            free: None,
        }
    }

    /// Scarce by capacity: a capability is scarce when its free units in the next four quarters
    /// (`free`) are at most the threshold; one whose capacity nobody stated is not judged
    /// scarce. Alternatives still count the suppliers offering it (`counts`).
    pub fn by_capacity(
        threshold: usize,
        counts: BTreeMap<String, usize>,
        free: BTreeMap<String, i64>,
    ) -> Scarcity {
        Scarcity {
            threshold,
            counts,
            free: Some(free),
        }
    }

    /// Whether `capability` is scarce, by suppliers or by free units.
    pub fn is_scarce(&self, capability: &str) -> bool {
        match &self.free {
            None => self.suppliers_offering(capability) <= self.threshold,
            Some(free) => free.get(capability).is_some_and(|n| *n <= self.threshold as i64),
        }
    }

    /// Counts each capability once per supplier, over the suppliers given (the active ones).
    pub fn new<'a>(threshold: usize, suppliers: impl IntoIterator<Item = &'a [String]>) -> Scarcity {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for capabilities in suppliers {
            for (i, capability) in capabilities.iter().enumerate() {
                // A handful per supplier: a look back is cheaper than a set.
                if !capabilities[..i].contains(capability) {
                    *counts.entry(capability).or_default() += 1;
                }
            }
        }
        let counts = counts.into_iter().map(|(c, n)| (c.to_string(), n)).collect();
        Scarcity::from_counts(threshold, counts)
    }

    /// Every capability with the number of active suppliers offering it, by name.
    pub fn capabilities(&self) -> impl Iterator<Item = (&str, usize, bool)> {
        self.counts
            .iter()
            .map(|(name, n)| (name.as_str(), *n, self.is_scarce(name)))
    }

    pub fn suppliers_offering(&self, capability: &str) -> usize {
        self.counts.get(capability).copied().unwrap_or(0)
    }

    pub fn assess(&self, capabilities: &[String], scarce_override: ScarceOverride) -> Assessment {
        let mut scarce_caps: Vec<&String> = capabilities.iter().filter(|c| self.is_scarce(c)).collect();
        scarce_caps.sort();
        scarce_caps.dedup();
        let fewest = |caps: &mut dyn Iterator<Item = &String>| {
            caps.map(|c| self.suppliers_offering(c).saturating_sub(1)).min()
        };
        match scarce_override {
            ScarceOverride::No => Assessment {
                scarce: false,
                reasons: Vec::new(),
                alternatives: fewest(&mut capabilities.iter()),
            },
            _ if !scarce_caps.is_empty() => Assessment {
                scarce: true,
                reasons: scarce_caps.iter().map(|c| c.to_string()).collect(),
                alternatives: fewest(&mut scarce_caps.iter().copied()),
            },
            ScarceOverride::Yes => Assessment {
                scarce: true,
                reasons: vec!["override".to_string()],
                alternatives: fewest(&mut capabilities.iter()),
            },
            ScarceOverride::Auto => Assessment {
                scarce: false,
                reasons: Vec::new(),
                alternatives: fewest(&mut capabilities.iter()),
            },
        }
    }
}

/// What a capability's scarcity is judged by: how many active suppliers offer it, or how many
/// units are free in the next four quarters (`--scarce-by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    Suppliers,
    Capacity,
}

impl Basis {
    /// The rule at `threshold`, as a report's heading says it.
    pub fn rule(self, threshold: usize) -> String {
        match self {
            Basis::Suppliers => format!("offered by {threshold} or fewer active suppliers"),
            Basis::Capacity => format!("{threshold} or fewer units free in the next four quarters"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(list: &[&str]) -> Vec<String> {
        list.iter().map(|c| c.to_string()).collect()
    }

    fn market() -> Vec<Vec<String>> {
        vec![
            caps(&["hjt-full-line", "pecvd"]),
            caps(&["hjt-full-line", "pvd"]),
            caps(&["pecvd", "wet-bench"]),
            caps(&["pecvd", "wet-bench"]),
            caps(&["pecvd", "wet-bench"]),
            caps(&["wet-bench", "pvd", "pvd"]),
        ]
    }

    #[test]
    fn capabilities_at_or_under_the_threshold_are_scarce() {
        let market = market();
        let s = Scarcity::new(3, market.iter().map(Vec::as_slice));
        let table: Vec<(&str, usize, bool)> = s.capabilities().collect();
        assert_eq!(
            table,
            [
                ("hjt-full-line", 2, true),
                ("pecvd", 4, false),
                ("pvd", 2, true),
                ("wet-bench", 4, false)
            ],
            "a capability listed twice by one supplier counts once"
        );
        // Ties at the threshold are scarce; one more is not.
        let s = Scarcity::new(4, market.iter().map(Vec::as_slice));
        assert!(s.capabilities().all(|(_, _, scarce)| scarce));
        let s = Scarcity::new(1, market.iter().map(Vec::as_slice));
        assert!(s.capabilities().all(|(_, _, scarce)| !scarce));
    }

    #[test]
    fn by_capacity_the_free_units_decide() {
        let market = market();
        let counts = Scarcity::new(3, market.iter().map(Vec::as_slice)).counts;
        let free = [("pecvd".to_string(), 2), ("hjt-full-line".to_string(), 40)].into();
        let s = Scarcity::by_capacity(3, counts, free);
        // pecvd has four suppliers but two free units: scarce; hjt-full-line two suppliers and
        // forty free: not; pvd no capacity stated: not judged scarce.
        assert!(s.is_scarce("pecvd") && !s.is_scarce("hjt-full-line") && !s.is_scarce("pvd"));
        let pecvd = s.assess(&caps(&["pecvd"]), ScarceOverride::Auto);
        assert_eq!(
            (pecvd.scarce, pecvd.alternatives),
            (true, Some(3)),
            "alternatives still count suppliers"
        );
    }

    #[test]
    fn a_supplier_is_scarce_for_its_scarce_capabilities_with_the_fewest_alternatives() {
        let market = market();
        let s = Scarcity::new(3, market.iter().map(Vec::as_slice));
        let a = s.assess(&caps(&["hjt-full-line", "pvd", "pecvd"]), ScarceOverride::Auto);
        assert!(a.scarce);
        assert_eq!(a.reasons, ["hjt-full-line", "pvd"]);
        assert_eq!(a.alternatives, Some(1));
        let plain = s.assess(&caps(&["pecvd", "wet-bench"]), ScarceOverride::Auto);
        assert!(!plain.scarce);
        assert!(plain.reasons.is_empty());
    }

    #[test]
    fn the_override_says_yes_or_wins_with_no() {
        let market = market();
        let s = Scarcity::new(3, market.iter().map(Vec::as_slice));
        let forced = s.assess(&caps(&["pecvd"]), ScarceOverride::Yes);
        assert!(forced.scarce);
        assert_eq!(forced.reasons, ["override"]);
        assert_eq!(forced.alternatives, Some(3));
        let refused = s.assess(&caps(&["hjt-full-line"]), ScarceOverride::No);
        assert!(!refused.scarce, "no wins over the computed value");
        let nothing = s.assess(&[], ScarceOverride::Yes);
        assert_eq!(nothing.alternatives, None);
        let scarce_anyway = s.assess(&caps(&["pvd"]), ScarceOverride::Yes);
        assert_eq!(
            scarce_anyway.reasons,
            ["pvd"],
            "the capability is the reason when there is one"
        );
    }
}
