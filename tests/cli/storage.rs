//! Where the database lives and how its schema is kept in step with the binary.

use crate::support::{Backend, Db, vetted};

#[test]
fn the_default_database_is_created_in_the_data_directory() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("deep/data");
    let out = vetted()
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", &data)
        .args(["buyer", "add", "Aurora Solar"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(data.join("vetted/vetted.db").exists());
}

#[test]
fn vetted_db_names_the_database_and_db_overrides_it() {
    let dir = tempfile::tempdir().unwrap();
    let env_db = dir.path().join("from-env.db");
    let flag_db = dir.path().join("from-flag.db");
    let run = |args: &[&str]| vetted().env("VETTED_DB", &env_db).args(args).output().unwrap();
    assert!(run(&["buyer", "add", "Aurora Solar"]).status.success());
    assert!(env_db.exists());
    let flag = flag_db.to_str().unwrap();
    assert!(run(&["--db", flag, "buyer", "add", "Borealis"]).status.success());
    let listed = run(&["--db", flag, "buyer", "list", "--format", "json"]);
    let buyers: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(buyers.as_array().unwrap().len(), 1);
    assert_eq!(buyers[0]["name"], "Borealis");
    let sqlite_url = format!("sqlite://{}", env_db.display());
    let listed = vetted()
        .args(["--db", &sqlite_url, "buyer", "list", "--format", "json"])
        .output()
        .unwrap();
    let buyers: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(buyers[0]["name"], "Aurora Solar");
}

#[test]
fn sqlite_runs_in_wal_mode_with_the_schema_applied() {
    let db = Db::seeded();
    let mode: String = db.sql("PRAGMA journal_mode")[0].try_get_by_index(0).unwrap();
    assert_eq!(mode, "wal");
    let applied = db.sql("SELECT version FROM seaql_migrations");
    assert!(!applied.is_empty());
    let status = db.json(&["db", "status"]);
    assert!(
        status.as_array().unwrap().iter().all(|m| m["state"] == "applied"),
        "{status}"
    );
}

fn a_database_from_a_newer_vetted_is_refused() {
    let db = Db::seeded();
    db.sql(
        "INSERT INTO seaql_migrations (version, applied_at) VALUES ('m20991231_000001_from_the_future', 0)",
    );
    let count = |table: &str| -> i64 {
        db.sql(&format!("SELECT count(*) FROM {table}"))[0]
            .try_get_by_index(0)
            .unwrap()
    };
    let before = (count("buyer"), count("audit_entry"), count("seaql_migrations"));
    let err = db.fails(&["buyer", "list"], 69);
    assert!(err.contains("migrated by a newer vetted"), "{err}");
    assert!(err.contains("m20991231_000001_from_the_future"), "{err}");
    db.fails(&["buyer", "add", "Cirrus"], 69);
    db.fails(&["db", "migrate"], 69);
    let status = db.json(&["db", "status"]);
    assert!(status.to_string().contains("newer vetted"), "{status}");
    let after = (count("buyer"), count("audit_entry"), count("seaql_migrations"));
    assert_eq!(after, before, "the newer database was left untouched");
}
every_backend!(a_database_from_a_newer_vetted_is_refused);

#[test]
fn an_unusable_database_path_exits_69() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "not a folder").unwrap();
    let db = blocker.join("vetted.db");
    let out = vetted()
        .arg("--db")
        .arg(&db)
        .args(["buyer", "add", "Aurora Solar"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(69),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = vetted()
        .args(["--db", "redis://localhost", "buyer", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(65));
}

/// Fails when a message carries a driver's own words rather than vetted's.
fn assert_plain(stderr: &str) {
    for raw in [
        "error returned from database",
        "(code:",
        "Execution Error",
        "Query Error",
        "Connection Error",
        "malformed",
        "locked",
    ] {
        assert!(!stderr.contains(raw), "a raw driver message: {stderr}");
    }
}

/// Bytes that are no database: a fixed pseudo-random pattern.
fn garbage(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i.wrapping_mul(7919) % 251) as u8).collect()
}

/// The SQLite file alone, with the write-ahead log folded in.
fn checkpointed(db: &Db) -> Vec<u8> {
    db.sql("PRAGMA wal_checkpoint(TRUNCATE)");
    std::fs::read(&db.path).unwrap()
}

/// A database vetted may only read: a SQLite file SQLite opens read-only, a PostgreSQL database
/// whose transactions are read-only (as on a standby). The tests run as root, whom file
/// permissions do not stop, so the SQLite file's header says it instead: a write version above 2
/// makes SQLite open the file read-only, as it does a file the user may not write
/// (`SQLITE_READONLY` either way). MariaDB has no read-only database (its read-only mode is the
/// whole server's), so that run is skipped.
fn a_write_to_a_read_only_database_is_refused_plainly() {
    let db = Db::seeded();
    match &db.server {
        None => {
            let mut bytes = checkpointed(&db);
            bytes[18] = 3;
            std::fs::write(&db.path, bytes).unwrap();
        }
        Some(_) if crate::support::backend().is_postgres() => {
            let name = db.url().rsplit('/').next().unwrap().to_string();
            db.sql(&format!(
                "ALTER DATABASE \"{name}\" SET default_transaction_read_only = on"
            ));
            // Sessions take the setting when they start: a pooler's open server connections
            // are ended, so that it opens new ones.
            db.sql(&format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE datname = '{name}' AND pid <> pg_backend_pid()"
            ));
        }
        Some(_) => {
            eprintln!("skipped: MariaDB has no read-only database");
            return;
        }
    }
    let before = db.json(&["buyer", "list"]);
    let stderr = db.fails(&["buyer", "add", "Nova Cells"], 69);
    assert!(stderr.contains("read-only"), "{stderr}");
    assert_plain(&stderr);
    let stderr = db.fails(
        &[
            "deal",
            "set",
            "Lumina",
            "--buyer",
            "Aurora Solar",
            "--status",
            "prospect",
        ],
        69,
    );
    assert!(stderr.contains("read-only"), "{stderr}");
    assert_eq!(db.json(&["buyer", "list"]), before);
}
every_backend!(a_write_to_a_read_only_database_is_refused_plainly);

