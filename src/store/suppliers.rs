//! Suppliers: their profile, aliases and capabilities, and the whole file `supplier show` gives.

use crate::store::insert::Stored;
use crate::store::wire::Txn;
use std::collections::BTreeMap;

use chrono::NaiveDate;
use sea_orm::sea_query::{Condition, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::Serialize;

use crate::output::{Document, Field, Name, ToCell, fields_of};

use super::audit::{self, Change};
use super::dated::{self, KeyChange, YES};
use super::entities::{supplier, supplier_alias, supplier_capability};
use super::operations::Op;
use super::{Corrected, Store, deals, lookup, notes, sites, versions, visits};
use crate::domain::names::normalise;
use crate::domain::status::{FactKind, ScarceOverride};
use crate::error::{Error, Result};

/// Profile fields of an add or an edit. For an edit, `None` leaves a field as it is and
/// `Some(None)` clears it.
#[derive(Default, Clone)]
pub struct SupplierChanges {
    pub name: Option<String>,
    pub native_name: Option<Option<String>>,
    pub country: Option<Option<String>>,
    pub province: Option<Option<String>>,
    pub city: Option<Option<String>>,
    pub address: Option<Option<String>>,
    pub website: Option<Option<String>>,
    pub scarce: Option<ScarceOverride>,
    pub note: Option<Option<String>>,
    pub add_aliases: Vec<String>,
    pub remove_aliases: Vec<String>,
    pub add_capabilities: Vec<String>,
    pub remove_capabilities: Vec<String>,
    /// The day the changes hold from (`--date`; an add lists the supplier from it) [default:
    /// today].
    pub date: Option<NaiveDate>,
}

/// A supplier's profile, as lists and `supplier show` give it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SupplierView {
    pub id: i32,
    pub name: String,
    pub native_name: Option<String>,
    pub aliases: Vec<String>,
    pub country: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub address: Option<String>,
    pub website: Option<String>,
    pub capabilities: Vec<String>,
    pub scarce: ScarceOverride,
    pub note: Option<String>,
    pub archived: bool,
    /// Why it was archived, when it is.
    pub archive_reason: Option<String>,
    /// The day it is on record from.
    pub listed_on: NaiveDate,
    /// The supplier this one was merged into (its id and names resolve there).
    pub merged_into: Option<i32>,
}

crate::row!(SupplierView {
    id,
    name,
    native_name,
    aliases,
    country,
    province,
    city,
    address,
    website,
    capabilities,
    scarce,
    note,
    archived,
    archive_reason,
    listed_on,
    merged_into
});

/// A dated fact of a supplier's record (`domain::timeline`): what it said from `date` on.
#[derive(Debug, Clone, Serialize)]
pub struct DatedView {
    pub date: NaiveDate,
    pub kind: FactKind,
    /// The capability, the alias (normalised) or the site id; empty for the archive state and
    /// the scarcity override.
    pub subject: String,
    /// The value from then on; none for a capability or alias no longer held, or a supplier
    /// no longer archived.
    pub value: Option<String>,
}

crate::row!(DatedView {
    date,
    kind,
    subject,
    value
});

/// Everything known about one supplier.
#[derive(Debug, Serialize)]
pub struct SupplierFile {
    pub supplier: SupplierView,
    /// How capabilities, aliases, archive state, scarcity override and line counts changed
    /// over time, oldest first (empty while all hold since the listing).
    pub dated: Vec<DatedView>,
    pub sites: Vec<sites::SiteView>,
    pub visits: Vec<visits::VisitView>,
    pub desk_notes: Vec<notes::NoteView>,
    pub deals: Vec<deals::DealFile>,
    /// Suppliers merged into this one, whose ids and names find it: `#7 Name (merged into #3)`.
    pub merged: Vec<String>,
}

