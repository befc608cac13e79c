//! Which normalised keys the database may already hold, so that an import asks the database only
//! about keys it might know. A Bloom filter (the `bloomfilter` crate) of every stored name, native
//! name and alias, kept up to date with what the import writes: a key it has never seen cannot
//! match, and most rows of a large import are new suppliers. A "maybe" is checked in the database
//! as before, so a false positive costs a lookup, never a wrong match.

use bloomfilter::Bloom;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::super::entities::{supplier, supplier_alias};
use crate::error::Result;

/// Up to this many stored suppliers, their keys are always loaded (a few milliseconds).
const ALWAYS_LOAD: u64 = 50_000;
/// Keys read per query while loading.
const PAGE: u64 = 10_000;
/// Keys a row adds, on average, with room to spare (name, native name, one or two aliases).
const KEYS_PER_ROW: u64 = 4;
/// Filter size bounds, in keys: 1 % false positives up to the upper one (about 19 MiB).
const MIN_KEYS: u64 = 100_000;
const MAX_KEYS: u64 = 16_000_000;

pub(super) struct KnownKeys(Option<Bloom<str>>);

impl KnownKeys {
    /// Loads the stored keys when that is cheap next to the import: few stored suppliers, or a
    /// file expected to add at least as many rows as are stored. Otherwise every key is looked
    /// up in the database.
    pub(super) async fn load(
        conn: &impl ConnectionTrait,
        stored_suppliers: u64,
        expected_rows: Option<u64>,
    ) -> Result<KnownKeys> {
        let expected_rows = expected_rows.unwrap_or(0);
        if stored_suppliers > ALWAYS_LOAD.max(expected_rows) {
            return Ok(KnownKeys(None));
        }
        let capacity = ((stored_suppliers + expected_rows) * KEYS_PER_ROW).clamp(MIN_KEYS, MAX_KEYS);
        let mut bloom = Bloom::new_for_fp_rate(capacity as usize, 0.01)
            .map_err(|e| crate::error::Error::Other(format!("key filter: {e}")))?;
        use {supplier::Column as S, supplier_alias::Column as A};
        add_column::<supplier::Entity>(conn, &mut bloom, S::Id, S::NameNorm).await?;
        add_column::<supplier::Entity>(conn, &mut bloom, S::Id, S::NativeNorm).await?;
        add_column::<supplier_alias::Entity>(conn, &mut bloom, A::Id, A::AliasNorm).await?;
        Ok(KnownKeys(Some(bloom)))
    }

    /// Whether the database may hold `key` (always, without a filter).
    pub(super) fn may_hold(&self, key: &str) -> bool {
        self.0.as_ref().is_none_or(|bloom| bloom.check(key))
    }

    /// Records a key the import has written.
    pub(super) fn add(&mut self, key: &str) {
        if let Some(bloom) = self.0.as_mut() {
            bloom.set(key);
        }
    }
}

/// Adds every value of one key column to the filter, reading the table in id order a page at a
/// time (memory stays flat however many suppliers are stored).
async fn add_column<E: EntityTrait>(
    conn: &impl ConnectionTrait,
    bloom: &mut Bloom<str>,
    id: E::Column,
    key: E::Column,
) -> Result<()> {
    let mut after = 0;
    loop {
        let page: Vec<(i32, Option<String>)> = E::find()
            .select_only()
            .columns([id, key])
            .filter(id.gt(after))
            .order_by_asc(id)
            .limit(PAGE)
            .into_tuple()
            .all(conn)
            .await?;
        let Some(&(last, _)) = page.last() else {
            return Ok(());
        };
        after = last;
        for key in page.iter().filter_map(|(_, key)| key.as_deref()) {
            bloom.set(key);
        }
    }
}
