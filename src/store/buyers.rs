//! Buyers: the teams that scout and sign, ours (internal) or competitors we track (external).

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;

use super::Store;
use super::audit::{self, Change};
use super::entities::buyer;
use super::operations::Op;
use crate::domain::names::normalise;
use crate::domain::status::BuyerKind;
use crate::error::{Error, Result};

pub struct NewBuyer {
    pub name: String,
    pub external: bool,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BuyerView {
    pub id: i32,
    pub name: String,
    pub kind: BuyerKind,
    pub note: Option<String>,
}

crate::row!(BuyerView { id, name, kind, note });

impl From<buyer::Model> for BuyerView {
    fn from(b: buyer::Model) -> Self {
        BuyerView {
            id: b.id,
            name: b.name,
            kind: BuyerKind::of(b.external),
            note: b.note,
        }
    }
}

pub async fn add(store: &Store, new: NewBuyer) -> Result<BuyerView> {
    store.write(async |txn, op| add_in(txn, op, &new).await).await
}

async fn add_in(txn: &DatabaseTransaction, op: &Op, new: &NewBuyer) -> Result<BuyerView> {
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
        created_at: Set(Utc::now()),
        recorded_by: Set(op.seq),
        ..Default::default()
    }
    .insert(txn)
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
        .order_by_asc(buyer::Column::External)
        .order_by_asc(buyer::Column::Name)
        .all(&store.db)
        .await?
        .into_iter()
        .map(BuyerView::from)
        .collect())
}