/// `supplier show`: the profile, then its sites, visits (with findings), desk notes and deals
/// (with their history), whose tables leave out the supplier each of them names.
impl Document for SupplierFile {
    const HIDDEN: &'static [&'static str] = &["supplier_id", "supplier"];

    fn fields(&self) -> Vec<(Name, Field)> {
        vec![
            // The suppliers merged into this one are part of its profile: in a section of
            // their own before it, they read as a second supplier.
            (
                Name::Borrowed("supplier"),
                Field::Section({
                    let mut profile = fields_of(&self.supplier);
                    profile.push((Name::Borrowed("merged"), Field::Cell(self.merged.cell())));
                    profile
                }),
            ),
            (Name::Borrowed("dated"), Field::Cell(self.dated.cell())),
            (Name::Borrowed("sites"), Field::Cell(self.sites.cell())),
            (Name::Borrowed("visits"), Field::Cell(self.visits.cell())),
            (Name::Borrowed("desk_notes"), Field::Cell(self.desk_notes.cell())),
            (Name::Borrowed("deals"), Field::Cell(self.deals.cell())),
        ]
    }
}

#[derive(Default)]
pub struct SupplierFilter {
    pub capability: Option<String>,
    pub country: Option<String>,
    pub search: Option<String>,
    pub include_archived: bool,
}

/// One text column of a supplier's child table (aliases, capabilities), grouped by supplier id,
/// fetched in chunks to stay under the backends' bound-parameter limits.
async fn strings_by_supplier<E: EntityTrait>(
    conn: &impl ConnectionTrait,
    ids: &[i32],
    supplier_col: E::Column,
    text_col: E::Column,
    order_col: E::Column,
) -> Result<BTreeMap<i32, Vec<String>>> {
    let mut map: BTreeMap<i32, Vec<String>> = BTreeMap::new();
    for chunk in ids.chunks(super::IN_CHUNK) {
        let rows: Vec<(i32, String)> = E::find()
            .select_only()
            .column(supplier_col)
            .column(text_col)
            .filter(supplier_col.is_in(chunk.iter().copied()))
            .order_by_asc(order_col)
            .into_tuple()
            .all(conn)
            .await?;
        for (id, text) in rows {
            map.entry(id).or_default().push(text);
        }
    }
    Ok(map)
}

/// Suppliers as users see them, with their aliases (in the order added) and capabilities (sorted).
pub(crate) async fn views(
    conn: &impl ConnectionTrait,
    models: Vec<supplier::Model>,
) -> Result<Vec<SupplierView>> {
    let ids: Vec<i32> = models.iter().map(|s| s.id).collect();
    use {supplier_alias::Column as A, supplier_capability::Column as C};
    let mut aliases =
        strings_by_supplier::<supplier_alias::Entity>(conn, &ids, A::SupplierId, A::Alias, A::Id).await?;
    let mut capabilities = strings_by_supplier::<supplier_capability::Entity>(
        conn,
        &ids,
        C::SupplierId,
        C::Capability,
        C::Capability,
    )
    .await?;
    Ok(models
        .into_iter()
        .map(|s| SupplierView {
            aliases: aliases.remove(&s.id).unwrap_or_default(),
            capabilities: capabilities.remove(&s.id).unwrap_or_default(),
            id: s.id,
            name: s.name,
            native_name: s.native_name,
            country: s.country,
            province: s.province,
            city: s.city,
            address: s.address,
            website: s.website,
            scarce: s.scarce_override,
            note: s.note,
            archived: s.archived,
            archive_reason: s.archive_reason,
            listed_on: s.listed_on,
            merged_into: s.merged_into,
        })
        .collect())
}

pub async fn view(conn: &impl ConnectionTrait, model: supplier::Model) -> Result<SupplierView> {
    views(conn, vec![model])
        .await?
        .pop()
        .ok_or_else(|| Error::Other("a supplier's view went missing".into()))
}

/// Refuses a name (or native name, or alias) that already names another supplier.
async fn ensure_free(
    conn: &impl ConnectionTrait,
    label: &str,
    text: &str,
    except: Option<i32>,
) -> Result<()> {
    match lookup::supplier_exact(conn, &normalise(text)).await? {
        Some(other) if Some(other.id) != except => Err(Error::Conflict(format!(
            "{label} '{text}' already names supplier '{}' (#{})",
            other.name, other.id
        ))),
        _ => Ok(()),
    }
}

