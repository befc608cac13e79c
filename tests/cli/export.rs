//! `vetted export` and full backups.

use crate::support::{Db, array_len};

fn populated() -> Db {
    populate(Db::seeded())
}

/// A seeded database with a little of everything.
fn populate(db: Db) -> Db {
    db.ok(&[
        "supplier",
        "add",
        "+Plus Vacuum Co",
        "--note",
        "=HYPERLINK(\"http://evil.example\")",
        "--alias",
        "@plus",
    ]);
    db.ok(&[
        "visit",
        "log",
        "Lumina",
        "--buyer",
        "Aurora Solar",
        "--site",
        "Suzhou Plant 2",
        "--date",
        "2026-02-03",
        "--visitor",
        "Li Wei",
        "--finding",
        "major:leak",
    ]);
    db.ok(&[
        "note",
        "resolve",
        "1",
        "--date",
        "2026-02-10",
        "--resolution",
        "fixed",
    ]);
    db.ok(&[
        "deal",
        "set",
        "Lumina",
        "--buyer",
        "Aurora Solar",
        "--status",
        "signed",
        "--date",
        "2026-03-01",
        "--value",
        "1250000.50",
        "--currency",
        "CNY",
    ]);
    db
}

fn an_exported_supplier_csv_imports_back_to_the_same_suppliers() {
    let db = populated();
    let exported = db.ok(&["export", "suppliers", "--raw"]);
    assert!(
        exported.starts_with("name,native_name,aliases,capabilities,country,province,city"),
        "{exported}"
    );
    let fresh = Db::new();
    let file = fresh.file("suppliers.csv", &exported);
    fresh.ok(&["import", "suppliers", &file]);
    let strip = |list: serde_json::Value| -> Vec<serde_json::Value> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|s| {
                let mut s = s.clone();
                s.as_object_mut().unwrap().remove("id");
                s
            })
            .collect()
    };
    assert_eq!(
        strip(fresh.json(&["supplier", "list", "--all"])),
        strip(db.json(&["supplier", "list", "--all"]))
    );
    assert_eq!(
        fresh.ok(&["export", "suppliers", "--raw"]),
        exported,
        "and exports the same again"
    );
}
every_backend!(an_exported_supplier_csv_imports_back_to_the_same_suppliers);

fn an_empty_supplier_export_names_its_columns_and_imports_back() {
    let db = Db::new();
    let exported = db.ok(&["export", "suppliers"]);
    assert!(
        exported.starts_with("name,native_name,aliases,capabilities,"),
        "{exported:?}"
    );
    let file = db.file("suppliers.csv", &exported);
    db.ok(&["import", "suppliers", &file]);
    assert_eq!(db.json(&["supplier", "list", "--all"]), serde_json::json!([]));
}
every_backend!(an_empty_supplier_export_names_its_columns_and_imports_back);

/// Every export of nothing is a CSV with its header row, not an empty cell (it was `""`).
fn every_empty_export_names_its_columns() {
    let db = Db::new();
    for (kind, header) in [
        ("buyers", "id,name,kind,note"),
        (
            "sites",
            "id,supplier_id,supplier,name,city,province,country,lines",
        ),
        (
            "visits",
            "id,date,supplier_id,supplier,buyer_id,buyer,site_id,site,visitors,purpose",
        ),
        (
            "notes",
            "id,supplier_id,supplier,visit_id,date,topic,severity,text,status",
        ),
        (
            "deals",
            "id,buyer_id,buyer,supplier_id,supplier,status,since,value,currency,scope",
        ),
    ] {
        let exported = db.ok(&["export", kind]);
        assert!(exported.starts_with(header), "{kind}: {exported:?}");
        assert_eq!(exported.lines().count(), 1, "{kind}: {exported:?}");
    }
}
every_backend!(every_empty_export_names_its_columns);

