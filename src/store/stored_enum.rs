//! The domain's string enums (deal status, severity, scarcity override) as column values: stored
//! as their spellings, read back typed. A spelling vetted never stores (a value changed by hand)
//! is an error naming it, never a value silently skipped or defaulted.

use sea_orm::sea_query::{ArrayType, ColumnType, Nullable, StringLen, ValueType, ValueTypeErr};
use sea_orm::{ColIdx, DbErr, QueryResult, TryGetError, TryGetable, Value};

use crate::domain::capacity::Period;
use crate::domain::status::{Confidence, DealStatus, FactKind, HoldStatus, ScarceOverride, Severity};

macro_rules! stored_enum {
    ($($name:ident),+) => {$(
        impl From<$name> for Value {
            fn from(value: $name) -> Self {
                Value::String(Some(value.as_str().to_string()))
            }
        }

        impl TryGetable for $name {
            fn try_get_by<I: ColIdx>(res: &QueryResult, idx: I) -> Result<Self, TryGetError> {
                let text = String::try_get_by(res, idx)?;
                $name::stored(&text).map_err(|problem| TryGetError::DbErr(DbErr::Type(problem)))
            }
        }

        impl ValueType for $name {
            fn try_from(v: Value) -> Result<Self, ValueTypeErr> {
                match v {
                    Value::String(Some(text)) => $name::from_stored(&text).ok_or(ValueTypeErr),
                    _ => Err(ValueTypeErr),
                }
            }

            fn type_name() -> String {
                stringify!($name).to_owned()
            }

            fn array_type() -> ArrayType {
                ArrayType::String
            }

            fn column_type() -> ColumnType {
                ColumnType::String(StringLen::N(16))
            }
        }

        impl Nullable for $name {
            fn null() -> Value {
                Value::String(None)
            }
        }

        impl sea_orm::IntoActiveValue<$name> for $name {
            fn into_active_value(self) -> sea_orm::ActiveValue<$name> {
                sea_orm::ActiveValue::Set(self)
            }
        }
    )+};
}

stored_enum!(
    DealStatus,
    Severity,
    ScarceOverride,
    FactKind,
    Confidence,
    HoldStatus,
    Period
);
