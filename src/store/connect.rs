//! Where the database is (`--db`, then `VETTED_DB`, then a file in the user's data directory) and
//! how to connect to it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend};

use super::wire::{Db, Wire};
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
        let db = db.map(str::trim);
        if db.is_some_and(|db| db.is_empty() || db == "sqlite://") {
            return Err(Error::invalid(
                "db",
                "is empty; name a database file or a postgres:// or mysql:// URL",
            ));
        }
        match db {
            Some(url) if is_postgres(url) || url.starts_with("mysql://") || url.starts_with("mariadb://") => {
                let url = url.replacen("mariadb://", "mysql://", 1);
                check_server_url(&url)?;
                Ok(Location::Server(url))
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

/// The TLS modes each kind of server URL takes (`sslmode=` / `ssl-mode=`, any case).
const POSTGRES_TLS_MODES: [&str; 6] = [
    "disable",
    "allow",
    "prefer",
    "require",
    "verify-ca",
    "verify-full",
];
const MYSQL_TLS_MODES: [&str; 5] = [
    "DISABLED",
    "PREFERRED",
    "REQUIRED",
    "VERIFY_CA",
    "VERIFY_IDENTITY",
];

/// Finds a server URL's own mistakes before connecting, naming what is wrong (exit 65): one that
/// is not a URL (a port that is no number, a broken IPv6 address), names no host, or gives a
/// TLS mode that does not exist. What the driver then still refuses is reported as the URL's
/// too (`unavailable`).
fn check_server_url(url: &str) -> Result<()> {
    let shown = redact(url);
    let parsed = url::Url::parse(url)
        .map_err(|e| Error::invalid("db", format!("'{shown}' is not a valid URL: {e}")))?;
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(Error::invalid(
            "db",
            format!("'{shown}' names no server; write scheme://user@host:port/database"),
        ));
    }
    let modes: &[&str] = if is_postgres(url) {
        &POSTGRES_TLS_MODES
    } else {
        &MYSQL_TLS_MODES
    };
    for (key, value) in parsed.query_pairs() {
        if matches!(key.as_ref(), "sslmode" | "ssl-mode")
            && !modes.iter().any(|m| m.eq_ignore_ascii_case(&value))
        {
            return Err(Error::invalid(
                "db",
                format!("{key}={value} is not a TLS mode; use one of {}", modes.join(", ")),
            ));
        }
    }
    Ok(())
}

fn default_path() -> Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "vetted").ok_or_else(|| {
        Error::Unavailable("cannot find a home directory for the default database; pass --db".into())
    })?;
    Ok(dirs.data_dir().join("vetted.db"))
}

/// Hides a URL's passwords: the one in its user-info part (`scheme://user:password@host`) and
/// the value of every query parameter whose name contains `password` (`password=`,
/// `sslpassword=`), case-insensitively. The one place where a database URL is made safe to show.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (before_query, query) = match rest.split_once('?') {
        Some((before, query)) => (before, Some(query)),
        None => (rest, None),
    };
    let mut out = format!("{scheme}://");
    // The host follows the last `@`: a password may hold an unescaped `@`.
    match before_query.rsplit_once('@') {
        Some((userinfo, host)) => {
            match userinfo.split_once(':') {
                Some((user, _)) => out.push_str(&format!("{user}:***@")),
                None => out.push_str(&format!("{userinfo}@")),
            }
            out.push_str(host);
        }
        None => out.push_str(before_query),
    }
    if let Some(query) = query {
        let (query, fragment) = match query.split_once('#') {
            Some((q, f)) => (q, Some(f)),
            None => (query, None),
        };
        let params: Vec<String> = query
            .split('&')
            .map(|param| match param.split_once('=') {
                Some((key, _)) if key.to_ascii_lowercase().contains("password") => format!("{key}=***"),
                _ => param.to_string(),
            })
            .collect();
        out.push('?');
        out.push_str(&params.join("&"));
        if let Some(fragment) = fragment {
            out.push('#');
            out.push_str(fragment);
        }
    }
    out
}

/// The connection a command uses: on a server the wire (`store::wire`: one connection,
/// statements as text); on SQLite sea-orm's pool. (Migrations open their own, `schema::migrate`.)
pub async fn open(location: &Location) -> Result<Db> {
    match location {
        Location::Server(url) => {
            check_tls_files(url)?;
            let backend = if is_postgres(url) {
                DbBackend::Postgres
            } else {
                DbBackend::MySql
            };
            let wire = tokio::time::timeout(CONNECT_TIMEOUT, Wire::connect(url, backend))
                .await
                .map_err(|_| {
                    Error::Unavailable(format!(
                        "cannot open database {}: no answer within {} s",
                        location.display(),
                        CONNECT_TIMEOUT.as_secs()
                    ))
                })?
                .map_err(|e| unavailable(&e, location))?;
            Ok(Db::Wire(Arc::new(wire)))
        }
        Location::Sqlite(_) => Ok(Db::Orm(connect(location).await?)),
    }
}

/// Whether a database URL names a PostgreSQL server.
fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// How long connecting to a server may take before it is reported unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// A connection failure as the user sees it: the location (password hidden) and why. What the
/// URL itself asks for wrongly is bad input (65): settings the driver cannot read, and startup
/// options the server refuses (`options=-c name=value`: a setting it does not know, a value it
/// does not take).
fn unavailable(e: &sea_orm::DbErr, location: &Location) -> Error {
    if let Some(problem) = super::failure::url_problem(e) {
        return Error::invalid(
            "db",
            format!("{}: {}", location.display(), redact_in(&problem, location)),
        );
    }
    Error::Unavailable(format!(
        "cannot open database {}: {}",
        location.display(),
        explain_tls(&redact_in(&super::failure::connect_reason(e), location))
    ))
}

