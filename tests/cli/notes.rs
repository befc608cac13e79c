use crate::support::{Db, array_len};

fn notes_on_visits_and_suppliers_are_resolved_once() {
    let db = Db::seeded();
    db.ok(&[
        "visit",
        "log",
        "Lumina",
        "--buyer",
        "Aurora Solar",
        "--date",
        "2026-05-02",
    ]);
    let note = db.json(&[
        "note",
        "add",
        "--visit",
        "1",
        "--topic",
        "safety",
        "--severity",
        "critical",
        "No interlock on door 3",
    ]);
    assert_eq!(note["date"], "2026-05-02", "a visit note is dated with its visit");
    assert_eq!(note["visit_id"], 1);
    assert_eq!(note["supplier_id"], 1);
    let desk = db.json(&[
        "note",
        "add",
        "--supplier",
        "Maxwell",
        "--date",
        "2026-05-03",
        "Asked for references",
    ]);
    assert_eq!(desk["severity"], "info");
    assert_eq!(desk["visit_id"], serde_json::Value::Null);

    let open = db.json(&["note", "list", "--open", "--severity", "major"]);
    assert_eq!(array_len(&open), 1);
    assert_eq!(open[0]["text"], "No interlock on door 3");

    let resolved = db.json(&[
        "note",
        "resolve",
        "1",
        "--date",
        "2026-06-01",
        "--resolution",
        "Interlock fitted",
    ]);
    assert_eq!(resolved["status"], "resolved");
    assert_eq!(resolved["resolved_on"], "2026-06-01");
    assert_eq!(resolved["resolution"], "Interlock fitted");
    assert_eq!(array_len(&db.json(&["note", "list", "--open"])), 1);
    db.refuses(&["note", "resolve", "1"], 65, "already resolved on 2026-06-01");
}
every_backend!(notes_on_visits_and_suppliers_are_resolved_once);

fn a_note_cannot_predate_its_visit_or_be_resolved_before_it_was_made() {
    let db = Db::seeded();
    db.ok(&[
        "visit",
        "log",
        "Lumina",
        "--buyer",
        "Aurora Solar",
        "--date",
        "2026-05-02",
    ]);
    db.refuses(
        &["note", "add", "--visit", "1", "--date", "2026-05-01", "x"],
        65,
        "date",
    );
    db.ok(&["note", "add", "--visit", "1", "x"]);
    db.refuses(&["note", "resolve", "1", "--date", "2026-04-01"], 65, "date");
}
every_backend!(a_note_cannot_predate_its_visit_or_be_resolved_before_it_was_made);

fn a_note_needs_a_target_and_text() {
    let db = Db::seeded();
    db.fails(&["note", "add", "just text"], 2);
    db.refuses(&["note", "add", "--visit", "9", "x"], 65, "visit '9' not found");
    db.refuses(&["note", "add", "--supplier", "Lumina", " "], 65, "text");
    db.refuses(&["note", "resolve", "77"], 65, "note '77' not found");
}
every_backend!(a_note_needs_a_target_and_text);
