//! Validation of the scalar values users type: counts, money, countries, currencies, websites and
//! capability tags. Each returns the canonical form that is stored.

use std::str::FromStr;

use rust_decimal::Decimal;

/// A value that failed validation: which field, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub field: String,
    pub problem: String,
}

impl Invalid {
    pub fn new(field: impl Into<String>, problem: impl Into<String>) -> Self {
        Invalid {
            field: field.into(),
            problem: problem.into(),
        }
    }
}

/// A whole number from `min` to `max`: the one rule for every number given on the command line
/// or in a file (a count, a threshold, a limit, an id), so that `-1`, `0` and `abc` are all
/// refused alike, by name.
pub fn parse_whole(field: &str, input: &str, min: i64, max: i64) -> Result<i64, Invalid> {
    let text = input.trim();
    let Ok(n) = text.parse::<i64>() else {
        return Err(Invalid::new(field, format!("'{input}' is not a whole number")));
    };
    if n < min {
        let why = if n < 0 { "negative" } else { "too small" };
        return Err(Invalid::new(
            field,
            format!("{n} is {why}; it must be {min} or more"),
        ));
    }
    if n > max {
        return Err(Invalid::new(
            field,
            format!("{n} is too large; it must be at most {max}"),
        ));
    }
    Ok(n)
}

/// A count of things (production lines, lines inspected): zero or more.
pub fn parse_count(field: &str, input: &str) -> Result<i32, Invalid> {
    Ok(parse_whole(field, input, 0, 100_000)? as i32)
}

/// A record's id: 1 or more.
pub fn parse_id(field: &str, input: &str) -> Result<i32, Invalid> {
    Ok(parse_whole(field, input, 1, i64::from(i32::MAX))? as i32)
}

/// A threshold or a limit: 1 or more.
pub fn parse_positive(field: &str, input: &str) -> Result<u64, Invalid> {
    Ok(parse_whole(field, input, 1, i64::from(i32::MAX))? as u64)
}

/// At most this many digits before the decimal point: `DECIMAL(20,4)` on the servers holds 16, and
/// a limit below that leaves room for sums in reports.
pub const MONEY_MAX_INTEGER_DIGITS: usize = 15;

/// A deal's value with its currency: an amount that fits every backend, with no more decimals
/// than the currency has (JPY 0, USD 2, KWD 3), in a real ISO 4217 currency.
pub fn parse_money(
    value_field: &str,
    value: &str,
    currency_field: &str,
    currency: &str,
) -> Result<(Decimal, String), Invalid> {
    let code = parse_currency(currency_field, currency)?;
    let amount = parse_amount(value_field, value)?;
    check_money(value_field, amount, &code)?;
    Ok((amount, code))
}

/// Whether an amount fits the limits in `currency` (a code [`parse_currency`] accepted): never
/// negative, at most 15 integer digits, no more significant decimals than the currency's minor
/// unit (`100.00` yen is 100 yen).
pub fn check_money(field: &str, amount: Decimal, currency: &str) -> Result<(), Invalid> {
    if amount.is_sign_negative() && !amount.is_zero() {
        return Err(Invalid::new(
            field,
            format!("{amount} is negative; a deal value is 0 or more"),
        ));
    }
    let digits = amount.trunc().abs().to_string().trim_start_matches('0').len();
    if digits > MONEY_MAX_INTEGER_DIGITS {
        return Err(too_many_digits(field, digits));
    }
    let decimals = amount.normalize().scale();
    let allowed = minor_unit(currency).unwrap_or(0);
    if decimals > allowed {
        return Err(Invalid::new(
            field,
            format!(
                "{amount} has {decimals} decimal place{}; {currency} has {allowed}",
                if decimals == 1 { "" } else { "s" }
            ),
        ));
    }
    Ok(())
}

fn too_many_digits(field: &str, digits: usize) -> Invalid {
    Invalid::new(
        field,
        format!("has {digits} digits before the decimal point; at most {MONEY_MAX_INTEGER_DIGITS}"),
    )
}

