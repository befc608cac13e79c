//! A supplier as the import sees it while matching and merging rows.

use std::collections::BTreeSet;

use super::super::entities::supplier;
use super::super::suppliers::SupplierView;
use crate::domain::names::normalise;
use crate::domain::status::ScarceOverride;
use crate::io::supplier_csv::SupplierRow;

/// A supplier as the import sees it: the row (or stored record) plus its aliases and capabilities.
#[derive(Debug, Clone)]
pub(super) struct Draft {
    /// Stored id, or `None` for a supplier this batch creates.
    pub(super) id: Option<i32>,
    pub(super) model: Option<supplier::Model>,
    pub(super) name: String,
    pub(super) native_name: Option<String>,
    pub(super) country: Option<String>,
    pub(super) province: Option<String>,
    pub(super) city: Option<String>,
    pub(super) address: Option<String>,
    pub(super) website: Option<String>,
    pub(super) scarce: ScarceOverride,
    pub(super) note: Option<String>,
    pub(super) aliases: Vec<String>,
    pub(super) capabilities: BTreeSet<String>,
    pub(super) name_norm: String,
    pub(super) native_norm: Option<String>,
    pub(super) alias_norms: Vec<String>,
    /// Whether anything changed since it was loaded.
    pub(super) changed: bool,
    /// Created by this import (in this batch or an earlier one): rows only fill its gaps.
    pub(super) new_in_import: bool,
    pub(super) before: Option<SupplierView>,
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
            ..
        } = row;
        let mut draft = Draft {
            id: None,
            model: None,
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
            changed: true,
            new_in_import: true,
            before: None,
        };
        for (alias, norm) in aliases.into_iter().zip(alias_norms) {
            if !draft.knows(&norm) {
                draft.aliases.push(alias);
                draft.alias_norms.push(norm);
            }
        }
        draft
    }

    /// A supplier as stored, and as users see it (with its aliases and capabilities).
    pub(super) fn stored(m: supplier::Model, view: SupplierView) -> Draft {
        Draft {
            id: Some(m.id),
            name: m.name.clone(),
            name_norm: m.name_norm.clone(),
            native_norm: m.native_norm.clone(),
            alias_norms: view.aliases.iter().map(|a| normalise(a)).collect(),
            native_name: m.native_name.clone(),
            country: m.country.clone(),
            province: m.province.clone(),
            city: m.city.clone(),
            address: m.address.clone(),
            website: m.website.clone(),
            scarce: m.scarce_override,
            note: m.note.clone(),
            aliases: view.aliases.clone(),
            capabilities: view.capabilities.iter().cloned().collect(),
            changed: false,
            new_in_import: false,
            before: Some(view),
            model: Some(m),
        }
    }

    pub(super) fn view(&self) -> SupplierView {
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
            scarce: self.scarce,
            note: self.note.clone(),
            archived: self.model.as_ref().is_some_and(|m| m.archived),
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
        pub(super) fn put(
            slot: &mut Option<String>,
            value: Option<String>,
            overwrite: bool,
            changed: &mut bool,
        ) {
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
