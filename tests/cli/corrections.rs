//! Corrections: every record can be corrected or voided, each correction is an operation in the
//! log, and each can be undone (DESIGN, "Corrections").

use serde_json::Value;

use crate::support::{Db, array_len, record};

/// A visit to Lumina with two findings, on 2026-06-01.
fn with_visit() -> Db {
    let db = Db::seeded();
    db.ok(&[
        "visit",
        "log",
        "Lumina",
        "--buyer",
        "Aurora",
        "--date",
        "2026-06-01",
        "--visitor",
        "Ann",
        "--finding",
        "major:dust on the PECVD chamber",
        "--finding",
        "minor:label",
    ]);
    db
}

fn status(db: &Db) -> Value {
    let report = db.json(&["report", "status", "--as-of", "2026-07-01"]);
    report["suppliers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == 1)
        .cloned()
        .expect("Lumina in the report")
}

fn operations(db: &Db) -> usize {
    array_len(&db.json(&["log"]))
}

fn a_visit_is_corrected_then_voided_and_the_void_undone() {
    let db = with_visit();
    // Moved a day on, to its site (named by its first word), with who really went: its
    // findings noted that day move with it.
    let said = db.ok(&[
        "visit",
        "edit",
        "1",
        "--date",
        "2026-06-02",
        "--site",
        "suzhou",
        "--lines-inspected",
        "3",
        "--visitor",
        "Bob",
        "--visitor",
        "Cy",
    ]);
    assert!(said.contains("Corrected visit #1"), "{said}");
    let visit = db.json(&["visit", "show", "1"]);
    assert_eq!(visit["date"], "2026-06-02");
    assert_eq!(visit["site"], "Suzhou Plant 2");
    assert_eq!(visit["visitors"], serde_json::json!(["Bob", "Cy"]));
    assert_eq!(visit["findings"][0]["date"], "2026-06-02");
    // More lines than the site has, a date to come: refused, nothing written.
    db.refuses(
        &["visit", "edit", "1", "--lines-inspected", "9"],
        65,
        "lines-inspected",
    );
    db.refuses(&["visit", "edit", "1", "--date", "2999-01-01"], 65, "date");
    // Nothing new: said so, and no operation.
    let ops = operations(&db);
    let said = db.ok(&[
        "visit",
        "edit",
        "1",
        "--date",
        "2026-06-02",
        "--site",
        "Suzhou Plant 2",
    ]);
    assert!(said.contains("Nothing changed"), "{said}");
    assert_eq!(operations(&db), ops);
    assert_eq!(status(&db)["visits"], 1);
    assert_eq!(status(&db)["open_findings"]["major"], 1);

    let before_void = record(&db);
    db.refuses(&["visit", "void", "1", "--reason", " "], 65, "reason");
    db.ok(&[
        "visit",
        "void",
        "1",
        "--reason",
        "logged against the wrong supplier",
    ]);
    // Out of lists and reports, with its findings; kept in show and the log.
    assert_eq!(array_len(&db.json(&["visit", "list"])), 0);
    assert_eq!(array_len(&db.json(&["note", "list"])), 0);
    assert_eq!(status(&db)["visits"], 0);
    assert_eq!(status(&db)["open_findings"]["major"], 0);
    let visit = db.json(&["visit", "show", "1"]);
    assert_eq!(visit["voided"], true);
    assert_eq!(visit["void_reason"], "logged against the wrong supplier");
    assert_eq!(visit["findings"][0]["status"], "voided");
    let log = db.json(&["log", "--limit", "1"]);
    assert!(
        log[0]["summary"].as_str().unwrap().starts_with("voided visit #1"),
        "{log}"
    );
    // A voided visit is not edited, voided again, or given notes.
    db.refuses(&["visit", "edit", "1", "--purpose", "audit"], 65, "voided");
    db.refuses(&["visit", "void", "1", "--reason", "again"], 65, "voided");
    db.refuses(&["note", "add", "--visit", "1", "late finding"], 65, "voided");
    db.ok(&["undo"]);
    assert_eq!(record(&db), before_void, "undoing the void gives the visit back");
    assert_eq!(status(&db)["visits"], 1);
}

fn a_note_is_corrected_reopened_and_voided() {
    let db = with_visit();
    db.ok(&["note", "edit", "2", "--severity", "major", "--topic", "labels"]);
    let note = &db.json(&["note", "list"])[1];
    assert_eq!(
        (note["severity"].as_str(), note["topic"].as_str()),
        (Some("major"), Some("labels"))
    );
    let said = db.ok(&["note", "edit", "2", "--severity", "major"]);
    assert!(said.contains("Nothing changed"), "{said}");
    db.refuses(&["note", "edit", "2", "--severity", "grave"], 65, "severity");
    db.refuses(
        &["note", "reopen", "1", "--reason", "never closed"],
        65,
        "open already",
    );
    db.ok(&["note", "resolve", "1", "--date", "2026-06-10"]);
    assert_eq!(status(&db)["open_findings"]["major"], 1);
    let reopened = db.json(&["note", "reopen", "1", "--reason", "the dust came back"]);
    assert_eq!(reopened["status"], "open");
    assert_eq!(reopened["resolved_on"], Value::Null);
    assert_eq!(status(&db)["open_findings"]["major"], 2);
    let before = record(&db);
    // A reason is long text: up to 64 KiB on every backend (MySQL's TEXT holds one byte less).
    let reason = format!("a duplicate of #1 {}", "x".repeat(65_536 - 18));
    db.ok(&["note", "void", "2", "--reason", &reason]);
    assert_eq!(
        db.json(&["supplier", "show", "Lumina"])["visits"][0]["findings"][1]["void_reason"],
        reason.as_str()
    );
    assert_eq!(array_len(&db.json(&["note", "list"])), 1);
    assert_eq!(status(&db)["open_findings"]["major"], 1);
    db.refuses(&["note", "resolve", "2"], 65, "voided");
    db.ok(&["undo"]);
    assert_eq!(record(&db), before);
    db.refuses(&["note", "void", "99", "--reason", "x"], 65, "note");
}

fn a_deal_event_is_voided_and_the_status_worked_out_again() {
    let db = Db::seeded();
    let set = |status: &'static str, date: &'static str| {
        vec![
            "deal", "set", "Lumina", "--buyer", "Aurora", "--status", status, "--date", date,
        ]
    };
    db.ok(&set("evaluating", "2026-01-10"));
    db.ok(&[
        "deal",
        "set",
        "Lumina",
        "--buyer",
        "Aurora",
        "--status",
        "signed",
        "--date",
        "2026-03-01",
        "--value",
        "1200000",
        "--currency",
        "USD",
    ]);
    db.ok(&set("terminated", "2026-06-15"));
    // `deal history` shows each event's id.
    let history = db.json(&["deal", "history", "Lumina"]);
    let ids: Vec<i64> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 3);
    let table = db.ok(&["deal", "history", "Lumina"]);
    assert!(
        table.lines().next().unwrap().trim_start().starts_with("id"),
        "{table}"
    );
    // Voiding the signature would leave a termination of a deal never signed: refused.
    let signed = ids[1].to_string();
    let message = db.refuses(&["deal", "void", &signed, "--reason", "x"], 65, "event");
    assert!(message.contains("terminated on 2026-06-15"), "{message}");
    let before = record(&db);
    let terminated = ids[2].to_string();
    let deal = db.json(&[
        "deal",
        "void",
        &terminated,
        "--reason",
        "entered for the wrong buyer",
    ]);
    assert_eq!(
        (deal["status"].as_str(), deal["since"].as_str()),
        (Some("signed"), Some("2026-03-01"))
    );
    assert_eq!(array_len(&db.json(&["deal", "history", "Lumina"])), 2);
    let report = db.json(&["report", "status"]);
    assert_eq!(report["suppliers"][0]["deals"]["Aurora Solar"], "signed");
    // Kept, marked, in the supplier's file.
    let file = db.json(&["supplier", "show", "Lumina"]);
    let kept = &file["deals"][0]["history"][2];
    assert_eq!(
        (kept["voided"].as_bool(), kept["void_reason"].as_str()),
        (Some(true), Some("entered for the wrong buyer"))
    );
    db.refuses(&["deal", "void", &terminated, "--reason", "again"], 65, "voided");
    db.ok(&["undo"]);
    assert_eq!(record(&db), before);
    // A deal entered for the wrong buyer: voiding its only event voids the deal (it was
    // refused, with a suggestion to record `declined`, which would have been false).
    let fresh = Db::seeded();
    fresh.ok(&[
        "deal",
        "set",
        "Maxwell",
        "--buyer",
        "Borealis",
        "--status",
        "signed",
        "--date",
        "2026-03-01",
    ]);
    let before = fresh.json(&["report", "gaps", "--buyer", "Aurora"]);
    let only = fresh.json(&["deal", "history", "Maxwell"])[0]["id"].to_string();
    let said = fresh.ok(&["deal", "void", &only, "--reason", "wrong buyer"]);
    assert!(
        said.contains("so Borealis PV's deal with Maxwell PVD GmbH is void"),
        "{said}"
    );
    assert_eq!(array_len(&fresh.json(&["deal", "list"])), 0);
    let report = fresh.json(&["report", "status"]);
    assert!(
        report.to_string().contains("\"deals\":{}"),
        "out of reports: {report}"
    );
    let shown = fresh.json(&["supplier", "show", "Maxwell"]);
    assert_eq!(shown["deals"][0]["voided"], true, "kept in show: {shown}");
    assert_ne!(fresh.json(&["report", "gaps", "--buyer", "Aurora"]), before);
    // The backup restores it as it is; undo brings it back; a new deal set starts afresh.
    let backup = fresh.file("void.json", fresh.ok(&["export", "all"]));
    Db::new().ok(&["import", "all", &backup]);
    fresh.ok(&["undo"]);
    assert_eq!(array_len(&fresh.json(&["deal", "list"])), 1);
    fresh.ok(&["redo"]);
    fresh.ok(&[
        "deal",
        "set",
        "Maxwell",
        "--buyer",
        "Borealis",
        "--status",
        "evaluating",
    ]);
    let deals = fresh.json(&["deal", "list"]);
    assert_eq!(
        (deals[0]["status"].as_str(), deals[0]["voided"].as_bool()),
        (Some("evaluating"), Some(false))
    );
}

