//! Merges: a supplier, buyer or site entered twice becomes one. The duplicate keeps its row,
//! pointing at the record it was merged into (`merged_into`), so its id and names still find
//! that one (`lookup`); everything recorded against it moves there. One operation, undone
//! like any other.

use crate::store::wire::Txn;
use chrono::NaiveDate;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, IntoCondition, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};

use super::audit::{self, Change};
use super::buyers::BuyerView;
use super::entities::{
    buyer, capacity, dated_fact, deal, holding, note, quote, site, supplier, supplier_alias,
    supplier_capability, visit,
};
use super::operations::Op;
use super::sites::SiteView;
use super::suppliers::{self, SupplierChanges, SupplierView};
use super::versions::{self, RECORDED_BY};
use super::{Store, deals, lookup, sites};
use crate::domain::status::{FactKind, ScarceOverride};
use crate::error::{Error, Result};

/// Points the rows of `E` that `which` selects at another record (`column` = `to`), keeping
/// their versions; how many moved.
pub(super) async fn repoint<E: versions::Versioned>(
    txn: &Txn,
    op: i32,
    which: impl IntoCondition,
    column: &str,
    to: i32,
) -> Result<u64> {
    let which = which.into_condition();
    versions::retire::<E>(txn, op, which.clone()).await?;
    let mut update = Query::update();
    update
        .table(E::default())
        .value(Alias::new(column), Expr::val(to))
        .value(Alias::new(RECORDED_BY), Expr::val(op))
        .cond_where(which);
    Ok(txn.execute(&update).await?.rows_affected())
}

/// Marks row `id` of `E` as merged into `into`.
async fn mark_merged<E: versions::Versioned>(txn: &Txn, op: i32, id: i32, into: i32) -> Result<()> {
    let key = Expr::col((E::default(), Alias::new("id"))).eq(id);
    repoint::<E>(txn, op, key, "merged_into", into).await?;
    Ok(())
}

/// Refuses a record merged into itself.
fn distinct(kind: &str, dup: (i32, &str), keep: (i32, &str)) -> Result<()> {
    if dup.0 == keep.0 {
        return Err(Error::invalid(
            "into",
            format!("'{}' and '{}' are the same {kind} (#{})", dup.1, keep.1, keep.0),
        ));
    }
    Ok(())
}

/// What a merge moved, for people: `2 sites, 5 visits`.
fn moved(counts: &[(u64, &str)]) -> String {
    let parts: Vec<String> = counts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| crate::domain::text::counted(*n, what))
        .collect();
    if parts.is_empty() {
        "nothing else moved".to_string()
    } else {
        format!("moved {}", parts.join(", "))
    }
}

/// A merge's answer: the record kept, as it is now, and what happened.
pub struct Merged<T> {
    pub kept: T,
    pub summary: String,
}

pub async fn suppliers(store: &Store, duplicate: &str, keep: &str) -> Result<Merged<SupplierView>> {
    store
        .write(async |txn, op| suppliers_in(txn, op, duplicate, keep).await)
        .await
}

async fn suppliers_in(txn: &Txn, op: &Op, dup_ref: &str, keep_ref: &str) -> Result<Merged<SupplierView>> {
    let dup = lookup::supplier(txn, dup_ref).await?;
    let keep = lookup::supplier(txn, keep_ref).await?;
    distinct("supplier", (dup.id, dup_ref), (keep.id, keep_ref))?;
    let before_dup = suppliers::view(txn, dup.clone()).await?;
    let before_keep = suppliers::view(txn, keep.clone()).await?;
    // From here on every name of the duplicate finds the one kept: it is marked merged (name
    // lookups pass over it) and its aliases go to the one kept.
    mark_merged::<supplier::Entity>(txn, op.seq, dup.id, keep.id).await?;
    versions::remove::<supplier_alias::Entity>(
        txn,
        op.seq,
        Condition::all().add(supplier_alias::Column::SupplierId.eq(dup.id)),
    )
    .await?;
    // Its evidence comes along, so the one kept was on record as early as it was.
    super::dated::listed_by(txn, op.seq, &keep, dup.listed_on).await?;
    let keep = lookup::supplier_by_id(txn, keep.id).await?;
    let day = Ord::max(keep.listed_on, dup.listed_on);
    let changes = taken_over(txn, &dup, &before_dup, &keep, day).await?;
    let keep = suppliers::apply(txn, op.seq, keep, changes, day).await?;
    let counts = move_evidence(txn, op.seq, &dup, &keep).await?;
    let after = suppliers::view(txn, keep).await?;
    let summary = format!(
        "merged supplier {} (#{}) into {} (#{}): {}",
        dup.name,
        dup.id,
        after.name,
        after.id,
        moved(&counts)
    );
    let after_dup = suppliers::view(txn, lookup::supplier_by_id(txn, dup.id).await?).await?;
    for (id, before, after, action) in [
        (dup.id, &before_dup, &after_dup, "supplier.merge"),
        (after.id, &before_keep, &after, "supplier.merge.keep"),
    ] {
        audit::record(
            txn,
            op,
            Change {
                action,
                entity: "supplier",
                entity_id: id,
                supplier_id: Some(id),
                summary: summary.clone(),
                before: Some(before),
                after: Some(after),
            },
        )
        .await?;
    }
    Ok(Merged { kept: after, summary })
}

