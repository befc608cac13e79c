//! The `supplier_capability` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "supplier_capability")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub supplier_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub capability: String,
    /// The operation that wrote this version of the row (see `store::versions`); 0 in a
    /// backup from before the operation log.
    #[serde(default)]
    pub recorded_by: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
