//! The `deal` table.

use crate::store::money::Money;
use sea_orm::entity::prelude::*;

use crate::domain::status::DealStatus;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "deal")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub buyer_id: i32,
    pub supplier_id: i32,
    #[sea_orm(column_type = "String(StringLen::N(16))")]
    pub status: DealStatus,
    #[sea_orm(column_type = "Decimal(Some((20, 4)))", nullable)]
    pub value: Option<Money>,
    pub currency: Option<String>,
    pub scope: Option<String>,
    pub status_date: Date,
    /// Every event voided: the deal is void (out of lists and reports) until a new event.
    #[serde(default)]
    pub voided: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The operation that wrote this version of the row (see `store::versions`); 0 in a
    /// backup from before the operation log.
    #[serde(default)]
    pub recorded_by: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