pub async fn add(store: &Store, changes: SupplierChanges) -> Result<SupplierView> {
    let day = changes.date.unwrap_or(store.today);
    store
        .write(async |txn, op| add_in(txn, op, changes.clone(), day).await)
        .await
}

async fn add_in(txn: &Txn, op: &Op, changes: SupplierChanges, day: NaiveDate) -> Result<SupplierView> {
    let Some(name) = changes.name.clone() else {
        return Err(Error::invalid("name", "a new supplier needs a name"));
    };
    ensure_free(txn, "name", &name, None).await?;
    let now = crate::store::now();
    let created = supplier::ActiveModel {
        name: Set(name.clone()),
        name_norm: Set(normalise(&name)),
        scarce_override: Set(ScarceOverride::Auto),
        archived: Set(false),
        listed_on: Set(day),
        created_at: Set(now),
        updated_at: Set(now),
        recorded_by: Set(op.seq),
        ..Default::default()
    }
    .stored(txn)
    .await?;
    let model = apply(txn, op.seq, created, changes, day).await?;
    let view = view(txn, model).await?;
    audit::record(
        txn,
        op,
        Change {
            action: "supplier.add",
            entity: "supplier",
            entity_id: view.id,
            supplier_id: Some(view.id),
            summary: format!("added supplier {}", view.name),
            before: None,
            after: Some(&view),
        },
    )
    .await?;
    Ok(view)
}

/// Applies profile changes, aliases and capabilities to a stored supplier, the dated ones from
/// `day` on.
pub(super) async fn apply(
    conn: &Txn,
    op: i32,
    model: supplier::Model,
    mut changes: SupplierChanges,
    day: NaiveDate,
) -> Result<supplier::Model> {
    let aliases = (
        std::mem::take(&mut changes.remove_aliases),
        std::mem::take(&mut changes.add_aliases),
    );
    let capabilities = (
        std::mem::take(&mut changes.remove_capabilities),
        std::mem::take(&mut changes.add_capabilities),
    );
    let model = apply_profile(conn, op, model, changes, day).await?;
    let mut keys = alias_changes(conn, &model, aliases.0, aliases.1, day).await?;
    keys.extend(capability_changes(conn, &model, capabilities.0, capabilities.1, day).await?);
    apply_keys(conn, op, &model, keys).await?;
    Ok(model)
}

/// The profile's fields: name and native name (each free for this supplier), and the rest.
async fn apply_profile(
    conn: &impl ConnectionTrait,
    op: i32,
    model: supplier::Model,
    changes: SupplierChanges,
    day: NaiveDate,
) -> Result<supplier::Model> {
    let id = model.id;
    let mut active = model.clone().into_active_model();
    if let Some(name) = changes.name.filter(|n| *n != model.name) {
        ensure_free(conn, "name", &name, Some(id)).await?;
        active.name_norm = Set(normalise(&name));
        active.name = Set(name);
    }
    if let Some(native) = changes.native_name {
        if let Some(text) = &native {
            ensure_free(conn, "native name", text, Some(id)).await?;
        }
        active.native_norm = Set(native.as_deref().map(normalise));
        active.native_name = Set(native);
    }
    if let Some(v) = changes.country {
        active.country = Set(v);
    }
    if let Some(v) = changes.province {
        active.province = Set(v);
    }
    if let Some(v) = changes.city {
        active.city = Set(v);
    }
    if let Some(v) = changes.address {
        active.address = Set(v);
    }
    if let Some(v) = changes.website {
        active.website = Set(v);
    }
    if let Some(v) = changes.scarce.filter(|v| *v != model.scarce_override) {
        let change = KeyChange {
            supplier: id,
            listed_on: model.listed_on,
            kind: FactKind::Scarce,
            subject: String::new(),
            current: Some(model.scarce_override.as_str().to_string()),
            new: Some(v.as_str().to_string()),
            day,
        };
        let now = dated::record(conn, op, &[change]).await?.pop().flatten();
        active.scarce_override = Set(now.as_deref().and_then(ScarceOverride::from_stored).unwrap_or(v));
    }
    if let Some(v) = changes.note {
        active.note = Set(v);
    }
    active.updated_at = Set(crate::store::now());
    active.recorded_by = Set(op);
    versions::retire::<supplier::Entity>(conn, op, supplier::Column::Id.eq(id)).await?;
    Ok(active.update(conn).await?)
}

