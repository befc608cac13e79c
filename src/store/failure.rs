//! What a database error means for the user: every driver error is sorted into one of a few
//! classes here, and only the class (never the driver's own message) is shown. The classes that
//! come from another writer colliding with this one are retried by `Store::write`.

use std::fmt;

use sea_orm::sqlx;
use sea_orm::{ConnAcquireErr, DbErr, RuntimeErr};

/// The class of a database error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Another writer holds the lock: SQLite busy or locked, MySQL/MariaDB lock wait timeout.
    Busy,
    /// A concurrent transaction won: a serialization failure, a deadlock, or a Galera
    /// certification conflict. Running the transaction again normally succeeds.
    Collision,
    /// A unique key is taken; `what` says by what, in the user's words.
    Duplicate { what: &'static str },
    /// The database cannot be written: a read-only file, folder or server.
    ReadOnly,
    /// The database file is damaged.
    Corrupt,
    /// The file is not a SQLite database.
    NotADatabase,
    /// The disk (or the server's disk, or its quota) is full.
    Full,
    /// The database could not read or write its files.
    DiskIo,
    /// The connection to the server failed or was lost, or no connection came free.
    Unreachable,
    /// The server refused the login.
    AccessDenied,
    /// The server cancelled a statement: its statement time limit ran out (one the URL or the
    /// server sets), or an administrator cancelled it.
    Cancelled,
    /// The server has no database of that name.
    NoSuchDatabase,
    /// A value does not fit the column (too long, out of range) or breaks a constraint.
    ValueRefused,
    /// A stored value this vetted cannot read (sea-orm's message, not a driver's).
    Unreadable(String),
    /// The database is not one this vetted can use as it is (its schema); the message says why
    /// and what to do.
    Refused(String),
    /// Anything else: a bug in vetted or a server in an unusual state. Only the driver's error
    /// code is kept, never its message.
    Other { code: Option<String> },
}

impl Failure {
    /// Whether running the whole transaction again can succeed.
    pub fn is_collision(&self) -> bool {
        matches!(
            self,
            Failure::Busy | Failure::Collision | Failure::Duplicate { .. }
        )
    }

    /// The exit code: 65 for data the database refuses, 69 when it cannot be used, 70 (internal
    /// software error) for what vetted should never have sent.
    pub fn exit_code(&self) -> i32 {
        match self {
            Failure::Duplicate { .. } | Failure::ValueRefused | Failure::Unreadable(_) => 65,
            Failure::Other { .. } => 70,
            _ => 69,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Busy => write!(f, "database busy: another vetted is writing; try again"),
            Failure::Collision => write!(
                f,
                "database busy: other writers kept changing the same records; try again"
            ),
            Failure::Duplicate { what } => write!(f, "{what} already exists"),
            Failure::ReadOnly => write!(
                f,
                "the database is read-only: vetted cannot write to it (check the file's and its \
                 folder's permissions, or whether the server is in read-only mode)"
            ),
            Failure::Corrupt => write!(
                f,
                "the database file is damaged; restore it from a backup (`vetted import all`)"
            ),
            Failure::NotADatabase => write!(f, "the file is not a vetted database (not SQLite)"),
            Failure::Full => write!(f, "the disk holding the database is full"),
            Failure::DiskIo => write!(
                f,
                "the database could not read or write its files (disk I/O error)"
            ),
            Failure::Unreachable => write!(f, "the database cannot be reached, or it closed the connection"),
            Failure::NoSuchDatabase => write!(
                f,
                "the server has no such database; create it, then run `vetted db migrate`"
            ),
            Failure::AccessDenied => {
                write!(f, "the database server refused access (user, password or rights)")
            }
            Failure::Cancelled => write!(
                f,
                "the database server cancelled a statement (a statement time limit ran out, or an \
                 administrator cancelled it); try again, or raise the server's limit"
            ),
            Failure::ValueRefused => write!(
                f,
                "the database refused a value as too long, out of range or invalid"
            ),
            Failure::Refused(message) => f.write_str(message),
            Failure::Unreadable(message) => {
                write!(f, "the database holds a value vetted cannot read: {message}")
            }
            Failure::Other { code: Some(code) } => write!(
                f,
                "the database refused an operation (error {code}); this is a bug in vetted, please report it"
            ),
            Failure::Other { code: None } => write!(
                f,
                "the database failed in an unexpected way; this is a bug in vetted, please report it"
            ),
        }
    }
}

