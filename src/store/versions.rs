//! Row versions: the record's past in transaction time. Each versioned table `t` has a twin
//! `t_history` with the same columns plus `retracted_by`. A row's current version is in `t`,
//! stamped with the operation that wrote it (`recorded_by`); before an operation changes or
//! removes a row, `retire` copies it into the twin stamped with that operation. So the record as
//! it stood after operation S is every row with `recorded_by <= S` in `t`, plus every row with
//! `recorded_by <= S < retracted_by` in the twin (`as_known`), and an operation's changes are the
//! versions it wrote and the versions it retracted (`log`, `undo`).
//!
//! Every UPDATE and DELETE of a versioned table goes through `retire` first, in the same
//! transaction.

use sea_orm::sea_query::{Alias, Expr, ExprTrait, IntoCondition, IntoIden, Query, SelectStatement};
use sea_orm::{ConnectionTrait, EntityTrait, Iterable};

use crate::error::Result;

/// The history twin of `E`'s table.
pub fn history_table<E: EntityTrait + Default>() -> String {
    format!("{}_history", E::default().table_name())
}

/// Every column of `E`, as the twin holds them too.
fn columns<E: EntityTrait>() -> Vec<Alias> {
    E::Column::iter()
        .map(|c| Alias::new(c.into_iden().to_string()))
        .collect()
}

/// Copies the rows of `E` that `which` selects into the history twin, retracted by operation
/// `op`: call before updating or deleting them. A version `op` itself wrote is not kept: no
/// other operation ever saw it.
pub async fn retire<E: EntityTrait + Default>(
    conn: &impl ConnectionTrait,
    op: i32,
    which: impl IntoCondition,
) -> Result<()> {
    let cols = columns::<E>();
    let mut select = Query::select();
    select
        .columns(cols.clone())
        .expr(Expr::val(op))
        .from(E::default())
        .cond_where(which)
        .and_where(Expr::col(Alias::new("recorded_by")).ne(op));
    let mut insert = Query::insert();
    insert
        .into_table(Alias::new(history_table::<E>()))
        .columns(cols.into_iter().chain([Alias::new("retracted_by")]))
        .select_from(select)
        .map_err(|e| crate::error::Error::Other(format!("building a history copy: {e}")))?;
    conn.execute(&insert).await?;
    Ok(())
}

/// `E`'s rows as they stood after operation `seq`: a subquery with `E`'s columns, to read in
/// place of the table (`--known-at`).
pub fn as_known<E: EntityTrait + Default>(seq: i32) -> SelectStatement {
    let cols = columns::<E>();
    let recorded = Expr::col(Alias::new("recorded_by"));
    let mut current = Query::select();
    current
        .columns(cols.clone())
        .from(E::default())
        .and_where(recorded.clone().lte(seq));
    let mut past = Query::select();
    past.columns(cols)
        .from(Alias::new(history_table::<E>()))
        .and_where(recorded.lte(seq))
        .and_where(Expr::col(Alias::new("retracted_by")).gt(seq));
    current.union(sea_orm::sea_query::UnionType::All, past);
    current
}
