//! Calendar dates as users type them: `YYYY-MM-DD`, `today` or `yesterday`, from 1900 to 2100.
//! Year 0 and the like are calendar dates to chrono but not to PostgreSQL's text protocol, and
//! nothing vetted records happened before 1900.

use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};

use super::values::Invalid;

/// The first day any date may be.
pub const EARLIEST: NaiveDate = NaiveDate::from_ymd_opt(1900, 1, 1).expect("a date");
/// The last day a filter or a plan may name.
pub const LATEST: NaiveDate = NaiveDate::from_ymd_opt(2100, 12, 31).expect("a date");

/// Parses a user's date (a filter such as `--since`, `--as-of`), between 1900 and 2100. `today`
/// is passed in so that the rule stays pure and testable.
pub fn parse_date(field: &str, input: &str, today: NaiveDate) -> Result<NaiveDate, Invalid> {
    check_in_range(field, parse_day(field, input, today)?)
}

/// A calendar day as users write it, whatever its year.
fn parse_day(field: &str, input: &str, today: NaiveDate) -> Result<NaiveDate, Invalid> {
    let text = input.trim();
    match text.to_ascii_lowercase().as_str() {
        "today" => return Ok(today),
        "yesterday" => return Ok(today - Days::new(1)),
        _ => {}
    }
    let looks_like_date = text.len() == 10
        && text.char_indices().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        });
    if !looks_like_date {
        return Err(Invalid::new(
            field,
            format!("'{input}' is not a date; use YYYY-MM-DD, today or yesterday"),
        ));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| Invalid::new(field, format!("'{input}' is not a real calendar date")))
}

