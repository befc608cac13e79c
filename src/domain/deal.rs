//! A deal's history: its dated events, the rule for adding one, what the deal says now, and
//! what it said at the end of any day. The store records and projects deals with it, the reports
//! replay it; the rules live here once.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::status::DealStatus;
use super::values::Invalid;

/// One dated event of a deal.
#[derive(Debug, Clone, PartialEq)]
pub struct DealEvent {
    pub date: NaiveDate,
    /// Order of recording, which breaks ties between events dated the same day.
    pub seq: i64,
    pub status: DealStatus,
    /// Amount and ISO currency code, given together.
    pub value: Option<(Decimal, String)>,
    pub scope: Option<String>,
}

impl DealEvent {
    /// An event that says only a status (what the reports replay).
    pub fn status(date: NaiveDate, seq: i64, status: DealStatus) -> DealEvent {
        DealEvent {
            date,
            seq,
            status,
            value: None,
            scope: None,
        }
    }
}

/// What a deal says after its events: the latest status and its date, and the latest value and
/// scope ever given.
#[derive(Debug, Clone, PartialEq)]
pub struct Current {
    pub status: DealStatus,
    pub since: NaiveDate,
    pub value: Option<(Decimal, String)>,
    pub scope: Option<String>,
}

/// What recording a new event would do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The event says something new: record it.
    Record,
    /// The deal already stands so on that date and the event adds nothing: record nothing.
    Unchanged,
}

/// A deal's events in the order they took effect: by date, then by when they were recorded.
#[derive(Debug, Clone, Default)]
pub struct DealHistory {
    events: Vec<DealEvent>,
}

impl DealHistory {
    pub fn new(mut events: Vec<DealEvent>) -> DealHistory {
        events.sort_by_key(|e| (e.date, e.seq));
        DealHistory { events }
    }

    /// The status in force at the end of `day` (the latest event dated on or before it) and the
    /// day that event took effect.
    pub fn standing_on(&self, day: NaiveDate) -> Option<(DealStatus, NaiveDate)> {
        self.in_force(day).map(|e| (e.status, e.date))
    }

    fn in_force(&self, day: NaiveDate) -> Option<&DealEvent> {
        self.events.iter().rev().find(|e| e.date <= day)
    }

    /// Whether `status` may be recorded on `date` (judged against the status in force then),
    /// and whether that would change anything. `adds`: the event carries a value, scope or note.
    /// A back-dated event must also lead to the event after it.
    pub fn judge(&self, status: DealStatus, date: NaiveDate, adds: bool) -> Result<Verdict, Invalid> {
        let in_force = self.in_force(date);
        status.check_transition(in_force.map(|e| e.status))?;
        if let Some(next) = self.events.iter().find(|e| e.date > date) {
            next.status.check_transition(Some(status)).map_err(|e| {
                Invalid::new(
                    "date",
                    format!(
                        "{status} on {date} would come before {} on {}, which cannot follow it: {}",
                        next.status, next.date, e.problem
                    ),
                )
            })?;
        }
        let key = |e: &DealEvent| (e.date, e.seq);
        let is_latest = in_force.is_some() && in_force.map(key) == self.events.last().map(key);
        Ok(
            if is_latest && in_force.map(|e| e.status) == Some(status) && !adds {
                Verdict::Unchanged
            } else {
                Verdict::Record
            },
        )
    }

    /// Whether every event follows the one before it by the table of transitions (what is left
    /// when an event is voided): the first event that cannot, named by its date.
    pub fn check(&self) -> Result<(), Invalid> {
        let mut from = None;
        for event in &self.events {
            event.status.check_transition(from).map_err(|e| {
                Invalid::new(
                    "event",
                    format!(
                        "{} on {} would then follow {}: {}",
                        event.status,
                        event.date,
                        from.map_or("nothing".to_string(), |s: DealStatus| s.to_string()),
                        e.problem
                    ),
                )
            })?;
            from = Some(event.status);
        }
        Ok(())
    }

    /// Removes the event recorded as `seq`; whether it was there.
    pub fn remove(&mut self, seq: i64) -> bool {
        let before = self.events.len();
        self.events.retain(|e| e.seq != seq);
        self.events.len() < before
    }

    /// Adds an event.
    pub fn record(&mut self, event: DealEvent) {
        let at = self
            .events
            .partition_point(|e| (e.date, e.seq) <= (event.date, event.seq));
        self.events.insert(at, event);
    }

