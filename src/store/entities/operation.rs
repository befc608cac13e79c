//! The `operation` table: one row per command that changed the record.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "operation")]
pub struct Model {
    /// Orders operations; what `recorded_by`, `retracted_by` and `undoes` refer to.
    #[sea_orm(primary_key)]
    pub seq: i32,
    /// The UUIDv7 users see and name.
    pub id: String,
    pub at: DateTimeUtc,
    pub actor: String,
    #[sea_orm(column_type = "Text")]
    pub command: String,
    #[sea_orm(column_type = "Text")]
    pub summary: String,
    /// `change`, `undo` (of `undoes`) or `restore` (`import all`).
    pub kind: String,
    /// The operation this one undoes.
    pub undoes: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
