//! Capacity in time: calendar quarters (`2027Q1`), lead times (`40w`, `9m`, `280d`), and the
//! outlook of a capability (how many units are free, how fast they are being taken, and when
//! they run out).

use std::fmt;

use chrono::{Datelike, NaiveDate};

use super::values::Invalid;

/// A calendar quarter, from 1900Q1 to 2100Q4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    year: i32,
    quarter: u8,
}

impl Period {
    pub const FIRST: Period = Period {
        year: 1900,
        quarter: 1,
    };
    pub const LAST: Period = Period {
        year: 2100,
        quarter: 4,
    };

    /// `2027Q1`; also `2027-Q1`, `2027 Q1` and `Q1 2027`, in any case.
    pub fn parse(field: &str, input: &str) -> Result<Period, Invalid> {
        let refused = || {
            Invalid::new(
                field,
                format!("'{input}' is not a quarter; write it like 2027Q1 (or 2027-Q1, Q1 2027)"),
            )
        };
        let text: String = input
            .trim()
            .to_ascii_uppercase()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .collect();
        let (year, quarter) = match (text.find('Q'), text.len()) {
            (Some(4), 6) => (&text[..4], &text[5..]),
            (Some(0), 6) => (&text[2..], &text[1..2]),
            _ => return Err(refused()),
        };
        let (Ok(year), Ok(quarter)) = (year.parse::<i32>(), quarter.parse::<u8>()) else {
            return Err(refused());
        };
        if !(1..=4).contains(&quarter) {
            return Err(refused());
        }
        let period = Period { year, quarter };
        if !(Period::FIRST..=Period::LAST).contains(&period) {
            return Err(Invalid::new(
                field,
                format!("{period} is outside {}–{}", Period::FIRST, Period::LAST),
            ));
        }
        Ok(period)
    }

    /// The quarter `day` falls in.
    pub fn of_day(day: NaiveDate) -> Period {
        Period {
            year: day.year(),
            quarter: (day.month0() / 3 + 1) as u8,
        }
    }

    /// The quarter `n` quarters after this one (before it, for a negative `n`).
    pub fn plus(self, n: i32) -> Period {
        let index = self.index() + n;
        Period {
            year: index.div_euclid(4),
            quarter: (index.rem_euclid(4) + 1) as u8,
        }
    }

    /// Quarters since year 0: consecutive quarters are consecutive numbers.
    fn index(self) -> i32 {
        self.year * 4 + i32::from(self.quarter) - 1
    }

    /// How many quarters from `self` to `later`, both counted (0 when `later` is earlier).
    pub fn span(self, later: Period) -> u32 {
        (later.index() - self.index() + 1).max(0) as u32
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}Q{}", self.year, self.quarter)
    }
}

impl Period {
    /// As stored: `2027Q1`.
    pub fn as_str(self) -> String {
        self.to_string()
    }

    /// The quarter stored as exactly `text` (`2027Q1`).
    pub fn from_stored(text: &str) -> Option<Period> {
        Period::parse("period", text)
            .ok()
            .filter(|p| p.to_string() == text)
    }

    /// [`Period::from_stored`], or the problem with `text`.
    pub fn stored(text: &str) -> Result<Period, String> {
        Period::from_stored(text)
            .ok_or_else(|| format!("'{text}' is not a quarter as vetted stores it (2027Q1)"))
    }
}

impl<'de> serde::Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Period::stored(&text).map_err(serde::de::Error::custom)
    }
}

impl serde::Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A supplier's quoted lead time, as it was given: weeks, months or days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeadTime {
    pub count: u32,
    pub unit: LeadUnit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeadUnit {
    Days,
    Weeks,
    Months,
}

impl LeadTime {
    /// The longest lead time taken: ten years.
    pub const MAX_DAYS: u32 = 3_653;