fn formula_like_cells_are_neutralised_unless_raw() {
    let db = populated();
    let safe = db.ok(&["export", "suppliers"]);
    let mut reader = csv::Reader::from_reader(safe.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let plus = rows.iter().find(|r| r[0].contains("Plus Vacuum")).unwrap();
    assert_eq!(&plus[0], "'+Plus Vacuum Co");
    assert_eq!(&plus[2], "'@plus");
    assert_eq!(&plus[10], "'=HYPERLINK(\"http://evil.example\")");
    let raw = db.ok(&["export", "suppliers", "--raw"]);
    assert!(raw.contains("\n+Plus Vacuum Co,"), "{raw}");
}
every_backend!(formula_like_cells_are_neutralised_unless_raw);

fn every_kind_exports_as_csv_and_json() {
    let db = populated();
    for (kind, rows) in [
        ("suppliers", 3),
        ("buyers", 3),
        ("sites", 1),
        ("visits", 1),
        ("notes", 1),
        ("deals", 1),
    ] {
        let json = db.json(&["export", kind]);
        assert_eq!(array_len(&json), rows, "{kind}");
        let csv = db.ok(&["export", kind, "--format", "csv"]);
        assert_eq!(
            csv::Reader::from_reader(csv.as_bytes()).records().count(),
            rows,
            "{kind}"
        );
    }
    let deals = db.json(&["export", "deals"]);
    assert_eq!(deals[0]["value"], "1250000.50");
    let out = db.path.with_file_name("visits.csv");
    db.ok(&["export", "visits", "--out", out.to_str().unwrap()]);
    assert!(std::fs::read_to_string(&out).unwrap().contains("Li Wei"));
    db.fails(&["export", "deals", "--format", "md"], 65);
}
every_backend!(every_kind_exports_as_csv_and_json);

fn a_backup_restores_into_an_empty_database_and_round_trips() {
    let db = populated();
    let backup = db.path.with_file_name("backup.json");
    let backup = backup.to_str().unwrap();
    db.ok(&["export", "all", "--out", backup]);
    let restored = Db::new();
    restored.ok(&["import", "all", backup]);
    assert_eq!(
        restored.snapshot(),
        db.snapshot(),
        "ids, history and audit are all back"
    );
    let again = restored.path.with_file_name("again.json");
    restored.ok(&["export", "all", "--out", again.to_str().unwrap()]);
    assert_eq!(
        std::fs::read(&again).unwrap(),
        std::fs::read(backup).unwrap(),
        "export → import → export is identical"
    );
    // New records continue after the restored ids.
    let visit = restored.json(&["visit", "log", "Maxwell", "--buyer", "Aurora Solar"]);
    assert_eq!(visit["id"], 2);
}
every_backend!(a_backup_restores_into_an_empty_database_and_round_trips);

fn a_backup_is_refused_where_it_does_not_belong() {
    let db = populated();
    let backup = db.path.with_file_name("backup.json");
    db.ok(&["export", "all", "--out", backup.to_str().unwrap()]);
    db.refuses(&["import", "all", backup.to_str().unwrap()], 65, "empty database");
    let fresh = Db::new();
    let not_json = fresh.file("broken.json", "{\"format\": \"vetted-backup\", \"version\": 1,");
    fresh.refuses(&["import", "all", &not_json], 65, "not a vetted backup");
    let text = std::fs::read_to_string(&backup)
        .unwrap()
        .replace("\"version\": 2", "\"version\": 99");
    let future = fresh.file("future.json", text);
    fresh.refuses(&["import", "all", &future], 65, "backup version 99");
    fresh.fails(&["import", "all", "/nonexistent/backup.json"], 66);
}
every_backend!(a_backup_is_refused_where_it_does_not_belong);

/// A backup taken on SQLite, restored on this backend and exported again, is the same file:
/// every backend keeps times to the microsecond and amounts as they were written (MariaDB kept
/// whole seconds).
fn a_backup_moved_between_backends_exports_the_same() {
    // Made on SQLite, whatever this thread's backend.
    let source = populate(Db::seeded_on(&crate::support::Backend::Sqlite));
    let backup = source.path.with_file_name("sqlite-backup.json");
    source.ok(&["export", "all", "--out", backup.to_str().unwrap()]);
    let db = Db::new();
    db.ok(&["import", "all", backup.to_str().unwrap()]);
    let again = db.ok(&["export", "all"]);
    assert_eq!(again, std::fs::read_to_string(&backup).unwrap());
}
every_backend!(a_backup_moved_between_backends_exports_the_same);