/// What the one kept takes over from the duplicate: its names as aliases, its aliases and
/// capabilities, and whatever of its profile the one kept lacks.
async fn taken_over(
    conn: &impl ConnectionTrait,
    dup: &supplier::Model,
    dup_view: &SupplierView,
    keep: &supplier::Model,
    day: NaiveDate,
) -> Result<SupplierChanges> {
    let fill = |mine: &Option<String>, theirs: &Option<String>| match (mine, theirs) {
        (None, Some(value)) => Some(Some(value.clone())),
        _ => None,
    };
    let mut aliases = vec![dup.name.clone()];
    aliases.extend(dup.native_name.clone());
    aliases.extend(dup_view.aliases.iter().cloned());
    let capabilities: Vec<String> = supplier_capability::Entity::find()
        .filter(supplier_capability::Column::SupplierId.eq(dup.id))
        .order_by_asc(supplier_capability::Column::Capability)
        .all(conn)
        .await?
        .into_iter()
        .map(|c| c.capability)
        .collect();
    Ok(SupplierChanges {
        name: None,
        native_name: fill(&keep.native_name, &dup.native_name),
        country: fill(&keep.country, &dup.country),
        province: fill(&keep.province, &dup.province),
        city: fill(&keep.city, &dup.city),
        address: fill(&keep.address, &dup.address),
        website: fill(&keep.website, &dup.website),
        scarce: (keep.scarce_override == ScarceOverride::Auto && dup.scarce_override != ScarceOverride::Auto)
            .then_some(dup.scarce_override),
        note: fill(&keep.note, &dup.note),
        add_aliases: aliases,
        remove_aliases: Vec::new(),
        add_capabilities: capabilities,
        remove_capabilities: Vec::new(),
        date: Some(day),
    })
}

