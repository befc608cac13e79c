//! The stored normalised keys (`domain::names::normalise`) kept in step with the rules.
//!
//! When the rules change (migration 7: legal forms from ISO 20275, Traditional Chinese folded to
//! Simplified), every stored key is computed again: suppliers' names and native names, aliases,
//! buyers and sites, and the versions in their history twins. It is a migration of the app, not
//! of the `migrations` crate, because it needs the normaliser (that crate imports nothing from the
//! app); `schema::Migrations` lists it after that crate's.
//!
//! A key is unique among suppliers, among buyers, and among one supplier's sites and aliases.
//! Records that now share a key are not merged silently: one keeps the key (the one that already
//! had it, else the first not merged away, else the first) and each other one is stored under
//! the key with its id marked on (`lumina #17`: `normalise` never writes `#`). A lookup of the
//! key finds them all and reports the ambiguity with their ids; `vetted db migrate` lists them
//! (`shared`) and suggests `supplier merge`.

use std::collections::HashMap;

use migrations::{DbErr, MigrationName, MigrationTrait, SchemaManager};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, QueryResult};
use serde::Serialize;

use crate::domain::names::normalise;

/// The key of a record that shares its key with another: the key with its id marked on.
pub fn marked(key: &str, id: i32) -> String {
    format!("{key} #{id}")
}

/// What a shared key starts with in storage (`marked`), for a lookup of `key`.
pub fn marked_prefix(key: &str) -> String {
    format!("{key} #")
}

/// One table's normalised key: the text it is computed from, and what it is unique within.
struct Keyed {
    table: &'static str,
    text: &'static str,
    key: &'static str,
    unique: Unique,
    /// The table has `merged_into`: a merged record gives way to one that is not.
    merges: bool,
}

