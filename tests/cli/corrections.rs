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
    db.ok(&["note", "void", "2", "--reason", "a duplicate of #1"]);
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
    // The only event left cannot go: the deal would have no status.
    let fresh = Db::seeded();
    fresh.ok(&[
        "deal", "set", "Maxwell", "--buyer", "Borealis", "--status", "prospect",
    ]);
    let only = fresh.json(&["deal", "history", "Maxwell"])[0]["id"].to_string();
    fresh.refuses(&["deal", "void", &only, "--reason", "x"], 65, "only");
}

every_backend!(
    a_visit_is_corrected_then_voided_and_the_void_undone,
    a_note_is_corrected_reopened_and_voided,
    a_deal_event_is_voided_and_the_status_worked_out_again,
);