    /// `40w`, `9m`, `280d` (or `40 weeks`, `9 months`, `280 days`). A bare number is refused:
    /// makers quote in weeks and in months, and reading `40` as either silently is a wrong
    /// answer waiting to happen.
    pub fn parse(field: &str, input: &str) -> Result<LeadTime, Invalid> {
        let refused = || {
            Invalid::new(
                field,
                format!("'{input}' is not a lead time; write it like 40w, 9m or 280d"),
            )
        };
        let text = input.trim().to_ascii_lowercase();
        let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
        let unit = match text[digits.len()..].trim() {
            "" if !digits.is_empty() => {
                return Err(Invalid::new(
                    field,
                    format!(
                        "'{input}' has no unit; write {digits}w for weeks, {digits}m for months or {digits}d for days"
                    ),
                ));
            }
            "w" | "wk" | "wks" | "week" | "weeks" => LeadUnit::Weeks,
            "m" | "mo" | "month" | "months" => LeadUnit::Months,
            "d" | "day" | "days" => LeadUnit::Days,
            _ => return Err(refused()),
        };
        let count: u32 = digits.parse().map_err(|_| refused())?;
        let lead = LeadTime { count, unit };
        if count == 0 || lead.days() > LeadTime::MAX_DAYS {
            return Err(Invalid::new(
                field,
                format!("{lead} is not a plausible lead time (1 day to 10 years)"),
            ));
        }
        Ok(lead)
    }

    /// About how many days: a month is a twelfth of a year.
    pub fn days(self) -> u32 {
        match self.unit {
            LeadUnit::Days => self.count,
            LeadUnit::Weeks => self.count.saturating_mul(7),
            LeadUnit::Months => ((f64::from(self.count) * 365.25 / 12.0).round()) as u32,
        }
    }
}

impl fmt::Display for LeadTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.unit {
            LeadUnit::Days => 'd',
            LeadUnit::Weeks => 'w',
            LeadUnit::Months => 'm',
        };
        write!(f, "{}{unit}", self.count)
    }
}

/// What one supplier's quarter of a capability leaves: the units free, and the units held
/// beyond its capacity (more reserved or contracted than it can deliver, or held where no
/// capacity is stated).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Left {
    pub free: i64,
    pub over_held: i64,
}

/// The one rule for what is free: capacity counts when it is confirmed or likely (a rumour is
/// listed, never counted), less what is reserved or contracted (`taken`); never below 0, the
/// excess said apart.
pub fn left(capacity: Option<(i64, super::status::Confidence)>, taken: i64) -> Left {
    let counted = match capacity {
        Some((units, confidence)) if confidence.counts() => units,
        _ => 0,
    };
    Left {
        free: (counted - taken).max(0),
        over_held: (taken - counted).max(0),
    }
}

/// How a capability's free units look from a quarter on.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Outlook {
    /// Free units in the four quarters from the first.
    pub free_next_4_quarters: i64,
    /// Units newly reserved or contracted per quarter, at the pace of the last 180 days (half
    /// of what was taken in them).
    pub taken_per_quarter: f64,
    /// At that pace, the quarter in which the last free unit (up to the last quarter looked
    /// at) is taken; none when nothing is being taken or they last beyond it.
    pub sold_out_by: Option<Period>,
}