#[test]
fn a_file_that_is_not_a_database_is_reported_plainly() {
    let db = Db::new();
    std::fs::write(&db.path, garbage(64 * 1024)).unwrap();
    for args in [&["buyer", "add", "Nova Cells"][..], &["buyer", "list"]] {
        let stderr = db.fails(args, 69);
        assert!(stderr.contains("not a vetted database"), "{stderr}");
        assert_plain(&stderr);
    }
    assert_eq!(std::fs::read(&db.path).unwrap(), garbage(64 * 1024));
}

#[test]
fn a_damaged_sqlite_file_is_reported_plainly() {
    let db = Db::seeded();
    let mut bytes = checkpointed(&db);
    // The first page (the schema) stays; every table's pages are overwritten.
    let damaged = bytes.len() - 4096;
    bytes[4096..].copy_from_slice(&garbage(damaged));
    std::fs::write(&db.path, bytes).unwrap();
    for args in [
        &["visit", "log", "Lumina", "--buyer", "Aurora Solar"][..],
        &["buyer", "list"],
    ] {
        let stderr = db.fails(args, 69);
        assert!(stderr.contains("damaged"), "{stderr}");
        assert_plain(&stderr);
    }
}

/// While another process holds the write lock past every retry, a writer gives up with 69 and
/// says why; once the lock is gone, the same command succeeds.
#[test]
fn a_writer_kept_waiting_past_the_retries_hears_the_database_is_busy() {
    use sea_orm::{Database, SqliteTransactionMode, TransactionOptions, TransactionTrait};
    let db = Db::seeded();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let conn = Database::connect(db.url()).await.unwrap();
            let lock = conn
                .begin_with_options(TransactionOptions {
                    sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                    ..Default::default()
                })
                .await
                .unwrap();
            let stderr = db.fails(&["buyer", "add", "Nova Cells"], 69);
            assert!(stderr.contains("database busy"), "{stderr}");
            assert_plain(&stderr);
            lock.rollback().await.unwrap();
            conn.close().await.unwrap();
        });
    db.ok(&["buyer", "add", "Nova Cells"]);
}

/// A database error vetted has no class for (here a table dropped by hand) is reported as a bug
/// with the driver's code only (exit 70), never with the driver's message.
fn an_unexpected_database_error_shows_its_code_not_the_driver_message() {
    let db = Db::seeded();
    db.sql("DROP TABLE note");
    let stderr = db.fails(&["note", "list"], 70);
    assert!(stderr.contains("please report it"), "{stderr}");
    let code = match crate::support::backend() {
        Backend::Sqlite => "SQLite 1",
        Backend::Postgres(_) | Backend::Pgbouncer { .. } => "SQLSTATE 42P01",
        Backend::Mysql(_) => "MySQL 1146",
    };
    assert!(stderr.contains(code), "{stderr}");
    assert!(!stderr.contains("note"), "{stderr}");
    assert_plain(&stderr);
}
every_backend!(an_unexpected_database_error_shows_its_code_not_the_driver_message);

/// A SQLite database on a full disk: the write is refused with 69 and a plain reason, and what
/// the database held before is all there, unchanged. The disk is a 2 MiB tmpfs mounted for the
/// test (skipped where mounting is not allowed).
#[test]
fn a_write_to_a_full_disk_is_refused_plainly() {
    let dir = tempfile::tempdir().unwrap();
    let Some(disk) = SmallDisk::mount(dir.path(), "2m") else {
        eprintln!("skipped: mounting a small tmpfs is not allowed here (not root?)");
        return;
    };
    let path = disk.0.join("vetted.db");
    let run = |args: &[&str]| vetted().arg("--db").arg(&path).args(args).output().unwrap();
    assert!(run(&["buyer", "add", "Aurora Solar"]).status.success());
    assert!(run(&["supplier", "add", "Lumina"]).status.success());
    let before = run(&["--format", "json", "supplier", "list", "--all"]).stdout;
    // Rows of long notes, far more than the disk holds (the file itself lies on the big disk).
    let csv = dir.path().join("big.csv");
    let note = "x".repeat(60_000);
    let mut text = String::from("name,note\n");
    for i in 0..200 {
        text.push_str(&format!("Maker {i},{note}\n"));
    }
    std::fs::write(&csv, text).unwrap();
    let out = run(&["import", "suppliers", csv.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(69), "{stderr}");
    assert!(stderr.contains("disk holding the database is full"), "{stderr}");
    assert_plain(&stderr);
    assert_eq!(
        run(&["--format", "json", "supplier", "list", "--all"]).stdout,
        before
    );
    // The failed import took back the room it had used: a small change still fits.
    assert!(run(&["buyer", "add", "Nova Cells"]).status.success());
}

/// A tmpfs of a given size, unmounted when dropped.
struct SmallDisk(std::path::PathBuf);

impl SmallDisk {
    fn mount(parent: &std::path::Path, size: &str) -> Option<SmallDisk> {
        let point = parent.join("disk");
        std::fs::create_dir(&point).ok()?;
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&point)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        mounted.then_some(SmallDisk(point))
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}
