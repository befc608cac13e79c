//! Sites: the factories of a supplier, with their production lines.

use crate::store::insert::Stored;
use crate::store::wire::Txn;
use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    Set,
};
use serde::Serialize;

use super::audit::{self, Change};
use super::dated::{self, KeyChange};
use super::entities::{site, supplier};
use super::operations::Op;
use super::{Corrected, Store, lookup, versions};
use crate::domain::names::normalise;
use crate::domain::status::FactKind;
use crate::error::{Error, Result};

pub struct NewSite {
    pub supplier: String,
    pub name: String,
    pub city: Option<String>,
    pub province: Option<String>,
    pub country: Option<String>,
    pub lines: Option<i32>,
    /// The day the line count holds from.
    pub date: NaiveDate,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SiteView {
    pub id: i32,
    pub supplier_id: i32,
    pub supplier: String,
    pub name: String,
    pub city: Option<String>,
    pub province: Option<String>,
    pub country: Option<String>,
    pub lines: Option<i32>,
    /// The site this one was merged into (its id and name resolve there).
    pub merged_into: Option<i32>,
}

crate::row!(SiteView {
    id,
    supplier_id,
    supplier,
    name,
    city,
    province,
    country,
    lines,
    merged_into
});

pub(super) fn view(s: site::Model, supplier_name: &str) -> SiteView {
    SiteView {
        id: s.id,
        supplier_id: s.supplier_id,
        supplier: supplier_name.to_string(),
        name: s.name,
        city: s.city,
        province: s.province,
        country: s.country,
        lines: s.lines,
        merged_into: s.merged_into,
    }
}

/// Refuses new evidence against an archived supplier: it is out of the running until restored.
pub fn ensure_active(supplier: &supplier::Model) -> Result<()> {
    if supplier.archived {
        return Err(Error::invalid(
            "supplier",
            format!(
                "'{}' is archived; restore it with `vetted supplier archive --restore {}` first",
                supplier.name, supplier.id
            ),
        ));
    }
    Ok(())
}

pub async fn add(store: &Store, new: NewSite) -> Result<SiteView> {
    store.write(async |txn, op| add_in(txn, op, &new).await).await
}

async fn add_in(txn: &Txn, op: &Op, new: &NewSite) -> Result<SiteView> {
    let owner = lookup::supplier(txn, &new.supplier).await?;
    ensure_active(&owner)?;
    let name_norm = normalise(&new.name);
    if let Some(existing) = site::Entity::find()
        .filter(site::Column::SupplierId.eq(owner.id))
        .filter(site::Column::NameNorm.eq(name_norm.as_str()))
        .one(txn)
        .await?
    {
        return Err(Error::Conflict(format!(
            "{} already has a site '{}' (#{})",
            owner.name, existing.name, existing.id
        )));
    }
    let created = site::ActiveModel {
        supplier_id: Set(owner.id),
        name: Set(new.name.clone()),
        name_norm: Set(name_norm),
        city: Set(new.city.clone()),
        province: Set(new.province.clone()),
        country: Set(new.country.clone().or_else(|| owner.country.clone())),
        lines: Set(new.lines),
        created_at: Set(crate::store::now()),
        recorded_by: Set(op.seq),
        ..Default::default()
    }
    .stored(txn)
    .await?;
    // The line count is a dated fact: unknown before `date` (when that is after the listing).
    let lines = KeyChange {
        supplier: owner.id,
        listed_on: owner.listed_on,
        kind: FactKind::Lines,
        subject: created.id.to_string(),
        current: None,
        new: new.lines.map(|n| n.to_string()),
        day: new.date,
    };
    if lines.new.is_some() {
        dated::record(txn, op.seq, &[lines]).await?;
    }
    let view = view(created, &owner.name);
    audit::record(
        txn,
        op,
        Change {
            action: "site.add",
            entity: "site",
            entity_id: view.id,
            supplier_id: Some(owner.id),
            summary: format!("added site {} of {}", view.name, owner.name),
            before: None,
            after: Some(&view),
        },
    )
    .await?;
    Ok(view)
}

pub async fn of_supplier(conn: &impl ConnectionTrait, owner: &supplier::Model) -> Result<Vec<SiteView>> {
    Ok(site::Entity::find()
        .filter(site::Column::SupplierId.eq(owner.id))
        .filter(site::Column::MergedInto.is_null())
        .order_by_asc(site::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|s| view(s, &owner.name))
        .collect())
}

pub async fn list(store: &Store, supplier_ref: Option<&str>) -> Result<Vec<SiteView>> {
    if let Some(reference) = supplier_ref {
        let owner = lookup::supplier(&store.db, reference).await?;
        return of_supplier(&store.db, &owner).await;
    }
    let sites = site::Entity::find()
        .filter(site::Column::MergedInto.is_null())
        .order_by_asc(site::Column::SupplierId)
        .order_by_asc(site::Column::Id)
        .all(&store.db)
        .await?;
    let names = lookup::supplier_names(&store.db, sites.iter().map(|s| s.supplier_id)).await?;
    Ok(sites
        .into_iter()
        .map(|s| {
            let owner = names.get(&s.supplier_id).cloned().unwrap_or_default();
            view(s, &owner)
        })
        .collect())
}

/// What `site edit` changes: each field given, or `None` to leave it (`Some(None)` clears).
#[derive(Debug, Clone, Default)]
pub struct SiteEdit {
    pub name: Option<String>,
    pub city: Option<Option<String>>,
    pub province: Option<Option<String>>,
    pub country: Option<Option<String>>,
    pub lines: Option<Option<i32>>,
    /// The day a new line count holds from [default: today].
    pub date: Option<NaiveDate>,
}

pub async fn edit(store: &Store, reference: &str, edit: SiteEdit) -> Result<Corrected<SiteView>> {
    store
        .write(async |txn, op| {
            let found = lookup::site_anywhere(txn, reference).await?;
            let owner = lookup::supplier_by_id(txn, found.supplier_id).await?;
            let before = view(found.clone(), &owner.name);
            let edit = SiteEdit {
                date: Some(edit.date.unwrap_or(store.today)),
                ..edit.clone()
            };
            let after = view(apply(txn, op, found, &owner, &edit).await?, &owner.name);
            if after == before {
                return Ok(Corrected::Unchanged(after));
            }
            audit::record(
                txn,
                op,
                Change {
                    action: "site.edit",
                    entity: "site",
                    entity_id: after.id,
                    supplier_id: Some(owner.id),
                    summary: format!("corrected site {} of {}", after.name, owner.name),
                    before: Some(&before),
                    after: Some(&after),
                },
            )
            .await?;
            Ok(Corrected::Saved(after))
        })
        .await
}

/// Writes what `edit` changes of site `found` (of `owner`) as operation `op`; the line count is
/// a dated fact, from `edit.date` [default: the owner's listing].
pub(super) async fn apply(
    txn: &Txn,
    op: &Op,
    found: site::Model,
    owner: &supplier::Model,
    edit: &SiteEdit,
) -> Result<site::Model> {
    let mut active = found.clone().into_active_model();
    if let Some(name) = edit.name.clone().filter(|n| *n != found.name) {
        let name_norm = normalise(&name);
        if let Some(other) = site::Entity::find()
            .filter(site::Column::SupplierId.eq(owner.id))
            .filter(site::Column::NameNorm.eq(name_norm.as_str()))
            .filter(site::Column::Id.ne(found.id))
            .one(txn)
            .await?
        {
            return Err(Error::Conflict(format!(
                "{} already has a site '{}' (#{})",
                owner.name, other.name, other.id
            )));
        }
        active.name_norm = Set(name_norm);
        active.name = Set(name);
    }
    if let Some(city) = edit.city.clone().filter(|c| *c != found.city) {
        active.city = Set(city);
    }
    if let Some(province) = edit.province.clone().filter(|p| *p != found.province) {
        active.province = Set(province);
    }
    if let Some(country) = edit.country.clone().filter(|c| *c != found.country) {
        active.country = Set(country);
    }
    if let Some(lines) = edit.lines.filter(|n| *n != found.lines) {
        let change = KeyChange {
            supplier: owner.id,
            listed_on: owner.listed_on,
            kind: FactKind::Lines,
            subject: found.id.to_string(),
            current: found.lines.map(|n| n.to_string()),
            new: lines.map(|n| n.to_string()),
            day: edit.date.unwrap_or(owner.listed_on),
        };
        let now = dated::record(txn, op.seq, &[change]).await?.pop().flatten();
        let now = now.and_then(|n| n.parse::<i32>().ok());
        if now != found.lines {
            active.lines = Set(now);
        }
    }
    if !active.is_changed() {
        return Ok(found);
    }
    versions::retire::<site::Entity>(txn, op.seq, site::Column::Id.eq(found.id)).await?;
    active.recorded_by = Set(op.seq);
    Ok(active.update(txn).await?)
}
