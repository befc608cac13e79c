//! The `supplier_alias` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "supplier_alias")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub supplier_id: i32,
    pub alias: String,
    pub alias_norm: String,
    /// The operation that wrote this version of the row (see `store::versions`); 0 in a
    /// backup from before the operation log.
    #[serde(default)]
    pub recorded_by: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
