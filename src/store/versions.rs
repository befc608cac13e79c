//! Row versions: the record's past in transaction time. Each versioned table `t` has a twin
//! `t_history` with the same columns plus `retracted_by`. A row's current version is in `t`,
//! stamped with the operation that wrote it (`recorded_by`); before an operation changes or
//! removes a row, `retire` copies it into the twin stamped with that operation. So the record as
//! it stood after operation S is every row with `recorded_by <= S` in `t`, plus every row with
//! `recorded_by <= S < retracted_by` in the twin (`report::known`), and an operation's changes are the
//! versions it wrote and the versions it retracted (`log`, `undo`).
//!
//! Every UPDATE and DELETE of a versioned table goes through `retire` first, in the same
//! transaction.

use sea_orm::sea_query::{Alias, Condition, Expr, ExprTrait, IntoCondition, IntoIden, Query};
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult,
    IntoActiveModel, Iterable, PrimaryKeyToColumn, QueryFilter, QueryOrder, QueryResult, QuerySelect,
};

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

/// Deletes the rows of `E` that `which` selects, retiring them first (`retire`).
pub async fn remove<E: EntityTrait + Default>(
    conn: &impl ConnectionTrait,
    op: i32,
    which: sea_orm::Condition,
) -> Result<()> {
    retire::<E>(conn, op, which.clone()).await?;
    E::delete_many().filter(which).exec(conn).await?;
    Ok(())
}

/// A versioned table's entity, with what reading and restoring its versions needs.
pub trait Versioned:
    EntityTrait<
        Model: serde::Serialize
                   + serde::de::DeserializeOwned
                   + FromQueryResult
                   + IntoActiveModel<Self::ActiveModel>
                   + Send
                   + Sync,
        ActiveModel: ActiveModelTrait<Entity = Self> + ActiveModelBehavior + Send + Clone,
    > + Default
{
}

impl<E> Versioned for E where
    E: EntityTrait<
            Model: serde::Serialize
                       + serde::de::DeserializeOwned
                       + FromQueryResult
                       + IntoActiveModel<E::ActiveModel>
                       + Send
                       + Sync,
            ActiveModel: ActiveModelTrait<Entity = E> + ActiveModelBehavior + Send + Clone,
        > + Default
{
}

/// Runs `$body` once per versioned table, parents before children, with `$E` naming the
/// table's entity.
macro_rules! parents_first {
    ($E:ident => $body:expr) => {{
        use $crate::store::entities::*;
        {
            type $E = buyer::Entity;
            $body
        }
        {
            type $E = supplier::Entity;
            $body
        }
        {
            type $E = supplier_alias::Entity;
            $body
        }
        {
            type $E = supplier_capability::Entity;
            $body
        }
        {
            type $E = dated_fact::Entity;
            $body
        }
        {
            type $E = site::Entity;
            $body
        }
        {
            type $E = visit::Entity;
            $body
        }
        {
            type $E = visit_visitor::Entity;
            $body
        }
        {
            type $E = note::Entity;
            $body
        }
        {
            type $E = deal::Entity;
            $body
        }
        {
            type $E = deal_event::Entity;
            $body
        }
        {
            type $E = capacity::Entity;
            $body
        }
        {
            type $E = holding::Entity;
            $body
        }
        {
            type $E = quote::Entity;
            $body
        }
    }};
}

/// `parents_first`, children before parents.
macro_rules! children_first {
    ($E:ident => $body:expr) => {{
        use $crate::store::entities::*;
        {
            type $E = quote::Entity;
            $body
        }
        {
            type $E = holding::Entity;
            $body
        }
        {
            type $E = capacity::Entity;
            $body
        }
        {
            type $E = deal_event::Entity;
            $body
        }
        {
            type $E = deal::Entity;
            $body
        }
        {
            type $E = note::Entity;
            $body
        }
        {
            type $E = visit_visitor::Entity;
            $body
        }
        {
            type $E = visit::Entity;
            $body
        }
        {
            type $E = site::Entity;
            $body
        }
        {
            type $E = dated_fact::Entity;
            $body
        }
        {
            type $E = supplier_capability::Entity;
            $body
        }
        {
            type $E = supplier_alias::Entity;
            $body
        }
        {
            type $E = supplier::Entity;
            $body
        }
        {
            type $E = buyer::Entity;
            $body
        }
    }};
}
pub(crate) use {children_first, parents_first};