/// Sorts a sea-orm error into its class.
pub fn classify(error: &DbErr) -> Failure {
    match error {
        DbErr::Conn(RuntimeErr::SqlxError(e))
        | DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e)) => classify_sqlx(e),
        // No connection came free in time: the server does not answer (a pool is never used up
        // by one command's own work).
        DbErr::ConnectionAcquire(ConnAcquireErr::Timeout | ConnAcquireErr::ConnectionClosed) => {
            Failure::Unreachable
        }
        DbErr::Type(message) | DbErr::Json(message) => Failure::Unreadable(message.clone()),
        DbErr::TryIntoErr { .. } => Failure::Unreadable(error.to_string()),
        DbErr::AccessDenied { .. } => Failure::AccessDenied,
        // A migration that refuses the database as it is says why in its own words.
        DbErr::Migration(message) => Failure::Refused(message.clone()),
        _ => Failure::Other { code: None },
    }
}

/// Whether a server said the table the statement names does not exist (PostgreSQL SQLSTATE
/// 42P01, MySQL/MariaDB 42S02): how the schema check learns, in the one round trip it reads
/// the migrations in, that a database was never migrated.
pub fn is_missing_table(error: &DbErr) -> bool {
    match error {
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            matches!(&**e, sqlx::Error::Database(e) if matches!(e.code().as_deref(), Some("42P01" | "42S02")))
        }
        _ => false,
    }
}

fn classify_sqlx(error: &sqlx::Error) -> Failure {
    match error {
        sqlx::Error::Database(e) => {
            let code = e.code().map(|c| c.into_owned()).unwrap_or_default();
            let driver = if let Some(my) = e.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>() {
                Driver::MySql(my.number())
            } else if e.try_downcast_ref::<sqlx::postgres::PgDatabaseError>().is_some() {
                Driver::Postgres
            } else {
                Driver::Sqlite
            };
            let key = e.constraint().unwrap_or_else(|| e.message());
            classify_code(driver, &code, key)
        }
        sqlx::Error::Configuration(e) if e.downcast_ref::<super::wire::Refused>().is_some() => {
            Failure::Refused(e.to_string())
        }
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_) => Failure::Unreachable,
        sqlx::Error::ColumnDecode { index, .. } => Failure::Unreadable(format!("column {index}")),
        sqlx::Error::Decode(_) => Failure::Unreadable("a value".into()),
        _ => Failure::Other { code: None },
    }
}

/// Which driver an error came from; MySQL's own error number rides along.
#[derive(Debug, Clone, Copy)]
enum Driver {
    Sqlite,
    Postgres,
    MySql(u16),
}

/// The classification proper, over what the drivers report: SQLite's extended result code,
/// PostgreSQL's SQLSTATE, MySQL's error number. `key` is the violated constraint's name, or the
/// driver message that names it (SQLite `UNIQUE constraint failed: buyer.name_norm`, MariaDB
/// `Duplicate entry '…' for key 'ux_buyer_name_norm'`); it is matched, never shown.
fn classify_code(driver: Driver, code: &str, key: &str) -> Failure {
    match driver {
        Driver::Sqlite => {
            // Extended result codes carry the primary code in their low byte.
            let primary = code.parse::<u32>().map_or(0, |c| c & 0xff);
            match primary {
                5 | 6 => Failure::Busy,      // SQLITE_BUSY, SQLITE_LOCKED
                8 => Failure::ReadOnly,      // SQLITE_READONLY
                10 => Failure::DiskIo,       // SQLITE_IOERR
                11 => Failure::Corrupt,      // SQLITE_CORRUPT
                13 => Failure::Full,         // SQLITE_FULL
                14 => Failure::DiskIo,       // SQLITE_CANTOPEN
                26 => Failure::NotADatabase, // SQLITE_NOTADB
                3 => Failure::ReadOnly,      // SQLITE_PERM
                19 if code == "2067" || code == "1555" => duplicate(key),
                19 | 18 | 20 | 25 => Failure::ValueRefused, // CONSTRAINT, TOOBIG, MISMATCH, RANGE
                _ => Failure::Other {
                    code: Some(format!("SQLite {code}")),
                },
            }
        }
        Driver::Postgres => match code {
            "40001" | "40P01" => Failure::Collision,
            "55P03" => Failure::Busy, // lock_not_available
            "23505" => duplicate(key),
            "25006" => Failure::ReadOnly, // read_only_sql_transaction (a hot standby)
            "53100" => Failure::Full,     // disk_full
            "58030" => Failure::DiskIo,   // io_error
            "XX001" | "XX002" => Failure::Corrupt,
            "28000" | "28P01" | "42501" => Failure::AccessDenied,
            "3D000" => Failure::NoSuchDatabase,
            "57014" => Failure::Cancelled, // query_canceled (statement_timeout, pg_cancel_backend)
            c if c.starts_with("08") || c.starts_with("57P") || c.starts_with("53") => Failure::Unreachable,
            c if c.starts_with("22") || c.starts_with("23") => Failure::ValueRefused,
            _ => Failure::Other {
                code: Some(format!("SQLSTATE {code}")),
            },
        },
        Driver::MySql(number) => match number {
            // 1213 deadlock, also Galera's "WSREP detected deadlock/conflict"; 1180 a Galera
            // certification failure reported at COMMIT; 1614 a transaction branch rolled back.
            1213 | 1180 | 1614 => Failure::Collision,
            1205 => Failure::Busy, // lock wait timeout
            1022 | 1062 | 1169 | 1586 => duplicate(key),
            1290 | 1036 | 1792 => Failure::ReadOnly, // --read-only server, read-only table/transaction
            1021 | 1114 => Failure::Full,            // disk full, table full
            1034 | 1194 | 1195 => Failure::Corrupt,  // bad index file, crashed table
            1044 | 1045 | 1142 | 1227 => Failure::AccessDenied,
            1049 => Failure::NoSuchDatabase,
            // Interrupted, max_execution_time (MySQL), max_statement_time (MariaDB).
            1317 | 3024 | 1969 => Failure::Cancelled,
            // 1047: a Galera node that is not synced with its cluster.
            1040 | 1047 | 1053 | 1152 | 1158..=1161 | 2002 | 2003 | 2006 | 2013 => Failure::Unreachable,
            1048 | 1216 | 1217 | 1264 | 1292 | 1366 | 1406 | 1451 | 1452 | 3819 | 4025 => {
                Failure::ValueRefused
            }
            _ => Failure::Other {
                code: Some(format!("MySQL {number}")),
            },
        },
    }
}

