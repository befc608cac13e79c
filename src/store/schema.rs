//! Keeping the database's schema and this binary in step: SQLite files migrate on open, server
//! databases only on `vetted db migrate`, and a database migrated by a newer vetted is refused.

use migrations::seaql_migrations;
use migrations::{MigrationTrait, MigratorTrait};
use sea_orm::{
    ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, FromQueryResult, QueryOrder, QueryTrait,
    TransactionTrait,
};

use super::connect::Location;
use super::wire::{Db, Txn};
use serde::Serialize;

use crate::error::{Error, Result};

/// Every migration, in the order they landed: the `migrations` crate's, with the app's own
/// (`name_keys`: every stored key computed again by today's naming rules, which needs the app's
/// code) in the seventh place, where it landed. sea-orm-migration applies what is pending in
/// list order, so a database made today and one migrated step by step apply the same list in
/// the same order.
pub struct Migrations;

/// Where the app's own migration stands in the list.
const NAME_KEYS_AT: usize = 6;

#[async_trait::async_trait]
impl MigratorTrait for Migrations {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        let mut all = migrations::Migrator::migrations();
        all.insert(NAME_KEYS_AT, Box::new(super::name_keys::NameKeys));
        all
    }
}

/// One migration as `db status` shows it.
#[derive(Debug, Serialize)]
pub struct MigrationState {
    pub name: String,
    pub state: &'static str,
    pub applied_at: Option<String>,
}

crate::row!(MigrationState {
    name,
    state,
    applied_at
});

/// The migrations the database has, oldest first. On a server this is one round trip: the
/// table is read straight away, and a "no such table" answer means a database never migrated.
async fn applied(db: &impl ConnectionTrait) -> Result<Vec<seaql_migrations::Model>> {
    let backend = db.get_database_backend();
    if backend == DbBackend::Sqlite {
        let probe = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'seaql_migrations'";
        if db
            .query_one_raw(sea_orm::Statement::from_string(backend, probe))
            .await?
            .is_none()
        {
            return Ok(Vec::new());
        }
    }
    match seaql_migrations::Entity::find()
        .order_by_asc(seaql_migrations::Column::Version)
        .all(db)
        .await
    {
        Ok(rows) => Ok(rows),
        Err(e) if backend != DbBackend::Sqlite && super::failure::is_missing_table(&e) => Ok(Vec::new()),
        Err(e) => Err(e.into()),
    }
}

/// Every migration this binary knows, and any the database has that it does not, with state.
pub async fn status(db: &impl ConnectionTrait) -> Result<Vec<MigrationState>> {
    Ok(states(applied(db).await?))
}

/// The check an ordinary command makes of a server database before it uses what it reads:
/// nothing unknown (from a newer vetted), nothing pending. On the wire it goes out with the
/// command's first message (`Wire::gate`); the statement and the verdict on its rows are here.
pub fn gate(shown_as: String, backend: DbBackend) -> super::wire::Gate {
    let sql = seaql_migrations::Entity::find()
        .order_by_asc(seaql_migrations::Column::Version)
        .build(backend)
        .to_string();
    super::wire::Gate {
        sql,
        verdict: Box::new(move |rows| {
            let applied = match rows {
                Ok(rows) => rows
                    .iter()
                    .map(|row| seaql_migrations::Model::from_query_result(row, ""))
                    .collect::<std::result::Result<Vec<_>, _>>()
                    .map_err(|e| Error::from(e).to_string())?,
                // Never migrated: every migration is pending.
                Err(missing) if super::failure::is_missing_table(missing) => Vec::new(),
                // Any other failure is the statement's own, reported as it is classified.
                Err(_) => return Ok(()),
            };
            require_current(&states(applied), &shown_as).map_err(|e| e.to_string())
        }),
    }
}

/// Refuses a server database this binary cannot use as it is: migrated by a newer vetted, or
/// needing migrations (`vetted db migrate`, never implicit on a shared schema).
pub fn require_current(states: &[MigrationState], shown_as: &str) -> Result<()> {
    refuse_unknown(states, shown_as)?;
    let pending = count_pending(states);
    if pending > 0 {
        return Err(Error::Unavailable(format!(
            "database {shown_as} needs {pending} migration(s) before this vetted can use it; \
             run `vetted db migrate` (see `vetted db status`)"
        )));
    }
    Ok(())
}

/// Migration states from the applied migrations, oldest first.
fn states(applied: Vec<seaql_migrations::Model>) -> Vec<MigrationState> {
    let known: Vec<String> = Migrations::migrations()
        .iter()
        .map(|m| m.name().to_string())
        .collect();
    let mut states: Vec<MigrationState> = known
        .iter()
        .map(|name| {
            let row = applied.iter().find(|a| &a.version == name);
            MigrationState {
                name: name.clone(),
                state: if row.is_some() { "applied" } else { "pending" },
                applied_at: row.map(|r| format_epoch(r.applied_at)),
            }
        })
        .collect();
    for row in applied.iter().filter(|a| !known.contains(&a.version)) {
        states.push(MigrationState {
            name: row.version.clone(),
            state: "unknown (from a newer vetted)",
            applied_at: Some(format_epoch(row.applied_at)),
        });
    }
    states
}

