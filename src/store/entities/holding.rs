//! The `holding` table: a buyer's hold on units of a supplier's capacity in a quarter, as stated
//! on a day (a later statement for the same supplier, capability, quarter and buyer supersedes
//! it).

use sea_orm::entity::prelude::*;

use crate::domain::capacity::Period;
use crate::domain::status::{Confidence, HoldStatus};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "holding")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub supplier_id: i32,
    pub buyer_id: i32,
    pub capability: String,
    #[sea_orm(column_type = "Char(Some(6))")]
    pub period: Period,
    pub units: i32,
    #[sea_orm(column_type = "String(StringLen::N(16))")]
    pub status: HoldStatus,
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