/// Where a key is unique.
#[derive(Clone, Copy, PartialEq)]
enum Unique {
    No,
    InTable,
    /// Among the rows with the same value of this column.
    Within(&'static str),
}

const KEYED: [Keyed; 5] = [
    Keyed {
        table: "supplier",
        text: "name",
        key: "name_norm",
        unique: Unique::InTable,
        merges: true,
    },
    Keyed {
        table: "supplier",
        text: "native_name",
        key: "native_norm",
        unique: Unique::No,
        merges: true,
    },
    Keyed {
        table: "supplier_alias",
        text: "alias",
        key: "alias_norm",
        unique: Unique::Within("supplier_id"),
        merges: false,
    },
    Keyed {
        table: "buyer",
        text: "name",
        key: "name_norm",
        unique: Unique::InTable,
        merges: true,
    },
    Keyed {
        table: "site",
        text: "name",
        key: "name_norm",
        unique: Unique::Within("supplier_id"),
        merges: true,
    },
];

/// Migration 7: every stored key computed again by today's rules.
pub struct NameKeys;

impl MigrationName for NameKeys {
    fn name(&self) -> &str {
        "m20261206_000007_name_keys_iso_20275"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for NameKeys {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        recompute_all(manager.get_connection()).await
    }

    /// Keys are worked out from the names: going back leaves today's, which the earlier rules
    /// read as well as any.
    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Ok(())
    }
}

/// Computes every stored key again (a restore does too: a backup from before keeps the keys of
/// the rules it was made under).
pub async fn recompute_all(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    for keyed in &KEYED {
        recompute(db, keyed).await?;
        recompute_history(db, keyed).await?;
    }
    Ok(())
}

/// A row as the recomputation reads it.
struct Row {
    id: i32,
    scope: i32,
    text: Option<String>,
    key: Option<String>,
    merged: bool,
}

async fn read(db: &impl ConnectionTrait, keyed: &Keyed) -> Result<Vec<Row>, DbErr> {
    let mut select = Query::select();
    select
        .from(Alias::new(keyed.table))
        .column(Alias::new("id"))
        .column(Alias::new(keyed.text))
        .column(Alias::new(keyed.key));
    if let Unique::Within(scope) = keyed.unique {
        select.expr_as(Expr::col(Alias::new(scope)), Alias::new("scope"));
    }
    if keyed.merges {
        select.column(Alias::new("merged_into"));
    }
    let rows = db.query_all(&select).await?;
    rows.iter()
        .map(|row: &QueryResult| {
            Ok(Row {
                id: row.try_get("", "id")?,
                scope: match keyed.unique {
                    Unique::Within(_) => row.try_get("", "scope")?,
                    _ => 0,
                },
                text: row.try_get("", keyed.text)?,
                key: row.try_get("", keyed.key)?,
                merged: keyed.merges && row.try_get::<Option<i32>>("", "merged_into")?.is_some(),
            })
        })
        .collect()
}

/// The keys `rows` should have, by id: each computed afresh; where unique, a shared one kept by
/// one row and marked on the others.
fn new_keys(rows: &[Row], unique: bool) -> HashMap<i32, Option<String>> {
    let fresh: Vec<(&Row, Option<String>)> = rows
        .iter()
        .map(|row| (row, row.text.as_deref().map(normalise)))
        .collect();
    if !unique {
        return fresh.into_iter().map(|(row, key)| (row.id, key)).collect();
    }
    let mut sharing: HashMap<(i32, &str), Vec<&Row>> = HashMap::new();
    for (row, key) in &fresh {
        if let Some(key) = key {
            sharing.entry((row.scope, key.as_str())).or_default().push(row);
        }
    }
    let mut keys = HashMap::new();
    for ((_, key), mut rows) in sharing {
        rows.sort_by_key(|row| (row.key.as_deref() != Some(key), row.merged, row.id));
        for (i, row) in rows.iter().enumerate() {
            let stored = if i == 0 {
                key.to_string()
            } else {
                marked(key, row.id)
            };
            keys.insert(row.id, Some(stored));
        }
    }
    keys
}

async fn recompute(db: &impl ConnectionTrait, keyed: &Keyed) -> Result<(), DbErr> {
    let rows = read(db, keyed).await?;
    let keys = new_keys(&rows, keyed.unique != Unique::No);
    let changed: Vec<(i32, Option<String>)> = rows
        .iter()
        .filter_map(|row| {
            let key = keys.get(&row.id).cloned().unwrap_or(None);
            (key != row.key).then_some((row.id, key))
        })
        .collect();
    if keyed.unique != Unique::No {
        // Out of each other's way first: a key may move to a row whose old key is another's new.
        for (id, _) in &changed {
            set_key(db, keyed, *id, Some(format!("#{id}"))).await?;
        }
    }
    for (id, key) in changed {
        set_key(db, keyed, id, key).await?;
    }
    Ok(())
}

async fn set_key(
    db: &impl ConnectionTrait,
    keyed: &Keyed,
    id: i32,
    key: Option<String>,
) -> Result<(), DbErr> {
    let mut update = Query::update();
    update
        .table(Alias::new(keyed.table))
        .value(Alias::new(keyed.key), key)
        .and_where(Expr::col(Alias::new("id")).eq(id));
    db.execute(&update).await?;
    Ok(())
}

/// The history twin's versions: each key computed afresh from its own text (no key is unique
/// there). Versions are rewritten per record and text.
async fn recompute_history(db: &impl ConnectionTrait, keyed: &Keyed) -> Result<(), DbErr> {
    let table = format!("{}_history", keyed.table);
    let mut select = Query::select();
    select
        .distinct()
        .from(Alias::new(&table))
        .column(Alias::new("id"))
        .column(Alias::new(keyed.text))
        .column(Alias::new(keyed.key));
    for row in db.query_all(&select).await? {
        let id: i32 = row.try_get("", "id")?;
        let text: Option<String> = row.try_get("", keyed.text)?;
        let key: Option<String> = row.try_get("", keyed.key)?;
        let fresh = text.as_deref().map(normalise);
        if fresh == key {
            continue;
        }
        let mut update = Query::update();
        update
            .table(Alias::new(&table))
            .value(Alias::new(keyed.key), fresh)
            .and_where(Expr::col(Alias::new("id")).eq(id));
        match &text {
            Some(text) => update.and_where(Expr::col(Alias::new(keyed.text)).eq(text.as_str())),
            None => update.and_where(Expr::col(Alias::new(keyed.text)).is_null()),
        };
        db.execute(&update).await?;
    }
    Ok(())
}

/// A key held by more than one record: the one that kept it and the ones marked.
#[derive(Debug, Serialize)]
pub struct Shared {
    pub kind: &'static str,
    pub key: String,
    /// `name (#id)` of each record, the one that kept the key first.
    pub records: Vec<String>,
    /// What to do about it, for suppliers.
    pub suggestion: Option<String>,
}

/// The keys held by more than one record not merged away (suppliers, buyers; sites of one
/// supplier), for `db migrate` to list.
pub async fn shared(db: &impl ConnectionTrait) -> Result<Vec<Shared>, DbErr> {
    let mut found = Vec::new();
    // The records people name (suppliers, buyers, sites): unique keys of tables with merges.
    for keyed in KEYED.iter().filter(|k| k.merges && k.unique != Unique::No) {
        let kind = keyed.table;
        let rows: Vec<Row> = read(db, keyed).await?.into_iter().filter(|r| !r.merged).collect();
        let mut by_key: HashMap<(i32, String), Vec<&Row>> = HashMap::new();
        for row in &rows {
            let Some(key) = row.key.as_deref() else { continue };
            let base = key
                .strip_suffix(&format!(" #{}", row.id))
                .unwrap_or(key)
                .to_string();
            by_key.entry((row.scope, base)).or_default().push(row);
        }
        let mut groups: Vec<((i32, String), Vec<&Row>)> =
            by_key.into_iter().filter(|(_, rows)| rows.len() > 1).collect();
        groups.sort_by(|a, b| a.0.cmp(&b.0));
        for ((_, key), mut rows) in groups {
            rows.sort_by_key(|r| (r.key.as_deref() != Some(key.as_str()), r.id));
            let label = |r: &Row| format!("{} (#{})", r.text.as_deref().unwrap_or(""), r.id);
            let suggestion = (kind == "supplier").then(|| {
                let keep = rows[0].id;
                rows[1..]
                    .iter()
                    .map(|r| format!("vetted supplier merge {} --into {keep}", r.id))
                    .collect::<Vec<_>>()
                    .join("; ")
            });
            found.push(Shared {
                kind,
                key,
                records: rows.iter().map(|r| label(r)).collect(),
                suggestion,
            });
        }
    }
    Ok(found)
}
