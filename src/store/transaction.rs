//! Write transactions: begun the same way on every path, and run again when they collide with
//! another writer.

use crate::store::wire::{Db, Txn};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, DbBackend, SqliteTransactionMode, TransactionOptions};

use super::failure;
use crate::error::{Error, Result};

/// How many times `write` runs a colliding transaction again. With `LOCK_WAIT` per attempt, a
/// writer waits about half a minute in all before it reports the database busy.
pub const RETRIES: u32 = 8;

/// How long one statement of a write transaction waits for a lock another process or session
/// holds before it fails busy, on every backend (SQLite's busy timeout, PostgreSQL's
/// `lock_timeout`, MySQL's lock wait timeouts: `wire::lock_wait`). `write` reruns a busy
/// transaction, so a writer waits for a long write (an import's) about half a minute in all,
/// and a short one costs it milliseconds.
pub const LOCK_WAIT: Duration = Duration::from_secs(3);

/// No rerun starts after this long: a user waits this long at most for a collision or a lock
/// to clear (a read outside a transaction waits this long for a lock at once).
pub const PATIENCE: Duration = Duration::from_secs(30);

/// Runs `body` as one write transaction and commits it. When the transaction collides with
/// another writer (SQLite busy, a unique key a concurrent transaction took, a serialization
/// failure or deadlock, a Galera certification conflict) it is rolled back and the whole body
/// runs again, up to `RETRIES` times and while `PATIENCE` lasts, after a jittered, growing
/// pause; a collision that outlasts them is reported as it is classified (`database busy`,
/// exit 69). Whatever else fails is returned at once, the transaction rolled back. The body
/// reads everything it decides on through the transaction it is given, so a rerun decides
/// afresh (and a `buyer add` that lost the race finds the buyer the winner added).
pub async fn write<T>(db: &Db, mut body: impl AsyncFnMut(&Txn) -> Result<T>) -> Result<T> {
    write_or_discard(db, async |txn| Ok((body(txn).await?, Keep::Commit))).await
}

/// Whether a transaction that succeeded is committed or rolled back (it changed nothing).
#[derive(Debug, Clone, PartialEq)]
pub enum Keep {
    Commit,
    /// Commit after this last statement (on a server, sent with the `COMMIT`).
    CommitAfter(sea_orm::Statement),
    Discard,
}

/// `write`, where the body may also say that what it did is to be rolled back.
pub async fn write_or_discard<T>(db: &Db, mut body: impl AsyncFnMut(&Txn) -> Result<(T, Keep)>) -> Result<T> {
    let started = Instant::now();
    let mut attempt = 0;
    loop {
        let outcome = match begin_write(db).await {
            Ok(txn) => match body(&txn).await {
                Ok((value, Keep::Commit)) => txn.commit().await.map(|()| value).map_err(Error::from),
                Ok((value, Keep::CommitAfter(last))) => {
                    txn.commit_after(last).await.map(|()| value).map_err(Error::from)
                }
                Ok((value, Keep::Discard)) => txn.rollback().await.map(|()| value).map_err(Error::from),
                Err(e) => {
                    // Rolled back now, not on drop, so the lock is free while we wait.
                    let _ = txn.rollback().await;
                    Err(e)
                }
            },
            Err(e) => Err(e),
        };
        match outcome {
            Err(e)
                if attempt < RETRIES
                    && started.elapsed() < PATIENCE
                    && failure::of(&e).is_some_and(|f| f.is_collision()) =>
            {
                attempt += 1;
                tokio::time::sleep(backoff(attempt)).await;
            }
            outcome => return outcome,
        }
    }
}

/// Starts a write transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`),
/// so concurrent writers wait on the busy timeout instead of failing on lock upgrade.
pub async fn begin_write(db: &Db) -> Result<Txn> {
    let backend = db.get_database_backend();
    // On a server (the wire) the transaction's BEGIN goes out with its first statement, and on
    // MySQL its isolation (read committed) is the session's: `wire::MYSQL_SESSION`.
    let options = TransactionOptions {
        sqlite_transaction_mode: (backend == DbBackend::Sqlite).then_some(SqliteTransactionMode::Immediate),
        ..Default::default()
    };
    Ok(db.begin(options).await?)
}

/// The pause before rerun `attempt` (1-based): 50 ms doubling up to 1 s, each drawn at random
/// from its upper half, so that writers that collided once do not collide again in step.
fn backoff(attempt: u32) -> Duration {
    let ceiling = (25u64 << attempt.min(6)).min(1_000);
    Duration::from_millis(fastrand::u64(ceiling / 2..=ceiling))
}