/// Moves the duplicate's sites, visits, findings and deals to the one kept; a site of the same
/// name, or a deal with the same buyer, becomes one with the kept one's.
async fn move_evidence(
    txn: &Txn,
    op: i32,
    dup: &supplier::Model,
    keep: &supplier::Model,
) -> Result<Vec<(u64, &'static str)>> {
    let mut sites_moved = 0;
    for dup_site in site::Entity::find()
        .filter(site::Column::SupplierId.eq(dup.id))
        .filter(site::Column::MergedInto.is_null())
        .all(txn)
        .await?
    {
        let twin = site::Entity::find()
            .filter(site::Column::SupplierId.eq(keep.id))
            .filter(site::Column::NameNorm.eq(dup_site.name_norm.as_str()))
            .filter(site::Column::MergedInto.is_null())
            .one(txn)
            .await?;
        match twin {
            Some(twin) => {
                repoint::<visit::Entity>(txn, op, visit::Column::SiteId.eq(dup_site.id), "site_id", twin.id)
                    .await?;
                mark_merged::<site::Entity>(txn, op, dup_site.id, twin.id).await?;
            }
            None => {
                repoint::<site::Entity>(txn, op, site::Column::Id.eq(dup_site.id), "supplier_id", keep.id)
                    .await?;
                // Its line count's dated facts go with it.
                let facts = dated_fact::Column::SupplierId
                    .eq(dup.id)
                    .and(dated_fact::Column::Kind.eq(FactKind::Lines))
                    .and(dated_fact::Column::Subject.eq(dup_site.id.to_string()));
                repoint::<dated_fact::Entity>(txn, op, facts, "supplier_id", keep.id).await?;
            }
        }
        sites_moved += 1;
    }
    let visits = repoint::<visit::Entity>(
        txn,
        op,
        visit::Column::SupplierId.eq(dup.id),
        "supplier_id",
        keep.id,
    )
    .await?;
    let notes = repoint::<note::Entity>(
        txn,
        op,
        note::Column::SupplierId.eq(dup.id),
        "supplier_id",
        keep.id,
    )
    .await?;
    let mut deals_moved = 0;
    for dup_deal in deal::Entity::find()
        .filter(deal::Column::SupplierId.eq(dup.id))
        .all(txn)
        .await?
    {
        let twin = deal::Entity::find()
            .filter(deal::Column::SupplierId.eq(keep.id))
            .filter(deal::Column::BuyerId.eq(dup_deal.buyer_id))
            .one(txn)
            .await?;
        match twin {
            Some(twin) => deals::combine(txn, op, dup_deal, twin).await?,
            None => {
                repoint::<deal::Entity>(txn, op, deal::Column::Id.eq(dup_deal.id), "supplier_id", keep.id)
                    .await?;
            }
        }
        deals_moved += 1;
    }
    // Capacity, holdings and quotes: statements about the one supplier, kept as they were.
    let mut statements = 0;
    statements += repoint::<capacity::Entity>(
        txn,
        op,
        capacity::Column::SupplierId.eq(dup.id),
        "supplier_id",
        keep.id,
    )
    .await?;
    statements += repoint::<holding::Entity>(
        txn,
        op,
        holding::Column::SupplierId.eq(dup.id),
        "supplier_id",
        keep.id,
    )
    .await?;
    statements += repoint::<quote::Entity>(
        txn,
        op,
        quote::Column::SupplierId.eq(dup.id),
        "supplier_id",
        keep.id,
    )
    .await?;
    Ok(vec![
        (sites_moved, "site"),
        (visits, "visit"),
        (notes, "note"),
        (deals_moved, "deal"),
        (statements, "capacity statement"),
    ])
}

pub async fn buyers(store: &Store, duplicate: &str, keep: &str) -> Result<Merged<BuyerView>> {
    store
        .write(async |txn, op| buyers_in(txn, op, duplicate, keep).await)
        .await
}

async fn buyers_in(txn: &Txn, op: &Op, dup_ref: &str, keep_ref: &str) -> Result<Merged<BuyerView>> {
    let dup = lookup::buyer(txn, dup_ref).await?;
    let keep = lookup::buyer(txn, keep_ref).await?;
    distinct("buyer", (dup.id, dup_ref), (keep.id, keep_ref))?;
    let before_dup = BuyerView::from(dup.clone());
    let before_keep = BuyerView::from(keep.clone());
    mark_merged::<buyer::Entity>(txn, op.seq, dup.id, keep.id).await?;
    if keep.note.is_none() && dup.note.is_some() {
        versions::retire::<buyer::Entity>(txn, op.seq, buyer::Column::Id.eq(keep.id)).await?;
        let mut active = keep.clone().into_active_model();
        active.note = Set(dup.note.clone());
        active.recorded_by = Set(op.seq);
        active.update(txn).await?;
    }
    let visits = repoint::<visit::Entity>(
        txn,
        op.seq,
        visit::Column::BuyerId.eq(dup.id),
        "buyer_id",
        keep.id,
    )
    .await?;
    let mut statements = 0;
    statements += repoint::<holding::Entity>(
        txn,
        op.seq,
        holding::Column::BuyerId.eq(dup.id),
        "buyer_id",
        keep.id,
    )
    .await?;
    statements += repoint::<quote::Entity>(
        txn,
        op.seq,
        quote::Column::BuyerId.eq(dup.id),
        "buyer_id",
        keep.id,
    )
    .await?;
    let mut deals_moved = 0;
    for dup_deal in deal::Entity::find()
        .filter(deal::Column::BuyerId.eq(dup.id))
        .all(txn)
        .await?
    {
        let twin = deal::Entity::find()
            .filter(deal::Column::BuyerId.eq(keep.id))
            .filter(deal::Column::SupplierId.eq(dup_deal.supplier_id))
            .one(txn)
            .await?;
        match twin {
            Some(twin) => deals::combine(txn, op.seq, dup_deal, twin).await?,
            None => {
                repoint::<deal::Entity>(txn, op.seq, deal::Column::Id.eq(dup_deal.id), "buyer_id", keep.id)
                    .await?;
            }
        }
        deals_moved += 1;
    }
    let after = BuyerView::from(
        buyer::Entity::find_by_id(keep.id)
            .one(txn)
            .await?
            .ok_or_else(|| sea_orm::DbErr::RecordNotFound(format!("buyer #{}", keep.id)))?,
    );
    let summary = format!(
        "merged buyer {} (#{}) into {} (#{}): {}",
        dup.name,
        dup.id,
        after.name,
        after.id,
        moved(&[
            (visits, "visit"),
            (deals_moved, "deal"),
            (statements, "capacity statement")
        ])
    );
    let mut after_dup = before_dup.clone();
    after_dup.merged_into = Some(keep.id);
    for (id, before, after) in [(dup.id, &before_dup, &after_dup), (keep.id, &before_keep, &after)] {
        audit::record(
            txn,
            op,
            Change {
                action: "buyer.merge",
                entity: "buyer",
                entity_id: id,
                supplier_id: None,
                summary: summary.clone(),
                before: Some(before),
                after: Some(after),
            },
        )
        .await?;
    }
    Ok(Merged { kept: after, summary })
}

