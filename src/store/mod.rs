//! Storage: opening the database a URL or path names, keeping its schema current, and every query
//! and write of the record. Every mutation runs in one transaction with its audit entry.

/// Values per `IN (...)` list in one query: well under every backend's bound-parameter limit
/// (SQLite 32,766; PostgreSQL and MariaDB 65,535), with room for a second list in the same query.
pub(crate) const IN_CHUNK: usize = 5_000;

pub mod audit;
pub mod backup;
pub mod buyers;
pub mod connect;
pub mod deals;
pub mod entities;
pub mod failure;
pub mod import;
pub mod lookup;
pub mod money;
pub mod notes;
pub mod schema;
pub mod sites;
pub mod suppliers;
pub mod visits;

use std::time::Duration;

use chrono::NaiveDate;
use sea_orm::{
    DatabaseConnection, DatabaseTransaction, DbBackend, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};

use crate::error::{Error, Result};
use connect::Location;

/// An open database plus who is acting and what day it is for them.
pub struct Store {
    pub db: DatabaseConnection,
    /// Recorded on every audit entry and deal event.
    pub actor: String,
    /// The user's calendar day, for `today`/`yesterday` and "not in the future" checks.
    pub today: NaiveDate,
}

impl Store {
    pub fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    /// Runs `body` as one write transaction and commits it. When the transaction collides with
    /// another writer (SQLite busy, a unique key a concurrent transaction took, a serialization
    /// failure or deadlock, a Galera certification conflict) it is rolled back and the whole body
    /// runs again, up to `RETRIES` times, after a jittered, growing pause. Whatever else fails is
    /// returned at once, the transaction rolled back. The body reads everything it decides on
    /// through the transaction it is given, so a rerun decides afresh (and a `buyer add` that lost
    /// the race finds the buyer the winner added).
    pub async fn write<T>(&self, mut body: impl AsyncFnMut(&DatabaseTransaction) -> Result<T>) -> Result<T> {
        let mut attempt = 0;
        loop {
            let outcome = match self.begin_write().await {
                Ok(txn) => match body(&txn).await {
                    Ok(value) => txn.commit().await.map(|()| value).map_err(Error::from),
                    Err(e) => {
                        // Rolled back now, not on drop, so the lock is free while we wait.
                        let _ = txn.rollback().await;
                        Err(e)
                    }
                },
                Err(e) => Err(e),
            };
            match outcome {
                Err(e) if attempt < RETRIES && failure::of(&e).is_some_and(|f| f.is_collision()) => {
                    attempt += 1;
                    tokio::time::sleep(backoff(attempt)).await;
                }
                outcome => return outcome,
            }
        }
    }

    /// Starts a write transaction (prefer `write`, which also retries collisions). On SQLite it
    /// takes the write lock at once (`BEGIN IMMEDIATE`), so concurrent writers wait on the busy
    /// timeout instead of failing on lock upgrade.
    pub async fn begin_write(&self) -> Result<DatabaseTransaction> {
        let options = TransactionOptions {
            sqlite_transaction_mode: (self.backend() == DbBackend::Sqlite)
                .then_some(SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        Ok(self.db.begin_with_options(options).await?)
    }
}

/// How many times `Store::write` runs a colliding transaction again. With SQLite's busy timeout
/// (`connect::SQLITE_BUSY_TIMEOUT`) per attempt, a writer waits about half a minute in all
/// before it reports the database busy.
pub const RETRIES: u32 = 8;

/// The pause before rerun `attempt` (1-based): 25 ms doubling up to 1 s, each drawn at random
/// from its upper half, so that writers that collided once do not collide again in step.
fn backoff(attempt: u32) -> Duration {
    let ceiling = (25u64 << attempt.min(6)).min(1_000);
    Duration::from_millis(fastrand::u64(ceiling / 2..=ceiling))
}

/// How an ordinary command treats a schema behind this binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnOpen {
    /// SQLite files migrate on open; a server database behind this binary is refused with a
    /// pointer to `vetted db migrate` (a shared schema changes only when someone says so).
    Migrate,
    /// Open as it is, unchecked (`db status`, `db migrate`).
    AsIs,
}

impl Store {
    pub async fn open(
        location: &Location,
        actor: String,
        today: NaiveDate,
        on_open: OnOpen,
    ) -> Result<Store> {
        let db = connect::connect(location).await?;
        if on_open == OnOpen::Migrate {
            schema::refuse_newer(&db, &location.display()).await?;
            match location {
                Location::Sqlite(_) => schema::migrate(&db).await?,
                Location::Server(_) => {
                    let pending = schema::pending(&db).await?;
                    if pending > 0 {
                        return Err(Error::Unavailable(format!(
                            "database {} needs {pending} migration(s) before this vetted can use it; \
                             run `vetted db migrate` (see `vetted db status`)",
                            location.display()
                        )));
                    }
                }
            }
        }
        Ok(Store { db, actor, today })
    }
}
