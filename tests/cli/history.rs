//! The audit trail: every change, by whom, with before and after.

use crate::support::{Db, array_len};

fn every_change_is_audited_with_actor_and_before_after() {
    let db = Db::new();
    db.ok(&["--actor", "maria", "buyer", "add", "Aurora Solar"]);
    db.ok(&[
        "supplier",
        "add",
        "Lumina Heterojunction Equipment",
        "--city",
        "Suzhou",
    ]);
    db.ok(&["site", "add", "Lumina", "Plant 1"]);
    db.ok(&[
        "visit",
        "log",
        "Lumina",
        "--buyer",
        "Aurora",
        "--finding",
        "minor:x",
    ]);
    db.ok(&["note", "add", "--supplier", "Lumina", "desk"]);
    db.ok(&["note", "resolve", "1"]);
    db.ok(&[
        "deal",
        "set",
        "Lumina",
        "--buyer",
        "Aurora",
        "--status",
        "evaluating",
    ]);
    db.ok(&["supplier", "edit", "Lumina", "--city", "Wuxi"]);
    db.ok(&["supplier", "archive", "Lumina"]);
    let history = db.json(&["history"]);
    let actions: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "buyer.add",
            "supplier.add",
            "site.add",
            "visit.log",
            "note.add",
            "note.resolve",
            "deal.set",
            "supplier.edit",
            "supplier.archive"
        ]
    );
    assert_eq!(history[0]["actor"], "maria");
    assert_eq!(history[1]["actor"], "tester", "the actor defaults to $USER");
    let edit = &history[7];
    assert_eq!(edit["before"]["city"], "Suzhou");
    assert_eq!(edit["after"]["city"], "Wuxi");
    assert_eq!(history[0]["before"], serde_json::Value::Null);
    assert_eq!(history[3]["after"]["findings"][0]["text"], "x");
    let at = history[0]["at"].as_str().unwrap();
    assert!(at.ends_with('Z') && at.len() == 20, "UTC timestamp: {at}");
}
every_backend!(every_change_is_audited_with_actor_and_before_after);

fn history_filters_by_supplier_and_day() {
    let db = Db::seeded();
    db.ok(&["visit", "log", "Maxwell", "--buyer", "Aurora Solar"]);
    let maxwell = db.json(&["history", "--supplier", "maxwell"]);
    assert_eq!(array_len(&maxwell), 2, "added, then visited");
    let tomorrow = (chrono::Local::now().date_naive() + chrono::Days::new(1)).to_string();
    assert_eq!(array_len(&db.json(&["history", "--since", &tomorrow])), 0);
    assert_eq!(array_len(&db.json(&["history", "--since", "yesterday"])), 7);
    let env_actor = crate::support::vetted()
        .env("VETTED_ACTOR", "li.wei")
        .arg("--db")
        .arg(db.target())
        .args(["buyer", "add", "Cirrus"])
        .output()
        .unwrap();
    assert!(env_actor.status.success());
    let last = db.json(&["history"]).as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["actor"], "li.wei");
}
every_backend!(history_filters_by_supplier_and_day);
