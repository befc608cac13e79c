//! Resolving what users type into records: an id, a name, a native name or an alias, ignoring
//! case and legal suffixes. Exact matches go through the normalised-name indexes; only a miss
//! searches more widely, to suggest the closest candidates.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::sea_query::Condition;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::entities::{buyer, site, supplier, supplier_alias};
use crate::domain::names::normalise;
use crate::error::{Error, Result};

/// How many suggestions an unknown reference lists.
const SUGGESTIONS: usize = 5;

/// A reference that is a number (optionally written `#12`) names an id.
fn as_id(reference: &str) -> Option<i32> {
    reference.trim().trim_start_matches('#').parse().ok()
}

fn label(id: i32, name: &str) -> String {
    format!("{name} (#{id})")
}

/// The supplier numbered `id`, which a stored record refers to.
pub async fn supplier_by_id(conn: &impl ConnectionTrait, id: i32) -> Result<supplier::Model> {
    Ok(supplier::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| sea_orm::DbErr::RecordNotFound(format!("supplier #{id}")))?)
}

/// How many merges a chain may hold before it is taken for a loop (a bug, or a hand edit).
const MERGES: usize = 64;

/// A supplier, or the one it was merged into (and so on).
async fn merged_supplier(conn: &impl ConnectionTrait, mut found: supplier::Model) -> Result<supplier::Model> {
    for _ in 0..MERGES {
        let Some(into) = found.merged_into else {
            return Ok(found);
        };
        found = supplier_by_id(conn, into).await?;
    }
    Err(Error::Other(format!(
        "supplier #{} is merged into itself",
        found.id
    )))
}

/// The supplier a reference names: its id (a merged supplier's id names the one it was merged
/// into), name, native name or alias, or the first words of its name.
pub async fn supplier(conn: &impl ConnectionTrait, reference: &str) -> Result<supplier::Model> {
    if let Some(id) = as_id(reference)
        && let Some(found) = supplier::Entity::find_by_id(id).one(conn).await?
    {
        return merged_supplier(conn, found).await;
    }
    let norm = normalise(reference);
    // The names that start with the reference's words are asked for with the exact ones (one
    // round trip on a server), and used only when no name is the reference.
    let (mut found, by_words) = tokio::try_join!(
        suppliers_named(conn, &norm),
        suppliers_by_first_words(conn, &norm)
    )?;
    if found.is_empty() {
        found = by_words;
    } else {
        // Records that share the name since the naming rules changed (`name_keys`) are
        // found with it, so that the ambiguity is reported with their ids.
        let shared = super::name_keys::marked_prefix(&norm);
        found.extend(by_words.into_iter().filter(|s| s.name_norm.starts_with(&shared)));
    }
    match at_most_one("supplier", reference, found, |s| label(s.id, &s.name))? {
        Some(one) => Ok(one),
        None => Err(Error::NotFound {
            kind: "supplier",
            within: None,
            reference: reference.to_string(),
            candidates: supplier_suggestions(conn, &norm).await?,
        }),
    }
}

/// The suppliers whose normalised name, native name (not merged away) or alias is `norm`, by
/// id: the rows themselves, names and aliases asked for together (one round trip on a server).
async fn suppliers_named(conn: &impl ConnectionTrait, norm: &str) -> Result<Vec<supplier::Model>> {
    let (named, aliased) = tokio::try_join!(
        supplier::Entity::find()
            .filter(
                Condition::any()
                    .add(supplier::Column::NameNorm.eq(norm))
                    .add(supplier::Column::NativeNorm.eq(norm)),
            )
            .filter(supplier::Column::MergedInto.is_null())
            .all(conn),
        supplier::Entity::find()
            .filter(
                supplier::Column::Id.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(supplier_alias::Column::SupplierId)
                        .from(supplier_alias::Entity)
                        .and_where(supplier_alias::Column::AliasNorm.eq(norm))
                        .to_owned(),
                ),
            )
            .all(conn),
    )?;
    let mut found: BTreeMap<i32, supplier::Model> = BTreeMap::new();
    for model in named.into_iter().chain(aliased) {
        found.insert(model.id, model);
    }
    Ok(found.into_values().collect())
}

