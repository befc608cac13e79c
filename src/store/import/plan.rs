//! The import's rules, apart from any database: each batch's rows are matched to the stored
//! suppliers their keys name (normalised name, native name, aliases) and to each other, and
//! merged. Rows and stored suppliers in; what to create, what to update and what to reject out.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::BuildHasher;

use super::OnExisting;
use super::draft::{Draft, Origin, StoredSupplier};
use super::spill::Row;
use crate::io::supplier_csv::{RawRecord, RowError, SupplierRow};

/// What a batch of rows comes to.
#[derive(Debug, Default)]
pub(super) struct Plan {
    /// New suppliers, in the order of their first rows.
    pub creates: Vec<Draft>,
    /// Stored suppliers the rows changed (their `origin` says what they were).
    pub updates: Vec<Draft>,
    /// Rows that match more than one supplier.
    pub rejects: Vec<(RawRecord, RowError)>,
}

/// Matches the batches of one import attempt, remembering across batches which stored suppliers
/// rows have matched.
pub(super) struct Planner {
    on_existing: OnExisting,
    /// Suppliers stored before the import that rows matched, and whether they changed.
    touched: HashMap<i32, bool>,
}

impl Planner {
    pub(super) fn new(on_existing: OnExisting) -> Planner {
        Planner {
            on_existing,
            touched: HashMap::new(),
        }
    }

    /// Suppliers stored before the import that rows changed, and that rows matched without
    /// changing.
    pub(super) fn counts(&self) -> (u64, u64) {
        let updated = self.touched.values().filter(|changed| **changed).count() as u64;
        (updated, self.touched.len() as u64 - updated)
    }

    /// Matches a batch's rows to `stored` (the stored suppliers their keys name) and to each
    /// other, merging rows into drafts.
    pub(super) fn plan(&mut self, mut stored: Vec<StoredSupplier>, rows: Vec<Row>) -> Plan {
        // Stored suppliers first, by id, then drafts in file order: the order of a "matches more
        // than one" message.
        stored.sort_by_key(|s| s.view.id);
        let mut drafts: Vec<Draft> = stored.into_iter().map(Draft::stored).collect();
        let mut index = KeyIndex::default();
        for (i, draft) in drafts.iter().enumerate() {
            for key in draft.keys() {
                index.insert(key, i);
            }
        }
        let mut rejects = Vec::new();
        for (row, raw) in rows {
            if let Some(error) = self.place(&mut drafts, &mut index, row) {
                rejects.push((raw, error));
            }
        }
        let mut plan = Plan {
            rejects,
            ..Plan::default()
        };
        for draft in drafts {
            match &draft.origin {
                Origin::New => plan.creates.push(draft),
                Origin::Stored {
                    id,
                    before,
                    by_this_import,
                } => {
                    if draft.changed && draft.view() != **before {
                        if !by_this_import {
                            self.touched.insert(*id, true);
                        }
                        plan.updates.push(draft);
                    }
                }
            }
        }
        plan
    }

    /// Puts one row where it belongs: merged into the draft it matches, or a new draft. A row
    /// that matches more than one gives its problem.
    fn place(&mut self, drafts: &mut Vec<Draft>, index: &mut KeyIndex, row: SupplierRow) -> Option<RowError> {
        let mut matches: Vec<usize> = Vec::new();
        for key in row.keys() {
            for &slot in index.get(key) {
                if !matches.contains(&slot) && drafts[slot].knows(key) {
                    matches.push(slot);
                }
            }
        }
        matches.sort_unstable();
        let i = match matches[..] {
            [] => {
                drafts.push(Draft::from_row(row));
                drafts.len() - 1
            }
            [i] => {
                match drafts[i].origin {
                    Origin::Stored {
                        id,
                        by_this_import: false,
                        ..
                    } => {
                        // Only the first row of the file that matches a stored supplier
                        // replaces its values; later ones only fill gaps, as rows of one
                        // file do among themselves. So duplicate rows with different values
                        // cannot flip a field back and forth.
                        let first_match = !self.touched.contains_key(&id);
                        self.touched.entry(id).or_insert(false);
                        if self.on_existing == OnExisting::Skip {
                            return None;
                        }
                        drafts[i].merge(row, first_match);
                    }
                    _ => drafts[i].merge(row, false),
                }
                i
            }
            _ => {
                let names: Vec<String> = matches
                    .iter()
                    .map(|&slot| match drafts[slot].id() {
                        Some(id) => format!("{} (#{id})", drafts[slot].name),
                        None => format!("{} (earlier in this file)", drafts[slot].name),
                    })
                    .collect();
                let error = RowError {
                    line: row.line,
                    column: "name".into(),
                    problem: format!("matches more than one supplier: {}", names.join(", ")),
                };
                return Some(error);
            }
        };
        for key in drafts[i].keys() {
            index.insert(key, i);
        }
        None
    }
}

