//! A fresh database per test and helpers to run the binary against it.

use std::cell::RefCell;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::Value;
use tempfile::TempDir;

/// Which database the tests of this thread run against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    /// A server URL naming an existing database the tests may create databases from.
    Postgres(String),
    Mysql(String),
    /// PostgreSQL (the URL tests make their databases through) behind PgBouncer in transaction
    /// mode (the URL every command is given).
    Pgbouncer {
        admin: String,
        pooled: String,
    },
}

impl Backend {
    pub fn is_postgres(&self) -> bool {
        matches!(self, Backend::Postgres(_) | Backend::Pgbouncer { .. })
    }
}

thread_local! {
    static BACKEND: RefCell<Backend> = const { RefCell::new(Backend::Sqlite) };
}

/// Stamps a scenario (a plain `fn name()`) as one test per backend, `name::sqlite`,
/// `name::postgres`, `name::pgbouncer` and `name::mysql`, so that a failure is reported under its
/// backend's name. The server tests run when `VETTED_TEST_POSTGRES_URL` / `VETTED_TEST_MYSQL_URL`
/// name a server the tests may create databases on (and `VETTED_TEST_PGBOUNCER_URL` a PgBouncer
/// in front of that PostgreSQL), and are listed as ignored, with the reason, otherwise.
macro_rules! every_backend {
    ($($scenario:ident),+ $(,)?) => {$(
        mod $scenario {
            #[test]
            fn sqlite() {
                crate::support::run_on(crate::support::Backend::Sqlite, super::$scenario);
            }

            #[test]
            #[cfg_attr(
                not(vetted_test_postgres),
                ignore = "skipped: PostgreSQL runs of the suite need VETTED_TEST_POSTGRES_URL"
            )]
            fn postgres() {
                crate::support::run_on_server("VETTED_TEST_POSTGRES_URL", super::$scenario);
            }

            #[test]
            #[cfg_attr(
                not(vetted_test_pgbouncer),
                ignore = "skipped: runs through PgBouncer need VETTED_TEST_PGBOUNCER_URL"
            )]
            fn pgbouncer() {
                crate::support::run_on_server("VETTED_TEST_PGBOUNCER_URL", super::$scenario);
            }

            #[test]
            #[cfg_attr(
                not(vetted_test_mysql),
                ignore = "skipped: MariaDB/MySQL runs of the suite need VETTED_TEST_MYSQL_URL"
            )]
            fn mysql() {
                crate::support::run_on_server("VETTED_TEST_MYSQL_URL", super::$scenario);
            }
        }
    )+};
}

