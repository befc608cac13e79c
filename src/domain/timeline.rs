//! Point in time: what a deal's status was at the end of a day, from the dated history alone, so
//! a report for a past date reads the same on any later day. (Whether a finding was open then is
//! a query condition, `report::facts::open_at_end_of`.)

use chrono::NaiveDate;

use super::status::DealStatus;

/// One dated change of a deal, as stored.
#[derive(Debug, Clone, Copy)]
pub struct DealChange {
    pub date: NaiveDate,
    /// Order of recording, which breaks ties between changes dated the same day.
    pub seq: i64,
    pub status: DealStatus,
}

/// The status in force at the end of `day`: the latest change dated on or before it.
pub fn deal_status_on(changes: &[DealChange], day: NaiveDate) -> Option<DealStatus> {
    changes
        .iter()
        .filter(|c| c.date <= day)
        .max_by_key(|c| (c.date, c.seq))
        .map(|c| c.status)
}

#[cfg(test)]
mod tests {
    use super::*;
    use DealStatus::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn change(date: &str, seq: i64, status: DealStatus) -> DealChange {
        DealChange {
            date: d(date),
            seq,
            status,
        }
    }

    #[test]
    fn a_deal_is_what_its_latest_change_by_then_says() {
        let history = [
            change("2026-01-10", 1, Evaluating),
            change("2026-03-01", 2, Signed),
            change("2026-06-15", 3, Terminated),
        ];
        assert_eq!(
            deal_status_on(&history, d("2026-01-09")),
            None,
            "before its first change there is no deal"
        );
        assert_eq!(
            deal_status_on(&history, d("2026-01-10")),
            Some(Evaluating),
            "the end of the day counts"
        );
        assert_eq!(deal_status_on(&history, d("2026-05-31")), Some(Signed));
        assert_eq!(
            deal_status_on(&history, d("2026-06-15")),
            Some(Terminated),
            "signed, then terminated"
        );
    }

    #[test]
    fn a_deal_signed_after_the_day_is_not_signed_on_it() {
        let history = [
            change("2026-02-01", 1, Negotiating),
            change("2026-04-20", 2, Signed),
        ];
        assert_eq!(deal_status_on(&history, d("2026-04-19")), Some(Negotiating));
    }

    #[test]
    fn changes_recorded_late_take_their_date_and_same_day_ties_go_to_the_later_record() {
        // Recorded in this order: signed in June, then (late) negotiating in March.
        let history = [
            change("2026-06-01", 1, Signed),
            change("2026-03-01", 2, Negotiating),
        ];
        assert_eq!(deal_status_on(&history, d("2026-04-01")), Some(Negotiating));
        assert_eq!(deal_status_on(&history, d("2026-07-01")), Some(Signed));
        let same_day = [
            change("2026-05-05", 1, Negotiating),
            change("2026-05-05", 2, Signed),
        ];
        assert_eq!(deal_status_on(&same_day, d("2026-05-05")), Some(Signed));
    }
}
