//! The `supplier` table.

use sea_orm::entity::prelude::*;

use crate::domain::status::ScarceOverride;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "supplier")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub name: String,
    pub name_norm: String,
    pub native_name: Option<String>,
    pub native_norm: Option<String>,
    pub country: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub address: Option<String>,
    pub website: Option<String>,
    #[sea_orm(column_type = "String(StringLen::N(16))")]
    pub scarce_override: ScarceOverride,
    pub note: Option<String>,
    pub archived: bool,
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
