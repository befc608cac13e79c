//! The `site` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "site")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub supplier_id: i32,
    pub name: String,
    pub name_norm: String,
    pub city: Option<String>,
    pub province: Option<String>,
    pub country: Option<String>,
    pub lines: Option<i32>,
    /// The record this one was merged into (a correction): its id and names resolve there.
    #[serde(default)]
    pub merged_into: Option<i32>,
    pub created_at: DateTimeUtc,
    /// The operation that wrote this version of the row (see `store::versions`); 0 in a
    /// backup from before the operation log.
    #[serde(default)]
    pub recorded_by: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