/// Runs `vetted --db <targets[i mod len]> args(i)` for i in 0..n, all at once; returns their
/// outputs in order.
pub fn at_once<D: AsRef<std::ffi::OsStr>>(
    targets: &[D],
    n: usize,
    args: impl Fn(usize) -> Vec<String>,
) -> Vec<Output> {
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let target = targets[i % targets.len()].as_ref().to_os_string();
            let args = args(i);
            std::thread::spawn(move || vetted().arg("--db").arg(target).args(&args).output().unwrap())
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

/// Starts `writers` threads, writer w logging `visits` visits through `targets[w mod len]`
/// (`log_visits`); join them to wait.
pub fn writers_logging_visits<D: AsRef<std::ffi::OsStr>>(
    targets: &[D],
    writers: usize,
    visits: usize,
) -> Vec<std::thread::JoinHandle<()>> {
    (0..writers)
        .map(|writer| {
            let target = targets[writer % targets.len()].as_ref().to_os_string();
            std::thread::spawn(move || log_visits(&target, writer, visits))
        })
        .collect()
}

/// Logs `visits` visits of Aurora Solar to Lumina (the seeded pair) through `target`, one process
/// each, every one with a finding naming `writer` and the visit; each must succeed.
fn log_visits(target: &std::ffi::OsStr, writer: usize, visits: usize) {
    for visit in 0..visits {
        let out = vetted()
            .arg("--db")
            .arg(target)
            .args(["-q", "visit", "log", "Lumina", "--buyer", "Aurora Solar"])
            .args(["--finding", &format!("minor:writer {writer} visit {visit}")])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
}

/// Runs a scenario with this thread's tests on `backend`.
pub fn run_on(backend: Backend, scenario: fn()) {
    BACKEND.with(|b| *b.borrow_mut() = backend);
    scenario();
}

/// Runs a scenario on the server `var` names (a test built with the variable set and run without
/// it is a mistake, not a pass).
pub fn run_on_server(var: &str, scenario: fn()) {
    let url = std::env::var(var)
        .ok()
        .filter(|url| !url.is_empty())
        .unwrap_or_else(|| panic!("{var} was set when the tests were built; set it to run them"));
    let backend = if var.contains("PGBOUNCER") {
        let admin = std::env::var("VETTED_TEST_POSTGRES_URL")
            .ok()
            .filter(|url| !url.is_empty())
            .expect("runs through PgBouncer make their databases through VETTED_TEST_POSTGRES_URL");
        Backend::Pgbouncer { admin, pooled: url }
    } else if var.contains("POSTGRES") {
        Backend::Postgres(url)
    } else {
        Backend::Mysql(url)
    };
    run_on(backend, scenario);
}

pub fn backend() -> Backend {
    BACKEND.with(|b| b.borrow().clone())
}

/// Runs SQL on a test database of any backend (set-up, and checks the CLI cannot make).
pub fn server_sql(url: &str, statement: &str) -> Vec<sea_orm::QueryResult> {
    let url = url.to_string();
    let statement = statement.to_string();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async move {
            let conn = Database::connect(url.as_str())
                .await
                .expect("connect to the test database");
            let backend = conn.get_database_backend();
            let rows = conn
                .query_all_raw(Statement::from_string(backend, statement))
                .await
                .expect("test SQL");
            conn.close().await.ok();
            rows
        })
}

/// `scheme://user@host:port/db` with its database replaced.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let cut = base.rfind('/').expect("a database in the URL");
    let mut out = format!("{}/{database}", &base[..cut]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// A database on a server, created for one test and dropped after it.
pub struct ServerDb {
    admin: String,
    name: String,
    /// The database, reached directly (for the test's own SQL).
    pub url: String,
    /// The database as commands are given it (through PgBouncer, when the run says so).
    pub target: String,
    /// The pooler's URL (any database), when commands go through one.
    pooled: Option<String>,
    postgres: bool,
}

impl Drop for ServerDb {
    fn drop(&mut self) {
        let drop = if self.postgres {
            format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name)
        } else {
            format!("DROP DATABASE IF EXISTS `{}`", self.name)
        };
        server_sql(&self.admin, &drop);
    }
}

impl ServerDb {
    /// This database as reached through `server` (another node of the same cluster).
    pub fn through(&self, server: &str) -> String {
        with_database(server, &self.name)
    }

    /// Another new, empty database on the same server.
    pub fn create_like(other: &ServerDb) -> ServerDb {
        let backend = match (&other.pooled, other.postgres) {
            (Some(pooled), _) => Backend::Pgbouncer {
                admin: other.admin.clone(),
                pooled: pooled.clone(),
            },
            (None, true) => Backend::Postgres(other.admin.clone()),
            (None, false) => Backend::Mysql(other.admin.clone()),
        };
        create_server_db(&backend).expect("a server backend")
    }
}

fn create_server_db(backend: &Backend) -> Option<ServerDb> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let (admin, pooled, postgres) = match backend {
        Backend::Sqlite => return None,
        Backend::Postgres(url) => (url.clone(), None, true),
        Backend::Pgbouncer { admin, pooled } => (admin.clone(), Some(pooled.clone()), true),
        Backend::Mysql(url) => (url.clone(), None, false),
    };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let name = format!(
        "vetted_test_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    );
    let create = if postgres {
        format!("CREATE DATABASE \"{name}\" ENCODING 'UTF8'")
    } else {
        format!("CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
    };
    server_sql(&admin, &create);
    let url = with_database(&admin, &name);
    let target = pooled
        .as_deref()
        .map_or_else(|| url.clone(), |p| with_database(p, &name));
    Some(ServerDb {
        admin,
        name,
        url,
        target,
        pooled,
        postgres,
    })
}

pub struct Db {
    /// Kept so the folder lives as long as the test's database.
    _dir: TempDir,
    /// The SQLite file; on a server backend, a place for the test's other files.
    pub path: PathBuf,
    pub server: Option<ServerDb>,
}

pub fn vetted() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vetted"));
    cmd.env_remove("VETTED_DB")
        .env_remove("VETTED_ACTOR")
        .env_remove("NO_COLOR")
        .env("USER", "tester");
    cmd
}

impl Db {
    pub fn new() -> Db {
        Db::on(&backend())
    }

    /// A fresh database on `backend`, whatever backend this thread's scenario runs on.
    pub fn on(backend: &Backend) -> Db {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("vetted.db");
        let server = create_server_db(backend);
        let db = Db {
            _dir: dir,
            path,
            server,
        };
        // Server schemas change only when someone says so; a SQLite file is created only by a
        // command that writes. Either way the test starts from a current, empty database.
        db.ok(&["db", "migrate"]);
        db
    }

    /// A fresh database on this thread's backend with only the first `count` migrations
    /// applied: one an earlier vetted made, to migrate.
    pub fn at_migration(count: u32) -> Db {
        use migrations::MigratorTrait;
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("vetted.db");
        let server = create_server_db(&backend());
        let db = Db {
            _dir: dir,
            path,
            server,
        };
        let url = match &db.server {
            Some(_) => db.url(),
            None => format!("{}?mode=rwc", db.url()),
        };
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(async move {
                let conn = Database::connect(url.as_str()).await.expect("connect");
                migrations::Migrator::up(&conn, Some(count))
                    .await
                    .expect("migrate");
                conn.close().await.ok();
            });
        db
    }

    /// What `--db` names: the SQLite file, or the server database's URL.
    pub fn target(&self) -> std::ffi::OsString {
        match &self.server {
            Some(server) => server.target.clone().into(),
            None => self.path.clone().into(),
        }
    }

    /// Runs SQL on this database directly.
    pub fn sql(&self, statement: &str) -> Vec<sea_orm::QueryResult> {
        server_sql(&self.url(), statement)
    }

    /// A URL sea-orm can open, for tests that look beneath the CLI.
    pub fn url(&self) -> String {
        match &self.server {
            Some(server) => server.url.clone(),
            None => format!("sqlite://{}", self.path.display()),
        }
    }

    /// Writes a file next to the database and returns its path.
    pub fn file(&self, name: &str, contents: impl AsRef<[u8]>) -> String {
        let path = self.path.with_file_name(name);
        std::fs::write(&path, contents).expect("write test file");
        path.to_str().expect("UTF-8 path").to_string()
    }

    /// Runs `vetted --db <this database> args...`.
    pub fn run(&self, args: &[&str]) -> Output {
        vetted()
            .arg("--db")
            .arg(self.target())
            .args(args)
            .output()
            .expect("run vetted")
    }

    /// Runs a command that must succeed; returns its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "vetted {args:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8 output")
    }

    /// Runs a command that must fail with `code`; returns its stderr.
    pub fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.run(args);
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(
            out.status.code(),
            Some(code),
            "vetted {args:?}: expected exit {code}, stderr: {stderr}"
        );
        assert!(
            out.stdout.is_empty(),
            "a failing command printed to stdout: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        stderr
    }

    /// Runs a command with `--format json` and parses its output.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.extend(["--format", "json"]);
        serde_json::from_str(&self.ok(&all)).expect("JSON output")
    }

    /// Everything a user can list, to show that a failed command wrote nothing.
    pub fn snapshot(&self) -> Value {
        serde_json::json!({
            "buyers": self.json(&["buyer", "list"]),
            "suppliers": self.json(&["supplier", "list", "--all"]),
            "sites": self.json(&["site", "list"]),
            "visits": self.json(&["visit", "list"]),
            "notes": self.json(&["note", "list"]),
            "deals": self.json(&["deal", "list"]),
            "history": self.json(&["history"]),
        })
    }

    /// Asserts that a command fails with `code`, names `field` in its message, and writes nothing.
    pub fn refuses(&self, args: &[&str], code: i32, field: &str) -> String {
        let before = self.snapshot();
        let stderr = self.fails(args, code);
        assert!(
            stderr.contains(field),
            "vetted {args:?}: message does not name '{field}': {stderr}"
        );
        assert_eq!(
            self.snapshot(),
            before,
            "vetted {args:?} failed but changed the database"
        );
        stderr
    }

    /// Two buyers, a competitor, and two suppliers: the usual starting point.
    pub fn seeded() -> Db {
        Db::seeded_on(&backend())
    }

    /// `seeded`, on `backend` whatever this thread's is.
    pub fn seeded_on(backend: &Backend) -> Db {
        let db = Db::on(backend);
        db.ok(&["buyer", "add", "Aurora Solar", "--note", "HJT line team"]);
        db.ok(&["buyer", "add", "Borealis PV"]);
        db.ok(&["buyer", "add", "Helios Energy", "--external"]);
        db.ok(&[
            "supplier",
            "add",
            "Lumina Heterojunction Equipment Co., Ltd.",
            "--native-name",
            "苏州卢米纳异质结装备有限公司",
            "--alias",
            "Lumina",
            "--country",
            "China",
            "--province",
            "Jiangsu",
            "--city",
            "Suzhou",
            "--capability",
            "hjt-full-line",
            "--capability",
            "PECVD",
            "--date",
            "2026-01-01",
        ]);
        db.ok(&[
            "supplier",
            "add",
            "Maxwell PVD GmbH",
            "--country",
            "DE",
            "--capability",
            "pvd",
            "--date",
            "2026-01-01",
        ]);
        db.ok(&[
            "site",
            "add",
            "Lumina",
            "Suzhou Plant 2",
            "--city",
            "Suzhou",
            "--lines",
            "4",
        ]);
        db
    }
}