/// The alias changes asked for: each removed one must be an alias, each added one free for
/// this supplier (its own names and aliases it has are no change).
async fn alias_changes(
    conn: &impl ConnectionTrait,
    model: &supplier::Model,
    remove: Vec<String>,
    add: Vec<String>,
    day: NaiveDate,
) -> Result<Vec<KeyChange>> {
    let held: Vec<supplier_alias::Model> = supplier_alias::Entity::find()
        .filter(supplier_alias::Column::SupplierId.eq(model.id))
        .all(conn)
        .await?;
    let change = |norm: String, current: Option<String>, new: Option<String>| KeyChange {
        supplier: model.id,
        listed_on: model.listed_on,
        kind: FactKind::Alias,
        subject: norm,
        current,
        new,
        day,
    };
    let mut changes: Vec<KeyChange> = Vec::new();
    for alias in remove {
        let norm = normalise(&alias);
        let Some(row) = held.iter().find(|a| a.alias_norm == norm) else {
            return Err(Error::invalid(
                "remove-alias",
                format!("'{alias}' is not an alias of {}", model.name),
            ));
        };
        changes.push(change(norm, Some(row.alias.clone()), None));
    }
    for alias in add {
        let norm = normalise(&alias);
        if norm == model.name_norm
            || Some(&norm) == model.native_norm.as_ref()
            || changes.iter().any(|c| c.subject == norm && c.new.is_some())
        {
            continue;
        }
        ensure_free(conn, "alias", &alias, Some(model.id)).await?;
        let current = held
            .iter()
            .find(|a| a.alias_norm == norm)
            .map(|a| a.alias.clone());
        if let Some(removed) = changes.iter_mut().find(|c| c.subject == norm) {
            removed.new = Some(alias); // removed and added back: no change
        } else if current.is_none() {
            changes.push(change(norm, None, Some(alias)));
        }
    }
    changes.retain(|c| c.current != c.new);
    Ok(changes)
}

/// The capability changes asked for: each removed one must be offered.
async fn capability_changes(
    conn: &impl ConnectionTrait,
    model: &supplier::Model,
    remove: Vec<String>,
    add: Vec<String>,
    day: NaiveDate,
) -> Result<Vec<KeyChange>> {
    let offered: Vec<String> = supplier_capability::Entity::find()
        .select_only()
        .column(supplier_capability::Column::Capability)
        .filter(supplier_capability::Column::SupplierId.eq(model.id))
        .into_tuple()
        .all(conn)
        .await?;
    let mut wanted: BTreeMap<String, bool> = offered.iter().map(|c| (c.clone(), true)).collect();
    for capability in remove {
        if wanted.insert(capability.clone(), false) != Some(true) {
            return Err(Error::invalid(
                "remove-capability",
                format!("{} has no capability '{capability}'", model.name),
            ));
        }
    }
    for capability in add {
        wanted.insert(capability, true);
    }
    Ok(wanted
        .into_iter()
        .filter(|(capability, on)| *on != offered.contains(capability))
        .map(|(capability, on)| KeyChange {
            supplier: model.id,
            listed_on: model.listed_on,
            kind: FactKind::Capability,
            subject: capability,
            current: (!on).then(|| YES.to_string()),
            new: on.then(|| YES.to_string()),
            day,
        })
        .collect())
}