/// Ids of suppliers whose normalised name, native name or alias is any of `norms` (indexed; in
/// chunks that stay under every backend's bound-parameter limit). A merged supplier is left out:
/// the one it was merged into holds its names as aliases.
pub async fn supplier_ids_named(conn: &impl ConnectionTrait, norms: &[&str]) -> Result<BTreeSet<i32>> {
    let mut ids = BTreeSet::new();
    for chunk in norms.chunks(super::IN_CHUNK) {
        // Names and aliases asked for together (one round trip on a server).
        let (named, aliased) = tokio::try_join!(
            supplier::Entity::find()
                .select_only()
                .column(supplier::Column::Id)
                .filter(
                    Condition::any()
                        .add(supplier::Column::NameNorm.is_in(chunk.iter().copied()))
                        .add(supplier::Column::NativeNorm.is_in(chunk.iter().copied())),
                )
                .filter(supplier::Column::MergedInto.is_null())
                .into_tuple::<i32>()
                .all(conn),
            supplier_alias::Entity::find()
                .select_only()
                .column(supplier_alias::Column::SupplierId)
                .filter(supplier_alias::Column::AliasNorm.is_in(chunk.iter().copied()))
                .into_tuple::<i32>()
                .all(conn),
        )?;
        ids.extend(named);
        ids.extend(aliased);
    }
    Ok(ids)
}

/// Suppliers whose normalised name starts with the whole words of `norm` (`lumina` finds
/// `lumina heterojunction equipment`), by id (at most 50). On SQLite the range makes this an
/// index seek; the LIKE is what decides on every backend (server collations may not order
/// strings bytewise).
async fn suppliers_by_first_words(conn: &impl ConnectionTrait, norm: &str) -> Result<Vec<supplier::Model>> {
    let prefix = format!("{norm} ");
    let mut query = supplier::Entity::find()
        .filter(supplier::Column::NameNorm.starts_with(prefix.as_str()))
        .filter(supplier::Column::MergedInto.is_null());
    if conn.get_database_backend() == sea_orm::DbBackend::Sqlite {
        query = query
            .filter(supplier::Column::NameNorm.gte(prefix.as_str()))
            .filter(supplier::Column::NameNorm.lt(format!("{norm}!")));
    }
    Ok(query
        .order_by_asc(supplier::Column::Id)
        .limit(50)
        .all(conn)
        .await?)
}

/// The supplier an already normalised name names exactly, if any (the first, if several do).
pub async fn supplier_exact(conn: &impl ConnectionTrait, norm: &str) -> Result<Option<supplier::Model>> {
    match supplier_ids_named(conn, &[norm]).await?.first() {
        Some(id) => Ok(supplier::Entity::find_by_id(*id).one(conn).await?),
        None => Ok(None),
    }
}

/// Suppliers whose names share a word start with the reference, closest first.
async fn supplier_suggestions(conn: &impl ConnectionTrait, norm: &str) -> Result<Vec<String>> {
    let prefixes: Vec<String> = norm
        .split(' ')
        .map(|w| w.chars().take(3).collect::<String>())
        .filter(|p| !p.is_empty())
        .collect();
    if prefixes.is_empty() {
        return Ok(Vec::new());
    }
    let mut any = Condition::any();
    for prefix in &prefixes {
        any = any
            .add(supplier::Column::NameNorm.contains(prefix))
            .add(supplier::Column::NativeNorm.contains(prefix));
    }
    let mut rows: Vec<(i32, String, String)> = supplier::Entity::find()
        .select_only()
        .columns([
            supplier::Column::Id,
            supplier::Column::Name,
            supplier::Column::NameNorm,
        ])
        .filter(any)
        .filter(supplier::Column::MergedInto.is_null())
        .limit(500)
        .into_tuple()
        .all(conn)
        .await?;
    let mut alias_any = Condition::any();
    for prefix in &prefixes {
        alias_any = alias_any.add(supplier_alias::Column::AliasNorm.contains(prefix));
    }
    let aliases: Vec<(i32, String)> = supplier_alias::Entity::find()
        .select_only()
        .columns([
            supplier_alias::Column::SupplierId,
            supplier_alias::Column::AliasNorm,
        ])
        .filter(alias_any)
        .limit(200)
        .into_tuple()
        .all(conn)
        .await?;
    if !aliases.is_empty() {
        let names = supplier::Entity::find()
            .filter(supplier::Column::Id.is_in(aliases.iter().map(|a| a.0)))
            .all(conn)
            .await?;
        for (id, alias_norm) in aliases {
            if let Some(s) = names.iter().find(|s| s.id == id) {
                rows.push((id, s.name.clone(), alias_norm));
            }
        }
    }
    Ok(rank(norm, rows))
}

