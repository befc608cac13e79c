//! Storage: opening the database a URL or path names, keeping its schema current, and every query
//! and write of the record. Every mutation runs in one transaction with its audit entry.

/// Values per `IN (...)` list in one query: well under every backend's bound-parameter limit
/// (SQLite 32,766; PostgreSQL and MariaDB 65,535), with room for a second list in the same query.
pub(crate) const IN_CHUNK: usize = 5_000;

pub mod audit;
pub mod backup;
mod backup_check;
pub mod buyers;
pub mod connect;
pub mod deals;
pub mod entities;
pub mod import;
pub mod lookup;
pub mod money;
pub mod notes;
pub mod schema;
pub mod sites;
pub mod suppliers;
pub mod visits;

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

    /// Starts a write transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`),
    /// so concurrent writers wait on the busy timeout instead of failing on lock upgrade.
    pub async fn begin_write(&self) -> Result<DatabaseTransaction> {
        let options = TransactionOptions {
            sqlite_transaction_mode: (self.backend() == DbBackend::Sqlite)
                .then_some(SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        Ok(self.db.begin_with_options(options).await?)
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
