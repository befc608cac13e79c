//! What tables, Markdown and CSV are drawn from: typed cells under named columns. A view says
//! what its columns are (`Row`, usually through `row!`); nothing is found by walking JSON.

use std::borrow::Cow;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::domain::status::{
    BuyerKind, Confidence, DealStatus, FactKind, HoldStatus, ScarceOverride, Severity,
};

/// One cell of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    /// `yes` or `no`.
    Flag(bool),
    /// Names (aliases, capabilities, visitors), joined with `; `.
    List(Vec<String>),
    /// An amount of money: `1200000.00` in CSV, `1,200,000.00` for people.
    Amount(Decimal),
    /// Records inside a record (a visit's findings): a person sees how many, CSV gets them as
    /// JSON, and a document shows them as a section of their own.
    Records(Records),
}

/// Nested records: their columns and cells, and their JSON for a CSV cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Records {
    pub columns: &'static [&'static str],
    pub rows: Vec<Vec<Cell>>,
    json: String,
}

impl Cell {
    /// The cell for a spreadsheet: every value as text.
    pub fn csv(&self) -> Cow<'_, str> {
        match self {
            Cell::Empty => Cow::Borrowed(""),
            Cell::Text(text) => Cow::Borrowed(text),
            Cell::Flag(flag) => Cow::Borrowed(if *flag { "yes" } else { "no" }),
            Cell::List(items) => Cow::Owned(items.join("; ")),
            Cell::Amount(amount) => Cow::Owned(amount.to_string()),
            Cell::Records(records) if records.rows.is_empty() => Cow::Borrowed(""),
            Cell::Records(records) => Cow::Borrowed(&records.json),
        }
    }

    /// The cell for people: nested records as their count.
    pub fn human(&self) -> Cow<'_, str> {
        match self {
            Cell::Records(records) if !records.rows.is_empty() => Cow::Owned(records.rows.len().to_string()),
            Cell::Amount(amount) => Cow::Owned(grouped(*amount)),
            other => other.csv(),
        }
    }
}

/// A view shown as a row of a table: its columns, in the order serde writes its fields (so they
/// are its JSON keys too), and its cells.
pub trait Row: Serialize {
    const COLUMNS: &'static [&'static str];

    /// One cell per column.
    fn cells(&self) -> Vec<Cell>;
}

/// Implements [`Row`] for a struct from its fields, which must be listed all (the pattern is
/// exhaustive) and in declaration order (checked by `debug_check_columns` in debug builds).
#[macro_export]
macro_rules! row {
    ($ty:ty { $($field:ident),+ $(,)? }) => {
        impl $crate::output::Row for $ty {
            const COLUMNS: &'static [&'static str] = &[$(stringify!($field)),+];

            fn cells(&self) -> Vec<$crate::output::Cell> {
                let Self { $($field),+ } = self;
                vec![$($crate::output::ToCell::cell($field)),+]
            }
        }
    };
}

/// A value as a cell.
pub trait ToCell {
    fn cell(&self) -> Cell;
}

impl<T: ToCell + ?Sized> ToCell for &T {
    fn cell(&self) -> Cell {
        (**self).cell()
    }
}

impl<T: ToCell> ToCell for Option<T> {
    fn cell(&self) -> Cell {
        self.as_ref().map_or(Cell::Empty, ToCell::cell)
    }
}

impl ToCell for bool {
    fn cell(&self) -> Cell {
        Cell::Flag(*self)
    }
}

impl ToCell for str {
    fn cell(&self) -> Cell {
        Cell::Text(self.to_string())
    }
}

/// Values shown as they print.
macro_rules! displayed {
    ($($ty:ty),+) => {$(
        impl ToCell for $ty {
            fn cell(&self) -> Cell {
                Cell::Text(self.to_string())
            }
        }
    )+};
}

displayed!(
    String,
    std::sync::Arc<str>,
    i32,
    i64,
    u64,
    usize,
    NaiveDate,
    DealStatus,
    Severity,
    ScarceOverride,
    BuyerKind,
    FactKind,
    Confidence,
    HoldStatus,
    crate::domain::capacity::Period
);

impl ToCell for Decimal {
    fn cell(&self) -> Cell {
        Cell::Amount(*self)
    }
}

/// An amount with its thousands grouped: `1,200,000.50`.
fn grouped(amount: Decimal) -> String {
    use num_format::{Locale, ToFormattedString};
    let text = amount.abs().to_string();
    let (whole, fraction) = text
        .split_once('.')
        .map_or((text.as_str(), None), |(w, f)| (w, Some(f)));
    let Ok(whole) = whole.parse::<u128>() else {
        return amount.to_string();
    };
    let sign = if amount.is_sign_negative() && !amount.is_zero() {
        "-"
    } else {
        ""
    };
    let whole = whole.to_formatted_string(&Locale::en);
    match fraction {
        Some(fraction) => format!("{sign}{whole}.{fraction}"),
        None => format!("{sign}{whole}"),
    }
}

impl ToCell for Vec<String> {
    fn cell(&self) -> Cell {
        Cell::List(self.clone())
    }
}

/// A record kept as JSON (an audit entry's before and after) is shown as that JSON.
impl ToCell for serde_json::Value {
    fn cell(&self) -> Cell {
        match self {
            serde_json::Value::Null => Cell::Empty,
            serde_json::Value::String(text) => Cell::Text(text.clone()),
            other => Cell::Text(other.to_string()),
        }
    }
}

impl<T: Row> ToCell for Vec<T> {
    fn cell(&self) -> Cell {
        Cell::Records(Records {
            columns: T::COLUMNS,
            rows: self.iter().map(Row::cells).collect(),
            json: serde_json::to_string(self).unwrap_or_default(),
        })
    }
}

/// Debug builds check that a view's columns are its JSON keys, in order: `row!` cannot see the
/// order of a struct's fields, serde can.
pub fn debug_check_columns<T: Row>(row: &T) {
    if cfg!(debug_assertions)
        && let Ok(serde_json::Value::Object(map)) = serde_json::to_value(row)
    {
        let keys: Vec<&str> = map.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            T::COLUMNS,
            "{}: row! must list the fields in declaration order",
            std::any::type_name::<T>()
        );
    }
}