/// Records alias and capability changes as dated facts and brings the supplier's aliases and
/// capabilities to the values they hold now.
async fn apply_keys(conn: &Txn, op: i32, model: &supplier::Model, keys: Vec<KeyChange>) -> Result<()> {
    let now = dated::record(conn, op, &keys).await?;
    for (key, value) in keys.into_iter().zip(now) {
        if value == key.current {
            continue; // a change dated before a later fact of the key
        }
        match (key.kind, value) {
            (FactKind::Alias, None) => {
                use supplier_alias::Column as A;
                let which = Condition::all()
                    .add(A::SupplierId.eq(model.id))
                    .add(A::AliasNorm.eq(key.subject));
                versions::remove::<supplier_alias::Entity>(conn, op, which).await?;
            }
            (FactKind::Alias, Some(alias)) => {
                supplier_alias::ActiveModel {
                    supplier_id: Set(model.id),
                    alias: Set(alias),
                    alias_norm: Set(key.subject),
                    recorded_by: Set(op),
                    ..Default::default()
                }
                .stored(conn)
                .await?;
            }
            (_, None) => {
                use supplier_capability::Column as C;
                let which = Condition::all()
                    .add(C::SupplierId.eq(model.id))
                    .add(C::Capability.eq(key.subject));
                versions::remove::<supplier_capability::Entity>(conn, op, which).await?;
            }
            (_, Some(_)) => {
                supplier_capability::ActiveModel {
                    supplier_id: Set(model.id),
                    capability: Set(key.subject),
                    recorded_by: Set(op),
                }
                .stored(conn)
                .await?;
            }
        }
    }
    Ok(())
}

pub async fn edit(
    store: &Store,
    reference: &str,
    changes: SupplierChanges,
) -> Result<Corrected<SupplierView>> {
    let day = changes.date.unwrap_or(store.today);
    store
        .write(async |txn, op| edit_in(txn, op, reference, changes.clone(), day).await)
        .await
}

async fn edit_in(
    txn: &Txn,
    op: &Op,
    reference: &str,
    changes: SupplierChanges,
    day: NaiveDate,
) -> Result<Corrected<SupplierView>> {
    let model = lookup::supplier(txn, reference).await?;
    let before = view(txn, model.clone()).await?;
    let model = apply(txn, op.seq, model, changes, day).await?;
    let after = view(txn, model).await?;
    if after == before {
        // Nothing changed: write nothing, not even an audit entry.
        return Ok(Corrected::Unchanged(after));
    }
    audit::record(
        txn,
        op,
        Change {
            action: "supplier.edit",
            entity: "supplier",
            entity_id: after.id,
            supplier_id: Some(after.id),
            summary: format!("edited supplier {}", after.name),
            before: Some(&before),
            after: Some(&after),
        },
    )
    .await?;
    Ok(Corrected::Saved(after))
}

/// Archives (or restores) a supplier. Its visits, notes and deals stay: evidence is never deleted.
/// Archives (or restores) from `date` on [default: today].
pub async fn archive(store: &Store, change: &ArchiveChange) -> Result<SupplierView> {
    let day = change.date.unwrap_or(store.today);
    store
        .write(async |txn, op| archive_in(txn, op, change, day).await)
        .await
}

/// What `supplier archive` is asked: which supplier, archive or restore, why, from when.
pub struct ArchiveChange {
    pub supplier: String,
    pub restore: bool,
    /// Why it is archived (none for a restore).
    pub reason: Option<String>,
    pub date: Option<NaiveDate>,
}

