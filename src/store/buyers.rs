//! Buyers: the teams that scout and sign, ours (internal) or competitors we track (external).

use crate::store::insert::Stored;
use crate::store::wire::Txn;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set};
use serde::Serialize;

use super::audit::{self, Change};
use super::entities::buyer;
use super::operations::Op;
use super::{Corrected, Store, lookup, versions};
use crate::domain::names::normalise;
use crate::domain::status::BuyerKind;
use crate::error::{Error, Result};

pub struct NewBuyer {
    pub name: String,
    pub external: bool,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BuyerView {
    pub id: i32,
    pub name: String,
    pub kind: BuyerKind,
    pub note: Option<String>,
    /// The buyer this one was merged into (its id and name resolve there).
    pub merged_into: Option<i32>,
}

crate::row!(BuyerView {
    id,
    name,
    kind,
    note,
    merged_into
});

impl From<buyer::Model> for BuyerView {
    fn from(b: buyer::Model) -> Self {
        BuyerView {
            id: b.id,
            name: b.name,
            kind: BuyerKind::of(b.external),
            note: b.note,
            merged_into: b.merged_into,
        }
    }
}

pub async fn add(store: &Store, new: NewBuyer) -> Result<BuyerView> {
    store.write(async |txn, op| add_in(txn, op, &new).await).await
}

async fn add_in(txn: &Txn, op: &Op, new: &NewBuyer) -> Result<BuyerView> {
    let name_norm = normalise(&new.name);
    if let Some(existing) = buyer::Entity::find()
        .filter(buyer::Column::NameNorm.eq(name_norm.as_str()))
        .one(txn)
        .await?
    {
        return Err(Error::Conflict(format!(
            "buyer '{}' already exists as '{}' (#{})",
            new.name, existing.name, existing.id
        )));
    }
    let created = buyer::ActiveModel {
        name: Set(new.name.clone()),
        name_norm: Set(name_norm),
        external: Set(new.external),
        note: Set(new.note.clone()),
        created_at: Set(crate::store::now()),
        recorded_by: Set(op.seq),
        ..Default::default()
    }
    .stored(txn)
    .await?;
    let view = BuyerView::from(created);
    audit::record(
        txn,
        op,
        Change {
            action: "buyer.add",
            entity: "buyer",
            entity_id: view.id,
            supplier_id: None,
            summary: format!("added {} buyer {}", view.kind, view.name),
            before: None,
            after: Some(&view),
        },
    )
    .await?;
    Ok(view)
}

pub async fn list(store: &Store) -> Result<Vec<BuyerView>> {
    Ok(buyer::Entity::find()
        .filter(buyer::Column::MergedInto.is_null())
        .order_by_asc(buyer::Column::External)
        .order_by_asc(buyer::Column::Name)
        .all(&store.db)
        .await?
        .into_iter()
        .map(BuyerView::from)
        .collect())
}

/// What `buyer edit` changes: each field given, or `None` to leave it (`Some(None)` clears
/// the note).
#[derive(Debug, Default)]
pub struct BuyerEdit {
    pub name: Option<String>,
    pub external: Option<bool>,
    pub note: Option<Option<String>>,
}

pub async fn edit(store: &Store, reference: &str, edit: BuyerEdit) -> Result<Corrected<BuyerView>> {
    store
        .write(async |txn, op| edit_in(txn, op, reference, &edit).await)
        .await
}

async fn edit_in(txn: &Txn, op: &Op, reference: &str, edit: &BuyerEdit) -> Result<Corrected<BuyerView>> {
    let found = lookup::buyer(txn, reference).await?;
    let before = BuyerView::from(found.clone());
    let mut active = found.clone().into_active_model();
    if let Some(name) = edit.name.clone().filter(|n| *n != found.name) {
        let name_norm = normalise(&name);
        if let Some(other) = buyer::Entity::find()
            .filter(buyer::Column::NameNorm.eq(name_norm.as_str()))
            .filter(buyer::Column::Id.ne(found.id))
            .one(txn)
            .await?
        {
            return Err(Error::Conflict(format!(
                "'{name}' already names buyer '{}' (#{}){}",
                other.name,
                other.id,
                other
                    .merged_into
                    .map(|into| format!(", merged into #{into}"))
                    .unwrap_or_default()
            )));
        }
        active.name_norm = Set(name_norm);
        active.name = Set(name);
    }
    if let Some(external) = edit.external.filter(|e| *e != found.external) {
        active.external = Set(external);
    }
    if let Some(note) = edit.note.clone().filter(|n| *n != found.note) {
        active.note = Set(note);
    }
    if !active.is_changed() {
        return Ok(Corrected::Unchanged(before));
    }
    versions::retire::<buyer::Entity>(txn, op.seq, buyer::Column::Id.eq(found.id)).await?;
    active.recorded_by = Set(op.seq);
    let after = BuyerView::from(active.update(txn).await?);
    audit::record(
        txn,
        op,
        Change {
            action: "buyer.edit",
            entity: "buyer",
            entity_id: after.id,
            supplier_id: None,
            summary: format!("corrected buyer {}", after.name),
            before: Some(&before),
            after: Some(&after),
        },
    )
    .await?;
    Ok(Corrected::Saved(after))
}