    /// What the deal says now; `None` for a deal without events.
    pub fn current(&self) -> Option<Current> {
        let latest = self.events.last()?;
        let priced = self.events.iter().rev().find_map(|e| e.value.clone());
        let scoped = self.events.iter().rev().find_map(|e| e.scope.clone());
        Some(Current {
            status: latest.status,
            since: latest.date,
            value: priced,
            scope: scoped,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DealStatus::*;

    impl DealHistory {
        fn status_on(&self, day: NaiveDate) -> Option<DealStatus> {
            self.standing_on(day).map(|(status, _)| status)
        }
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn history(events: &[(&str, i64, DealStatus)]) -> DealHistory {
        DealHistory::new(
            events
                .iter()
                .map(|&(date, seq, status)| DealEvent::status(d(date), seq, status))
                .collect(),
        )
    }

    #[test]
    fn a_deal_is_what_its_latest_event_by_then_says() {
        let h = history(&[
            ("2026-01-10", 1, Evaluating),
            ("2026-03-01", 2, Signed),
            ("2026-06-15", 3, Terminated),
        ]);
        assert_eq!(
            h.status_on(d("2026-01-09")),
            None,
            "before its first event there is no deal"
        );
        assert_eq!(
            h.status_on(d("2026-01-10")),
            Some(Evaluating),
            "the end of the day counts"
        );
        assert_eq!(h.status_on(d("2026-05-31")), Some(Signed));
        assert_eq!(
            h.status_on(d("2026-06-15")),
            Some(Terminated),
            "signed, then terminated"
        );
    }

    #[test]
    fn events_recorded_late_take_their_date_and_same_day_ties_go_to_the_later_record() {
        // Recorded in this order: signed in June, then (late) negotiating in March.
        let h = history(&[("2026-06-01", 1, Signed), ("2026-03-01", 2, Negotiating)]);
        assert_eq!(h.status_on(d("2026-04-01")), Some(Negotiating));
        assert_eq!(h.status_on(d("2026-07-01")), Some(Signed));
        let same_day = history(&[("2026-05-05", 1, Negotiating), ("2026-05-05", 2, Signed)]);
        assert_eq!(same_day.status_on(d("2026-05-05")), Some(Signed));
        assert_eq!(same_day.current().unwrap().status, Signed);
    }

    #[test]
    fn a_new_event_is_judged_by_the_status_in_force_on_its_date() {
        let h = history(&[("2026-02-01", 1, Negotiating), ("2026-04-20", 2, Signed)]);
        // Terminated on a day the deal was only negotiating: refused, though it is signed now.
        assert!(h.judge(Terminated, d("2026-03-01"), false).is_err());
        assert_eq!(h.judge(Terminated, d("2026-05-01"), false), Ok(Verdict::Record));
        // The status it has, again, after its latest event and with nothing new: unchanged.
        assert_eq!(h.judge(Signed, d("2026-05-01"), false), Ok(Verdict::Unchanged));
        assert_eq!(
            h.judge(Signed, d("2026-05-01"), true),
            Ok(Verdict::Record),
            "an amendment"
        );
        // The same status back-dated before the latest event is a record of its own.
        assert_eq!(h.judge(Negotiating, d("2026-03-01"), false), Ok(Verdict::Record));
        assert_eq!(
            DealHistory::default().judge(Prospect, d("2026-01-01"), false),
            Ok(Verdict::Record)
        );
    }

    #[test]
    fn a_back_dated_event_must_lead_to_the_event_after_it() {
        let h = history(&[("2026-02-01", 1, Evaluating), ("2026-04-20", 2, Signed)]);
        // Declined in March, then signed in April: a declined deal restarts as prospect or
        // evaluating, not signed.
        let refused = h.judge(Declined, d("2026-03-01"), false).unwrap_err();
        assert_eq!(refused.field, "date");
        assert!(
            refused.problem.contains("signed on 2026-04-20"),
            "{}",
            refused.problem
        );
        assert_eq!(h.judge(Negotiating, d("2026-03-01"), false), Ok(Verdict::Record));
    }

    #[test]
    fn what_is_left_after_a_void_is_checked_whole() {
        let mut h = history(&[
            ("2026-01-10", 1, Evaluating),
            ("2026-03-01", 2, Signed),
            ("2026-06-15", 3, Terminated),
        ]);
        assert!(h.check().is_ok());
        assert!(h.remove(2));
        let refused = h.check().unwrap_err();
        assert!(
            refused.problem.contains("terminated on 2026-06-15"),
            "{}",
            refused.problem
        );
        assert!(!h.remove(2), "already gone");
    }

    #[test]
    fn the_current_deal_keeps_the_latest_value_and_scope_ever_given() {
        let mut h = DealHistory::default();
        let cny = |n: i64| Some((Decimal::new(n, 0), "CNY".to_string()));
        h.record(DealEvent {
            value: cny(100),
            scope: Some("2 lines".into()),
            ..DealEvent::status(d("2026-01-01"), 1, Negotiating)
        });
        h.record(DealEvent::status(d("2026-02-01"), 2, Signed));
        let now = h.current().unwrap();
        assert_eq!((now.status, now.since), (Signed, d("2026-02-01")));
        assert_eq!(now.value, cny(100));
        assert_eq!(now.scope.as_deref(), Some("2 lines"));
        // A value recorded later but dated before the latest event: the latest by date counts.
        h.record(DealEvent {
            value: cny(90),
            ..DealEvent::status(d("2026-01-15"), 3, Negotiating)
        });
        let now = h.current().unwrap();
        assert_eq!(now.status, Signed);
        assert_eq!(now.value, cny(90));
    }
}