/// Normalised keys of a batch's drafts -> the drafts that answer to them. Keys are held as 64-bit
/// hashes, and a hit is confirmed against the draft's own keys, so no key is copied.
#[derive(Default)]
struct KeyIndex {
    hasher: std::hash::RandomState,
    slots: HashMap<u64, Slots>,
}

enum Slots {
    One(usize),
    Many(Vec<usize>),
}

impl KeyIndex {
    fn insert(&mut self, key: &str, slot: usize) {
        match self.slots.entry(self.hasher.hash_one(key)) {
            Entry::Vacant(vacant) => {
                vacant.insert(Slots::One(slot));
            }
            Entry::Occupied(mut occupied) => match occupied.get_mut() {
                Slots::One(one) if *one != slot => {
                    let first = *one;
                    occupied.insert(Slots::Many(vec![first, slot]));
                }
                Slots::Many(many) if !many.contains(&slot) => many.push(slot),
                _ => {}
            },
        }
    }

    /// Drafts that may answer to `key` (confirm with `Draft::knows`).
    fn get(&self, key: &str) -> &[usize] {
        match self.slots.get(&self.hasher.hash_one(key)) {
            None => &[],
            Some(Slots::One(one)) => std::slice::from_ref(one),
            Some(Slots::Many(many)) => many,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::spill::tests::rows;
    use super::*;
    use crate::domain::status::ScarceOverride;
    use crate::store::suppliers::SupplierView;

    /// A stored supplier named `name`, with a native name and aliases, in China.
    fn stored(id: i32, name: &str, native: Option<&str>, aliases: &[&str]) -> StoredSupplier {
        let norm = crate::domain::names::normalise;
        StoredSupplier {
            view: SupplierView {
                id,
                name: name.into(),
                native_name: native.map(Into::into),
                aliases: aliases.iter().map(|a| a.to_string()).collect(),
                country: Some("CN".into()),
                province: None,
                city: Some("Suzhou".into()),
                address: None,
                website: None,
                capabilities: vec!["pecvd".into()],
                scarce: ScarceOverride::Auto,
                note: None,
                archived: false,
                archive_reason: None,
                listed_on: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
                merged_into: None,
            },
            name_norm: norm(name),
            native_norm: native.map(norm),
            alias_norms: aliases.iter().map(|a| norm(a)).collect(),
            by_this_import: false,
        }
    }

    #[test]
    fn rows_of_one_file_that_match_are_merged_into_one_new_supplier() {
        let mut planner = Planner::new(OnExisting::Update);
        let plan = planner.plan(
            Vec::new(),
            rows("name,aliases,capabilities,city\nLumina Co. Ltd,LHE,pecvd,\nLUMINA CO LTD,Lumina HJT,pvd,Suzhou\nMaxwell GmbH,,pvd,\n"),
        );
        assert_eq!(plan.creates.len(), 2);
        let lumina = &plan.creates[0];
        assert_eq!(lumina.name, "Lumina Co. Ltd", "the first row names it");
        assert_eq!(lumina.aliases, ["LHE", "Lumina HJT"]);
        assert_eq!(lumina.capabilities.iter().collect::<Vec<_>>(), ["pecvd", "pvd"]);
        assert_eq!(
            lumina.city.as_deref(),
            Some("Suzhou"),
            "a later row fills an empty field"
        );
        assert!(plan.updates.is_empty() && plan.rejects.is_empty());
        assert_eq!(planner.counts(), (0, 0));
    }

    #[test]
    fn a_row_matches_a_stored_supplier_by_alias_or_native_name() {
        for csv in [
            "name,city\nLHE,Wuxi\n",
            "name,native_name,city\nSomething Else,苏州卢米纳有限公司,Wuxi\n",
        ] {
            let mut planner = Planner::new(OnExisting::Update);
            let found = vec![stored(7, "Lumina Co. Ltd", Some("苏州卢米纳有限公司"), &["LHE"])];
            let plan = planner.plan(found, rows(csv));
            assert!(plan.creates.is_empty(), "{csv}");
            assert_eq!(plan.updates.len(), 1, "{csv}");
            let update = &plan.updates[0];
            assert_eq!(update.id(), Some(7));
            assert_eq!(update.name, "Lumina Co. Ltd", "a match keeps the stored name");
            assert_eq!(
                update.city.as_deref(),
                Some("Wuxi"),
                "the first matching row replaces values"
            );
            assert_eq!(planner.counts(), (1, 0));
        }
    }

    #[test]
    fn only_the_first_matching_row_replaces_values_later_ones_fill_gaps() {
        let mut planner = Planner::new(OnExisting::Update);
        let found = vec![stored(7, "Lumina", None, &[])];
        let plan = planner.plan(found.clone(), rows("name,city\nLumina,Wuxi\n"));
        assert_eq!(plan.updates[0].city.as_deref(), Some("Wuxi"));
        // A later batch: the supplier as the first one left it, and another row for it.
        let mut after = found[0].clone();
        after.view.city = Some("Wuxi".into());
        let plan = planner.plan(vec![after], rows("name,city,province\nLumina,Hefei,Anhui\n"));
        let update = &plan.updates[0];
        assert_eq!(update.city.as_deref(), Some("Wuxi"), "not flipped back and forth");
        assert_eq!(update.province.as_deref(), Some("Anhui"), "but a gap is filled");
        assert_eq!(planner.counts(), (1, 0), "one supplier updated, counted once");
    }

    #[test]
    fn a_row_that_matches_two_suppliers_is_rejected_naming_both() {
        let mut planner = Planner::new(OnExisting::Update);
        let found = vec![
            stored(3, "Lumina", None, &[]),
            stored(9, "Maxwell", None, &["MX"]),
        ];
        let plan = planner.plan(found, rows("name,aliases\nLumina,MX\nNew Maker,\n"));
        assert_eq!(plan.rejects.len(), 1);
        let (_, error) = &plan.rejects[0];
        assert_eq!(
            error.to_string(),
            "line 2: name: matches more than one supplier: Lumina (#3), Maxwell (#9)"
        );
        assert_eq!(plan.creates.len(), 1, "the other rows go on");
        assert!(plan.updates.is_empty());
    }

    #[test]
    fn rows_that_say_what_is_stored_change_nothing() {
        let mut planner = Planner::new(OnExisting::Update);
        let found = vec![stored(4, "Lumina", None, &["LHE"])];
        let plan = planner.plan(
            found,
            rows("name,aliases,capabilities,country,city\nLumina,LHE,pecvd,CN,Suzhou\n"),
        );
        assert!(plan.creates.is_empty() && plan.updates.is_empty() && plan.rejects.is_empty());
        assert_eq!(planner.counts(), (0, 1), "matched, unchanged");
    }

    #[test]
    fn on_existing_skip_leaves_stored_suppliers_alone() {
        let mut planner = Planner::new(OnExisting::Skip);
        let found = vec![stored(4, "Lumina", None, &[])];
        let plan = planner.plan(found, rows("name,city\nLumina,Wuxi\nMaxwell,\n"));
        assert!(plan.updates.is_empty());
        assert_eq!(plan.creates.len(), 1);
        assert_eq!(planner.counts(), (0, 1));
    }

    #[test]
    fn a_supplier_an_earlier_batch_created_only_has_its_gaps_filled_and_is_not_counted() {
        let mut planner = Planner::new(OnExisting::Update);
        let mut created = stored(12, "Lumina", None, &[]);
        created.by_this_import = true;
        let plan = planner.plan(vec![created], rows("name,city,province\nLumina,Wuxi,Jiangsu\n"));
        let update = &plan.updates[0];
        assert_eq!(update.city.as_deref(), Some("Suzhou"), "a value it has stays");
        assert_eq!(update.province.as_deref(), Some("Jiangsu"));
        assert_eq!(planner.counts(), (0, 0), "counted with the import's creates");
    }
}