/// A money amount as written: digits with an optional decimal point; `,` or `_` are allowed as
/// thousands separators. Never negative: a deal's value is what it is worth. How many decimals
/// it may have depends on the currency ([`parse_money`]).
fn parse_amount(field: &str, input: &str) -> Result<Decimal, Invalid> {
    let text = input.trim();
    let malformed = || {
        Invalid::new(
            field,
            format!(
                "'{input}' is not an amount; write digits with an optional decimal point, e.g. 1250000.00"
            ),
        )
    };
    if text.starts_with('-') {
        return Err(Invalid::new(
            field,
            format!("'{input}' is negative; a deal value is 0 or more"),
        ));
    }
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (text, None),
    };
    let whole_digits: String = whole.chars().filter(|c| *c != '_' && *c != ',').collect();
    let groups_ok = !whole.contains(',')
        || whole.split(',').enumerate().all(|(i, g)| {
            if i == 0 {
                (1..=3).contains(&g.len())
            } else {
                g.len() == 3
            }
        });
    if whole_digits.is_empty() || !whole_digits.chars().all(|c| c.is_ascii_digit()) || !groups_ok {
        return Err(malformed());
    }
    let digits = whole_digits.trim_start_matches('0').len();
    if digits > MONEY_MAX_INTEGER_DIGITS {
        return Err(too_many_digits(field, digits));
    }
    if let Some(f) = fraction
        && (f.is_empty() || !f.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(malformed());
    }
    let canonical = match fraction {
        Some(f) => format!("{whole_digits}.{f}"),
        None => whole_digits,
    };
    Decimal::from_str(&canonical).map_err(|_| malformed())
}

/// Common names that are not ISO codes nor in the country table.
const COUNTRY_EXTRAS: &[(&str, &str)] = &[
    ("uk", "GB"),
    ("england", "GB"),
    ("greatbritain", "GB"),
    ("korea", "KR"),
];

/// A country as ISO 3166-1 alpha-2, from alpha-2, alpha-3 or an English name in any case
/// (`CN`, `chn`, `CHINA`, `United States`, `UK`).
pub fn parse_country(field: &str, input: &str) -> Result<String, Invalid> {
    let key: String = input
        .trim()
        .chars()
        .filter(|c| !(c.is_whitespace() || matches!(c, '.' | '-' | '_' | '\'' | '\u{a0}')))
        .flat_map(char::to_lowercase)
        .collect();
    if key.chars().all(|c| c.is_ascii_digit()) {
        return Err(Invalid::new(
            field,
            format!("'{input}' is not a country; use a code like CN or a name"),
        ));
    }
    if let Some((_, code)) = COUNTRY_EXTRAS.iter().find(|(name, _)| *name == key) {
        return Ok((*code).to_string());
    }
    let without_the = key.strip_prefix("the").unwrap_or(&key);
    celes::Country::from_str(&key)
        .or_else(|_| celes::Country::from_str(without_the))
        .or_else(|_| celes::Country::from_alias(&key))
        .map(|c| c.alpha2.to_ascii_uppercase())
        .map_err(|_| {
            Invalid::new(
                field,
                format!("'{input}' is not a known country (ISO 3166-1 code or English name)"),
            )
        })
}

/// A currency as its ISO 4217 code (`CNY`, `usd`): a real currency, one with a minor unit, so
/// not `XXX` (no currency), `XTS` (testing) nor the metals and drawing rights.
pub fn parse_currency(field: &str, input: &str) -> Result<String, Invalid> {
    let code = input.trim().to_ascii_uppercase();
    match iso_currency::Currency::from_code(&code) {
        Some(c) if c.exponent().is_some() => Ok(c.code().to_string()),
        Some(_) => Err(Invalid::new(
            field,
            format!("'{input}' is not a currency money is paid in (e.g. CNY, USD, EUR)"),
        )),
        None => Err(Invalid::new(
            field,
            format!("'{input}' is not an ISO 4217 currency code (e.g. CNY, USD, EUR)"),
        )),
    }
}

/// How many decimals a currency has (JPY 0, USD 2, KWD 3); `None` for a code that is not one.
fn minor_unit(code: &str) -> Option<u32> {
    iso_currency::Currency::from_code(code)
        .and_then(|c| c.exponent())
        .map(u32::from)
}

/// A website: a host name with an optional scheme and path, no spaces; one line of text.
pub fn parse_website(field: &str, input: &str) -> Result<String, Invalid> {
    let text = super::text::line(field, input)?;
    let text = text.as_str();
    let host = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
        .unwrap_or(text)
        .split('/')
        .next()
        .unwrap_or("");
    if text.chars().any(char::is_whitespace)
        || !host.contains('.')
        || host.starts_with('.')
        || host.ends_with('.')
    {
        return Err(Invalid::new(field, format!("'{input}' is not a website address")));
    }
    Ok(text.to_string())
}