/// Names what holds a unique key, from the constraint (or the message naming it). The index
/// names are the migrations'; SQLite names the columns instead.
fn duplicate(key: &str) -> Failure {
    const KEYS: [(&str, &str, &str); 5] = [
        ("ux_buyer_name_norm", "buyer.name_norm", "a buyer with this name"),
        (
            "ux_supplier_name_norm",
            "supplier.name_norm",
            "a supplier with this name",
        ),
        (
            "ux_supplier_alias_supplier",
            "supplier_alias.supplier_id, supplier_alias.alias_norm",
            "this alias of the supplier",
        ),
        (
            "ux_site_supplier_name",
            "site.supplier_id, site.name_norm",
            "a site of this name at the supplier",
        ),
        (
            "ux_deal_buyer_supplier",
            "deal.buyer_id, deal.supplier_id",
            "a deal between this buyer and supplier",
        ),
    ];
    let what = KEYS
        .iter()
        .find(|(index, columns, _)| key.contains(index) || key.contains(columns))
        .map_or("a record with the same key", |(_, _, what)| what);
    Failure::Duplicate { what }
}

/// Why a connection could not be opened: the operating system's or TLS's own words when the
/// transport failed (`Connection refused`, a certificate problem), the class otherwise.
pub fn connect_reason(error: &DbErr) -> String {
    if let DbErr::Conn(RuntimeErr::SqlxError(e)) = error {
        match e.as_ref() {
            sqlx::Error::Io(io) => return io.to_string(),
            sqlx::Error::Tls(tls) => return format!("TLS: {tls}"),
            sqlx::Error::Configuration(c) => return c.to_string(),
            _ => {}
        }
    }
    classify(error).to_string()
}

/// What is wrong with the URL itself, when a connection failed because of it: settings the
/// driver cannot read, or startup options (`options=`) the server refused (PostgreSQL: a syntax
/// error 42601, an unknown setting 42704, a refused value 22023, a setting fixed at start 55P02).
pub fn url_problem(error: &DbErr) -> Option<String> {
    let DbErr::Conn(RuntimeErr::SqlxError(e)) = error else {
        return None;
    };
    match e.as_ref() {
        sqlx::Error::Configuration(c) if c.downcast_ref::<super::wire::Refused>().is_none() => {
            Some(format!("the driver cannot use this URL ({c})"))
        }
        sqlx::Error::Database(db) if e_is_postgres(db.as_ref()) => {
            let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
            matches!(code.as_str(), "42601" | "42704" | "22023" | "55P02").then(|| {
                format!(
                    "the server refused the session settings the URL gives (options=…): a setting \
                     it does not know, or a value it does not take (SQLSTATE {code})"
                )
            })
        }
        _ => None,
    }
}

fn e_is_postgres(e: &dyn sqlx::error::DatabaseError) -> bool {
    e.try_downcast_ref::<sqlx::postgres::PgDatabaseError>().is_some()
}

