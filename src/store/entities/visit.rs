//! The `visit` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "visit")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub supplier_id: i32,
    pub buyer_id: i32,
    pub site_id: Option<i32>,
    pub visit_date: Date,
    pub purpose: Option<String>,
    pub lines_inspected: Option<i32>,
    pub summary: Option<String>,
    /// Voided (a correction): out of lists and reports, kept in `show` and the log.
    #[serde(default)]
    pub voided: bool,
    #[serde(default)]
    pub void_reason: Option<String>,
    pub created_at: DateTimeUtc,
    /// The operation that wrote this version of the row (see `store::versions`); 0 in a
    /// backup from before the operation log.
    #[serde(default)]
    pub recorded_by: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