fn a_supplier_entered_twice_becomes_one() {
    let db = Db::seeded();
    db.ok(&[
        "supplier",
        "add",
        "Lumina HJT Equipment",
        "--native-name",
        "卢米纳装备",
        "--alias",
        "LHE",
        "--capability",
        "pvd",
        "--website",
        "https://lumina.example",
        "--date",
        "2026-01-01",
    ]);
    db.ok(&[
        "site",
        "add",
        "Lumina HJT Equipment",
        "Suzhou Plant 2",
        "--lines",
        "2",
    ]);
    db.ok(&["site", "add", "Lumina HJT Equipment", "Wuxi Plant"]);
    db.ok(&[
        "visit",
        "log",
        "Lumina HJT Equipment",
        "--buyer",
        "Aurora",
        "--site",
        "Suzhou Plant 2",
        "--date",
        "2026-03-01",
        "--finding",
        "minor:loose cabling",
    ]);
    db.ok(&[
        "deal",
        "set",
        "Lumina HJT Equipment",
        "--buyer",
        "Aurora",
        "--status",
        "evaluating",
        "--date",
        "2026-02-01",
    ]);
    db.ok(&[
        "deal",
        "set",
        "Lumina",
        "--buyer",
        "Aurora",
        "--status",
        "negotiating",
        "--date",
        "2026-04-01",
    ]);
    db.ok(&[
        "deal",
        "set",
        "Lumina HJT Equipment",
        "--buyer",
        "Helios",
        "--status",
        "signed",
        "--date",
        "2026-05-01",
    ]);
    let before = record(&db);
    db.refuses(&["supplier", "merge", "Lumina", "--into", "1"], 65, "into");
    let said = db.ok(&["supplier", "merge", "Lumina HJT Equipment", "--into", "Lumina"]);
    assert!(
        said.starts_with("Merged supplier Lumina HJT Equipment (#3) into"),
        "{said}"
    );
    // One supplier, which every name and the id of the duplicate find.
    assert_eq!(array_len(&db.json(&["supplier", "list"])), 2);
    for reference in ["3", "Lumina HJT Equipment", "卢米纳装备", "LHE"] {
        assert_eq!(
            db.json(&["supplier", "show", reference])["supplier"]["id"],
            1,
            "{reference}"
        );
    }
    let file = db.json(&["supplier", "show", "Lumina"]);
    let kept = &file["supplier"];
    for alias in ["Lumina", "Lumina HJT Equipment", "卢米纳装备", "LHE"] {
        assert!(
            kept["aliases"].as_array().unwrap().iter().any(|a| a == alias),
            "{alias}: {kept}"
        );
    }
    assert_eq!(
        kept["capabilities"],
        serde_json::json!(["hjt-full-line", "pecvd", "pvd"])
    );
    assert_eq!(kept["website"], "https://lumina.example", "an empty field filled");
    assert_eq!(kept["city"], "Suzhou", "a field it had kept");
    assert_eq!(
        file["merged"],
        serde_json::json!(["#3 Lumina HJT Equipment (merged into #1)"])
    );
    // Its evidence moved: a site of the same name became one, the other came along; the two
    // deals with Aurora are one history in date order.
    let sites: Vec<&str> = file["sites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(sites, ["Suzhou Plant 2", "Wuxi Plant"]);
    assert_eq!(file["visits"][0]["site"], "Suzhou Plant 2");
    assert_eq!(file["visits"][0]["findings"][0]["supplier_id"], 1);
    let aurora: Vec<String> = db
        .json(&["deal", "history", "Lumina", "--buyer", "Aurora"])
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e["date"].as_str().unwrap(),
                e["status"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(aurora, ["2026-02-01 evaluating", "2026-04-01 negotiating"]);
    let report = db.json(&["report", "status"]);
    assert_eq!(array_len(&report["suppliers"]), 2);
    assert_eq!(report["suppliers"][0]["deals"]["Helios Energy"], "signed");
    // An import that names the duplicate finds the one kept.
    let csv = db.file("again.csv", "name,city\nLumina HJT Equipment,Suzhou\n");
    let summary = db.json(&["import", "suppliers", &csv]);
    assert_eq!(
        (summary["created"].as_i64(), summary["unchanged"].as_i64()),
        (Some(0), Some(1)),
        "{summary}"
    );
    db.ok(&["undo"]);
    assert_eq!(record(&db), before, "undoing the merge gives both back");
}

fn buyers_and_sites_are_corrected_and_merged() {
    let db = Db::seeded();
    db.ok(&["buyer", "add", "Aurora Solar HJT"]);
    db.ok(&[
        "visit",
        "log",
        "Maxwell",
        "--buyer",
        "Aurora Solar HJT",
        "--date",
        "2026-03-01",
    ]);
    db.ok(&[
        "deal",
        "set",
        "Maxwell",
        "--buyer",
        "Aurora Solar HJT",
        "--status",
        "evaluating",
        "--date",
        "2026-03-02",
    ]);
    db.ok(&[
        "deal",
        "set",
        "Maxwell",
        "--buyer",
        "Aurora Solar",
        "--status",
        "negotiating",
        "--date",
        "2026-04-01",
    ]);
    // A buyer is renamed, made external, its note cleared; a name taken is refused.
    db.refuses(
        &["buyer", "edit", "Borealis", "--name", "Helios Energy"],
        65,
        "Helios",
    );
    let edited = db.json(&[
        "buyer",
        "edit",
        "Borealis",
        "--name",
        "Borealis PV Modules",
        "--external",
    ]);
    assert_eq!(
        (edited["name"].as_str(), edited["kind"].as_str()),
        (Some("Borealis PV Modules"), Some("external"))
    );
    let said = db.ok(&["buyer", "edit", "Borealis PV Modules", "--external"]);
    assert!(said.contains("Nothing changed"), "{said}");
    let before = record(&db);
    db.ok(&["buyer", "merge", "Aurora Solar HJT", "--into", "Aurora Solar"]);
    assert_eq!(array_len(&db.json(&["buyer", "list"])), 3);
    assert_eq!(
        db.json(&["visit", "list", "--buyer", "Aurora Solar HJT"])[0]["buyer"],
        "Aurora Solar"
    );
    let deals = db.json(&["deal", "history", "Maxwell"]);
    assert_eq!(array_len(&deals), 2, "one deal with Maxwell, both events");
    assert!(
        deals
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["buyer"] == "Aurora Solar"),
        "{deals}"
    );
    let report = db.json(&["report", "status"]);
    let names: Vec<&str> = report["buyers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert!(!names.contains(&"Aurora Solar HJT"), "{names:?}");
    db.ok(&["undo"]);
    assert_eq!(record(&db), before);

    // Sites: found without their supplier when only one has the name; corrected; merged.
    db.ok(&["site", "add", "Lumina", "Suzhou Plant Two", "--city", "Suzhou"]);
    db.ok(&[
        "visit",
        "log",
        "Lumina",
        "--buyer",
        "Aurora Solar",
        "--site",
        "Suzhou Plant Two",
        "--date",
        "2026-05-01",
    ]);
    // A line count dated before the one in force (from today) is its history; from today on,
    // it is the count.
    let edited = db.json(&[
        "site",
        "edit",
        "Suzhou Plant 2",
        "--lines",
        "6",
        "--date",
        "2026-02-01",
    ]);
    assert_eq!(edited["lines"], 4);
    let edited = db.json(&["site", "edit", "Suzhou Plant 2", "--lines", "6", "--city", ""]);
    assert_eq!(
        (edited["lines"].as_i64(), edited["city"].as_str()),
        (Some(6), None)
    );
    db.refuses(
        &["site", "edit", "Suzhou Plant 2", "--name", "suzhou plant two"],
        65,
        "already",
    );
    db.refuses(&["site", "edit", "Suzhou Plant 2", "--lines", "-1"], 65, "lines");
    let before = record(&db);
    db.ok(&["site", "merge", "Suzhou Plant Two", "--into", "Suzhou Plant 2"]);
    let sites = db.json(&["site", "list", "Lumina"]);
    assert_eq!(array_len(&sites), 1);
    assert_eq!(sites[0]["city"], "Suzhou", "an empty field filled");
    assert_eq!(
        db.json(&["visit", "list", "--supplier", "Lumina"])[0]["site"],
        "Suzhou Plant 2"
    );
    db.ok(&["site", "add", "Maxwell", "Dresden"]);
    db.refuses(
        &["site", "merge", "Dresden", "--into", "Suzhou Plant 2"],
        65,
        "different suppliers",
    );
    db.ok(&["undo"]);
    db.ok(&["undo"]);
    assert_eq!(record(&db), before);
}

fn an_edit_that_changes_nothing_says_so_and_writes_nothing() {
    let db = Db::seeded();
    let ops = operations(&db);
    let said = db.ok(&["supplier", "edit", "Lumina"]);
    assert!(
        said.contains("Nothing changed") && !said.contains("Saved"),
        "{said}"
    );
    let said = db.ok(&["supplier", "edit", "Lumina", "--city", "Suzhou"]);
    assert!(said.contains("Nothing changed"), "{said}");
    assert_eq!(operations(&db), ops);
    let said = db.ok(&["supplier", "edit", "Lumina", "--city", "Wuxi"]);
    assert!(said.starts_with("Saved supplier #1"), "{said}");
}

every_backend!(
    a_visit_is_corrected_then_voided_and_the_void_undone,
    a_note_is_corrected_reopened_and_voided,
    a_deal_event_is_voided_and_the_status_worked_out_again,
    a_supplier_entered_twice_becomes_one,
    buyers_and_sites_are_corrected_and_merged,
    an_edit_that_changes_nothing_says_so_and_writes_nothing,
);

/// A merge of two suppliers (and of two buyers) that both had a deal with the same other
/// party is undone and redone and undone again, each time giving back the record exactly: the
/// redo was refused ("a later record refers to one it would take back", naming no operation).
fn a_merge_of_two_deals_is_undone_and_redone() {
    let db = Db::seeded();
    db.ok(&["supplier", "add", "Lumina HJT Equipment", "--capability", "pvd"]);
    db.ok(&["buyer", "add", "Aurora Solar HJT"]);
    for (supplier, buyer, status, date) in [
        ("Lumina", "Aurora Solar", "evaluating", "2026-02-01"),
        (
            "Lumina HJT Equipment",
            "Aurora Solar",
            "negotiating",
            "2026-03-01",
        ),
        ("Maxwell", "Aurora Solar", "evaluating", "2026-02-10"),
        ("Maxwell", "Aurora Solar HJT", "negotiating", "2026-03-10"),
    ] {
        db.ok(&[
            "deal", "set", supplier, "--buyer", buyer, "--status", status, "--date", date,
        ]);
    }
    db.ok(&[
        "visit",
        "log",
        "Lumina HJT Equipment",
        "--buyer",
        "Aurora Solar",
        "--date",
        "2026-03-02",
    ]);
    for merge in [
        ["supplier", "merge", "Lumina HJT Equipment", "--into", "Lumina"],
        ["buyer", "merge", "Aurora Solar HJT", "--into", "Aurora Solar"],
    ] {
        let before = record(&db);
        db.ok(&merge);
        let merged = record(&db);
        let merge_op = db.json(&["log", "--limit", "1"])[0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        db.ok(&["undo", &merge_op]);
        assert_eq!(record(&db), before, "{merge:?}: the undo gives both back");
        let undo_op = db.json(&["log", "--limit", "1"])[0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        db.ok(&["undo", &undo_op]);
        assert_eq!(record(&db), merged, "{merge:?}: the redo merges again");
        let redo_op = db.json(&["log", "--limit", "1"])[0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        db.ok(&["undo", &redo_op]);
        assert_eq!(record(&db), before, "{merge:?}: undone again");
    }
}
every_backend!(a_merge_of_two_deals_is_undone_and_redone);
