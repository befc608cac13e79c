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
    /// Why it was archived (`supplier archive --reason`); none while it is active.
    #[serde(default)]
    pub archive_reason: Option<String>,
    /// The record this one was merged into (a correction): its id and names resolve there.
    #[serde(default)]
    pub merged_into: Option<i32>,
    /// The day the supplier is on record from (`--date`); reports as of an earlier day leave
    /// it out. A backup from before valid time has none: it is then the day of `created_at`.
    #[serde(default = "unlisted")]
    pub listed_on: Date,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The operation that wrote this version of the row (see `store::versions`); 0 in a
    /// backup from before the operation log.
    #[serde(default)]
    pub recorded_by: i32,
}

/// `listed_on` of a backup from before valid time, until `Model::listed` fills it in.
fn unlisted() -> Date {
    Date::MIN
}

impl Model {
    /// This supplier as listed on the day it was created when a backup said nothing.
    pub fn listed(mut self) -> Self {
        if self.listed_on == Date::MIN {
            self.listed_on = self.created_at.date_naive();
        }
        self
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
