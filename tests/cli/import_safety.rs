//! `vetted import suppliers` beside other writers: it holds the write lock only while it writes,
//! its reject file never costs the input or a half-done import, parallel imports of one file
//! leave one record, and a killed import leaves all of it or none.

use std::io::Write;
use std::process::{Child, Stdio};
use std::thread;
use std::time::Duration;

use sea_orm::{ConnectOptions, ConnectionTrait, Database, Statement};

use crate::support::{Backend, Db, array_len, backend, vetted};

/// A CSV of `rows` new suppliers, each with a native name, an alias, capabilities and a
/// two-line note.
fn suppliers_csv(rows: usize) -> String {
    let mut csv = String::from("name,native_name,aliases,capabilities,note\n");
    for i in 0..rows {
        csv.push_str(&format!(
            "Supplier {i:07} Equipment Co. Ltd,苏州供应商{i:07}有限公司,SUP-{i:07},pecvd;pvd,\"line one\nline two\"\n"
        ));
    }
    csv
}

fn import_child(db: &Db, file: &str) -> Child {
    vetted()
        .arg("--db")
        .arg(db.target())
        .args(["-q", "import", "suppliers", file])
        .stdin(if file == "-" {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn log_a_visit(db: &Db) {
    db.ok(&["-q", "visit", "log", "Lumina", "--buyer", "Aurora Solar"]);
}

fn suppliers(db: &Db) -> usize {
    array_len(&db.json(&["supplier", "list", "--all"]))
}

/// A `visit log` while a 400,000-row import runs succeeds at once: the import reads and checks
/// the file without the write lock (before, the import held it from the start and the visit
/// failed with `database is locked` after the busy timeout). The import is then stopped: that it
/// finishes is shown by the smaller imports here, and a debug build takes minutes over this one.
#[test]
fn a_visit_logged_during_a_big_import_succeeds() {
    let db = Db::seeded();
    let file = db.file("big.csv", suppliers_csv(400_000));
    let mut import = import_child(&db, &file);
    // Give the import time to open the database and start reading.
    thread::sleep(Duration::from_millis(500));
    log_a_visit(&db);
    assert!(import.try_wait().unwrap().is_none(), "the import ended early");
    import.kill().unwrap();
    import.wait().unwrap();
    assert_eq!(array_len(&db.json(&["visit", "list"])), 1);
    assert_eq!(suppliers(&db), 2, "a killed import left part of its rows");
}

/// An import reading a pipe that stalls holds no lock: other writers carry on meanwhile, and the
/// import finishes when the pipe does.
fn an_import_reading_a_stalled_pipe_holds_no_lock() {
    let db = Db::seeded();
    let mut import = import_child(&db, "-");
    let mut stdin = import.stdin.take().unwrap();
    stdin
        .write_all(b"name,country\nStalled One Ltd,CN\nStalled Two GmbH,DE\n")
        .unwrap();
    stdin.flush().unwrap();
    // The import has its header and two rows, and waits for more.
    thread::sleep(Duration::from_secs(2));
    log_a_visit(&db);
    db.ok(&["supplier", "add", "Added Meanwhile Ltd"]);
    stdin.write_all(b"Stalled Three Inc,US\n").unwrap();
    drop(stdin);
    let out = import.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(array_len(&db.json(&["visit", "list"])), 1);
    assert_eq!(suppliers(&db), 2 + 1 + 3);
}
every_backend!(an_import_reading_a_stalled_pipe_holds_no_lock);

/// `--reject-file` naming the input (however spelled) or the database is refused before anything
/// is read, and the input is left as it was.
fn a_reject_file_is_never_the_input_or_the_database() {
    let db = Db::seeded();
    let text = "name,country\nGood One,CN\nBad Country,Atlantis\n";
    let file = db.file("list.csv", text);
    let dotted = db.path.parent().unwrap().join(".").join("list.csv");
    for reject in [file.as_str(), dotted.to_str().unwrap()] {
        let args = [
            "import",
            "suppliers",
            &file,
            "--skip-invalid",
            "--reject-file",
            reject,
        ];
        let stderr = db.refuses(&args, 65, "reject-file: ");
        assert!(stderr.contains("input"), "{stderr}");
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            text,
            "the input was changed"
        );
    }
    if backend() == Backend::Sqlite {
        let database = db.path.to_str().unwrap();
        let args = [
            "import",
            "suppliers",
            &file,
            "--skip-invalid",
            "--reject-file",
            database,
        ];
        db.refuses(&args, 65, "reject-file: ");
    }
}
every_backend!(a_reject_file_is_never_the_input_or_the_database);

/// Reading standard input, the reject file may not be what standard input is, however it is
/// named: `/dev/stdin`, `/dev/fd/0`, the redirected file's own name or a link to it. (It was
/// replaced by the rejects, exit 0.)
#[cfg(target_os = "linux")]
fn a_reject_file_is_never_the_standard_input_it_reads() {
    let db = Db::seeded();
    let text = "name,country\nGood One,CN\nBad Country,Atlantis\n";
    let file = db.file("list.csv", text);
    let link = db.path.with_file_name("link.csv");
    std::os::unix::fs::symlink(&file, &link).unwrap();
    for reject in ["/dev/stdin", "/dev/fd/0", file.as_str(), link.to_str().unwrap()] {
        let before = db.snapshot();
        let out = vetted()
            .arg("--db")
            .arg(db.target())
            .args([
                "import",
                "suppliers",
                "-",
                "--skip-invalid",
                "--reject-file",
                reject,
            ])
            .stdin(std::fs::File::open(&file).unwrap())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(65), "--reject-file {reject}: {stderr}");
        assert!(
            stderr.contains("reject-file: ") && stderr.contains("input"),
            "{stderr}"
        );
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            text,
            "the input was changed"
        );
        assert_eq!(db.snapshot(), before, "--reject-file {reject} imported something");
    }
    // Another file is written as usual.
    let rejects = db.path.with_file_name("rejects.csv");
    let out = vetted()
        .arg("--db")
        .arg(db.target())
        .args(["import", "suppliers", "-", "--skip-invalid", "--reject-file"])
        .arg(&rejects)
        .stdin(std::fs::File::open(&file).unwrap())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::read_to_string(&rejects).unwrap().contains("Bad Country"));
}
#[cfg(target_os = "linux")]
every_backend!(a_reject_file_is_never_the_standard_input_it_reads);

