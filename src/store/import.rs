//! Importing a supplier CSV: rows are matched to suppliers by normalised name, native name or
//! alias (in the database, or earlier in the same file), merged, and written in batches inside one
//! transaction, so an interrupted import leaves all of it or none. Memory stays flat: one batch of
//! rows is held at a time, and earlier batches are found again through the database.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;

use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, IntoActiveModel,
    QueryFilter, QuerySelect, Set,
};
use serde::Serialize;

use super::Store;
use super::audit::{self, Change};
use super::entities::{supplier, supplier_alias, supplier_capability};
use super::suppliers::SupplierView;
use crate::domain::status::ScarceOverride;
use crate::error::{Error, Result};
use crate::io::supplier_csv::{RawRecord, Record, RowError, SupplierCsv, SupplierRow};

/// Rows matched and written together.
const BATCH: usize = 1_000;
/// Rows per INSERT: 15 bound values each stays under SQLite's 32,766 and the servers' 65,535.
const INSERT_CHUNK: usize = 1_000;
/// Values per `IN (...)` list.
const IN_CHUNK: usize = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnExisting {
    /// The file's non-empty values replace stored ones; aliases and capabilities are united.
    Update,
    /// Suppliers already stored are left as they are.
    Skip,
}

pub struct ImportOptions {
    /// Where the rows came from, for the audit trail.
    pub source: String,
    pub dry_run: bool,
    pub skip_invalid: bool,
    pub on_existing: OnExisting,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportSummary {
    pub rows: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
    pub dry_run: bool,
}

/// A supplier as the import sees it: the row (or stored record) plus its aliases and capabilities.
#[derive(Debug, Clone)]
struct Draft {
    /// Stored id, or `None` for a supplier this batch creates.
    id: Option<i32>,
    model: Option<supplier::Model>,
    name: String,
    native_name: Option<String>,
    country: Option<String>,
    province: Option<String>,
    city: Option<String>,
    address: Option<String>,
    website: Option<String>,
    scarce: String,
    note: Option<String>,
    aliases: Vec<String>,
    capabilities: BTreeSet<String>,
    name_norm: String,
    native_norm: Option<String>,
    alias_norms: Vec<String>,
    /// Whether anything changed since it was loaded.
    changed: bool,
    /// Created by this import (in this batch or an earlier one): rows only fill its gaps.
    new_in_import: bool,
    before: Option<SupplierView>,
}

impl Draft {
    fn from_row(row: SupplierRow) -> Draft {
        let mut draft = Draft {
            id: None,
            model: None,
            name: row.name.clone(),
            name_norm: row.name_norm.clone(),
            native_norm: None,
            alias_norms: Vec::new(),
            native_name: None,
            country: None,
            province: None,
            city: None,
            address: None,
            website: None,
            scarce: ScarceOverride::Auto.as_str().to_string(),
            note: None,
            aliases: Vec::new(),
            capabilities: BTreeSet::new(),
            changed: true,
            new_in_import: true,
            before: None,
        };
        draft.merge(row, false);
        draft.changed = true;
        draft
    }

    fn view(&self) -> SupplierView {
        SupplierView {
            id: self.id.unwrap_or_default(),
            name: self.name.clone(),
            native_name: self.native_name.clone(),
            aliases: self.aliases.clone(),
            country: self.country.clone(),
            province: self.province.clone(),
            city: self.city.clone(),
            address: self.address.clone(),
            website: self.website.clone(),
            capabilities: self.capabilities.iter().cloned().collect(),
            scarce: self.scarce.clone(),
            note: self.note.clone(),
            archived: self.model.as_ref().is_some_and(|m| m.archived),
        }
    }

    /// Every normalised key this supplier answers to.
    fn keys(&self) -> impl Iterator<Item = &String> {
        std::iter::once(&self.name_norm)
            .chain(&self.native_norm)
            .chain(&self.alias_norms)
    }

    fn knows(&self, norm: &str) -> bool {
        self.keys().any(|k| k == norm)
    }

