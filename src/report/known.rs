//! Which record a report reads: the one that stands now, or the one that stood after an
//! operation (`--known-at`), from the row versions (`store::versions`).
//!
//! The record as it stood after operation S is, per table, two parts that never share a key:
//! the table's own rows recorded by then, and the versions in its history twin recorded by then
//! and retracted since. A report reads each part on its own and adds up what it finds (rows
//! are concatenated, counts summed, latest dates taken), instead of reading a union of the two:
//! a union hides the table's indexes from every query over it, so that a report over a million
//! visits would visit every row. The report indexes carry `recorded_by` (migration 5), so the
//! first part is read from the same index as the record that stands now.

use sea_orm::sea_query::{Alias, Expr, ExprTrait, SelectStatement};
use sea_orm::{ConnectionTrait, QuerySelect, Select, TryGetableMany};
use serde::de::DeserializeOwned;

use super::facts::read_rows;
use crate::error::Result;
use crate::store::versions::{self, Versioned};

/// The record a report reads: as it stands, or as it stood after an operation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Known(Option<i32>);

impl Known {
    /// The record as it stands.
    pub const NOW: Known = Known(None);

    /// The record as it stood after operation `seq`.
    pub fn after(seq: i32) -> Known {
        Known(Some(seq))
    }

    /// The parts each table is read from.
    pub fn parts(self) -> Vec<Part> {
        match self.0 {
            None => vec![Part::Now],
            Some(seq) => vec![Part::Own(seq), Part::Retracted(seq)],
        }
    }

    /// The models `query` selects from `E`, part after part.
    pub async fn all<E: Versioned>(
        self,
        conn: &impl ConnectionTrait,
        query: impl Fn(Select<E>) -> Select<E>,
    ) -> Result<Vec<E::Model>> {
        let mut models = Vec::new();
        for part in self.parts() {
            models.extend(query(part.find::<E>()).all(conn).await?);
        }
        Ok(models)
    }

    /// The rows `query` selects from `E` (read as `read_rows` reads them), part after part.
    pub async fn rows<E, T>(
        self,
        conn: &impl ConnectionTrait,
        columns: &[&str],
        query: impl Fn(Select<E>) -> Select<E>,
    ) -> Result<Vec<T>>
    where
        E: Versioned,
        T: DeserializeOwned + TryGetableMany,
    {
        let mut rows = Vec::new();
        for part in self.parts() {
            rows.extend(read_rows::<E, T>(conn, query(part.find::<E>()), columns).await?);
        }
        Ok(rows)
    }
}

/// One part of a table, as `Known` reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The table as it stands.
    Now,
    /// The table's rows recorded by operation S.
    Own(i32),
    /// The versions in the table's history twin recorded by operation S and retracted since.
    Retracted(i32),
}

impl Part {
    /// `E::find()` over this part.
    pub fn find<E: Versioned>(self) -> Select<E> {
        let mut select = E::find();
        self.from::<E>(QuerySelect::query(&mut select).from_clear());
        select
    }

    /// `FROM E` over this part.
    pub fn from<E: Versioned>(self, query: &mut SelectStatement) {
        match self {
            Part::Now | Part::Own(_) => query.from(E::default()),
            Part::Retracted(_) => query.from_as(Alias::new(versions::history_table::<E>()), E::default()),
        };
        if let Some(condition) = self.condition::<E>() {
            query.and_where(condition);
        }
    }

    /// What selects this part's rows of `E`'s table or twin.
    fn condition<E: Versioned>(self) -> Option<Expr> {
        let recorded = versions::recorded_by::<E>();
        match self {
            Part::Now => None,
            // `+ 0`: most of a table was recorded by then, so the report index that carries
            // the column serves, not the column's own index (which SQLite would otherwise
            // take, to look up every row it lists).
            Part::Own(seq) => Some(recorded.add(0).lte(seq)),
            Part::Retracted(seq) => Some(recorded.lte(seq).and(versions::retracted_by::<E>().gt(seq))),
        }
    }
}