/// Parses a moment (`--known-at`): RFC 3339 (`2026-03-01T09:30:00Z`, any offset), or a date as
/// `parse_date` takes it, meaning the end of that day UTC (or now, for the day that is today).
/// A moment is something that has been: from 1900 to `now`, with the same messages as a past
/// date's, whichever way it is written.
pub fn parse_moment(
    field: &str,
    input: &str,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> Result<DateTime<Utc>, Invalid> {
    let text = input.trim();
    let moment = match DateTime::parse_from_rfc3339(text) {
        Ok(moment) => moment.with_timezone(&Utc),
        Err(_) => {
            let day = parse_day(field, input, today).map_err(|e| {
                if e.problem.contains("is not a date") {
                    Invalid::new(
                        field,
                        format!(
                            "'{input}' is not a moment; use RFC 3339 (2026-03-01T09:30:00Z) or a date (YYYY-MM-DD)"
                        ),
                    )
                } else {
                    e
                }
            });
            let day = day?;
            if day > today {
                return Err(to_come(field, text, now));
            }
            let day = check_past(field, day, today)?;
            let end = NaiveTime::from_hms_nano_opt(23, 59, 59, 999_999_999).expect("a time");
            return Ok(day.and_time(end).and_utc().min(now));
        }
    };
    if moment > now {
        return Err(to_come(field, text, now));
    }
    // Not after now: only the earliest day can be broken here.
    check_past(field, moment.date_naive(), LATEST)?;
    Ok(moment)
}

fn to_come(field: &str, moment: &str, now: DateTime<Utc>) -> Invalid {
    Invalid::new(
        field,
        format!(
            "{moment} is in the future (it is now {}); the record can only be read as it stood",
            now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ),
    )
}

/// A date between 1900 and 2100.
pub fn check_in_range(field: &str, date: NaiveDate) -> Result<NaiveDate, Invalid> {
    if !(EARLIEST..=LATEST).contains(&date) {
        return Err(Invalid::new(
            field,
            format!("{date} is out of range; dates go from {EARLIEST} to {LATEST}"),
        ));
    }
    Ok(date)
}

/// Parses a date for something that has already happened (a visit, a deal event, a finding):
/// 1900-01-01 to today.
pub fn parse_past_date(field: &str, input: &str, today: NaiveDate) -> Result<NaiveDate, Invalid> {
    check_past(field, parse_date(field, input, today)?, today)
}

/// A stored date of something that happened (a restored backup's): 1900-01-01 to today.
pub fn check_past(field: &str, date: NaiveDate, today: NaiveDate) -> Result<NaiveDate, Invalid> {
    if date < EARLIEST {
        return Err(Invalid::new(
            field,
            format!("{date} is before {EARLIEST}; dates go from {EARLIEST} to today"),
        ));
    }
    if date > today {
        return Err(Invalid::new(
            field,
            format!("{date} is in the future (today is {today}); record things once they have happened"),
        ));
    }
    Ok(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
    }

    #[test]
    fn keywords_and_iso_dates() {
        assert_eq!(parse_date("date", "today", today()).unwrap(), today());
        assert_eq!(
            parse_date("date", "Yesterday", today()).unwrap().to_string(),
            "2026-02-28"
        );
        assert_eq!(
            parse_date("date", "2024-02-29", today()).unwrap().to_string(),
            "2024-02-29"
        );
    }

    #[test]
    fn impossible_and_malformed_dates_name_the_field() {
        let err = parse_date("date", "2026-02-30", today()).unwrap_err();
        assert_eq!(err.field, "date");
        assert!(err.problem.contains("not a real calendar date"));
        assert!(parse_date("date", "2026-2-3", today()).is_err());
        assert!(parse_date("date", "03/01/2026", today()).is_err());
        assert!(parse_date("date", "", today()).is_err());
    }

    fn now() -> DateTime<Utc> {
        today().and_hms_opt(12, 0, 0).unwrap().and_utc()
    }

    #[test]
    fn moments_are_rfc3339_or_the_end_of_a_day_utc() {
        let at = parse_moment("known-at", "2026-02-10T09:30:00+01:00", now(), today()).unwrap();
        assert_eq!(at.to_rfc3339(), "2026-02-10T08:30:00+00:00");
        let at = parse_moment("known-at", "2026-02-10T08:30:00.123456789Z", now(), today()).unwrap();
        assert_eq!(at.timestamp_subsec_nanos(), 123_456_789);
        let end = parse_moment("known-at", "2026-02-10", now(), today()).unwrap();
        assert_eq!(end.to_rfc3339(), "2026-02-10T23:59:59.999999999+00:00");
        let end = parse_moment("known-at", "yesterday", now(), today()).unwrap();
        assert_eq!(end.date_naive().to_string(), "2026-02-28");
        // Today's end is yet to come: today means now.
        assert_eq!(parse_moment("known-at", "today", now(), today()).unwrap(), now());
        let err = parse_moment("known-at", "last week", now(), today()).unwrap_err();
        assert_eq!(err.field, "known-at");
        assert!(err.problem.contains("RFC 3339"), "{err:?}");
    }

    #[test]
    fn moments_are_in_the_past_whichever_way_they_are_written() {
        let early: Vec<String> = ["1899-12-31", "0001-01-01T00:00:00Z", "1800-01-01T00:00:00+05:00"]
            .iter()
            .map(|m| parse_moment("known-at", m, now(), today()).unwrap_err().problem)
            .collect();
        for problem in &early {
            assert!(
                problem.contains("is before 1900-01-01; dates go from 1900-01-01 to today"),
                "{problem}"
            );
        }
        for future in [
            "2026-03-01T12:00:01Z",
            "2026-03-01T08:00:00-05:00",
            "2026-03-02",
            "2101-01-01T00:00:00Z",
        ] {
            let err = parse_moment("known-at", future, now(), today()).unwrap_err();
            assert!(err.problem.contains("in the future"), "{future}: {err:?}");
        }
        assert!(parse_moment("known-at", "2026-03-01T12:00:00Z", now(), today()).is_ok());
    }

    #[test]
    fn future_dates_are_refused_for_past_events() {
        assert!(parse_past_date("date", "2026-03-02", today()).is_err());
        assert!(parse_past_date("date", "2026-03-01", today()).is_ok());
    }

    #[test]
    fn dates_go_from_1900_to_2100() {
        for early in ["0000-01-01", "0001-01-01", "1899-12-31"] {
            let err = parse_past_date("date", early, today()).unwrap_err();
            assert!(err.problem.contains("1900-01-01"), "{early}: {err:?}");
            assert!(parse_date("since", early, today()).is_err());
        }
        assert!(parse_past_date("date", "1900-01-01", today()).is_ok());
        assert!(parse_date("until", "2100-12-31", today()).is_ok());
        assert!(parse_date("until", "2101-01-01", today()).is_err());
        assert!(parse_date("until", "9999-12-31", today()).is_err());
    }
}