/// A capability tag: lower-case words joined by `-` (`HJT full line` → `hjt-full-line`).
pub fn parse_capability(field: &str, input: &str) -> Result<String, Invalid> {
    let lowered = input.trim().to_lowercase();
    let words: Vec<&str> = lowered
        .split(|c: char| c.is_whitespace() || c == '-' || c == '_')
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty()
        || !words
            .iter()
            .all(|w| w.chars().all(|c| c.is_alphanumeric() || c == '/' || c == '+'))
    {
        return Err(Invalid::new(
            field,
            format!("'{input}' is not a capability tag; use words like hjt-full-line or pecvd"),
        ));
    }
    let tag = words.join("-");
    if tag.len() > 64 {
        return Err(Invalid::new(
            field,
            format!("'{input}' is longer than 64 characters"),
        ));
    }
    Ok(tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts() {
        assert_eq!(parse_count("lines", "12").unwrap(), 12);
        assert_eq!(parse_count("lines", "-3").unwrap_err().field, "lines");
        assert!(
            parse_count("lines", "-3")
                .unwrap_err()
                .problem
                .contains("negative")
        );
        assert!(parse_count("lines", "3.5").is_err());
    }

    fn money(value: &str, currency: &str) -> Result<String, Invalid> {
        parse_money("value", value, "currency", currency).map(|(v, c)| format!("{v} {c}"))
    }

    #[test]
    fn amounts_are_exact_decimals() {
        assert_eq!(money("1250000.50", "usd").unwrap(), "1250000.50 USD");
        assert_eq!(money("1,250,000", "CNY").unwrap(), "1250000 CNY");
        let tenth = parse_money("value", "0.1", "currency", "USD").unwrap().0;
        let fifth = parse_money("value", "0.2", "currency", "USD").unwrap().0;
        assert_eq!(tenth + fifth, Decimal::new(3, 1));
        for bad in ["12.5.3", "abc", "1e5", "", "1,25,000", ".5", "5."] {
            assert!(money(bad, "USD").is_err(), "{bad}");
        }
        assert!(money("-5", "USD").unwrap_err().problem.contains("negative"));
    }

    #[test]
    fn amounts_fit_every_backend() {
        assert!(money("999999999999999.99", "USD").is_ok());
        assert!(money("000000999999999999999", "USD").is_ok());
        for big in ["1000000000000000", "12345678901234567", &"9".repeat(40)] {
            let err = money(big, "USD").unwrap_err();
            assert_eq!(err.field, "value");
            assert!(err.problem.contains("at most 15"), "{big}: {err:?}");
        }
    }

    #[test]
    fn decimals_follow_the_currency() {
        assert!(money("100", "JPY").is_ok());
        assert!(money("100.00", "JPY").is_ok(), "trailing zeros add no precision");
        assert_eq!(
            money("100.5", "JPY").unwrap_err().problem,
            "100.5 has 1 decimal place; JPY has 0"
        );
        assert!(money("12.34", "USD").is_ok());
        assert!(money("12.345", "USD").is_err());
        assert!(money("1.234", "KWD").is_ok());
        assert!(money("1.2345", "KWD").is_err());
        assert!(check_money("value", Decimal::new(123_4500, 4), "USD").is_ok());
        assert!(check_money("value", Decimal::new(-1, 0), "USD").is_err());
    }

    #[test]
    fn countries_in_any_spelling() {
        for (input, code) in [
            ("CN", "CN"),
            ("chn", "CN"),
            ("CHINA", "CN"),
            ("United States", "US"),
            ("USA", "US"),
            ("UK", "GB"),
            ("germany", "DE"),
            ("Taiwan", "TW"),
            ("Viet Nam", "VN"),
        ] {
            assert_eq!(parse_country("country", input).unwrap(), code, "{input}");
        }
        assert!(parse_country("country", "Atlantis").is_err());
        assert!(parse_country("country", "XX").is_err());
    }

    #[test]
    fn currencies() {
        assert_eq!(parse_currency("currency", "cny").unwrap(), "CNY");
        assert!(parse_currency("currency", "ABC").is_err());
        for not_money in ["XXX", "XTS", "XAU", "xdr"] {
            let err = parse_currency("currency", not_money).unwrap_err();
            assert!(
                err.problem.contains("not a currency money is paid in"),
                "{not_money}"
            );
        }
    }

    #[test]
    fn capability_tags() {
        assert_eq!(
            parse_capability("capability", "HJT full line").unwrap(),
            "hjt-full-line"
        );
        assert_eq!(parse_capability("capability", "pecvd").unwrap(), "pecvd");
        assert!(parse_capability("capability", "  ").is_err());
        assert!(parse_capability("capability", "pe;cvd").is_err());
    }
}