    /// Merges a row in. `overwrite`: the row's values replace stored ones (an update of a
    /// supplier that existed before the import); otherwise they only fill empty fields.
    fn merge(&mut self, row: SupplierRow, overwrite: bool) {
        fn put(slot: &mut Option<String>, value: Option<String>, overwrite: bool, changed: &mut bool) {
            if let Some(v) = value
                && (slot.is_none() || (overwrite && slot.as_ref() != Some(&v)))
            {
                *slot = Some(v);
                *changed = true;
            }
        }
        let mut changed = false;
        put(&mut self.country, row.country, overwrite, &mut changed);
        put(&mut self.province, row.province, overwrite, &mut changed);
        put(&mut self.city, row.city, overwrite, &mut changed);
        put(&mut self.address, row.address, overwrite, &mut changed);
        put(&mut self.website, row.website, overwrite, &mut changed);
        put(&mut self.note, row.note, overwrite, &mut changed);
        if let Some(scarce) = row.scarce {
            let scarce = scarce.as_str().to_string();
            if self.scarce != scarce && (overwrite || self.scarce == ScarceOverride::Auto.as_str()) {
                self.scarce = scarce;
                changed = true;
            }
        }
        // A native name fills the slot; a different one becomes an alias, as does a different name.
        let mut alias_candidates: Vec<(String, String)> = Vec::new();
        match (&self.native_name, row.native_name, row.native_norm) {
            (None, Some(native), native_norm) => {
                self.native_name = Some(native);
                self.native_norm = native_norm;
                changed = true;
            }
            (Some(_), Some(native), Some(norm)) if self.native_norm.as_ref() != Some(&norm) => {
                alias_candidates.push((native, norm))
            }
            _ => {}
        }
        if row.name_norm != self.name_norm {
            alias_candidates.push((row.name, row.name_norm));
        }
        alias_candidates.extend(row.aliases.into_iter().zip(row.alias_norms));
        for (alias, norm) in alias_candidates {
            if !self.knows(&norm) {
                self.aliases.push(alias);
                self.alias_norms.push(norm);
                changed = true;
            }
        }
        for capability in row.capabilities {
            changed |= self.capabilities.insert(capability);
        }
        self.changed |= changed;
    }
}

/// Where a key points: a stored supplier, or a draft of this batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Slot {
    Stored(i32),
    Draft(usize),
}

/// Imports every record the reader yields. Rejected rows go to `on_reject`; `progress` hears the
/// bytes read so far after each batch.
pub async fn import_suppliers<R: Read>(
    store: &Store,
    csv: &mut SupplierCsv<R>,
    options: &ImportOptions,
    mut on_reject: impl FnMut(&RawRecord, &[RowError]) -> Result<()>,
    mut progress: impl FnMut(u64),
) -> Result<ImportSummary> {
    let txn = store.begin_write().await?;
    if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
        // The planner's statistics describe the tables as they were before this import; as the
        // import grows them inside its transaction, it would keep choosing sequential scans for
        // the per-batch lookups (quadratic time). The lookups are all index-shaped.
        txn.execute_unprepared("SET LOCAL enable_seqscan = off").await?;
    }
    let max_id_before: i32 = supplier::Entity::find()
        .select_only()
        .expr(Expr::col(supplier::Column::Id).max())
        .into_tuple::<Option<i32>>()
        .one(&txn)
        .await?
        .flatten()
        .unwrap_or(0);
    let mut state = ImportState {
        options,
        max_id_before,
        summary: ImportSummary {
            dry_run: options.dry_run,
            ..Default::default()
        },
        touched: HashMap::new(),
        errors: Vec::new(),
        actor: &store.actor,
    };
    let mut batch: Vec<(SupplierRow, RawRecord)> = Vec::with_capacity(BATCH);
    let mut writing = true;
    while let Some(record) = csv.next_record().map_err(|e| Error::invalid("file", e.0))? {
        state.summary.rows += 1;
        match record {
            Record::Valid(row, raw) => batch.push((*row, raw)),
            Record::Invalid(errors, raw) => {
                state.reject(&raw, errors, &mut on_reject)?;
                writing &= options.skip_invalid;
            }
        }
        if batch.len() == BATCH {
            let rows = std::mem::take(&mut batch);
            if writing {
                state.apply_batch(&txn, rows, &mut on_reject).await?;
                writing &= options.skip_invalid || state.errors.is_empty();
            }
            progress(csv.position);
        }
    }
    if writing && !batch.is_empty() {
        state.apply_batch(&txn, batch, &mut on_reject).await?;
    }
    progress(csv.position);
    if !state.errors.is_empty() && !options.skip_invalid {
        // Dropping the transaction rolls back whatever earlier batches wrote.
        drop(txn);
        return Err(Error::InvalidRows {
            rejected: state.summary.rejected,
            rows: state.summary.rows,
            errors: state.errors.iter().map(ToString::to_string).collect(),
        });
    }
    let (updated, unchanged) =
        state.touched.values().fold(
            (0, 0),
            |(u, n), changed| {
                if *changed { (u + 1, n) } else { (u, n + 1) }
            },
        );
    state.summary.updated = updated;
    state.summary.unchanged = unchanged;
    let summary = state.summary;
    if summary.created + summary.updated > 0 {
        audit::record(
            &txn,
            &store.actor,
            Change {
                action: "import.suppliers",
                entity: "import",
                entity_id: 0,
                supplier_id: None,
                summary: format!(
                    "imported {}: {} created, {} updated, {} unchanged, {} rejected",
                    options.source, summary.created, summary.updated, summary.unchanged, summary.rejected
                ),
                before: None,
                after: Some(serde_json::to_value(&summary).expect("summary serialises")),
            },
        )
        .await?;
    }
    if options.dry_run {
        txn.rollback().await?;
    } else {
        txn.commit().await?;
    }
    Ok(summary)
}