/// One version of a row: its key and its values (without the bookkeeping).
#[derive(Debug, Clone)]
pub struct Version {
    pub key: serde_json::Value,
    pub row: serde_json::Value,
}

/// A history row: the version and the operation that retracted it.
struct Retracted<M> {
    row: M,
    by: i32,
}

impl<M: FromQueryResult> FromQueryResult for Retracted<M> {
    fn from_query_result(res: &QueryResult, pre: &str) -> std::result::Result<Self, DbErr> {
        Ok(Retracted {
            row: M::from_query_result(res, pre)?,
            by: res.try_get(pre, "retracted_by")?,
        })
    }
}

/// `E`'s table name, as a `&'static str` (entities name their tables with literals).
pub fn table_name<E: EntityTrait + Default>() -> &'static str {
    E::default().table_name()
}

/// Names of `E`'s key columns.
pub fn key_columns<E: EntityTrait>() -> Vec<String> {
    E::PrimaryKey::iter()
        .map(|k| k.into_column().into_iden().to_string())
        .collect()
}

/// A version from a row: its key (the value of a one-column key, else an object) and its values.
fn version<E: Versioned>(model: &E::Model) -> Result<Version> {
    let mut row = serde_json::to_value(model)?;
    if let Some(fields) = row.as_object_mut() {
        fields.remove(RECORDED_BY);
    }
    let keys = key_columns::<E>();
    let key = match keys.as_slice() {
        [one] => row[one.as_str()].clone(),
        many => serde_json::Value::Object(
            many.iter()
                .map(|k| (k.clone(), row[k.as_str()].clone()))
                .collect(),
        ),
    };
    Ok(Version { key, row })
}

pub const RECORDED_BY: &str = "recorded_by";
pub const RETRACTED_BY: &str = "retracted_by";

/// `E` read from its history twin, with the retracting operation.
fn from_history<E: Versioned>() -> sea_orm::Select<E> {
    let mut select = E::find();
    QuerySelect::query(&mut select)
        .from_clear()
        .from_as(Alias::new(history_table::<E>()), E::default())
        .expr_as(
            Expr::col((E::default(), Alias::new(RETRACTED_BY))),
            Alias::new(RETRACTED_BY),
        );
    select
}

/// The keys of `E` that operations `ops` touched (wrote or retracted a version of), each once
/// per operation: columns `op` and the key's.
fn touched<E: EntityTrait + Default>(ops: &[i32]) -> sea_orm::sea_query::SelectStatement {
    let keys: Vec<Alias> = key_columns::<E>().into_iter().map(Alias::new).collect();
    let by = |table: Alias, column: &str| {
        Query::select()
            .expr_as(Expr::col(Alias::new(column)), Alias::new("op"))
            .columns(keys.clone())
            .from(table)
            .and_where(Expr::col(Alias::new(column)).is_in(ops.iter().copied()))
            .to_owned()
    };
    let history = || Alias::new(history_table::<E>());
    let mut touched = by(Alias::new(table_name::<E>()), RECORDED_BY);
    touched
        .union(
            sea_orm::sea_query::UnionType::Distinct,
            by(history(), RECORDED_BY),
        )
        .union(
            sea_orm::sea_query::UnionType::Distinct,
            by(history(), RETRACTED_BY),
        );
    touched
}

/// How many records of `E` each of operations `ops` touched, counted by the database.
pub async fn touched_counts<E: EntityTrait + Default>(
    conn: &impl ConnectionTrait,
    ops: &[i32],
) -> Result<Vec<(i32, u64)>> {
    let mut count = Query::select();
    count
        .column(Alias::new("op"))
        .expr_as(
            Expr::col(sea_orm::sea_query::Asterisk).count(),
            Alias::new("records"),
        )
        .from_subquery(touched::<E>(ops), Alias::new("touched"))
        .group_by_col(Alias::new("op"));
    let mut out = Vec::new();
    for row in conn.query_all(&count).await? {
        let op: i32 = row.try_get("", "op")?;
        let records: i64 = row.try_get("", "records")?;
        out.push((op, records as u64));
    }
    Ok(out)
}

