//! The operation log, undo, and `--known-at`: every command that writes is one operation, can be
//! taken back (and the undo taken back in turn), and a report re-run with the moment it was
//! taken at gives the same answer.

use serde_json::Value;

use crate::support::{Db, array_len, record, without_known_at};

/// The newest operation, as `vetted log` shows it.
fn latest(db: &Db) -> Value {
    db.json(&["log", "--limit", "1"])[0].clone()
}

fn each_writing_command_is_undone_and_redone() {
    let db = Db::seeded();
    let csv = db.file(
        "suppliers.csv",
        "name,country,capabilities\nNova Deposition,CN,pecvd\nMaxwell PVD GmbH,DE,pvd;sputtering\n",
    );
    let commands: Vec<Vec<&str>> = vec![
        vec!["buyer", "add", "Cygnus Modules"],
        vec![
            "supplier",
            "add",
            "Orion Tools",
            "--capability",
            "pvd",
            "--alias",
            "Orion",
        ],
        vec![
            "supplier",
            "edit",
            "Lumina",
            "--city",
            "Wuxi",
            "--remove-capability",
            "PECVD",
            "--alias",
            "LHE",
            "--remove-alias",
            "Lumina",
        ],
        vec!["supplier", "archive", "Orion"],
        vec!["supplier", "archive", "--restore", "Orion"],
        vec!["site", "add", "Lumina", "Wujiang Plant", "--lines", "2"],
        vec![
            "visit",
            "log",
            "Lumina",
            "--buyer",
            "Aurora",
            "--site",
            "Suzhou Plant 2",
            "--visitor",
            "Ann Lee",
            "--date",
            "2026-11-02",
            "--finding",
            "major:leaking chamber seal",
        ],
        vec!["note", "add", "--supplier", "Lumina", "desk note on pricing"],
        vec!["note", "resolve", "2", "--resolution", "quoted again"],
        vec![
            "deal",
            "set",
            "Lumina",
            "--buyer",
            "Aurora",
            "--status",
            "evaluating",
            "--date",
            "2026-10-01",
        ],
        vec![
            "deal",
            "set",
            "Lumina",
            "--buyer",
            "Aurora",
            "--status",
            "negotiating",
            "--value",
            "2500000",
            "--currency",
            "USD",
        ],
        vec!["import", "suppliers", &csv],
    ];
    for command in commands {
        let before = record(&db);
        db.ok(&command);
        let after = record(&db);
        assert_ne!(after, before, "{command:?} changed nothing");
        let done = latest(&db);
        let undo = db.json(&["undo"]);
        assert_eq!(
            undo["undone"]["id"], done["id"],
            "undo takes back {command:?}, the latest"
        );
        assert_eq!(
            record(&db),
            before,
            "undo of {command:?} gives back the record before it"
        );
        // Undoing the undo redoes the command, ids and all, so that the next command finds what
        // it refers to.
        let redo = undo["operation"].as_str().expect("the undo's id").to_string();
        let redone = db.json(&["undo", &redo]);
        assert_eq!(redone["redo"], true);
        assert_eq!(record(&db), after, "undo of the undo of {command:?} redoes it");
    }
    let log = db.json(&["log"]);
    let summaries: Vec<&str> = log.as_array().unwrap()[..3]
        .iter()
        .map(|op| op["summary"].as_str().unwrap())
        .collect();
    assert!(summaries[0].starts_with("redid imported"), "{summaries:?}");
    assert!(summaries[1].starts_with("undid imported"), "{summaries:?}");
    assert!(summaries[2].starts_with("imported"), "{summaries:?}");
    // Each names the undo that took it back: the import its undo, that undo its redo.
    let ops = log.as_array().unwrap();
    assert_eq!(ops[2]["undone_by"], ops[1]["id"], "{summaries:?}");
    assert_eq!(ops[1]["undone_by"], ops[0]["id"], "{summaries:?}");
    assert!(ops[0]["undone_by"].is_null());
}