/// The error's class for a `Result` whose error may be a database one (used by the retry loop).
pub fn of(error: &crate::error::Error) -> Option<Failure> {
    match error {
        crate::error::Error::Database(e) => Some(classify(e)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collisions_are_retried_and_the_rest_are_not() {
        let retried = [
            classify_code(Driver::Sqlite, "5", ""),
            classify_code(Driver::Sqlite, "517", ""), // SQLITE_BUSY_SNAPSHOT
            classify_code(Driver::Sqlite, "6", ""),
            classify_code(
                Driver::Sqlite,
                "2067",
                "UNIQUE constraint failed: deal.buyer_id, deal.supplier_id",
            ),
            classify_code(Driver::Postgres, "40001", ""),
            classify_code(Driver::Postgres, "40P01", ""),
            classify_code(Driver::Postgres, "23505", "ux_deal_buyer_supplier"),
            classify_code(Driver::MySql(1213), "40001", ""),
            classify_code(Driver::MySql(1205), "HY000", ""),
            classify_code(Driver::MySql(1180), "HY000", ""),
            classify_code(Driver::MySql(1062), "23000", ""),
        ];
        assert!(retried.iter().all(Failure::is_collision), "{retried:?}");
        let kept = [
            classify_code(Driver::Sqlite, "8", ""),
            classify_code(Driver::Sqlite, "11", ""),
            classify_code(Driver::Sqlite, "26", ""),
            classify_code(Driver::Sqlite, "13", ""),
            classify_code(Driver::Sqlite, "787", ""), // foreign key
            classify_code(Driver::Postgres, "53100", ""),
            classify_code(Driver::Postgres, "25006", ""),
            classify_code(Driver::Postgres, "42P01", ""),
            classify_code(Driver::MySql(1406), "22001", ""),
        ];
        assert!(!kept.iter().any(Failure::is_collision), "{kept:?}");
    }

    #[test]
    fn storage_failures_are_unavailable_with_a_plain_message() {
        assert_eq!(classify_code(Driver::Sqlite, "8", ""), Failure::ReadOnly);
        assert_eq!(classify_code(Driver::Sqlite, "1032", ""), Failure::ReadOnly); // READONLY_DBMOVED
        assert_eq!(classify_code(Driver::Sqlite, "11", ""), Failure::Corrupt);
        assert_eq!(classify_code(Driver::Sqlite, "26", ""), Failure::NotADatabase);
        assert_eq!(classify_code(Driver::Sqlite, "13", ""), Failure::Full);
        assert_eq!(classify_code(Driver::Sqlite, "266", ""), Failure::DiskIo); // IOERR_READ
        assert_eq!(classify_code(Driver::Postgres, "53100", ""), Failure::Full);
        assert_eq!(classify_code(Driver::Postgres, "25006", ""), Failure::ReadOnly);
        assert_eq!(classify_code(Driver::MySql(1290), "HY000", ""), Failure::ReadOnly);
        assert_eq!(
            classify_code(Driver::Postgres, "3D000", ""),
            Failure::NoSuchDatabase
        );
        assert_eq!(
            classify_code(Driver::MySql(1049), "42000", ""),
            Failure::NoSuchDatabase
        );
        for failure in [
            Failure::ReadOnly,
            Failure::Corrupt,
            Failure::NotADatabase,
            Failure::Full,
            Failure::Busy,
            Failure::NoSuchDatabase,
        ] {
            assert_eq!(failure.exit_code(), 69, "{failure}");
        }
    }

    #[test]
    fn a_taken_key_names_what_holds_it_on_every_backend() {
        let expected = Failure::Duplicate {
            what: "a buyer with this name",
        };
        assert_eq!(
            classify_code(
                Driver::Sqlite,
                "2067",
                "UNIQUE constraint failed: buyer.name_norm"
            ),
            expected
        );
        assert_eq!(
            classify_code(Driver::Postgres, "23505", "ux_buyer_name_norm"),
            expected
        );
        assert_eq!(
            classify_code(
                Driver::MySql(1062),
                "23000",
                "Duplicate entry 'aurora solar' for key 'ux_buyer_name_norm'"
            ),
            expected
        );
        assert_eq!(expected.to_string(), "a buyer with this name already exists");
        assert_eq!(expected.exit_code(), 65);
        assert_eq!(
            classify_code(Driver::Postgres, "23505", "buyer_pkey"),
            Failure::Duplicate {
                what: "a record with the same key"
            }
        );
    }

    #[test]
    fn an_unknown_error_keeps_only_its_code() {
        let failure = classify_code(Driver::Postgres, "42P01", "relation \"x\" does not exist");
        assert_eq!(failure.exit_code(), 70);
        assert!(failure.to_string().contains("SQLSTATE 42P01"));
        assert!(!failure.to_string().contains("relation"));
    }
}