/// How many row errors an import keeps to show (the count is always exact).
const ERRORS_KEPT: usize = 1_000;

struct ImportState<'a> {
    options: &'a ImportOptions,
    max_id_before: i32,
    summary: ImportSummary,
    /// Suppliers stored before this import that rows matched, and whether they changed.
    touched: HashMap<i32, bool>,
    errors: Vec<RowError>,
    actor: &'a str,
}

impl ImportState<'_> {
    fn reject(
        &mut self,
        raw: &RawRecord,
        errors: Vec<RowError>,
        on_reject: &mut impl FnMut(&RawRecord, &[RowError]) -> Result<()>,
    ) -> Result<()> {
        self.summary.rejected += 1;
        on_reject(raw, &errors)?;
        for e in errors {
            if self.errors.len() < ERRORS_KEPT {
                self.errors.push(e);
            }
        }
        Ok(())
    }

    async fn apply_batch(
        &mut self,
        txn: &DatabaseTransaction,
        rows: Vec<(SupplierRow, RawRecord)>,
        on_reject: &mut impl FnMut(&RawRecord, &[RowError]) -> Result<()>,
    ) -> Result<()> {
        // Every key the batch's rows answer to, looked up in the database at once.
        let mut keys: BTreeSet<String> = BTreeSet::new();
        for (row, _) in &rows {
            keys.insert(row.name_norm.clone());
            keys.extend(row.native_norm.iter().cloned());
            keys.extend(row.alias_norms.iter().cloned());
        }
        let mut drafts: Vec<Draft> = Vec::new();
        let mut index: HashMap<String, BTreeSet<Slot>> = HashMap::new();
        for mut draft in load_matching(txn, &keys).await? {
            let id = draft.id.expect("stored");
            draft.new_in_import = id > self.max_id_before;
            for key in draft.keys() {
                index.entry(key.clone()).or_default().insert(Slot::Stored(id));
            }
            drafts.push(draft);
        }
        let stored_slots: HashMap<i32, usize> = drafts
            .iter()
            .enumerate()
            .map(|(i, d)| (d.id.expect("stored"), i))
            .collect();

        for (row, raw) in rows {
            let matches: BTreeSet<Slot> = std::iter::once(&row.name_norm)
                .chain(&row.native_norm)
                .chain(&row.alias_norms)
                .filter_map(|k| index.get(k))
                .flatten()
                .copied()
                .collect();
            let target = match matches.len() {
                0 => None,
                1 => Some(*matches.first().expect("one match")),
                _ => {
                    let names: Vec<String> = matches
                        .iter()
                        .map(|slot| {
                            let d = match slot {
                                Slot::Stored(id) => &drafts[stored_slots[id]],
                                Slot::Draft(i) => &drafts[*i],
                            };
                            match d.id {
                                Some(id) => format!("{} (#{id})", d.name),
                                None => format!("{} (earlier in this file)", d.name),
                            }
                        })
                        .collect();
                    let error = RowError {
                        line: row.line,
                        column: "name".into(),
                        problem: format!("matches more than one supplier: {}", names.join(", ")),
                    };
                    self.reject(&raw, vec![error], on_reject)?;
                    continue;
                }
            };
            let i = match target {
                None => {
                    drafts.push(Draft::from_row(row));
                    drafts.len() - 1
                }
                Some(Slot::Draft(i)) => {
                    drafts[i].merge(row, false);
                    i
                }
                Some(Slot::Stored(id)) => {
                    let i = stored_slots[&id];
                    let draft = &mut drafts[i];
                    let pre_existing = !draft.new_in_import;
                    // Only the first row of the file that matches a stored supplier replaces its
                    // values; later ones only fill gaps, as rows of one file do among themselves.
                    // So duplicate rows with different values cannot flip a field back and forth.
                    let first_match = pre_existing && !self.touched.contains_key(&id);
                    if pre_existing {
                        self.touched.entry(id).or_insert(false);
                    }
                    if pre_existing && self.options.on_existing == OnExisting::Skip {
                        continue;
                    }
                    draft.merge(row, first_match);
                    i
                }
            };
            let slot = match drafts[i].id {
                Some(id) => Slot::Stored(id),
                None => Slot::Draft(i),
            };
            for key in drafts[i].keys() {
                if !index.get(key).is_some_and(|slots| slots.contains(&slot)) {
                    index.entry(key.clone()).or_default().insert(slot);
                }
            }
        }
        self.write(txn, drafts).await
    }

    async fn write(&mut self, txn: &DatabaseTransaction, drafts: Vec<Draft>) -> Result<()> {
        let now = Utc::now();
        let (new, stored): (Vec<Draft>, Vec<Draft>) = drafts.into_iter().partition(|d| d.id.is_none());
        self.summary.created += new.len() as u64;

        // New suppliers: bulk inserts, then their ids by normalised name (unique).
        for chunk in new.chunks(INSERT_CHUNK) {
            supplier::Entity::insert_many(chunk.iter().map(|d| supplier::ActiveModel {
                name: Set(d.name.clone()),
                name_norm: Set(d.name_norm.clone()),
                native_name: Set(d.native_name.clone()),
                native_norm: Set(d.native_norm.clone()),
                country: Set(d.country.clone()),
                province: Set(d.province.clone()),
                city: Set(d.city.clone()),
                address: Set(d.address.clone()),
                website: Set(d.website.clone()),
                scarce_override: Set(d.scarce.clone()),
                note: Set(d.note.clone()),
                archived: Set(false),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }))
            .exec_without_returning(txn)
            .await?;
            let norms: Vec<&str> = chunk.iter().map(|d| d.name_norm.as_str()).collect();
            let ids: HashMap<String, i32> = supplier::Entity::find()
                .select_only()
                .columns([supplier::Column::NameNorm, supplier::Column::Id])
                .filter(supplier::Column::NameNorm.is_in(norms))
                .into_tuple::<(String, i32)>()
                .all(txn)
                .await?
                .into_iter()
                .collect();
            let id_of = |d: &Draft| ids[&d.name_norm];
            insert_children(
                txn,
                chunk.iter().flat_map(|d| {
                    d.aliases
                        .iter()
                        .zip(&d.alias_norms)
                        .map(move |(a, n)| (id_of(d), a.clone(), n.clone()))
                }),
                chunk
                    .iter()
                    .flat_map(|d| d.capabilities.iter().map(move |c| (id_of(d), c.clone()))),
            )
            .await?;
        }

        // Stored suppliers that rows changed: update, add what is new, and audit.
        for draft in stored.into_iter().filter(|d| d.changed) {
            let id = draft.id.expect("stored");
            let model = draft.model.clone().expect("stored model");
            let before = draft.before.clone().expect("stored view");
            if draft.view() == before {
                continue;
            }
            let mut active = model.into_active_model();
            active.native_name = Set(draft.native_name.clone());
            active.native_norm = Set(draft.native_norm.clone());
            active.country = Set(draft.country.clone());
            active.province = Set(draft.province.clone());
            active.city = Set(draft.city.clone());
            active.address = Set(draft.address.clone());
            active.website = Set(draft.website.clone());
            active.scarce_override = Set(draft.scarce.clone());
            active.note = Set(draft.note.clone());
            active.updated_at = Set(now);
            active.update(txn).await?;
            let new_aliases = draft
                .aliases
                .iter()
                .zip(&draft.alias_norms)
                .filter(|(a, _)| !before.aliases.contains(a));
            let new_caps = draft
                .capabilities
                .iter()
                .filter(|c| !before.capabilities.contains(c));
            insert_children(
                txn,
                new_aliases.map(|(a, n)| (id, a.clone(), n.clone())),
                new_caps.map(|c| (id, c.clone())),
            )
            .await?;
            if id > self.max_id_before {
                continue; // created by this import: already counted and audited with it
            }
            self.touched.insert(id, true);
            audit::record(
                txn,
                self.actor,
                Change {
                    action: "supplier.import",
                    entity: "supplier",
                    entity_id: id,
                    supplier_id: Some(id),
                    summary: format!("updated supplier {} from {}", draft.name, self.options.source),
                    before: Some(serde_json::to_value(&before).expect("supplier serialises")),
                    after: Some(serde_json::to_value(draft.view()).expect("supplier serialises")),
                },
            )
            .await?;
        }
        Ok(())
    }
}

