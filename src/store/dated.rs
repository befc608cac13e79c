//! Dated facts in the store (valid time, `domain::timeline`): a change of a supplier's
//! capability, alias, archive state, scarcity override or site line count, recorded from a day
//! on. The record's own columns and rows keep the value each key holds now; callers write that
//! value, which `record` returns (a change dated before a later fact of the same key is
//! history, and leaves today's value as it is).

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use super::IN_CHUNK;
use super::entities::dated_fact;
use crate::domain::status::FactKind;
use crate::domain::timeline::{self, Fact};
use crate::error::{Error, Result};

/// The value `yes` of a present capability and of an archived supplier.
pub const YES: &str = "yes";

/// One key's change from `day` on.
#[derive(Debug, Clone)]
pub struct KeyChange {
    pub supplier: i32,
    pub listed_on: NaiveDate,
    pub kind: FactKind,
    /// The capability, the alias's normalised form, the site's id; empty otherwise.
    pub subject: String,
    /// What the record holds now.
    pub current: Option<String>,
    pub new: Option<String>,
    pub day: NaiveDate,
}

/// A key: (supplier, kind, subject).
pub type Key = (i32, FactKind, String);
/// Each key's facts.
pub type Timelines = HashMap<Key, Vec<Fact<Option<String>>>>;

/// Records `changes` under operation `op` and returns the value each key holds now, in the
/// order of `changes`. A day before the supplier's listing is refused.
pub async fn record(
    conn: &impl ConnectionTrait,
    op: i32,
    changes: &[KeyChange],
) -> Result<Vec<Option<String>>> {
    if let Some(early) = changes.iter().find(|c| c.day < c.listed_on) {
        return Err(Error::invalid(
            "date",
            format!(
                "{} is before the supplier was listed ({}); a fact cannot come before its supplier",
                early.day, early.listed_on
            ),
        ));
    }
    let mut facts = recorded(conn, changes).await?;
    let mut rows = Vec::new();
    let mut now = Vec::with_capacity(changes.len());
    // Facts written here come after every recorded one (a larger seq than any stored id).
    let mut seq = i64::from(i32::MAX);
    for change in changes {
        let key = (change.supplier, change.kind, change.subject.clone());
        let of_key = facts.entry(key).or_default();
        for (from, value) in
            timeline::to_record(of_key, &change.current, change.listed_on, change.day, &change.new)
        {
            seq += 1;
            of_key.push(Fact {
                from,
                seq,
                value: value.clone(),
            });
            rows.push(dated_fact::ActiveModel {
                supplier_id: Set(change.supplier),
                kind: Set(change.kind),
                subject: Set(change.subject.clone()),
                value: Set(value),
                valid_from: Set(from),
                recorded_by: Set(op),
                ..Default::default()
            });
        }
        now.push(timeline::value_now(of_key, &change.new).clone());
    }
    for chunk in rows.chunks(super::versions::INSERT_ROWS / 8) {
        dated_fact::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(conn)
            .await?;
    }
    Ok(now)
}

/// The recorded facts of the keys `changes` touch.
async fn recorded(conn: &impl ConnectionTrait, changes: &[KeyChange]) -> Result<Timelines> {
    let mut suppliers: Vec<i32> = changes.iter().map(|c| c.supplier).collect();
    suppliers.sort_unstable();
    suppliers.dedup();
    let mut rows = Vec::new();
    for chunk in suppliers.chunks(IN_CHUNK) {
        rows.extend(
            dated_fact::Entity::find()
                .filter(dated_fact::Column::SupplierId.is_in(chunk.iter().copied()))
                .all(conn)
                .await?,
        );
    }
    Ok(timelines(rows))
}

/// Stored facts, grouped by key (ordered by `seq`, their ids, within a day).
pub fn timelines(rows: impl IntoIterator<Item = dated_fact::Model>) -> Timelines {
    let mut facts = Timelines::new();
    for row in rows {
        facts
            .entry((row.supplier_id, row.kind, row.subject))
            .or_default()
            .push(Fact {
                from: row.valid_from,
                seq: i64::from(row.id),
                value: row.value,
            });
    }
    facts
}

/// A supplier's facts, oldest first: what `supplier show` lists as its dated history.
pub async fn of_supplier(conn: &impl ConnectionTrait, supplier: i32) -> Result<Vec<dated_fact::Model>> {
    use sea_orm::QueryOrder;
    Ok(dated_fact::Entity::find()
        .filter(dated_fact::Column::SupplierId.eq(supplier))
        .order_by_asc(dated_fact::Column::ValidFrom)
        .order_by_asc(dated_fact::Column::Id)
        .all(conn)
        .await?)
}

/// Evidence dated `day` (a visit, a finding, a deal event) shows the supplier was on record
/// by then: a listing after it moves back to `day`.
pub async fn listed_by(
    conn: &impl ConnectionTrait,
    op: i32,
    supplier: &super::entities::supplier::Model,
    day: NaiveDate,
) -> Result<()> {
    use super::entities::supplier as s;
    use sea_orm::sea_query::Expr;
    if day >= supplier.listed_on {
        return Ok(());
    }
    super::versions::retire::<s::Entity>(conn, op, s::Column::Id.eq(supplier.id)).await?;
    s::Entity::update_many()
        .col_expr(s::Column::ListedOn, Expr::val(day))
        .col_expr(s::Column::RecordedBy, Expr::val(op))
        .filter(s::Column::Id.eq(supplier.id))
        .exec(conn)
        .await?;
    Ok(())
}