fn format_epoch(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0).map_or_else(|| secs.to_string(), |t| t.to_rfc3339())
}

/// Refuses a database that has migrations this binary does not know (`states` from [`status`]).
pub fn refuse_unknown(states: &[MigrationState], shown_as: &str) -> Result<()> {
    let unknown: Vec<&str> = states
        .iter()
        .filter(|s| s.state.starts_with("unknown"))
        .map(|s| s.name.as_str())
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    Err(Error::Unavailable(format!(
        "database {shown_as} was migrated by a newer vetted (it has {}, which this vetted {} does not know); \
         upgrade vetted to use it",
        unknown.join(", "),
        env!("CARGO_PKG_VERSION")
    )))
}

/// Number of migrations this binary would still apply.
pub async fn pending(db: &impl ConnectionTrait) -> Result<usize> {
    Ok(count_pending(&status(db).await?))
}

/// Number of pending migrations among `states`.
pub fn count_pending(states: &[MigrationState]) -> usize {
    states.iter().filter(|s| s.state == "pending").count()
}

/// Applies pending migrations. On SQLite this happens under the write lock (`BEGIN IMMEDIATE`),
/// so that when several processes open a new file at once, one migrates and the others wait for
/// it and then find nothing pending. On a server the migrations need sea-orm's connection,
/// which prepares its statements. On PostgreSQL they run in one transaction that first and last
/// drops every prepared statement of its server connection (`DEALLOCATE ALL`), so that through a
/// pooler in transaction mode (PgBouncer) they meet no other client's statements and leave none
/// behind. (MySQL commits every schema change by itself: no transaction would hold them.)
pub async fn migrate(db: &Db, location: &Location) -> Result<()> {
    if pending(db).await? == 0 {
        return Ok(());
    }
    match db {
        Db::Orm(orm) if orm.get_database_backend() == DbBackend::Sqlite => {
            super::transaction::write(db, async |txn| {
                if pending(txn).await? > 0 {
                    Migrations::up(orm_txn(txn)?, None).await?;
                }
                Ok(())
            })
            .await
        }
        Db::Orm(orm) => Ok(Migrations::up(orm, None).await?),
        Db::Wire(wire) => {
            if wire.backend() == DbBackend::MySql {
                require_utf8mb4(db, location).await?;
            }
            let orm = super::connect::connect(location).await?;
            let outcome = if wire.backend() == DbBackend::Postgres {
                migrate_in_one_transaction(&orm).await
            } else {
                Migrations::up(&orm, None).await
            };
            let _ = orm.close().await;
            Ok(outcome?)
        }
    }
}

/// Refuses a MySQL/MariaDB database whose character set is not `utf8mb4` before it is given
/// tables: in latin1 (or MySQL's three-byte `utf8`) every Chinese name would later be refused
/// as too long.
async fn require_utf8mb4(db: &Db, location: &Location) -> Result<()> {
    let charset: Option<String> = match db
        .query_one_raw(sea_orm::Statement::from_string(
            DbBackend::MySql,
            "SELECT @@character_set_database AS db_charset",
        ))
        .await?
    {
        Some(row) => row.try_get("", "db_charset")?,
        None => None,
    };
    match charset {
        Some(charset) if charset != "utf8mb4" => Err(Error::Unavailable(format!(
            "database {} uses the character set {charset}, in which names in Chinese, Japanese \
             or Korean cannot be stored; vetted needs utf8mb4: run `ALTER DATABASE … CHARACTER SET \
             utf8mb4 COLLATE utf8mb4_bin` on the empty database (or create it so), then `vetted db migrate`",
            location.display()
        ))),
        _ => Ok(()),
    }
}

async fn migrate_in_one_transaction(
    orm: &sea_orm::DatabaseConnection,
) -> std::result::Result<(), sea_orm::DbErr> {
    let txn = orm.begin().await?;
    txn.execute_unprepared("DEALLOCATE ALL").await?;
    Migrations::up(&txn, None).await?;
    txn.execute_unprepared("DEALLOCATE ALL").await?;
    txn.commit().await
}

/// sea-orm's transaction inside `txn`: migrations run only on sea-orm's connection.
fn orm_txn(txn: &Txn) -> Result<&DatabaseTransaction> {
    match txn {
        Txn::Orm(txn) => Ok(txn),
        Txn::Wire(_) => Err(Error::Other("migrations need sea-orm's connection".into())),
    }
}
