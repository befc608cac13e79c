//! The `quote` table: a lead time (and price) a supplier quoted a buyer for a capability.

use sea_orm::entity::prelude::*;

use crate::domain::status::Confidence;
use crate::store::money::Money;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "quote")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub supplier_id: i32,
    pub buyer_id: i32,
    pub capability: String,
    /// As quoted: `40w`, `9m`, `280d`.
    pub lead_time: String,
    /// The same in days, to compare.
    pub lead_days: i32,
    #[sea_orm(column_type = "Decimal(Some((20, 4)))", nullable)]
    pub price: Option<Money>,
    pub currency: Option<String>,
    pub valid_until: Option<Date>,
    pub stated_on: Date,
    pub source: Option<String>,
    #[sea_orm(column_type = "String(StringLen::N(16))")]
    pub confidence: Confidence,
    pub note: Option<String>,
    pub created_at: DateTimeUtc,
    /// The operation that wrote this version of the row (see `store::versions`).
    #[serde(default)]
    pub recorded_by: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