/// How many prepared statements the migrations' server connection keeps: more than a run of
/// every migration prepares, so none is evicted while it runs — re-preparing costs a round
/// trip, and on MySQL the driver closes an evicted statement with a message the server does not
/// answer, so the next statement waits for the delayed ACK (40 ms; the driver does not set
/// TCP_NODELAY). Well within MariaDB's `max_prepared_stmt_count` (16,382 for all connections).
const STATEMENTS: usize = 1_000;

/// Opens sea-orm's connection pool: a SQLite command's, or the migrations' on a server
/// (`schema::migrate`). SQLite files are created with their folders, in WAL mode with a
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
                    .busy_timeout(super::transaction::LOCK_WAIT)
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
            check_tls_files(url)?;
            // The migrations' connection (commands use the wire): one connection, as their
            // statements run one after another and every further connection would cost its own
            // handshake on a far link; not pinged before each use (a round trip per statement);
            // prepared statements kept for the whole run (`STATEMENTS`). An unreachable server is
            // reported within seconds, not after a long retry.
            let mut options = ConnectOptions::new(url.clone());
            options
                .max_connections(1)
                .min_connections(0)
                .test_before_acquire(false)
                .acquire_timeout(Duration::from_secs(3))
                .map_sqlx_postgres_opts(|o| o.statement_cache_capacity(STATEMENTS))
                .map_sqlx_mysql_opts(|o| o.statement_cache_capacity(STATEMENTS));
            options
        }
    };
    options.connect_timeout(CONNECT_TIMEOUT).sqlx_logging(false);
    Database::connect(options)
        .await
        .map_err(|e| unavailable(&e, location))
}

/// The certificate and key files a server URL names (`sslrootcert`, `ssl-ca`, ...), checked
/// before connecting: the driver's own message would not say which file it could not read.
fn check_tls_files(url: &str) -> Result<()> {
    const FILE_PARAMETERS: [&str; 6] = [
        "sslrootcert",
        "sslcert",
        "sslkey",
        "ssl-ca",
        "ssl-cert",
        "ssl-key",
    ];
    let Ok(parsed) = url::Url::parse(url) else {
        return Ok(()); // the driver reports a malformed URL
    };
    for (key, file) in parsed.query_pairs() {
        if FILE_PARAMETERS.contains(&key.as_ref())
            && let Err(source) = std::fs::File::open(file.as_ref())
        {
            return Err(Error::MissingFile {
                path: format!("{file} ({key} in --db)"),
                source,
            });
        }
    }
    Ok(())
}

/// Says what a refused server certificate means and what to check.
fn explain_tls(message: &str) -> String {
    match message.split_once("invalid peer certificate: ") {
        Some((_, why)) => format!(
            "the server's TLS certificate was not accepted ({why}); check the root certificate \
             (sslrootcert= for PostgreSQL, ssl-ca= for MySQL) and that the host name is the one \
             the certificate names"
        ),
        None => message.to_string(),
    }
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
        for empty in ["", "  ", "sqlite://"] {
            let err = Location::resolve(Some(empty)).unwrap_err();
            assert!(err.to_string().starts_with("db: "), "{err}");
        }
    }

    #[test]
    fn a_server_url_is_checked_before_connecting() {
        for (url, says) in [
            ("postgres://u@127.0.0.1:99999/x", "invalid port number"),
            ("postgres://u@127.0.0.1:54x32/x", "invalid port number"),
            ("postgres://u@[::1:5432/x", "invalid IPv6 address"),
            ("mysql://root@[::1]x:3306/test", "not a valid URL"),
            (
                "postgres://u@h/x?sslmode=bogus",
                "sslmode=bogus is not a TLS mode; use one of disable",
            ),
            (
                "mysql://u@h/x?ssl-mode=bogus",
                "ssl-mode=bogus is not a TLS mode; use one of DISABLED",
            ),
            ("postgres:///x", "names no server"),
        ] {
            let err = Location::resolve(Some(url)).unwrap_err();
            assert_eq!(err.exit_code(), 65, "{url}: {err}");
            assert!(
                err.to_string().starts_with("db: ") && err.to_string().contains(says),
                "{url}: {err}"
            );
        }
        for url in [
            "postgres://u:p@h:5432/x?sslmode=VERIFY-FULL&sslrootcert=/r.pem",
            "mysql://u@[::1]:3306/x?ssl-mode=required",
        ] {
            assert!(Location::resolve(Some(url)).is_ok(), "{url}");
        }
        // A password is never shown, even in a URL that is refused.
        let err = Location::resolve(Some("postgres://u:s3cret@h:99999/x")).unwrap_err();
        assert!(!err.to_string().contains("s3cret"), "{err}");
    }

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(
            redact("postgres://bob:secret@db:5432/x"),
            "postgres://bob:***@db:5432/x"
        );
        assert_eq!(redact("postgres://bob@db/x"), "postgres://bob@db/x");
        assert_eq!(
            redact("postgres://bob@db/x?sslmode=require&password=s3cret&application_name=v"),
            "postgres://bob@db/x?sslmode=require&password=***&application_name=v"
        );
        assert_eq!(
            redact("mysql://a:p@ss@db/x?SSLPassword=k3y"),
            "mysql://a:***@db/x?SSLPassword=***"
        );
        assert_eq!(
            redact("postgres://db/x?db_password=1#frag"),
            "postgres://db/x?db_password=***#frag"
        );
        assert_eq!(redact("vetted.db"), "vetted.db");
    }
}