/// The keys of `E` operation `op` touched, in key order, the `limit` after `after` (a key as
/// these give it: an object of the key's columns).
pub async fn touched_keys<E: EntityTrait + Default>(
    conn: &impl ConnectionTrait,
    op: i32,
    after: Option<&serde_json::Value>,
    limit: u64,
) -> Result<Vec<serde_json::Value>> {
    let keys = key_columns::<E>();
    let columns = || keys.iter().map(|k| Expr::col(Alias::new(k.as_str())));
    let mut page = Query::select();
    page.columns(keys.iter().map(|k| Alias::new(k.as_str())))
        .from_subquery(touched::<E>(&[op]), Alias::new("touched"))
        .limit(limit);
    for key in &keys {
        page.order_by(Alias::new(key.as_str()), sea_orm::Order::Asc);
    }
    if let Some(after) = after {
        let values = keys.iter().map(|k| Expr::val(json_value(&after[k.as_str()])));
        page.and_where(Expr::tuple(columns()).gt(Expr::tuple(values)));
    }
    let mut out = Vec::new();
    for row in conn.query_all(&page).await? {
        let mut key = serde_json::Map::new();
        for column in &keys {
            let value = match row.try_get::<i32>("", column) {
                Ok(id) => serde_json::Value::from(id),
                Err(_) => serde_json::Value::from(row.try_get::<String>("", column)?),
            };
            key.insert(column.clone(), value);
        }
        out.push(serde_json::Value::Object(key));
    }
    Ok(out)
}

/// The versions of `E` with the keys `keys` (objects of key columns) that operation `op`
/// wrote, and those it retracted.
pub async fn versions_of_keys<E: Versioned>(
    conn: &impl ConnectionTrait,
    op: i32,
    keys: &[serde_json::Value],
) -> Result<(Vec<Version>, Vec<Version>)> {
    let (mut written, mut retracted) = (Vec::new(), Vec::new());
    for condition in key_conditions::<E>(keys) {
        let (current, wrote, took) = tokio::try_join!(
            E::find()
                .filter(recorded_by::<E>().eq(op))
                .filter(condition.clone())
                .all(conn),
            from_history::<E>()
                .filter(recorded_by::<E>().eq(op))
                .filter(condition.clone())
                .into_model::<Retracted<E::Model>>()
                .all(conn),
            from_history::<E>()
                .filter(retracted_by::<E>().eq(op))
                .filter(condition)
                .into_model::<Retracted<E::Model>>()
                .all(conn),
        )?;
        for model in &current {
            written.push(version::<E>(model)?);
        }
        for retired in &wrote {
            written.push(version::<E>(&retired.row)?);
        }
        for retired in &took {
            retracted.push(version::<E>(&retired.row)?);
        }
    }
    Ok((written, retracted))
}

/// A key as `touched_keys` gives it (an object of its columns), as a `Version`'s key is: the
/// value of a one-column key, else the object.
pub fn version_key<E: EntityTrait>(key: &serde_json::Value) -> serde_json::Value {
    match key_columns::<E>().as_slice() {
        [one] => key[one.as_str()].clone(),
        _ => key.clone(),
    }
}

/// Values per multi-row INSERT: under every backend's bound-parameter limit.
pub const INSERT_ROWS: usize = 30_000;

/// How many columns `E` has.
pub fn column_count<E: EntityTrait>() -> usize {
    E::Column::iter().count()
}

/// `E`'s `recorded_by` column.
pub fn recorded_by<E: EntityTrait + Default>() -> Expr {
    Expr::col((E::default(), Alias::new(RECORDED_BY)))
}

/// `E`'s `retracted_by` column (of its history twin, read as `E`).
pub fn retracted_by<E: EntityTrait + Default>() -> Expr {
    Expr::col((E::default(), Alias::new(RETRACTED_BY)))
}

/// Stamps a row about to be written as recorded by operation `op`.
pub fn stamp<E: Versioned>(active: &mut E::ActiveModel, op: i32) {
    if let Some(column) = E::Column::iter().find(|c| c.into_iden().to_string() == RECORDED_BY) {
        active.set(column, op.into());
    }
}

