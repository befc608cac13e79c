//! Reports: the status of every active supplier and the gaps one buyer has among scarce ones,
//! as of any day, built from the store and rendered for people and machines.

pub mod capacity;
pub mod facts;
pub mod gaps;
pub mod html;
pub mod json;
pub mod known;
pub mod render;
pub mod status;

use serde::Serialize;

/// Open findings by severity; always all four keys.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FindingCounts {
    pub info: u64,
    pub minor: u64,
    pub major: u64,
    pub critical: u64,
}

impl FindingCounts {
    /// "2 critical, 1 major" for people; empty when nothing is open.
    pub fn summary(&self) -> String {
        [
            (self.critical, "critical"),
            (self.major, "major"),
            (self.minor, "minor"),
            (self.info, "info"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, s)| format!("{n} {s}"))
        .collect::<Vec<_>>()
        .join(", ")
    }
}

/// Visits to one supplier: how many, and the latest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VisitTally {
    pub visits: u64,
    pub last: Option<chrono::NaiveDate>,
}

impl VisitTally {
    /// Adds `visits` more, the latest on `last`.
    pub fn add(&mut self, visits: u64, last: Option<chrono::NaiveDate>) {
        self.visits += visits;
        self.last = Ord::max(self.last, last);
    }
}

/// Keyed by supplier id; looked up once per supplier, never walked in order.
pub type BySupplier<T> = std::collections::HashMap<i32, T>;