pub async fn sites(store: &Store, duplicate: &str, keep: &str) -> Result<Merged<SiteView>> {
    store
        .write(async |txn, op| sites_in(txn, op, duplicate, keep).await)
        .await
}

async fn sites_in(txn: &Txn, op: &Op, dup_ref: &str, keep_ref: &str) -> Result<Merged<SiteView>> {
    let dup = lookup::site_anywhere(txn, dup_ref).await?;
    let keep = lookup::site_anywhere(txn, keep_ref).await?;
    distinct("site", (dup.id, dup_ref), (keep.id, keep_ref))?;
    if dup.supplier_id != keep.supplier_id {
        return Err(Error::invalid(
            "into",
            format!(
                "site #{} and site #{} belong to different suppliers; merge the suppliers first \
                 (`vetted supplier merge`)",
                dup.id, keep.id
            ),
        ));
    }
    let owner = lookup::supplier_by_id(txn, keep.supplier_id).await?;
    let before_dup = sites::view(dup.clone(), &owner.name);
    let before_keep = sites::view(keep.clone(), &owner.name);
    let visits =
        repoint::<visit::Entity>(txn, op.seq, visit::Column::SiteId.eq(dup.id), "site_id", keep.id).await?;
    mark_merged::<site::Entity>(txn, op.seq, dup.id, keep.id).await?;
    let fill = |mine: &Option<String>, theirs: &Option<String>| match (mine, theirs) {
        (None, Some(value)) => Some(Some(value.clone())),
        _ => None,
    };
    let edit = sites::SiteEdit {
        name: None,
        city: fill(&keep.city, &dup.city),
        province: fill(&keep.province, &dup.province),
        country: fill(&keep.country, &dup.country),
        lines: match (keep.lines, dup.lines) {
            (None, Some(n)) => Some(Some(n)),
            _ => None,
        },
        date: None,
    };
    let kept = sites::apply(txn, op, keep, &owner, &edit).await?;
    let after = sites::view(kept, &owner.name);
    let summary = format!(
        "merged site {} (#{}) into {} (#{}) of {}: {}",
        dup.name,
        dup.id,
        after.name,
        after.id,
        owner.name,
        moved(&[(visits, "visit")])
    );
    let mut after_dup = before_dup.clone();
    after_dup.merged_into = Some(after.id);
    for (id, before, after) in [
        (dup.id, &before_dup, &after_dup),
        (after.id, &before_keep, &after),
    ] {
        audit::record(
            txn,
            op,
            Change {
                action: "site.merge",
                entity: "site",
                entity_id: id,
                supplier_id: Some(owner.id),
                summary: summary.clone(),
                before: Some(before),
                after: Some(after),
            },
        )
        .await?;
    }
    Ok(Merged { kept: after, summary })
}