/// Orders candidates by similarity to the reference, best first, one entry per id, leaving out
/// those that share too little with it. Typing usually gets a name's start right, so the score
/// favours a close start: Jaro-Winkler against the name or any of its words, or the edit
/// distance to the name's first letters.
fn rank(norm: &str, rows: Vec<(i32, String, String)>) -> Vec<String> {
    let score = |key: &str| {
        let start: String = key.chars().take(norm.chars().count()).collect();
        let best_word = key
            .split(' ')
            .map(|w| strsim::jaro_winkler(norm, w))
            .fold(0.0, f64::max);
        strsim::jaro_winkler(norm, key)
            .max(best_word)
            .max(strsim::normalized_levenshtein(norm, &start))
    };
    let mut scored: Vec<(f64, i32, String)> = rows
        .into_iter()
        .map(|(id, name, key)| (score(&key), id, name))
        .filter(|(score, _, _)| *score >= 0.6)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut seen = BTreeSet::new();
    scored
        .into_iter()
        .filter(|(_, id, _)| seen.insert(*id))
        .take(SUGGESTIONS)
        .map(|(_, id, name)| label(id, &name))
        .collect()
}

/// The supplier and the buyer a command names, looked up together (one round trip on a server).
pub async fn supplier_and_buyer(
    conn: &impl ConnectionTrait,
    supplier_ref: &str,
    buyer_ref: &str,
) -> Result<(supplier::Model, buyer::Model)> {
    tokio::try_join!(supplier(conn, supplier_ref), buyer(conn, buyer_ref))
}

/// The buyer a reference names: its id or name (a merged buyer's names the one it was merged
/// into), or the first words of its name. Buyers are few (a handful of teams): they are read in
/// one go (one round trip on a server) and the reference resolved among them.
pub async fn buyer(conn: &impl ConnectionTrait, reference: &str) -> Result<buyer::Model> {
    let all = buyer::Entity::find()
        .order_by_asc(buyer::Column::Id)
        .all(conn)
        .await?;
    among("buyer", None, reference, all)
}

/// A site of one supplier, by id or name. A supplier's sites are few: they are read in one go
/// and the reference resolved among them.
pub async fn site(
    conn: &impl ConnectionTrait,
    supplier: &supplier::Model,
    reference: &str,
) -> Result<site::Model> {
    let all = site::Entity::find()
        .filter(site::Column::SupplierId.eq(supplier.id))
        .order_by_asc(site::Column::Id)
        .all(conn)
        .await?;
    let within = format!("supplier '{}'", supplier.name);
    among("site", Some(within), reference, all)
}

/// A record of a kind few enough to resolve a reference among all of them in memory.
trait Named: Clone {
    fn id(&self) -> i32;
    fn name(&self) -> &String;
    fn name_norm(&self) -> &String;
    fn merged_into(&self) -> Option<i32>;
}

macro_rules! named {
    ($($model:ty),+) => {$(
        impl Named for $model {
            fn id(&self) -> i32 {
                self.id
            }
            fn name(&self) -> &String {
                &self.name
            }
            fn name_norm(&self) -> &String {
                &self.name_norm
            }
            fn merged_into(&self) -> Option<i32> {
                self.merged_into
            }
        }
    )+};
}
named!(buyer::Model, site::Model);

/// The one of `all` a reference names: its id or name (a merged record's names the one it was
/// merged into; records that share the name since the naming rules changed, `name_keys`, are
/// found with it and reported as ambiguous), or the first words of its name.
fn among<T: Named>(kind: &'static str, within: Option<String>, reference: &str, all: Vec<T>) -> Result<T> {
    let norm = normalise(reference);
    let follow = |mut found: T| -> Result<T> {
        for _ in 0..MERGES {
            let Some(into) = found.merged_into() else {
                return Ok(found);
            };
            found = all
                .iter()
                .find(|r| r.id() == into)
                .cloned()
                .ok_or_else(|| sea_orm::DbErr::RecordNotFound(format!("{kind} #{into}")))?;
        }
        Err(Error::Other(format!(
            "{kind} #{} is merged into itself",
            found.id()
        )))
    };
    if let Some(found) = all.iter().find(|r| as_id(reference) == Some(r.id())) {
        return follow(found.clone());
    }
    let shared = super::name_keys::marked_prefix(&norm);
    let mut named: Vec<T> = Vec::new();
    for found in all.iter().filter(|r| {
        *r.name_norm() == norm || (r.merged_into().is_none() && r.name_norm().starts_with(&shared))
    }) {
        let found = follow(found.clone())?;
        if !named.iter().any(|r| r.id() == found.id()) {
            named.push(found);
        }
    }
    if let Some(one) = at_most_one(kind, reference, named, |r| label(r.id(), r.name()))? {
        return Ok(one);
    }
    let current = all.into_iter().filter(|r| r.merged_into().is_none()).collect();
    by_first_words(kind, within, reference, &norm, current)
}

