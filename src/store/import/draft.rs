//! A supplier as the import sees it while matching and merging rows: new, or stored (before the
//! import, or by an earlier batch of it).

use std::collections::BTreeSet;

use super::super::suppliers::SupplierView;
use crate::domain::status::ScarceOverride;
use crate::io::supplier_csv::SupplierRow;

/// Where a draft comes from.
#[derive(Debug, Clone)]
pub(super) enum Origin {
    /// A supplier this import creates.
    New,
    /// A stored supplier, as it was when loaded.
    Stored {
        id: i32,
        before: Box<SupplierView>,
        /// Created by this import (in an earlier batch): rows only fill its gaps, and it is not
        /// audited as an update of a supplier that was there before.
        by_this_import: bool,
    },
}

/// A stored supplier loaded for matching: as users see it, and the keys it answers to as stored.
#[derive(Debug, Clone)]
pub(super) struct StoredSupplier {
    pub view: SupplierView,
    pub name_norm: String,
    pub native_norm: Option<String>,
    /// In the order of `view.aliases`.
    pub alias_norms: Vec<String>,
    pub by_this_import: bool,
}

/// A supplier being merged: its fields, aliases and capabilities.
#[derive(Debug, Clone)]
pub(super) struct Draft {
    pub origin: Origin,
    pub name: String,
    pub native_name: Option<String>,
    pub country: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub address: Option<String>,
    pub website: Option<String>,
    pub scarce: ScarceOverride,
    pub note: Option<String>,
    pub aliases: Vec<String>,
    pub capabilities: BTreeSet<String>,
    pub name_norm: String,
    pub native_norm: Option<String>,
    pub alias_norms: Vec<String>,
    /// The earliest `date` its rows gave: the day a new supplier is listed from, and the
    /// changes to a stored one hold from [default: the import's `--date`].
    pub date: Option<chrono::NaiveDate>,
    /// Whether anything changed since it was loaded.
    pub changed: bool,
}

impl Draft {
    /// A new supplier from its first row (what `merge` into an empty draft would give, without
    /// copying the row's text).
    pub(super) fn from_row(row: SupplierRow) -> Draft {
        let SupplierRow {
            name,
            native_name,
            aliases,
            capabilities,
            country,
            province,
            city,
            address,
            website,
            scarce,
            note,
            name_norm,
            native_norm,
            alias_norms,
            date,
            ..
        } = row;
        let mut draft = Draft {
            origin: Origin::New,
            name,
            name_norm,
            native_norm: native_name.as_ref().and(native_norm),
            native_name,
            alias_norms: Vec::with_capacity(alias_norms.len()),
            aliases: Vec::with_capacity(aliases.len()),
            country,
            province,
            city,
            address,
            website,
            scarce: scarce.unwrap_or(ScarceOverride::Auto),
            note,
            capabilities: capabilities.into_iter().collect(),
            date,
            changed: true,
        };
        for (alias, norm) in aliases.into_iter().zip(alias_norms) {
            if !draft.knows(&norm) {
                draft.aliases.push(alias);
                draft.alias_norms.push(norm);
            }
        }
        draft
    }

    /// A stored supplier, about to take rows.
    pub(super) fn stored(stored: StoredSupplier) -> Draft {
        let StoredSupplier {
            view,
            name_norm,
            native_norm,
            alias_norms,
            by_this_import,
        } = stored;
        Draft {
            name: view.name.clone(),
            native_name: view.native_name.clone(),
            country: view.country.clone(),
            province: view.province.clone(),
            city: view.city.clone(),
            address: view.address.clone(),
            website: view.website.clone(),
            scarce: view.scarce,
            note: view.note.clone(),
            aliases: view.aliases.clone(),
            capabilities: view.capabilities.iter().cloned().collect(),
            name_norm,
            native_norm,
            alias_norms,
            date: None,
            changed: false,
            origin: Origin::Stored {
                id: view.id,
                before: Box::new(view),
                by_this_import,
            },
        }
    }

    /// The stored id, for a stored supplier.
    pub(super) fn id(&self) -> Option<i32> {
        match self.origin {
            Origin::New => None,
            Origin::Stored { id, .. } => Some(id),
        }
    }

    /// The supplier as users will see it (a new one has no id yet, 0, nor a listing day: the
    /// earliest date).
    pub(super) fn view(&self) -> SupplierView {
        let (id, archived, archive_reason, listed_on) = match &self.origin {
            Origin::New => (0, false, None, chrono::NaiveDate::MIN),
            Origin::Stored { id, before, .. } => (
                *id,
                before.archived,
                before.archive_reason.clone(),
                before.listed_on,
            ),
        };
        SupplierView {
            id,
            name: self.name.clone(),
            native_name: self.native_name.clone(),
            aliases: self.aliases.clone(),
            country: self.country.clone(),
            province: self.province.clone(),
            city: self.city.clone(),
            address: self.address.clone(),
            website: self.website.clone(),
            capabilities: self.capabilities.iter().cloned().collect(),
            scarce: self.scarce,
            note: self.note.clone(),
            archived,
            archive_reason,
            listed_on,
            // An import only finds suppliers that are not merged.
            merged_into: None,
        }
    }

    /// Every normalised key this supplier answers to.
    pub(super) fn keys(&self) -> impl Iterator<Item = &String> {
        std::iter::once(&self.name_norm)
            .chain(&self.native_norm)
            .chain(&self.alias_norms)
    }

    pub(super) fn knows(&self, norm: &str) -> bool {
        self.keys().any(|k| k == norm)
    }

    /// Merges a row in. `overwrite`: the row's values replace stored ones (an update of a
    /// supplier that existed before the import); otherwise they only fill empty fields.
    pub(super) fn merge(&mut self, row: SupplierRow, overwrite: bool) {
        fn put(slot: &mut Option<String>, value: Option<String>, overwrite: bool, changed: &mut bool) {
            if let Some(v) = value
                && (slot.is_none() || (overwrite && slot.as_ref() != Some(&v)))
            {
                *slot = Some(v);
                *changed = true;
            }
        }
        let mut changed = false;
        self.date = match (self.date, row.date) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        put(&mut self.country, row.country, overwrite, &mut changed);
        put(&mut self.province, row.province, overwrite, &mut changed);
        put(&mut self.city, row.city, overwrite, &mut changed);
        put(&mut self.address, row.address, overwrite, &mut changed);
        put(&mut self.website, row.website, overwrite, &mut changed);
        put(&mut self.note, row.note, overwrite, &mut changed);
        if let Some(scarce) = row.scarce
            && self.scarce != scarce
            && (overwrite || self.scarce == ScarceOverride::Auto)
        {
            self.scarce = scarce;
            changed = true;
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
