//! Storage: opening the database a URL or path names, keeping its schema current, and every query
//! and write of the record. Every mutation runs in one transaction with its audit entry.

/// Values per `IN (...)` list in one query: well under every backend's bound-parameter limit
/// (SQLite 32,766; PostgreSQL and MariaDB 65,535), with room for a second list in the same query.
pub(crate) const IN_CHUNK: usize = 5_000;

/// A voided record is corrected by undoing the void, not edited, voided again or added to.
pub fn refuse_voided(kind: &str, id: i32, voided: bool, reason: Option<&str>) -> crate::error::Result<()> {
    if voided {
        return Err(crate::error::Error::Conflict(format!(
            "{kind} #{id} is voided ({}); undo the void (`vetted log`, `vetted undo`) to correct it",
            reason.unwrap_or("no reason given")
        )));
    }
    Ok(())
}

/// The moment a change is recorded at, to the microsecond: what every backend keeps, so that a
/// record (and its backup) reads the same on each.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(6)
}

/// What a correction did.
pub enum Corrected<T> {
    Saved(T),
    /// It asked for what the record already says: nothing was written.
    Unchanged(T),
}

pub mod audit;
pub mod backup;
mod backup_check;
pub mod buyers;
pub mod capacity;
pub mod connect;
pub mod dated;
pub mod deals;
pub mod entities;
pub mod failure;
pub mod import;
mod insert;
pub mod log;
pub mod lookup;
pub mod merge;
pub mod money;
pub mod name_keys;
pub mod notes;
pub mod operations;
pub mod schema;
pub mod sites;
mod stored_enum;
pub mod suppliers;
pub mod transaction;
pub mod undo;
pub mod versions;
pub mod visits;
pub mod wire;

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DbBackend};

use crate::error::Result;
use connect::Location;
use operations::{Kind, Op};
use wire::{Db, Txn};

/// An open database plus who is acting and what day it is for them. Clones share one pool.
#[derive(Clone)]
pub struct Store {
    pub db: Db,
    /// Recorded on every audit entry and deal event.
    pub actor: String,
    /// The user's calendar day, for `today`/`yesterday` and "not in the future" checks.
    pub today: NaiveDate,
    /// The command line, secrets masked: recorded with every operation.
    pub command: String,
}

impl Store {
    pub fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    /// Runs `body` as one write transaction and commits it, rerunning it when it collides with
    /// another writer (see `transaction::write`). Every change of the record goes through here.
    /// The body runs as one operation (`operations`), which it records its changes under.
    pub async fn write<T>(&self, body: impl AsyncFnMut(&Txn, &Op) -> Result<T>) -> Result<T> {
        self.write_as(Kind::Change, body).await
    }

    /// `write`, as an operation of the given kind.
    pub async fn write_as<T>(
        &self,
        kind: Kind,
        mut body: impl AsyncFnMut(&Txn, &Op) -> Result<T>,
    ) -> Result<T> {
        self.write_reading_as(kind, async |_| Ok(()), async |txn, op, ()| body(txn, op).await)
            .await
    }

    /// `write`, where the body's first reads (`first`, which need no operation: the lookups of
    /// what the command names) are asked for with the operation's start: on a server they go
    /// out in the same message. They are read in the transaction, and again if it is rerun.
    pub async fn write_reading<R, T>(
        &self,
        first: impl AsyncFnMut(&Txn) -> Result<R>,
        body: impl AsyncFnMut(&Txn, &Op, R) -> Result<T>,
    ) -> Result<T> {
        self.write_reading_as(Kind::Change, first, body).await
    }

    async fn write_reading_as<R, T>(
        &self,
        kind: Kind,
        mut first: impl AsyncFnMut(&Txn) -> Result<R>,
        mut body: impl AsyncFnMut(&Txn, &Op, R) -> Result<T>,
    ) -> Result<T> {
        transaction::write_or_discard(&self.db, async |txn| {
            let (op, read) = tokio::try_join!(self.begin_op(txn, kind), first(txn))?;
            let value = body(txn, &op, read).await?;
            Ok((value, operations::finish(txn, &op).await?))
        })
        .await
    }

    /// Starts a write transaction (prefer `write`, which also reruns collisions).
    pub async fn begin_write(&self) -> Result<Txn> {
        transaction::begin_write(&self.db).await
    }

    /// Starts this command's operation in `txn` (`write` does it for its body).
    pub async fn begin_op(&self, txn: &Txn, kind: Kind) -> Result<Op> {
        operations::begin(txn, &self.actor, &self.command, kind).await
    }
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
        command: String,
        on_open: OnOpen,
    ) -> Result<Store> {
        let db = connect::open(location).await?;
        if on_open == OnOpen::Migrate {
            match (&db, location) {
                // On the wire the check goes out with the command's first message, and nothing
                // the command reads is used before it passes.
                (Db::Wire(wire), _) => wire.gate(schema::gate(location.display(), wire.backend())),
                (_, Location::Sqlite(_)) => {
                    schema::refuse_unknown(&schema::status(&db).await?, &location.display())?;
                    schema::migrate(&db, location).await?;
                }
                (_, Location::Server(_)) => {
                    schema::require_current(&schema::status(&db).await?, &location.display())?;
                }
            }
        }
        Ok(Store {
            db,
            actor,
            today,
            command,
        })
    }

    /// Ends the session. SQLite's write-ahead log is checkpointed into the database file first,
    /// so the file alone is a complete copy. PASSIVE never waits for other processes (their
    /// last connection to close checkpoints the rest). Best effort: whatever this command wrote
    /// is already committed, so a failure here must not turn its success into an error.
    pub async fn close(self) {
        if self.backend() == DbBackend::Sqlite {
            let _ = self.db.execute_unprepared("PRAGMA wal_checkpoint(PASSIVE)").await;
        }
        self.db.close().await;
    }
}