async fn insert_children(
    txn: &DatabaseTransaction,
    aliases: impl Iterator<Item = (i32, String, String)>,
    capabilities: impl Iterator<Item = (i32, String)>,
) -> Result<()> {
    let aliases: Vec<supplier_alias::ActiveModel> = aliases
        .map(|(supplier_id, alias, alias_norm)| supplier_alias::ActiveModel {
            supplier_id: Set(supplier_id),
            alias_norm: Set(alias_norm),
            alias: Set(alias),
            ..Default::default()
        })
        .collect();
    for chunk in aliases.chunks(INSERT_CHUNK * 5) {
        supplier_alias::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    let capabilities: Vec<supplier_capability::ActiveModel> = capabilities
        .map(|(supplier_id, capability)| supplier_capability::ActiveModel {
            supplier_id: Set(supplier_id),
            capability: Set(capability),
        })
        .collect();
    for chunk in capabilities.chunks(INSERT_CHUNK * 5) {
        supplier_capability::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// Stored suppliers any of `keys` names, with their aliases and capabilities.
async fn load_matching(conn: &impl ConnectionTrait, keys: &BTreeSet<String>) -> Result<Vec<Draft>> {
    let keys: Vec<&String> = keys.iter().collect();
    let mut ids: BTreeSet<i32> = BTreeSet::new();
    for chunk in keys.chunks(IN_CHUNK) {
        let chunk: Vec<&str> = chunk.iter().map(|k| k.as_str()).collect();
        ids.extend(
            supplier::Entity::find()
                .select_only()
                .column(supplier::Column::Id)
                .filter(supplier::Column::NameNorm.is_in(chunk.clone()))
                .into_tuple::<i32>()
                .all(conn)
                .await?,
        );
        ids.extend(
            supplier::Entity::find()
                .select_only()
                .column(supplier::Column::Id)
                .filter(supplier::Column::NativeNorm.is_in(chunk.clone()))
                .into_tuple::<i32>()
                .all(conn)
                .await?,
        );
        ids.extend(
            supplier_alias::Entity::find()
                .select_only()
                .column(supplier_alias::Column::SupplierId)
                .filter(supplier_alias::Column::AliasNorm.is_in(chunk))
                .into_tuple::<i32>()
                .all(conn)
                .await?,
        );
    }
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i32> = ids.into_iter().collect();
    let mut models = Vec::new();
    let mut aliases: BTreeMap<i32, Vec<(String, String)>> = BTreeMap::new();
    let mut capabilities: BTreeMap<i32, BTreeSet<String>> = BTreeMap::new();
    for chunk in ids.chunks(IN_CHUNK) {
        models.extend(
            supplier::Entity::find()
                .filter(supplier::Column::Id.is_in(chunk.iter().copied()))
                .all(conn)
                .await?,
        );
        for a in supplier_alias::Entity::find()
            .filter(supplier_alias::Column::SupplierId.is_in(chunk.iter().copied()))
            .all(conn)
            .await?
        {
            aliases
                .entry(a.supplier_id)
                .or_default()
                .push((a.alias, a.alias_norm));
        }
        for c in supplier_capability::Entity::find()
            .filter(supplier_capability::Column::SupplierId.is_in(chunk.iter().copied()))
            .all(conn)
            .await?
        {
            capabilities
                .entry(c.supplier_id)
                .or_default()
                .insert(c.capability);
        }
    }
    Ok(models
        .into_iter()
        .map(|m| {
            let (alias_names, alias_norms) = aliases.remove(&m.id).unwrap_or_default().into_iter().unzip();
            let mut draft = Draft {
                id: Some(m.id),
                name: m.name.clone(),
                name_norm: m.name_norm.clone(),
                native_norm: m.native_norm.clone(),
                alias_norms,
                native_name: m.native_name.clone(),
                country: m.country.clone(),
                province: m.province.clone(),
                city: m.city.clone(),
                address: m.address.clone(),
                website: m.website.clone(),
                scarce: m.scarce_override.clone(),
                note: m.note.clone(),
                aliases: alias_names,
                capabilities: capabilities.remove(&m.id).unwrap_or_default(),
                changed: false,
                new_in_import: false,
                before: None,
                model: Some(m),
            };
            draft.before = Some(draft.view());
            draft
        })
        .collect())
}
