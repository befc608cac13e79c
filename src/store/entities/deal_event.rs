//! The `deal_event` table.

use crate::store::money::Money;
use sea_orm::entity::prelude::*;

use crate::domain::status::{Confidence, DealStatus};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "deal_event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub deal_id: i32,
    pub event_date: Date,
    #[sea_orm(column_type = "String(StringLen::N(16))")]
    pub status: DealStatus,
    #[sea_orm(column_type = "Decimal(Some((20, 4)))", nullable)]
    pub value: Option<Money>,
    pub currency: Option<String>,
    pub scope: Option<String>,
    pub note: Option<String>,
    pub actor: String,
    /// Voided (a correction): out of lists and reports, kept in `show` and the log.
    #[serde(default)]
    pub voided: bool,
    #[serde(default)]
    pub void_reason: Option<String>,
    /// Where the news came from, and how sure we are of it (our own teams' moves are
    /// confirmed unless said otherwise, a competitor's likely).
    #[serde(default)]
    pub source: Option<String>,
    #[sea_orm(column_type = "String(StringLen::N(16))")]
    #[serde(default = "Confidence::confirmed")]
    pub confidence: Confidence,
    pub created_at: DateTimeUtc,
    /// The operation that wrote this version of the row (see `store::versions`); 0 in a
    /// backup from before the operation log.
    #[serde(default)]
    pub recorded_by: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
