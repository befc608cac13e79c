//! Where the database is (`--db`, then `VETTED_DB`, then a file in the user's data directory) and
//! how to connect to it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};

use crate::error::{Error, Result};

/// A database location as the user named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Sqlite(PathBuf),
    /// A `postgres://` or `mysql://` URL.
    Server(String),
}

impl Location {
    /// Reads `--db` (clap has already fallen back to `VETTED_DB`), else the default file.
    pub fn resolve(db: Option<&str>) -> Result<Location> {
        match db.map(str::trim).filter(|s| !s.is_empty()) {
            Some(url)
                if url.starts_with("postgres://")
                    || url.starts_with("postgresql://")
                    || url.starts_with("mysql://")
                    || url.starts_with("mariadb://") =>
            {
                Ok(Location::Server(url.replacen("mariadb://", "mysql://", 1)))
            }
            Some(url) if url.contains("://") && !url.starts_with("sqlite://") => Err(Error::invalid(
                "db",
                format!(
                    "'{}' is not a database vetted knows; use a file path, sqlite://, postgres:// or mysql://",
                    redact(url)
                ),
            )),
            Some(path) => {
                let path = path.strip_prefix("sqlite://").unwrap_or(path);
                let path = path.split_once('?').map_or(path, |(p, _)| p);
                Ok(Location::Sqlite(PathBuf::from(path)))
            }
            None => default_path().map(Location::Sqlite),
        }
    }

    /// The location for messages, with any password hidden.
    pub fn display(&self) -> String {
        match self {
            Location::Sqlite(path) => path.display().to_string(),
            Location::Server(url) => redact(url),
        }
    }
}

fn default_path() -> Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "vetted").ok_or_else(|| {
        Error::Unavailable("cannot find a home directory for the default database; pass --db".into())
    })?;
    Ok(dirs.data_dir().join("vetted.db"))
}

/// Hides the password of a `scheme://user:password@host` URL.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return url.to_string();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

/// How long one SQLite statement waits for another process's write lock before it fails busy.
/// `Store::write` reruns a busy transaction (`store::RETRIES` times), so a writer waits for a
/// long write (an import's) about half a minute in all, and a short one costs it milliseconds.
pub const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(3);

/// Opens a connection pool. SQLite files are created with their folders, in WAL mode with a
/// busy timeout (several processes may write at once) and foreign keys enforced.
pub async fn connect(location: &Location) -> Result<DatabaseConnection> {
    let mut options = match location {
        Location::Sqlite(path) => {
            create_parent(path)?;
            let mut options = ConnectOptions::new(format!("sqlite://{}", path.display()));
            options.map_sqlx_sqlite_opts(|o| {
                o.create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(SQLITE_BUSY_TIMEOUT)
                    .foreign_keys(true)
            });
            // A writer may wait its turn behind others for the busy timeout.
            options
                .max_connections(2)
                .min_connections(1)
                .acquire_timeout(Duration::from_secs(35));
            options
        }
        Location::Server(url) => {
            // An unreachable server is reported within seconds, not after a long retry.
            let mut options = ConnectOptions::new(url.clone());
            options
                .max_connections(4)
                .min_connections(1)
                .acquire_timeout(Duration::from_secs(3));
            options
        }
    };
    options
        .connect_timeout(Duration::from_secs(3))
        .sqlx_logging(false);
    Database::connect(options).await.map_err(|e| {
        Error::Unavailable(format!(
            "cannot open database {}: {}",
            location.display(),
            redact_in(&super::failure::connect_reason(&e), location)
        ))
    })
}

fn create_parent(path: &Path) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| {
            Error::Unavailable(format!(
                "cannot create the folder {} for the database: {e}",
                parent.display()
            ))
        })?;
    }
    Ok(())
}

/// Removes a server URL's password from a driver message that might quote it.
fn redact_in(message: &str, location: &Location) -> String {
    match location {
        Location::Server(url) => message.replace(url.as_str(), &redact(url)),
        Location::Sqlite(_) => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations() {
        assert_eq!(
            Location::resolve(Some("x.db")).unwrap(),
            Location::Sqlite("x.db".into())
        );
        assert_eq!(
            Location::resolve(Some("sqlite:///tmp/a.db?mode=rwc")).unwrap(),
            Location::Sqlite("/tmp/a.db".into())
        );
        assert!(matches!(
            Location::resolve(Some("postgres://u@h/d")).unwrap(),
            Location::Server(_)
        ));
        assert!(Location::resolve(Some("redis://h")).is_err());
    }

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(
            redact("postgres://bob:secret@db:5432/x"),
            "postgres://bob:***@db:5432/x"
        );
        assert_eq!(redact("postgres://bob@db/x"), "postgres://bob@db/x");
    }
}
