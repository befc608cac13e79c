//! Keeping the database's schema and this binary in step: SQLite files migrate on open, server
//! databases only on `vetted db migrate`, and a database migrated by a newer vetted is refused.

use migrations::seaql_migrations;
use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryOrder};
use serde::Serialize;

use crate::error::{Error, Result};

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

async fn applied(db: &impl ConnectionTrait) -> Result<Vec<seaql_migrations::Model>> {
    let backend = db.get_database_backend();
    let probe = match backend {
        sea_orm::DbBackend::Sqlite => {
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'seaql_migrations'"
        }
        sea_orm::DbBackend::Postgres => {
            "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'seaql_migrations'"
        }
        _ => {
            "SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'seaql_migrations'"
        }
    };
    if db
        .query_one_raw(sea_orm::Statement::from_string(backend, probe))
        .await?
        .is_none()
    {
        return Ok(Vec::new());
    }
    Ok(seaql_migrations::Entity::find()
        .order_by_asc(seaql_migrations::Column::Version)
        .all(db)
        .await?)
}

/// Every migration this binary knows, and any the database has that it does not, with state.
pub async fn status(db: &impl ConnectionTrait) -> Result<Vec<MigrationState>> {
    let applied = applied(db).await?;
    let known: Vec<String> = Migrator::migrations()
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
    Ok(states)
}

fn format_epoch(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0).map_or_else(|| secs.to_string(), |t| t.to_rfc3339())
}

/// Refuses a database that has migrations this binary does not know.
pub async fn refuse_newer(db: &DatabaseConnection, shown_as: &str) -> Result<()> {
    let states = status(db).await?;
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
    Ok(status(db).await?.iter().filter(|s| s.state == "pending").count())
}

/// Applies pending migrations. On SQLite this happens under the write lock (`BEGIN IMMEDIATE`),
/// so that when several processes open a new file at once, one migrates and the others wait for
/// it and then find nothing pending.
pub async fn migrate(db: &DatabaseConnection) -> Result<()> {
    if pending(db).await? == 0 {
        return Ok(());
    }
    if db.get_database_backend() == DbBackend::Sqlite {
        return super::transaction::write(db, async |txn| {
            if pending(txn).await? > 0 {
                Migrator::up(txn, None).await?;
            }
            Ok(())
        })
        .await;
    }
    Migrator::up(db, None).await?;
    Ok(())
}