#[cfg(target_os = "linux")]
/// A reject file that cannot be written (a full device) fails the import before it commits:
/// non-zero exit, nothing imported.
#[cfg(target_os = "linux")]
fn a_reject_file_that_cannot_be_written_imports_nothing() {
    let db = Db::seeded();
    let file = db.file(
        "list.csv",
        "name,country\nGood One,CN\nBad Country,Atlantis\nGood Two,DE\n",
    );
    let args = [
        "import",
        "suppliers",
        &file,
        "--skip-invalid",
        "--reject-file",
        "/dev/full",
    ];
    let before = db.snapshot();
    let out = db.run(&args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the import succeeded: {stderr}");
    assert!(stderr.contains("reject-file: cannot write /dev/full"), "{stderr}");
    assert_eq!(db.snapshot(), before, "the import wrote something");
}
every_backend!(a_reject_file_that_cannot_be_written_imports_nothing);

/// Three processes importing the same file at once all succeed and leave each supplier once:
/// the imports that lose a race run again and find what the winner stored.
fn three_parallel_imports_of_one_file_leave_one_record() {
    let db = Db::seeded();
    let rows = 5_000;
    let file = db.file("list.csv", suppliers_csv(rows));
    let imports: Vec<_> = (0..3)
        .map(|_| {
            vetted()
                .arg("--db")
                .arg(db.target())
                .args(["import", "suppliers", &file, "--format", "json"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut created = 0;
    for import in imports {
        let out = import.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(summary["rows"], rows);
        created += summary["created"].as_u64().unwrap();
    }
    assert_eq!(created, rows as u64, "each supplier is created by one import");
    assert_eq!(suppliers(&db), rows + 2);
    let one = &db.json(&["supplier", "show", "SUP-0004321"])["supplier"];
    assert_eq!(one["aliases"], serde_json::json!(["SUP-0004321"]));
    assert_eq!(one["capabilities"], serde_json::json!(["pecvd", "pvd"]));
}
every_backend!(three_parallel_imports_of_one_file_leave_one_record);

/// Whether an import is writing `db` right now: on SQLite it holds the write lock; on a server its
/// transaction has changed rows.
fn import_is_writing(db: &Db, before: usize) -> bool {
    let url = db.url();
    let check = match backend() {
        // With no busy timeout, taking the write lock fails at once while another holds it.
        Backend::Sqlite => "PRAGMA busy_timeout = 0; BEGIN IMMEDIATE; ROLLBACK;".to_string(),
        Backend::Postgres(_) | Backend::Pgbouncer { .. } => {
            "SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation \
             WHERE c.relname = 'supplier' AND l.mode = 'RowExclusiveLock' \
             AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
             AND l.pid <> pg_backend_pid()"
                .to_string()
        }
        // Rows not yet committed, read as they are (the session reads uncommitted rows; through
        // sqlx's prepared statements, information_schema.innodb_trx shows no transaction).
        Backend::Mysql(_) => format!("SELECT 1 FROM supplier HAVING count(*) > {before}"),
    };
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async move {
            // One connection, so that the session setting holds for the query.
            let mut options = ConnectOptions::new(url.as_str());
            options.max_connections(1);
            let Ok(conn) = Database::connect(options).await else {
                return false;
            };
            let backend = conn.get_database_backend();
            let writing = match backend {
                sea_orm::DbBackend::Sqlite => conn.execute_unprepared(&check).await.is_err(),
                _ => {
                    if backend == sea_orm::DbBackend::MySql {
                        conn.execute_unprepared("SET SESSION TRANSACTION ISOLATION LEVEL READ UNCOMMITTED")
                            .await
                            .unwrap();
                    }
                    conn.query_all_raw(Statement::from_string(backend, check))
                        .await
                        .is_ok_and(|rows| !rows.is_empty())
                }
            };
            conn.close().await.ok();
            writing
        })
}

/// `kill -9` while an import writes leaves none of it; the import run again stores all of it.
fn an_import_killed_while_writing_leaves_nothing() {
    let db = Db::seeded();
    let rows = 60_000;
    // On SQLite, opening the database may take the lock for a moment: there, writing is only
    // believed when seen twice in a row.
    let sightings = if backend() == Backend::Sqlite { 2 } else { 1 };
    // An import that finishes before it is seen writing (a busy machine) is simply tried again
    // with new names.
    for attempt in 0..3 {
        let csv = suppliers_csv(rows).replace("Supplier ", &format!("Supplier {attempt}-"));
        let csv = csv
            .replace("SUP-", &format!("SUP{attempt}-"))
            .replace("供应商", &format!("供应商{attempt}"));
        let file = db.file(&format!("big-{attempt}.csv"), csv);
        let before = suppliers(&db);
        let mut import = import_child(&db, &file);
        let mut seen = 0;
        while import.try_wait().unwrap().is_none() {
            seen = if import_is_writing(&db, before) {
                seen + 1
            } else {
                0
            };
            if seen == sightings {
                import.kill().unwrap(); // SIGKILL
                break;
            }
            thread::sleep(Duration::from_millis(20));
        }
        let status = import.wait().unwrap();
        if seen < sightings {
            assert!(status.success(), "the import failed");
            assert_eq!(suppliers(&db), before + rows);
            continue;
        }
        assert_eq!(suppliers(&db), before, "a killed import left part of its rows");
        db.ok(&["-q", "import", "suppliers", &file]);
        assert_eq!(suppliers(&db), before + rows);
        return;
    }
    panic!("three imports finished before they were seen writing");
}
every_backend!(an_import_killed_while_writing_leaves_nothing);
