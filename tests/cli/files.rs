//! Files and databases: outputs never overwrite the database, and are whole or absent.

use crate::support::{Db, vetted};

/// `--out` naming the SQLite database or one of its companions is refused, however it is spelled,
/// and the database keeps working.
#[test]
fn an_output_is_never_the_database() {
    let db = Db::seeded();
    let path = db.path.to_str().unwrap().to_string();
    let folder = db.path.parent().unwrap();
    let link = folder.join("report-link.txt");
    std::os::unix::fs::symlink(&db.path, &link).unwrap();
    let dotted = folder.join(".").join("vetted.db");
    let targets = [
        path.clone(),
        format!("{path}-wal"),
        format!("{path}-shm"),
        dotted.to_str().unwrap().to_string(),
        link.to_str().unwrap().to_string(),
    ];
    for target in &targets {
        for args in [
            vec!["report", "status", "--out", target],
            vec!["report", "gaps", "--buyer", "Aurora Solar", "--out", target],
            vec!["report", "status", "--format", "html", "--out", target],
            vec!["export", "suppliers", "--out", target],
            vec!["export", "all", "--out", target],
        ] {
            let stderr = db.refuses(&args, 65, "out: ");
            assert!(stderr.contains("database"), "{stderr}");
        }
    }
    db.ok(&["buyer", "add", "Cirrus"]);
    assert_eq!(db.json(&["buyer", "list"]).as_array().unwrap().len(), 4);
}

/// A write error (here a full device) is reported as the output's error, with exit 65.
#[test]
fn an_output_that_cannot_be_written_is_reported() {
    let db = Db::seeded();
    for args in [
        ["report", "status", "--out", "/dev/full"].as_slice(),
        &["export", "suppliers", "--out", "/dev/full"],
        &["export", "all", "--out", "/dev/full"],
    ] {
        let stderr = db.fails(args, 65);
        assert!(stderr.contains("out: cannot write /dev/full"), "{stderr}");
    }
}

/// A command killed while writing its output (here by the file size limit, SIGXFSZ) leaves the
/// file it names as it was, never half a report.
#[test]
fn an_interrupted_output_leaves_the_old_file() {
    let db = Db::new();
    let rows: String = (0..20_000)
        .map(|i| format!("Supplier number {i} of a long list of equipment makers,DE,pvd\n"))
        .collect();
    let csv = db.file("many.csv", format!("name,country,capabilities\n{rows}"));
    db.ok(&["import", "suppliers", &csv]);
    let out = db.file("suppliers.csv", "OLD\n");
    let status = std::process::Command::new("sh")
        .arg("-c")
        // 256 blocks: 128 or 256 KiB depending on the shell; the export is over a megabyte.
        .arg("ulimit -f 256 && exec \"$0\" --db \"$1\" export suppliers --out \"$2\"")
        .arg(env!("CARGO_BIN_EXE_vetted"))
        .arg(&db.path)
        .arg(&out)
        .status()
        .unwrap();
    assert!(!status.success(), "the export was meant to be cut off");
    let left = std::fs::read_to_string(&out).unwrap();
    assert!(
        left == "OLD\n",
        "the old file was replaced by {} bytes",
        left.len()
    );
    db.ok(&["export", "suppliers", "--out", &out]);
    assert!(std::fs::read_to_string(&out).unwrap().lines().count() > 20_000);
}

/// Every command that only reads, on a SQLite file that does not exist.
const READS: &[&[&str]] = &[
    &["buyer", "list"],
    &["supplier", "list"],
    &["supplier", "show", "Lumina"],
    &["site", "list"],
    &["visit", "list"],
    &["visit", "show", "1"],
    &["note", "list"],
    &["deal", "list"],
    &["deal", "history", "Lumina", "--buyer", "Aurora Solar"],
    &["report", "status"],
    &["report", "gaps", "--buyer", "Aurora Solar"],
    &["export", "all"],
    &["export", "suppliers"],
    &["history"],
    &["db", "status"],
];

/// A command that only reads never creates a database: 66, `no database at PATH`, no file and no
/// folder made. A command that writes creates it and says so, once.
#[test]
fn only_a_command_that_writes_creates_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new/vetted.db");
    let db = path.to_str().unwrap();
    for args in READS {
        let out = vetted().args(["--db", db]).args(*args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(66), "{args:?}: {stderr}");
        assert!(
            stderr.contains(&format!("no database at {db}")),
            "{args:?}: {stderr}"
        );
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(!path.parent().unwrap().exists(), "{args:?} created something");
    }
    let out = vetted()
        .args(["--db", db, "buyer", "add", "Aurora Solar"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains(&format!("created database at {db}")), "{stderr}");
    let out = vetted()
        .args(["--db", db, "buyer", "add", "Borealis PV"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = vetted().args(["--db", db, "buyer", "list"]).output().unwrap();
    assert!(out.status.success());
}

/// `--db ''` is a mistake, not the default database.
#[test]
fn an_empty_db_is_refused() {
    let home = tempfile::tempdir().unwrap();
    for empty in ["", " "] {
        for args in [["buyer", "add", "Aurora Solar"], ["buyer", "list", "--quiet"]] {
            let out = vetted()
                .env("HOME", home.path())
                .env("XDG_DATA_HOME", home.path().join("data"))
                .args(["--db", empty])
                .args(args)
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(65), "{stderr}");
            assert!(stderr.contains("db: "), "{stderr}");
        }
    }
    assert!(
        !home.path().join("data").exists(),
        "the default database was created"
    );
}

/// After any command, the SQLite file alone (without its -wal) holds everything.
#[test]
fn the_database_file_alone_is_complete_after_each_command() {
    let db = Db::seeded();
    let copy_dir = tempfile::tempdir().unwrap();
    let copy = copy_dir.path().join("copy.db");
    let check = |buyers: usize| {
        std::fs::copy(&db.path, &copy).unwrap();
        for companion in ["copy.db-wal", "copy.db-shm"] {
            let _ = std::fs::remove_file(copy_dir.path().join(companion));
        }
        let out = vetted()
            .args([
                "--db",
                copy.to_str().unwrap(),
                "buyer",
                "list",
                "--format",
                "json",
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(listed.as_array().unwrap().len(), buyers, "{listed}");
    };
    check(3);
    // Without a checkpoint on close, the last write's pages may stay in the -wal file (whether
    // they do is a race at exit), so several writes are checked.
    for n in 4..=12 {
        db.ok(&["buyer", "add", &format!("Buyer {n}")]);
        check(n);
    }
}