fn every_write_is_one_operation_with_its_changes() {
    let db = Db::new();
    db.ok(&["--actor", "maria", "buyer", "add", "Aurora Solar"]);
    db.ok(&[
        "supplier",
        "add",
        "Lumina",
        "--capability",
        "hjt-full-line",
        "--alias",
        "LHE",
    ]);
    db.ok(&["supplier", "edit", "Lumina", "--city", "Suzhou"]);
    // A command that changes nothing leaves no operation.
    db.ok(&["supplier", "edit", "Lumina", "--city", "Suzhou"]);
    let log = db.json(&["log"]);
    assert_eq!(array_len(&log), 3, "{log:#}");
    let edit = &log[0];
    assert_eq!(edit["summary"], "edited supplier Lumina");
    assert_eq!(edit["actor"], "tester");
    assert!(
        edit["command"]
            .as_str()
            .unwrap()
            .ends_with("supplier edit Lumina --city Suzhou")
    );
    assert_eq!(edit["undoes"], Value::Null);
    let changes = edit["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{changes:#?}");
    assert_eq!(changes[0]["entity"], "supplier");
    assert_eq!(changes[0]["before"]["city"], Value::Null);
    assert_eq!(changes[0]["after"]["city"], "Suzhou");
    let add = &log[1];
    let entities: Vec<&str> = add["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["entity"].as_str().unwrap())
        .collect();
    assert_eq!(entities, ["supplier", "supplier_alias", "supplier_capability"]);
    assert!(
        add["changes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["before"].is_null())
    );
    // Ids are UUIDv7: time-ordered, version 7.
    let ids: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|op| op["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.iter().all(|id| id.len() == 36 && id.as_bytes()[14] == b'7'),
        "{ids:?}"
    );
    assert!(ids[0] > ids[1] && ids[1] > ids[2], "newest first: {ids:?}");
    // Filters.
    assert_eq!(array_len(&db.json(&["log", "--actor", "maria"])), 1);
    assert_eq!(array_len(&db.json(&["log", "--supplier", "Lumina"])), 2);
    assert_eq!(
        array_len(&db.json(&["log", "--since", "2000-01-01", "--limit", "2"])),
        2
    );
    assert_eq!(array_len(&db.json(&["log", "--since", "2100-01-01"])), 0);
    let table = db.ok(&["log"]);
    let newest = db.json(&["log", "--limit", "1"])[0]["seq"].as_i64().unwrap();
    assert!(
        table.contains("edited supplier Lumina") && table.contains(&format!("#{newest}")),
        "{table}"
    );
    db.refuses(&["log", "--limit", "0"], 65, "limit");
}

fn an_import_is_one_operation_that_created_every_supplier() {
    let db = Db::new();
    let rows: String = (0..1_000)
        .map(|i| format!("Maker {i:04},CN,pecvd;pvd\n"))
        .collect();
    let csv = db.file("makers.csv", format!("name,country,capabilities\n{rows}"));
    let before = record(&db);
    db.ok(&["import", "suppliers", &csv]);
    let import = latest(&db);
    assert!(
        import["summary"].as_str().unwrap().starts_with("imported"),
        "{import}"
    );
    assert_eq!(import["records"][0]["entity"], "supplier");
    assert_eq!(import["records"][0]["records"], 1_000);
    let every: Value =
        serde_json::from_str(&db.ok(&["log", "--limit", "1", "--changes", "--format", "json"])).unwrap();
    let created = every[0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["entity"] == "supplier" && c["before"].is_null())
        .count();
    assert_eq!(created, 1_000);
    // A supplier's history starts with the operation that created it, an import too.
    let history = db.json(&["history", "--supplier", "Maker 0500"]);
    assert_eq!(history[0]["action"], "import.suppliers", "{history:#}");
    let ops = db.json(&["log", "--supplier", "Maker 0500"]);
    assert_eq!(ops[0]["id"], import["id"]);
    // What an undo of thousands of records takes back is counted, not listed.
    let table = db.ok(&["undo", "--dry-run"]);
    assert!(
        table.contains("1000 supplier,") && table.contains("2000 supplier_capability"),
        "{table}"
    );
    assert!(table.lines().count() < 5, "{table}");
    let dry = db.json(&["undo", "--dry-run"]);
    assert_eq!(array_len(&dry["undone"]["changes"]), 0);
    assert_eq!(dry["undone"]["records"][1]["records"], 2_000);
    let table = db.ok(&["undo"]);
    assert!(
        table.contains("Undid operation") && table.contains("took back"),
        "{table}"
    );
    assert_eq!(record(&db), before, "undoing the import removes all it created");
}

fn undo_is_refused_after_a_later_change_to_the_same_records() {
    let db = Db::seeded();
    db.ok(&["supplier", "edit", "Maxwell", "--city", "Dresden"]);
    let edit = latest(&db)["id"].as_str().unwrap().to_string();
    db.ok(&[
        "--actor", "otto", "supplier", "edit", "Maxwell", "--city", "Leipzig",
    ]);
    let later = latest(&db)["id"].as_str().unwrap().to_string();
    let message = db.refuses(&["undo", &edit], 65, &later);
    assert!(
        message.contains("supplier") && message.contains("otto"),
        "{message}"
    );
    // A supplier another operation added a visit to cannot be un-added.
    db.ok(&["supplier", "add", "Orion Tools"]);
    let add = latest(&db)["id"].as_str().unwrap().to_string();
    db.ok(&["--actor", "otto", "visit", "log", "Orion", "--buyer", "Aurora"]);
    let visit = latest(&db)["id"].as_str().unwrap().to_string();
    let message = db.refuses(&["undo", &add], 65, &visit);
    assert!(message.contains("visit"), "{message}");
    // Already undone; a dry run changes nothing; an unknown id is refused.
    let undo = db.json(&["--actor", "otto", "undo"]);
    assert_eq!(undo["undone"]["id"], visit.as_str());
    db.refuses(&["undo", &visit], 65, "already undone");
    let dry = db.json(&["undo", &add, "--dry-run"]);
    assert_eq!(dry["dry_run"], true);
    assert!(db.ok(&["supplier", "show", "Orion"]).contains("Orion"));
    db.refuses(&["undo", "zzzz"], 65, "operation");
    db.refuses(&["undo", "ffffffff-0000"], 65, "operation");
    // Once the visit is undone, the supplier's addition is the actor's latest and goes.
    let undo = db.json(&["undo"]);
    assert_eq!(undo["undone"]["id"], add.as_str());
    db.fails(&["supplier", "show", "Orion"], 65);
}

fn undo_steps_back_through_an_actors_operations() {
    let db = Db::seeded();
    let before = record(&db);
    db.ok(&["supplier", "edit", "Maxwell", "--city", "Dresden"]);
    db.ok(&["supplier", "archive", "Maxwell"]);
    // A small operation's records are listed one by one.
    let table = db.ok(&["undo"]);
    assert!(table.contains("changed back supplier"), "{table}");
    // The archive is undone; the edit under it can be undone next, though the archive touched
    // the same supplier: it stands again as the edit left it.
    db.ok(&["undo"]);
    assert_eq!(record(&db), before);
}

fn import_all_is_not_undone() {
    let db = Db::seeded();
    let backup = db.file("backup.json", db.ok(&["export", "all"]));
    let fresh = Db::new();
    fresh.ok(&["import", "all", &backup]);
    let message = fresh.fails(&["undo"], 65);
    assert!(
        message.contains("import all") && message.contains("new --db"),
        "{message}"
    );
}

fn known_at_gives_the_answer_as_it_stood() {
    let db = Db::seeded();
    db.ok(&[
        "deal",
        "set",
        "Maxwell",
        "--buyer",
        "Helios",
        "--status",
        "signed",
        "--date",
        "2026-06-01",
    ]);
    db.ok(&[
        "visit",
        "log",
        "Lumina",
        "--buyer",
        "Aurora",
        "--date",
        "2026-06-02",
        "--finding",
        "major:dust",
    ]);
    let reports = |extra: &[&str]| {
        let mut status = vec!["report", "status", "--as-of", "2026-07-01"];
        status.extend(extra);
        let mut gaps = vec![
            "report",
            "gaps",
            "--buyer",
            "Aurora",
            "--threshold",
            "1",
            "--as-of",
            "2026-07-01",
        ];
        gaps.extend(extra);
        (
            without_known_at(&db.ok(&[&status[..], &["--format", "json"]].concat())),
            without_known_at(&db.ok(&[&gaps[..], &["--format", "json"]].concat())),
        )
    };
    let then = reports(&[]);
    std::thread::sleep(std::time::Duration::from_millis(20));
    let moment = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
    std::thread::sleep(std::time::Duration::from_millis(20));
    // Afterwards: archived, a capability added, a deal back-dated, a finding resolved, a
    // mistake made and undone.
    db.ok(&["supplier", "archive", "Maxwell"]);
    db.ok(&["supplier", "edit", "Lumina", "--capability", "pvd"]);
    db.ok(&[
        "deal",
        "set",
        "Lumina",
        "--buyer",
        "Borealis",
        "--status",
        "signed",
        "--date",
        "2026-05-01",
    ]);
    db.ok(&["note", "resolve", "1", "--date", "2026-06-03"]);
    db.ok(&["supplier", "add", "Typo Maker", "--capability", "hjt-full-line"]);
    db.ok(&["undo"]);
    let now = reports(&[]);
    assert_ne!(now, then, "the later operations change today's answer");
    assert_eq!(
        reports(&["--known-at", &moment]),
        then,
        "--known-at reproduces the answer"
    );
    // A date is the end of that day UTC, today's so far: everything so far. A day to come is
    // refused.
    assert_eq!(reports(&["--known-at", "today"]), now);
    db.refuses(
        &["report", "status", "--known-at", "2100-01-01"],
        65,
        "in the future",
    );
    // Before anything was recorded: an empty record.
    let empty = db.json(&["report", "status", "--known-at", "2000-01-01"]);
    assert_eq!(array_len(&empty["suppliers"]), 0);
    db.refuses(&["report", "status", "--known-at", "soon"], 65, "known-at");
}

every_backend!(
    each_writing_command_is_undone_and_redone,
    every_write_is_one_operation_with_its_changes,
    an_import_is_one_operation_that_created_every_supplier,
    undo_is_refused_after_a_later_change_to_the_same_records,
    undo_steps_back_through_an_actors_operations,
    import_all_is_not_undone,
    known_at_gives_the_answer_as_it_stood,
);

fn a_database_from_before_the_log_is_carried_over() {
    let db = Db::at_migration(3);
    let at = |stamp: &str| match crate::support::backend() {
        crate::support::Backend::Mysql(_) => format!("'{stamp}'"),
        _ => format!("'{}+00:00'", stamp.replace(' ', "T")),
    };
    let statements = [
        format!(
            "INSERT INTO buyer (name, name_norm, external, created_at) VALUES ('Aurora Solar', 'aurora solar', false, {})",
            at("2026-01-05 10:00:00")
        ),
        format!(
            "INSERT INTO supplier (name, name_norm, scarce_override, archived, created_at, updated_at) \
             VALUES ('Lumina', 'lumina', 'auto', false, {}, {})",
            at("2026-01-06 10:00:00"),
            at("2026-01-06 10:00:00")
        ),
        "INSERT INTO supplier_capability (supplier_id, capability) VALUES (1, 'hjt-full-line')".to_string(),
        format!(
            "INSERT INTO audit_entry (at, actor, action, entity, entity_id, supplier_id, summary) \
             VALUES ({}, 'maria', 'buyer.add', 'buyer', 1, NULL, 'added internal buyer Aurora Solar')",
            at("2026-01-05 10:00:01")
        ),
        format!(
            "INSERT INTO audit_entry (at, actor, action, entity, entity_id, supplier_id, summary) \
             VALUES ({}, 'otto', 'supplier.add', 'supplier', 1, 1, 'added supplier Lumina')",
            at("2026-01-06 10:00:01")
        ),
    ];
    for statement in &statements {
        db.sql(statement);
    }
    db.ok(&["db", "migrate"]);
    let log = db.json(&["log"]);
    assert_eq!(array_len(&log), 2, "{log:#}");
    assert_eq!(log[0]["summary"], "added supplier Lumina");
    assert_eq!(log[0]["actor"], "otto");
    assert_eq!(log[0]["at"], "2026-01-06T10:00:01Z");
    assert_eq!(log[1]["actor"], "maria");
    // Each row is taken as written by the first operation after it; the past is readable.
    let entities: Vec<&str> = log[0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["entity"].as_str().unwrap())
        .collect();
    assert_eq!(entities, ["supplier", "supplier_capability"]);
    let on = |day: &str| db.json(&["report", "status", "--known-at", day, "--as-of", day]);
    assert_eq!(array_len(&on("2026-01-05")["suppliers"]), 0);
    assert_eq!(array_len(&on("2026-01-05")["buyers"]), 1);
    assert_eq!(array_len(&on("2026-01-06")["suppliers"]), 1);
    // Valid time: the supplier is listed from the day it was created, with what it offers.
    let lumina = db.json(&["supplier", "show", "Lumina"]);
    assert_eq!(lumina["supplier"]["listed_on"], "2026-01-06");
    assert_eq!(array_len(&lumina["dated"]), 0);
    let as_of = |day: &str| db.json(&["report", "status", "--as-of", day]);
    assert_eq!(array_len(&as_of("2026-01-05")["suppliers"]), 0);
    assert_eq!(
        as_of("2026-01-06")["suppliers"][0]["capabilities"][0],
        "hjt-full-line"
    );
    // New operations follow the carried ones, and carried ones can be undone.
    db.ok(&["buyer", "add", "Borealis PV"]);
    assert_eq!(array_len(&db.json(&["log"])), 3);
    db.ok(&["undo"]);
    let undo = db.json(&["--actor", "otto", "undo"]);
    assert_eq!(undo["undone"]["summary"], "added supplier Lumina");
    assert_eq!(array_len(&db.json(&["supplier", "list", "--all"])), 0);
}

every_backend!(a_database_from_before_the_log_is_carried_over);

fn a_backup_carries_the_log_and_the_past() {
    let db = Db::seeded();
    db.ok(&["supplier", "edit", "Maxwell", "--city", "Dresden"]);
    let moment = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
    std::thread::sleep(std::time::Duration::from_millis(20));
    db.ok(&["supplier", "archive", "Maxwell"]);
    db.ok(&["supplier", "add", "Typo Maker"]);
    db.ok(&["undo"]);
    let text = db.ok(&["export", "all"]);
    let backup: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(backup["version"], 2);
    assert!(
        array_len(&backup["operations"]) >= 9,
        "{:#}",
        backup["operations"]
    );
    assert!(
        array_len(&backup["history"]["suppliers"]) >= 2,
        "{:#}",
        backup["history"]
    );
    let file = db.file("backup.json", &text);
    let fresh = Db::new();
    fresh.ok(&["import", "all", &file]);
    assert_eq!(
        fresh.ok(&["export", "all"]),
        text,
        "export → import all → export is byte for byte"
    );
    // The restored past answers as the original does.
    let then = |db: &Db| db.ok(&["report", "status", "--known-at", &moment, "--format", "json"]);
    assert_eq!(then(&fresh), then(&db));
    let log = fresh.json(&["log"]);
    assert_eq!(
        log[0]["summary"].as_str().unwrap().split(' ').next(),
        Some("restored")
    );
    assert_eq!(log[1], db.json(&["log"])[0]);
    // A backup from before the log (version 1) still restores, its rows written by no operation.
    let mut old = backup.clone();
    old["version"] = 1.into();
    let fields = old.as_object_mut().unwrap();
    fields.remove("operations");
    fields.remove("history");
    for rows in fields.values_mut() {
        for row in rows.as_array_mut().into_iter().flatten() {
            row.as_object_mut().unwrap().remove("recorded_by");
            row.as_object_mut().unwrap().remove("operation_id");
        }
    }
    let old_file = db.file("old.json", serde_json::to_string(&old).unwrap());
    let older = Db::new();
    older.ok(&["import", "all", &old_file]);
    assert_eq!(record(&older), record(&db));
    // A backup whose rows name operations it does not hold is refused, naming the row.
    let mut broken = backup.clone();
    broken["suppliers"][0]["recorded_by"] = 9999.into();
    let broken_file = db.file("broken.json", serde_json::to_string(&broken).unwrap());
    let message = Db::new().fails(&["import", "all", &broken_file], 65);
    assert!(message.contains("suppliers[0].recorded_by"), "{message}");
}

every_backend!(a_backup_carries_the_log_and_the_past);

/// Two undos of one operation at the same moment, by two actors through `targets` (the same
/// database, possibly through different servers of a cluster): exactly one wins, the other
/// exits 65 naming the winner; the log holds one undo, the record is as before the operation,
/// and a report known at a moment before the undos still reads the same. Checked for five kinds
/// of operation. (On PostgreSQL both undos succeeded, and the undone visit was counted twice.)
pub fn undos_of_one_operation_at_once(db: &Db, targets: &[std::ffi::OsString]) {
    db.ok(&["supplier", "add", "Orion Tools", "--capability", "hjt-full-line"]);
    let operations: [&[&str]; 5] = [
        &[
            "visit",
            "log",
            "Lumina",
            "--buyer",
            "Aurora",
            "--finding",
            "minor:loose bolts",
        ],
        &[
            "deal",
            "set",
            "Lumina",
            "--buyer",
            "Aurora",
            "--status",
            "evaluating",
        ],
        &[
            "capacity",
            "set",
            "Lumina",
            "--capability",
            "hjt-full-line",
            "--period",
            "2027Q1",
            "--units",
            "4",
        ],
        &["buyer", "edit", "Borealis", "--note", "module team"],
        &["supplier", "edit", "Orion", "--city", "Wuxi"],
    ];
    for operation in operations {
        let before = record(db);
        db.ok(operation);
        let op = latest(db)["id"].as_str().unwrap().to_string();
        let moment = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        std::thread::sleep(std::time::Duration::from_millis(20));
        let known = db.ok(&["report", "status", "--known-at", &moment, "--format", "json"]);
        let outs = crate::support::at_once(targets, 2, |i| {
            ["--actor", ["alice", "carol"][i], "undo", &op]
                .map(String::from)
                .to_vec()
        });
        let won: Vec<usize> = (0..2).filter(|i| outs[*i].status.success()).collect();
        assert_eq!(won.len(), 1, "{operation:?}: {outs:?}");
        let lost = &outs[1 - won[0]];
        let stderr = String::from_utf8_lossy(&lost.stderr);
        assert_eq!(lost.status.code(), Some(65), "{operation:?}: {stderr}");
        let undos: Vec<Value> = db
            .json(&["log"])
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["undoes"] == op.as_str())
            .cloned()
            .collect();
        assert_eq!(undos.len(), 1, "{operation:?}: {undos:?}");
        let winner = undos[0]["id"].as_str().unwrap();
        assert!(
            stderr.contains("already undone") && stderr.contains(winner),
            "{stderr}"
        );
        assert_eq!(record(db), before, "{operation:?} was not undone once");
        assert_eq!(
            db.ok(&["report", "status", "--known-at", &moment, "--format", "json"]),
            known,
            "{operation:?}: the past moved"
        );
    }
}

fn two_undos_of_one_operation_at_once_one_wins() {
    let db = Db::seeded();
    let target = db.target();
    undos_of_one_operation_at_once(&db, &[target.clone(), target]);
}
every_backend!(two_undos_of_one_operation_at_once_one_wins);

/// An operation that changed many records lists how many of each kind, not each (`log` after a
/// 100,000-row import took 1.65 GB); `log --changes` lists every one, in JSON, CSV and Markdown,
/// read a page at a time (memory: `scripts/bench-undo`).
fn a_large_operation_is_counted_and_its_changes_are_listed_when_asked() {
    let db = Db::seeded();
    let mut csv = String::from("name,country,capabilities,aliases\n");
    for i in 0..1_200 {
        csv.push_str(&format!("Maker {i:04} Co,CN,pecvd;pvd,M{i:04}\n"));
    }
    let file = db.file("makers.csv", csv);
    db.ok(&["import", "suppliers", &file]);
    let entry = latest(&db);
    assert_eq!(entry["changes_complete"], false, "{entry}");
    assert_eq!(array_len(&entry["changes"]), 0);
    let counts: Vec<(String, i64)> = entry["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["entity"].as_str().unwrap().to_string(),
                r["records"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        counts,
        [
            ("supplier".to_string(), 1_200),
            ("supplier_alias".to_string(), 1_200),
            ("supplier_capability".to_string(), 2_400)
        ]
    );
    // Every change, as JSON: each created record once, with its values.
    let every: Value =
        serde_json::from_str(&db.ok(&["log", "--limit", "1", "--changes", "--format", "json"])).unwrap();
    let changes = every[0]["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 4_800);
    assert_eq!(every[0]["changes_complete"], true);
    assert_eq!(every[0]["id"], entry["id"]);
    assert!(
        changes
            .iter()
            .all(|c| c["before"].is_null() && c["after"].is_object())
    );
    assert_eq!(changes[0]["entity"], "supplier");
    assert_eq!(changes[0]["after"]["name"], "Maker 0000 Co");
    // One line per change in CSV (and Markdown), after the header.
    let lines = db.ok(&["log", "--limit", "1", "--changes", "--format", "csv"]);
    assert_eq!(lines.lines().count(), 1 + 4_800);
    assert!(
        lines.starts_with("operation,at,actor,entity,id,before,after\n"),
        "{lines}"
    );
    let md = db.ok(&["log", "--limit", "1", "--changes", "--format", "md"]);
    assert_eq!(md.lines().count(), 2 + 4_800);
    // A table would need them all at once: refused, naming the formats that stream.
    db.refuses(&["log", "--limit", "1", "--changes"], 65, "--format csv");
    // A small operation lists its changes as before; so does undo's answer.
    db.ok(&["supplier", "edit", "Maker 0001", "--city", "Wuxi"]);
    let entry = latest(&db);
    assert_eq!(entry["changes_complete"], true);
    assert_eq!(entry["changes"][0]["before"]["city"], Value::Null);
    assert_eq!(entry["changes"][0]["after"]["city"], "Wuxi");
    let undone = db.json(&["undo", "--dry-run"]);
    assert_eq!(undone["undone"]["changes"][0]["after"]["city"], "Wuxi");
}
every_backend!(a_large_operation_is_counted_and_its_changes_are_listed_when_asked);

/// An import whose supplier was edited and the edit undone, and then given a finding by a
/// later operation, is refused naming that operation, dry run included (it was refused by the
/// database's foreign key, naming none, and the dry run said it would succeed).
fn undoing_an_import_names_what_was_added_to_its_suppliers() {
    let db = Db::seeded();
    let csv = db.file("acme.csv", "name,country\nAcme Tools,CN\n");
    db.ok(&["import", "suppliers", &csv]);
    let import = latest(&db)["id"].as_str().unwrap().to_string();
    db.ok(&["supplier", "edit", "Acme Tools", "--city", "Suzhou"]);
    db.ok(&["undo"]);
    db.ok(&[
        "--actor",
        "otto",
        "note",
        "add",
        "--supplier",
        "Acme Tools",
        "hello",
    ]);
    let note = latest(&db)["id"].as_str().unwrap().to_string();
    for dry in [true, false] {
        let mut args = vec!["undo", import.as_str()];
        if dry {
            args.push("--dry-run");
        }
        let err = db.refuses(&args, 65, &note);
        assert!(err.contains("otto") && err.contains("note"), "{err}");
    }
}
every_backend!(undoing_an_import_names_what_was_added_to_its_suppliers);

/// On PostgreSQL, the ids an import gives its suppliers follow on from those before, and the
/// next supplier's follows on from them (they jumped to #10001).
fn supplier_ids_follow_on_after_an_import() {
    let db = Db::seeded();
    let csv = db.file(
        "two.csv",
        "name,country\nAcme Tools,CN\nBeta Works,DE\nMaxwell PVD GmbH,DE\n",
    );
    db.ok(&["import", "suppliers", &csv]);
    db.ok(&["supplier", "add", "Gamma Vacuum"]);
    let ids: Vec<i64> = db
        .json(&["supplier", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, [1, 2, 3, 4, 5], "{ids:?}");
}
every_backend!(supplier_ids_follow_on_after_an_import);

/// Undo walks back through the actor's operations (as jj's does); redo brings back what the
/// latest undo took back, then the one before; a redone operation is undone again by `undo`.
/// (The README said "undo it again to redo it", and a second undo took back a real deal.)
fn undo_walks_back_and_redo_brings_back() {
    let db = Db::seeded();
    let start = record(&db);
    db.ok(&[
        "deal",
        "set",
        "Lumina",
        "--buyer",
        "Aurora",
        "--status",
        "evaluating",
    ]);
    let deal = record(&db);
    db.ok(&["supplier", "edit", "Maxwell", "--city", "Dresden"]);
    let edited = record(&db);
    db.ok(&["undo"]);
    assert_eq!(record(&db), deal, "the edit is taken back");
    db.ok(&["undo"]);
    assert_eq!(record(&db), start, "undo again: the deal before it");
    let said = db.ok(&["redo"]);
    assert!(said.starts_with("Redid"), "{said}");
    assert_eq!(record(&db), deal, "redo: the deal is back");
    db.ok(&["redo"]);
    assert_eq!(record(&db), edited, "redo again: the edit too");
    db.refuses(&["redo"], 65, "no undo to redo");
    db.ok(&["undo"]);
    assert_eq!(record(&db), deal, "a redone edit is undone again");
    // An operation that is not an undo cannot be redone; `undo --help` says how both go.
    let add = db
        .json(&["log", "--limit", "20"])
        .as_array()
        .unwrap()
        .iter()
        .find(|o| {
            o["summary"]
                .as_str()
                .unwrap()
                .starts_with("added supplier Maxwell")
        })
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    db.refuses(&["redo", &add], 65, "is not an undo");
    let help = db.ok(&["undo", "--help"]);
    assert!(help.contains("redo"), "{help}");
}
every_backend!(undo_walks_back_and_redo_brings_back);

/// Operations have short handles (#42): first in `log`, taken by `undo`, `redo` and `log show`
/// (ids began alike within a minute, so `undo` needed 13 characters and the table wrapped).
fn operations_have_short_handles() {
    let db = Db::seeded();
    db.ok(&["supplier", "edit", "Maxwell", "--city", "Dresden"]);
    let entry = latest(&db);
    let seq = entry["seq"].as_i64().unwrap();
    let handle = format!("#{seq}");
    let table = db.ok(&["log", "--limit", "3"]);
    let first_row = table.lines().nth(2).unwrap();
    assert!(first_row.trim_start().starts_with(&handle), "{table}");
    assert!(
        !table.contains(entry["id"].as_str().unwrap()),
        "the table shows handles: {table}"
    );
    let shown = db.ok(&["log", "show", &handle, "--format", "json"]);
    let shown: Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(shown[0]["id"], entry["id"]);
    assert_eq!(shown[0]["changes"][0]["after"]["city"], "Dresden");
    let table = db.ok(&["log", "show", &seq.to_string()]);
    assert!(table.contains("Dresden"), "{table}");
    let said = db.ok(&["undo", &handle]);
    assert!(said.starts_with(&format!("Undid operation {handle} (")), "{said}");
    let undo = latest(&db)["seq"].as_i64().unwrap();
    db.ok(&["redo", &format!("#{undo}")]);
    assert_eq!(
        db.json(&["supplier", "show", "Maxwell"])["supplier"]["city"],
        "Dresden"
    );
    db.refuses(&["undo", "#999"], 65, "operation '#999' not found");
    db.refuses(&["log", "show", "#999"], 65, "not found");
    let log = db.ok(&["log", "--limit", "2"]);
    assert!(
        log.contains(&handle),
        "the undo and redo name it by handle: {log}"
    );
}
every_backend!(operations_have_short_handles);
