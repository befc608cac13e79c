//! The `dated_fact` table: what a supplier's record said from a day on, for the values that
//! carry no date of their own (`domain::timeline`).

use sea_orm::entity::prelude::*;

use crate::domain::status::FactKind;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "dated_fact")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub supplier_id: i32,
    #[sea_orm(column_type = "String(StringLen::N(16))")]
    pub kind: FactKind,
    /// The capability, the alias's normalised form, or the site's id; empty for the archive
    /// state and the scarcity override.
    pub subject: String,
    /// The value from `valid_from` on: the alias as written, the override, the line count, or
    /// `yes` (capability offered, supplier archived); none when absent.
    pub value: Option<String>,
    pub valid_from: Date,
    /// The operation that wrote this version of the row (see `store::versions`).
    #[serde(default)]
    pub recorded_by: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
