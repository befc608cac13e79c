//! Valid time for what a supplier's record says without a date of its own: its capabilities,
//! aliases, archive state, scarcity override and its sites' line counts. Each such value is a
//! *key* (supplier, kind, subject) whose value changes on dated facts.
//!
//! The rule, in one place: the value of a key at the end of a day is that of its latest fact
//! dated on or before the day (latest by date, then by the order they were recorded). A key with
//! no facts holds the record's current value since the supplier was listed: a supplier and what
//! it was added with need no facts of their own, so adding 200,000 suppliers writes no extra
//! rows. The first change to such a key records two facts: the value it held since the listing,
//! and the new one.

use chrono::NaiveDate;

/// One dated value of a key: `value` from the end of `from` on. `seq` orders facts of one day
/// (the order they were recorded in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact<V> {
    pub from: NaiveDate,
    pub seq: i64,
    pub value: V,
}

/// The latest of `facts` dated on or before `day`, if any.
pub fn value_on<V>(facts: &[Fact<V>], day: NaiveDate) -> Option<&V> {
    facts
        .iter()
        .filter(|f| f.from <= day)
        .max_by_key(|f| (f.from, f.seq))
        .map(|f| &f.value)
}

/// The value a key held at the end of `day`: [`value_on`], or before its first fact, that
/// fact's (a key's first fact holds from the listing, which evidence may since have moved
/// earlier).
pub fn value_then<V>(facts: &[Fact<V>], day: NaiveDate) -> Option<&V> {
    value_on(facts, day).or_else(|| facts.iter().min_by_key(|f| (f.from, f.seq)).map(|f| &f.value))
}

/// The value a key holds now: that of its latest fact, or (no facts) `record`.
pub fn value_now<'a, V>(facts: &'a [Fact<V>], record: &'a V) -> &'a V {
    facts
        .iter()
        .max_by_key(|f| (f.from, f.seq))
        .map_or(record, |f| &f.value)
}

/// The facts to record when a key changes to `new` from `day` on, given its recorded `facts`,
/// the record's `current` value and the day the supplier was listed (`day` is never before
/// it). A change on the listing day of a key without facts needs none: the record holds it.
pub fn to_record<V: Clone>(
    facts: &[Fact<V>],
    current: &V,
    listed_on: NaiveDate,
    day: NaiveDate,
    new: &V,
) -> Vec<(NaiveDate, V)> {
    if !facts.is_empty() {
        return vec![(day, new.clone())];
    }
    if day <= listed_on {
        return Vec::new();
    }
    vec![(listed_on, current.clone()), (day, new.clone())]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn fact(from: &str, seq: i64, value: bool) -> Fact<bool> {
        Fact {
            from: d(from),
            seq,
            value,
        }
    }

    #[test]
    fn the_latest_fact_by_then_decides_and_one_recorded_later_wins_a_tie() {
        let facts = [
            fact("2026-01-01", 1, true),
            fact("2026-03-01", 2, false),
            fact("2026-02-01", 3, true), // back-dated, recorded last
            fact("2026-03-01", 4, true),
        ];
        assert_eq!(value_on(&facts, d("2025-12-31")), None);
        assert_eq!(value_on(&facts, d("2026-01-15")), Some(&true));
        assert_eq!(value_on(&facts, d("2026-02-28")), Some(&true));
        assert_eq!(value_on(&facts, d("2026-03-01")), Some(&true));
        assert_eq!(value_then(&facts, d("2025-12-31")), Some(&true));
        assert_eq!(value_then(&facts, d("2026-02-28")), Some(&true));
        assert_eq!(value_now(&facts, &false), &true);
        assert_eq!(value_now(&[], &false), &false);
    }

    #[test]
    fn a_first_change_records_what_the_record_held_since_the_listing() {
        let listed = d("2026-01-01");
        assert_eq!(
            to_record(&[], &true, listed, d("2026-05-01"), &false),
            vec![(listed, true), (d("2026-05-01"), false)]
        );
        assert!(to_record(&[], &true, listed, listed, &false).is_empty());
        let facts = [fact("2026-01-01", 1, true), fact("2026-05-01", 2, false)];
        assert_eq!(
            to_record(&facts, &false, listed, d("2026-03-01"), &false),
            vec![(d("2026-03-01"), false)]
        );
    }
}