/// The whole record (`export all`) without the log and the bookkeeping of who wrote each row:
/// what an undo must give back.
pub fn record(db: &Db) -> Value {
    let mut backup: Value = serde_json::from_str(&db.ok(&["export", "all"])).expect("a backup");
    let fields = backup.as_object_mut().expect("a backup object");
    for log in ["audit_entries", "operations", "history"] {
        fields.remove(log);
    }
    for rows in fields.values_mut() {
        for row in rows.as_array_mut().into_iter().flatten() {
            if let Some(row) = row.as_object_mut() {
                row.remove("recorded_by");
            }
        }
    }
    backup
}

pub fn array_len(value: &Value) -> usize {
    value.as_array().expect("a JSON array").len()
}

/// The names of the suppliers a report lists, in its order.
pub fn supplier_names(report: &Value) -> Vec<String> {
    report["suppliers"]
        .as_array()
        .expect("a report's suppliers")
        .iter()
        .map(|s| s["name"].as_str().expect("a supplier's name").to_string())
        .collect()
}

/// Another program's session holding a lock on a test database until dropped (or two minutes
/// have passed): SQLite's write lock, or the `supplier` table locked on a server.
pub struct LockHolder {
    release: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl LockHolder {
    pub fn lock_suppliers(db: &Db) -> LockHolder {
        let url = db.url();
        let (release, released) = std::sync::mpsc::channel::<()>();
        let (locked, is_locked) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(async move {
                    use sea_orm::{DbBackend, TransactionTrait};
                    let conn = Database::connect(url.as_str()).await.expect("connect");
                    let backend = conn.get_database_backend();
                    let txn = conn.begin().await.expect("begin");
                    let lock = match backend {
                        DbBackend::Postgres => "LOCK TABLE supplier IN ACCESS EXCLUSIVE MODE",
                        DbBackend::MySql => "LOCK TABLES supplier WRITE",
                        // Taking SQLite's write lock: any write in the open transaction.
                        _ => "UPDATE supplier SET note = note",
                    };
                    txn.execute_unprepared(lock).await.expect("lock");
                    locked.send(()).unwrap();
                    let _ = tokio::task::spawn_blocking(move || {
                        released.recv_timeout(std::time::Duration::from_secs(120))
                    })
                    .await;
                    if backend == DbBackend::MySql {
                        txn.execute_unprepared("UNLOCK TABLES").await.ok();
                    }
                    txn.rollback().await.ok();
                    conn.close().await.ok();
                });
        });
        is_locked.recv().expect("the lock is held");
        LockHolder {
            release: Some(release),
            thread: Some(thread),
        }
    }
}

impl Drop for LockHolder {
    fn drop(&mut self) {
        drop(self.release.take());
        if let Some(thread) = self.thread.take() {
            thread.join().ok();
        }
    }
}

/// A JSON report without the moment it states it was known at (`--known-at`): that one field
/// aside, a report re-run with the moment it was taken at is the same.
pub fn without_known_at(json: &str) -> String {
    let mut value: serde_json::Value = serde_json::from_str(json).expect("JSON report");
    if let Some(fields) = value.as_object_mut() {
        fields.shift_remove("known_at");
    }
    value.to_string()
}

/// The quarter of today (`2026Q4`).
pub fn this_quarter() -> String {
    use chrono::Datelike;
    let today = chrono::Local::now().date_naive();
    format!("{}Q{}", today.year(), today.month0() / 3 + 1)
}