async fn archive_in(txn: &Txn, op: &Op, change: &ArchiveChange, day: NaiveDate) -> Result<SupplierView> {
    let (reference, restore) = (change.supplier.as_str(), change.restore);
    let model = lookup::supplier(txn, reference).await?;
    if model.archived != restore {
        return Err(Error::Conflict(format!(
            "supplier '{}' is already {}",
            model.name,
            if restore { "active" } else { "archived" }
        )));
    }
    let before = view(txn, model.clone()).await?;
    let model_id = model.id;
    let key = KeyChange {
        supplier: model.id,
        listed_on: model.listed_on,
        kind: FactKind::Archived,
        subject: String::new(),
        current: model.archived.then(|| YES.to_string()),
        new: (!restore).then(|| YES.to_string()),
        day,
    };
    let archived = dated::record(txn, op.seq, &[key])
        .await?
        .pop()
        .flatten()
        .is_some();
    let mut active = model.into_active_model();
    active.archived = Set(archived);
    active.archive_reason = Set(change.reason.clone().filter(|_| archived));
    active.updated_at = Set(crate::store::now());
    active.recorded_by = Set(op.seq);
    versions::retire::<supplier::Entity>(txn, op.seq, supplier::Column::Id.eq(model_id)).await?;
    let after = view(txn, active.update(txn).await?).await?;
    audit::record(
        txn,
        op,
        Change {
            action: if restore {
                "supplier.restore"
            } else {
                "supplier.archive"
            },
            entity: "supplier",
            entity_id: after.id,
            supplier_id: Some(after.id),
            summary: match &after.archive_reason {
                Some(reason) => format!(
                    "archived supplier {}: {}",
                    after.name,
                    crate::domain::text::excerpt(reason, 200)
                ),
                None => format!(
                    "{} supplier {}",
                    if restore { "restored" } else { "archived" },
                    after.name
                ),
            },
            before: Some(&before),
            after: Some(&after),
        },
    )
    .await?;
    Ok(after)
}

pub async fn list(store: &Store, filter: SupplierFilter) -> Result<Vec<SupplierView>> {
    let mut query = supplier::Entity::find().order_by_asc(supplier::Column::NameNorm);
    // A merged supplier is listed as part of the one it was merged into.
    query = query.filter(supplier::Column::MergedInto.is_null());
    if !filter.include_archived {
        query = query.filter(supplier::Column::Archived.eq(false));
    }
    if let Some(country) = filter.country {
        query = query.filter(supplier::Column::Country.eq(country));
    }
    if let Some(text) = filter.search {
        let norm = normalise(&text);
        query = query.filter(
            Condition::any()
                .add(supplier::Column::NameNorm.contains(norm.as_str()))
                .add(supplier::Column::NativeNorm.contains(norm.as_str())),
        );
    }
    if let Some(capability) = filter.capability {
        query = query.filter(
            supplier::Column::Id.in_subquery(
                Query::select()
                    .column(supplier_capability::Column::SupplierId)
                    .from(supplier_capability::Entity)
                    .and_where(supplier_capability::Column::Capability.eq(capability))
                    .take(),
            ),
        );
    }
    views(&store.db, query.all(&store.db).await?).await
}

pub async fn show(store: &Store, reference: &str) -> Result<SupplierFile> {
    let model = lookup::supplier(&store.db, reference).await?;
    let db = &store.db;
    // Independent reads, asked for together: on a server they share round trips.
    let merged = async {
        Ok::<_, Error>(
            supplier::Entity::find()
                .filter(supplier::Column::MergedInto.eq(model.id))
                .order_by_asc(supplier::Column::Id)
                .all(db)
                .await?,
        )
    };
    let (sites, visits, desk_notes, deals, merged, dated, view) = tokio::try_join!(
        sites::of_supplier(db, &model),
        visits::of_supplier(db, &model),
        notes::desk_notes(db, &model),
        deals::files_of_supplier(db, &model),
        merged,
        dated::of_supplier(db, model.id),
        view(db, model.clone()),
    )?;
    Ok(SupplierFile {
        dated: dated
            .into_iter()
            .map(|f| DatedView {
                date: f.valid_from,
                kind: f.kind,
                subject: f.subject,
                value: f.value,
            })
            .collect(),
        supplier: view,
        sites,
        visits,
        desk_notes,
        deals,
        merged: merged
            .into_iter()
            .map(|m| format!("#{} {} (merged into #{})", m.id, m.name, model.id))
            .collect(),
    })
}
