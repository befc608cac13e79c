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

/// A count of things (production lines, lines inspected): a whole number, zero or more.
pub fn parse_count(field: &str, input: &str) -> Result<i32, Invalid> {
    let text = input.trim();
    match text.parse::<i64>() {
        Ok(n) if n < 0 => Err(Invalid::new(
            field,
            format!("{n} is negative; a count is 0 or more"),
        )),
        Ok(n) if n > 100_000 => Err(Invalid::new(field, format!("{n} is not a plausible count"))),
        Ok(n) => Ok(n as i32),
        Err(_) => Err(Invalid::new(field, format!("'{input}' is not a whole number"))),
    }
}

/// A money amount: digits with an optional decimal point and at most 4 decimals; `,` or `_`
/// are allowed as thousands separators. Never negative: a deal's value is what it is worth.
pub fn parse_amount(field: &str, input: &str) -> Result<Decimal, Invalid> {
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
    if let Some(f) = fraction {
        if f.is_empty() || !f.chars().all(|c| c.is_ascii_digit()) {
            return Err(malformed());
        }
        if f.len() > 4 {
            return Err(Invalid::new(
                field,
                format!("'{input}' has more than 4 decimal places"),
            ));
        }
    }
    let canonical = match fraction {
        Some(f) => format!("{whole_digits}.{f}"),
        None => whole_digits,
    };
    if canonical.len() > 21 {
        return Err(Invalid::new(field, format!("'{input}' is too large")));
    }
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

/// A currency as its ISO 4217 code (`CNY`, `usd`).
pub fn parse_currency(field: &str, input: &str) -> Result<String, Invalid> {
    let code = input.trim().to_ascii_uppercase();
    iso_currency::Currency::from_code(&code)
        .map(|c| c.code().to_string())
        .ok_or_else(|| {
            Invalid::new(
                field,
                format!("'{input}' is not an ISO 4217 currency code (e.g. CNY, USD, EUR)"),
            )
        })
}

/// A website: a host name with an optional scheme and path, no spaces.
pub fn parse_website(field: &str, input: &str) -> Result<String, Invalid> {
    let text = input.trim();
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

/// Required free text: trimmed, not empty.
pub fn required_text(field: &str, input: &str) -> Result<String, Invalid> {
    let text = input.trim();
    if text.is_empty() {
        return Err(Invalid::new(field, "must not be empty"));
    }
    Ok(text.to_string())
}

/// Optional free text: trimmed; empty means "no value".
pub fn optional_text(input: Option<&str>) -> Option<String> {
    input.map(str::trim).filter(|t| !t.is_empty()).map(str::to_string)
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

    #[test]
    fn amounts_are_exact_decimals() {
        assert_eq!(
            parse_amount("value", "1250000.50").unwrap().to_string(),
            "1250000.50"
        );
        assert_eq!(parse_amount("value", "1,250,000").unwrap().to_string(), "1250000");
        assert_eq!(
            parse_amount("value", "0.1").unwrap() + parse_amount("value", "0.2").unwrap(),
            Decimal::new(3, 1)
        );
        for bad in ["12.5.3", "abc", "1e5", "", "1,25,000", ".5", "5.", "12.34567"] {
            assert!(parse_amount("value", bad).is_err(), "{bad}");
        }
        assert!(
            parse_amount("value", "-5")
                .unwrap_err()
                .problem
                .contains("negative")
        );
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