/// The one of `found`, if any; several are an error naming each (`labelled`).
fn at_most_one<T>(
    kind: &'static str,
    reference: &str,
    mut found: Vec<T>,
    labelled: impl Fn(&T) -> String,
) -> Result<Option<T>> {
    if found.len() > 1 {
        return Err(Error::Ambiguous {
            kind,
            reference: reference.to_string(),
            candidates: found.iter().map(labelled).collect(),
        });
    }
    Ok(found.pop())
}

/// A site, or the one it was merged into (and so on).
async fn merged_site(conn: &impl ConnectionTrait, mut found: site::Model) -> Result<site::Model> {
    for _ in 0..MERGES {
        let Some(into) = found.merged_into else {
            return Ok(found);
        };
        found = site::Entity::find_by_id(into)
            .one(conn)
            .await?
            .ok_or_else(|| sea_orm::DbErr::RecordNotFound(format!("site #{into}")))?;
    }
    Err(Error::Other(format!("site #{} is merged into itself", found.id)))
}

/// A site named on its own, without its supplier: by id, or by a name (or its first words)
/// that only one site has; several are listed with their suppliers.
pub async fn site_anywhere(conn: &impl ConnectionTrait, reference: &str) -> Result<site::Model> {
    if let Some(id) = as_id(reference)
        && let Some(found) = site::Entity::find_by_id(id).one(conn).await?
    {
        return merged_site(conn, found).await;
    }
    let norm = normalise(reference);
    let named = site::Entity::find()
        .filter(site::Column::NameNorm.eq(norm.as_str()))
        .filter(site::Column::MergedInto.is_null())
        .all(conn)
        .await?;
    let candidates = if named.is_empty() {
        let prefix = format!("{norm} ");
        site::Entity::find()
            .filter(site::Column::NameNorm.starts_with(prefix.as_str()))
            .filter(site::Column::MergedInto.is_null())
            .order_by_asc(site::Column::Id)
            .limit(50)
            .all(conn)
            .await?
    } else {
        named
    };
    let owners = supplier_names(conn, candidates.iter().map(|s| s.supplier_id)).await?;
    let labelled = |s: &site::Model| {
        let owner = owners.get(&s.supplier_id).map(String::as_str).unwrap_or("?");
        label(s.id, &format!("{} of {owner}", s.name))
    };
    at_most_one("site", reference, candidates, labelled)?.ok_or_else(|| Error::NotFound {
        kind: "site",
        within: None,
        reference: reference.to_string(),
        candidates: Vec::new(),
    })
}

/// The one record of a few whose name starts with the words of `norm` (`aurora` for Aurora
/// Solar, `wujiang` for Wujiang Plant), as suppliers are found; an error listing the candidates
/// when several or none do.
fn by_first_words<T: Named>(
    kind: &'static str,
    within: Option<String>,
    reference: &str,
    norm: &str,
    all: Vec<T>,
) -> Result<T> {
    let prefix = format!("{norm} ");
    let (starting, others): (Vec<T>, Vec<T>) =
        all.into_iter().partition(|r| r.name_norm().starts_with(&prefix));
    if let Some(one) = at_most_one(kind, reference, starting, |r| label(r.id(), r.name()))? {
        return Ok(one);
    }
    Err(Error::NotFound {
        kind,
        within,
        reference: reference.to_string(),
        candidates: rank(
            norm,
            others
                .iter()
                .map(|r| (r.id(), r.name().clone(), r.name_norm().clone()))
                .collect(),
        ),
    })
}

/// Names of suppliers by id, for labelling rows that carry only a supplier id.
pub async fn supplier_names(
    conn: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i32>,
) -> Result<BTreeMap<i32, String>> {
    supplier_names_but(conn, ids, None).await
}

/// [`supplier_names`], without asking the database for the one supplier already at hand
/// (`supplier show` names its own supplier on every part).
pub async fn supplier_names_but(
    conn: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i32>,
    known: Option<&supplier::Model>,
) -> Result<BTreeMap<i32, String>> {
    let mut names = BTreeMap::new();
    if let Some(known) = known {
        names.insert(known.id, known.name.clone());
    }
    let ids: Vec<i32> = ids
        .into_iter()
        .filter(|id| !names.contains_key(id))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    for chunk in ids.chunks(super::IN_CHUNK) {
        let rows: Vec<(i32, String)> = supplier::Entity::find()
            .select_only()
            .columns([supplier::Column::Id, supplier::Column::Name])
            .filter(supplier::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        names.extend(rows);
    }
    Ok(names)
}

/// Names of buyers by id (buyers are few, so all of them).
pub async fn buyer_names(conn: &impl ConnectionTrait) -> Result<BTreeMap<i32, String>> {
    Ok(buyer::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|b| (b.id, b.name))
        .collect())
}