/// A row's key, as text to compare.
pub fn key_of<E: Versioned>(model: &E::Model) -> Result<String> {
    Ok(version::<E>(model)?.key.to_string())
}

/// The versions of `E` that operation `op` retracted, as rows.
pub async fn retracted_models<E: Versioned>(conn: &impl ConnectionTrait, op: i32) -> Result<Vec<E::Model>> {
    Ok(from_history::<E>()
        .filter(Expr::col((E::default(), Alias::new(RETRACTED_BY))).eq(op))
        .into_model::<Retracted<E::Model>>()
        .all(conn)
        .await?
        .into_iter()
        .map(|r| r.row)
        .collect())
}

/// A row's key as text: the value of a one-column key, or the values joined by `/`
/// (`3/hjt-full-line`), as SQL writes it for messages.
pub fn key_text<E: EntityTrait>(row: &serde_json::Value) -> String {
    key_columns::<E>()
        .iter()
        .map(|k| match &row[k.as_str()] {
            serde_json::Value::String(text) => text.clone(),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether two rows (or their absence) hold the same values, whoever recorded them.
pub fn same_content(a: Option<&serde_json::Value>, b: Option<&serde_json::Value>) -> bool {
    let strip = |row: Option<&serde_json::Value>| {
        row.cloned().map(|mut row| {
            if let Some(fields) = row.as_object_mut() {
                fields.remove(RECORDED_BY);
            }
            row
        })
    };
    strip(a) == strip(b)
}

/// Keys per condition in `key_conditions`.
const KEYS_PER_CONDITION: usize = 500;

/// Conditions that select the rows of `E` with the keys of `rows` (whole rows or keys, as JSON).
pub fn key_conditions<E: EntityTrait + Default>(rows: &[serde_json::Value]) -> Vec<Condition> {
    let columns: Vec<E::Column> = E::PrimaryKey::iter().map(|k| k.into_column()).collect();
    rows.chunks(KEYS_PER_CONDITION)
        .map(|chunk| {
            chunk.iter().fold(Condition::any(), |any, row| {
                any.add(columns.iter().fold(Condition::all(), |all, column| {
                    let name = column.into_iden().to_string();
                    all.add(Expr::col((E::default(), *column)).eq(json_value(&row[name.as_str()])))
                }))
            })
        })
        .collect()
}

/// A key's JSON value as a value to bind (keys are numbers or text).
fn json_value(value: &serde_json::Value) -> sea_orm::Value {
    match value {
        serde_json::Value::Number(n) => n.as_i64().into(),
        serde_json::Value::String(s) => s.clone().into(),
        other => other.to_string().into(),
    }
}

/// The condition that selects `model`'s row of `E` by its key.
pub fn key_condition<E: EntityTrait + Default>(model: &E::Model) -> Condition {
    use sea_orm::ModelTrait;
    E::PrimaryKey::iter()
        .map(|k| k.into_column())
        .fold(Condition::all(), |all, column| {
            all.add(Expr::col((E::default(), column)).eq(model.get(column)))
        })
}

/// The current rows of `E` with the keys of `rows`, as JSON (all columns).
pub async fn current_rows<E: Versioned>(
    conn: &impl ConnectionTrait,
    rows: &[serde_json::Value],
) -> Result<Vec<serde_json::Value>> {
    let mut out = Vec::new();
    for condition in key_conditions::<E>(rows) {
        for model in E::find().filter(condition).all(conn).await? {
            out.push(serde_json::to_value(&model)?);
        }
    }
    Ok(out)
}

/// The versions operation `op` wrote that a later one retracted, as JSON (all columns), with the
/// retracting operation.
pub async fn retracted_written<E: Versioned>(
    conn: &impl ConnectionTrait,
    op: i32,
) -> Result<Vec<(serde_json::Value, i32)>> {
    let mut out = Vec::new();
    for retracted in from_history::<E>()
        .filter(Expr::col((E::default(), Alias::new(RECORDED_BY))).eq(op))
        .into_model::<Retracted<E::Model>>()
        .all(conn)
        .await?
    {
        out.push((serde_json::to_value(&retracted.row)?, retracted.by));
    }
    Ok(out)
}

/// The versions operation `op` retracted, as JSON (all columns).
pub async fn retracted_rows<E: Versioned>(
    conn: &impl ConnectionTrait,
    op: i32,
) -> Result<Vec<serde_json::Value>> {
    retracted_models::<E>(conn, op)
        .await?
        .iter()
        .map(|m| Ok(serde_json::to_value(m)?))
        .collect()
}

/// Current rows of `E` that another operation wrote where `op` had retracted a version (it
/// changed or removed the row, and the key holds a newer row), as JSON (all columns).
pub async fn rewritten<E: Versioned>(conn: &impl ConnectionTrait, op: i32) -> Result<Vec<serde_json::Value>> {
    // The keys `op` retracted, read once (`IN`), not looked up again for every row of `E`.
    let keys: Vec<E::Column> = E::PrimaryKey::iter().map(|k| k.into_column()).collect();
    let mut retracted = Query::select();
    retracted
        .columns(keys.iter().copied())
        .from(Alias::new(history_table::<E>()))
        .and_where(Expr::col(Alias::new(RETRACTED_BY)).eq(op));
    let key = Expr::tuple(keys.iter().map(|c| Expr::col((E::default(), *c))));
    let mut out = Vec::new();
    for model in E::find()
        .filter(recorded_by::<E>().ne(op))
        .filter(key.in_subquery(retracted))
        .all(conn)
        .await?
    {
        out.push(serde_json::to_value(&model)?);
    }
    Ok(out)
}

/// The operations that wrote the versions of the rows of `E` that `which` selects, current or
/// since retracted.
pub async fn written_by<E: Versioned>(
    conn: &impl ConnectionTrait,
    which: impl IntoCondition,
) -> Result<Vec<i32>> {
    let which = which.into_condition();
    let mut select = Query::select();
    select
        .column(Alias::new(RECORDED_BY))
        .from(E::default())
        .cond_where(which.clone());
    let mut past = Query::select();
    past.column(Alias::new(RECORDED_BY))
        .from_as(Alias::new(history_table::<E>()), E::default())
        .cond_where(which);
    select.union(sea_orm::sea_query::UnionType::All, past);
    let mut out = Vec::new();
    for row in conn.query_all(&select).await? {
        out.push(row.try_get_by_index::<i32>(0)?);
    }
    Ok(out)
}

/// Every history row of `E` with its retracting operation, in a stable order (by retracting
/// operation, then key): what a backup holds.
pub async fn history_rows<E: Versioned>(conn: &impl ConnectionTrait) -> Result<Vec<(E::Model, i32)>> {
    let mut select = from_history::<E>().order_by_asc(Expr::col((E::default(), Alias::new(RETRACTED_BY))));
    for column in E::PrimaryKey::iter().map(|k| k.into_column()) {
        select = select.order_by_asc(Expr::col((E::default(), column)));
    }
    Ok(select
        .into_model::<Retracted<E::Model>>()
        .all(conn)
        .await?
        .into_iter()
        .map(|r| (r.row, r.by))
        .collect())
}

/// Writes history rows of `E` as they are (a backup's).
pub async fn insert_history<E: Versioned>(
    conn: &impl ConnectionTrait,
    rows: &[(E::Model, i32)],
) -> Result<()> {
    let cols = columns::<E>();
    let per_statement = (INSERT_ROWS / (cols.len() + 1)).max(1);
    for chunk in rows.chunks(per_statement) {
        let mut insert = Query::insert();
        insert
            .into_table(Alias::new(history_table::<E>()))
            .columns(cols.iter().cloned().chain([Alias::new(RETRACTED_BY)]));
        for (model, by) in chunk {
            let active = model.clone().into_active_model();
            let mut values: Vec<sea_orm::sea_query::SimpleExpr> = E::Column::iter()
                .map(|c| Expr::val(active.get(c).into_value().unwrap_or(sea_orm::Value::Int(None))))
                .collect();
            values.push(Expr::val(*by));
            insert
                .values(values)
                .map_err(|e| crate::error::Error::Other(format!("building a history row: {e}")))?;
        }
        conn.execute(&insert).await?;
    }
    Ok(())
}