/// The outlook from quarter `first` to `last`, given each quarter's free units (`free`, in any
/// order; a quarter not given has none) and the units taken in the last 180 days.
pub fn outlook(first: Period, last: Period, free: &[(Period, i64)], taken_in_180_days: i64) -> Outlook {
    let free_in = |from: Period, to: Period| -> i64 {
        free.iter()
            .filter(|(p, _)| (from..=to).contains(p))
            .map(|(_, n)| (*n).max(0))
            .sum()
    };
    let rate = taken_in_180_days.max(0) as f64 / 2.0;
    let pool = free_in(first, last);
    let sold_out_by = if rate <= 0.0 || last < first {
        None
    } else if pool == 0 {
        Some(first)
    } else {
        // The pool lasts this many quarters: the last unit goes in the quarter that ends them.
        let quarters = (pool as f64 / rate).ceil() as i32;
        Some(first.plus(quarters - 1)).filter(|p| *p <= last)
    };
    Outlook {
        free_next_4_quarters: free_in(first, first.plus(3)),
        taken_per_quarter: rate,
        sold_out_by,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_confirmed_or_likely_capacity_is_free_and_free_is_never_below_zero() {
        use crate::domain::status::Confidence::*;
        assert_eq!(
            left(Some((9, Confirmed)), 3),
            Left {
                free: 6,
                over_held: 0
            }
        );
        assert_eq!(
            left(Some((9, Likely)), 0),
            Left {
                free: 9,
                over_held: 0
            }
        );
        assert_eq!(
            left(Some((9, Rumour)), 0),
            Left {
                free: 0,
                over_held: 0
            }
        );
        assert_eq!(
            left(Some((9, Rumour)), 2),
            Left {
                free: 0,
                over_held: 2
            }
        );
        assert_eq!(
            left(None, 1),
            Left {
                free: 0,
                over_held: 1
            }
        );
        assert_eq!(
            left(Some((2, Confirmed)), 5),
            Left {
                free: 0,
                over_held: 3
            }
        );
    }

    fn q(text: &str) -> Period {
        Period::parse("period", text).unwrap()
    }

    #[test]
    fn quarters_are_written_several_ways_and_kept_to_their_range() {
        assert_eq!(q("2027Q1"), q("2027-q1"));
        assert_eq!(q("Q1 2027"), q(" 2027 Q1 "));
        assert_eq!(q("2027Q4").to_string(), "2027Q4");
        for bad in [
            "2027Q5", "2027Q0", "27Q1", "2027", "Q2027", "2027-1", "1899Q4", "2101Q1", "",
        ] {
            let refused = Period::parse("period", bad).unwrap_err();
            assert_eq!(refused.field, "period", "{bad}");
        }
        assert!(Period::parse("period", "1900Q1").is_ok() && Period::parse("period", "2100Q4").is_ok());
    }

    #[test]
    fn quarters_count_on_across_years() {
        assert_eq!(q("2027Q4").plus(1), q("2028Q1"));
        assert_eq!(q("2028Q1").plus(-1), q("2027Q4"));
        assert_eq!(q("2027Q3").plus(6), q("2029Q1"));
        assert_eq!(q("2027Q1").span(q("2027Q4")), 4);
        assert_eq!(q("2027Q4").span(q("2027Q1")), 0);
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(Period::of_day(day("2026-03-31")), q("2026Q1"));
        assert_eq!(Period::of_day(day("2026-04-01")), q("2026Q2"));
        assert_eq!(Period::of_day(day("2026-12-31")), q("2026Q4"));
    }

    #[test]
    fn lead_times_are_weeks_months_or_days() {
        let lead = |t: &str| LeadTime::parse("lead-time", t).unwrap();
        assert_eq!(lead("40w").days(), 280);
        assert_eq!(lead("40 weeks").to_string(), "40w");
        assert_eq!(lead("9m").days(), 274);
        assert_eq!(lead("9 Months").to_string(), "9m");
        assert_eq!(lead("280d").days(), 280);
        let bare = LeadTime::parse("lead-time", "40").unwrap_err();
        assert!(
            bare.problem.contains("40w for weeks, 40m for months or 40d"),
            "{bare:?}"
        );
        for bad in ["", "40", "w", "0w", "-4w", "4 fortnights", "40.5w", "600w"] {
            assert_eq!(
                LeadTime::parse("lead-time", bad).unwrap_err().field,
                "lead-time",
                "{bad}"
            );
        }
    }

    /// A hand-computed case: 2027Q1–2027Q4 have 3, 5, 0 and 4 free units (12 in all); 10 units
    /// were taken in the last 180 days, 5 a quarter. The 12 free units last 12 / 5 = 2.4, so
    /// three quarters: the last one goes in 2027Q3.
    #[test]
    fn the_outlook_of_a_hand_computed_case() {
        let free = [
            (q("2027Q1"), 3),
            (q("2027Q2"), 5),
            (q("2027Q3"), 0),
            (q("2027Q4"), 4),
            (q("2028Q1"), 9),
        ];
        let o = outlook(q("2027Q1"), q("2027Q4"), &free, 10);
        assert_eq!(o.free_next_4_quarters, 12);
        assert_eq!(o.taken_per_quarter, 5.0);
        assert_eq!(o.sold_out_by, Some(q("2027Q3")));
        // Looking on to 2028Q1 the pool is 21: 21 / 5 = 4.2, five quarters: 2028Q1.
        assert_eq!(
            outlook(q("2027Q1"), q("2028Q1"), &free, 10).sold_out_by,
            Some(q("2028Q1"))
        );
        // Nothing taken: never sold out; more than the horizon holds: not within it.
        assert_eq!(outlook(q("2027Q1"), q("2027Q4"), &free, 0).sold_out_by, None);
        assert_eq!(outlook(q("2027Q1"), q("2027Q4"), &free, 2).sold_out_by, None);
        // Nothing free: sold out from the first quarter on.
        assert_eq!(
            outlook(q("2027Q1"), q("2027Q4"), &[], 4).sold_out_by,
            Some(q("2027Q1"))
        );
    }
}
