//! `Money`: an exact decimal amount column. PostgreSQL and MySQL store it as `DECIMAL(20,4)`;
//! SQLite has no decimal type (sea-orm would round-trip it through a float), so the migration
//! declares a text column there and the amount is kept as its canonical decimal text.

use std::str::FromStr;

use rust_decimal::Decimal;
use sea_orm::sea_query::{ArrayType, ColumnType, Nullable, ValueType, ValueTypeErr};
use sea_orm::{ColIdx, QueryResult, TryGetError, TryGetable, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money(pub Decimal);

impl Money {
    /// The amount as every backend reads it back the same (SQLite keeps the digits written,
    /// the servers four decimals): trailing zeros dropped, at least two decimals.
    pub fn canonical(self) -> Decimal {
        let mut amount = self.0.normalize();
        if amount.scale() < 2 {
            amount.rescale(2);
        }
        amount
    }
}

impl From<Money> for Value {
    fn from(money: Money) -> Self {
        // Bound as a decimal: SQLite receives its exact text, the servers a numeric.
        Value::Decimal(Some(money.0))
    }
}

impl TryGetable for Money {
    fn try_get_by<I: ColIdx>(res: &QueryResult, idx: I) -> Result<Self, TryGetError> {
        match String::try_get_by(res, idx) {
            Ok(text) => Decimal::from_str(&text).map(Money).map_err(|e| {
                TryGetError::DbErr(sea_orm::DbErr::Type(format!(
                    "stored amount '{text}' is not a decimal: {e}"
                )))
            }),
            Err(TryGetError::Null(col)) => Err(TryGetError::Null(col)),
            // A server's DECIMAL column does not decode as text; read it as a decimal.
            Err(_) => Decimal::try_get_by(res, idx).map(Money),
        }
    }
}

impl ValueType for Money {
    fn try_from(v: Value) -> Result<Self, ValueTypeErr> {
        match v {
            Value::Decimal(Some(d)) => Ok(Money(d)),
            Value::String(Some(s)) => Decimal::from_str(&s).map(Money).map_err(|_| ValueTypeErr),
            _ => Err(ValueTypeErr),
        }
    }

    fn type_name() -> String {
        "Money".to_owned()
    }

    fn array_type() -> ArrayType {
        ArrayType::Decimal
    }

    fn column_type() -> ColumnType {
        ColumnType::Decimal(Some((20, 4)))
    }
}

impl Nullable for Money {
    fn null() -> Value {
        Value::Decimal(None)
    }
}

impl sea_orm::IntoActiveValue<Money> for Money {
    fn into_active_value(self) -> sea_orm::ActiveValue<Money> {
        sea_orm::ActiveValue::Set(self)
    }
}

/// In backups an amount is its exact decimal text, never a JSON float, in its canonical form
/// (so a backup reads the same whichever backend it came from).
impl serde::Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.canonical().to_string())
    }
}

impl<'de> serde::Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Decimal::from_str(&text).map(Money).map_err(|_| {
            serde::de::Error::custom(format!(
                "'{text}' is not an amount vetted can hold (a decimal of at most 28 digits)"
            ))
        })
    }
}
