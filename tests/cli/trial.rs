//! What a new user tripped over (issue 13): each numbered fix, through the binary.

use serde_json::Value;

use crate::support::{Db, array_len};

/// Lumina is scarce (the only hjt-full-line maker); Helios negotiates with it, Borealis (a
/// sister team) visited it lately; Maxwell is signed by Helios.
fn contested() -> Db {
    let db = Db::seeded();
    db.ok(&[
        "deal",
        "set",
        "Lumina",
        "--buyer",
        "Helios",
        "--status",
        "negotiating",
        "--date",
        "2026-10-01",
    ]);
    db.ok(&[
        "deal",
        "set",
        "Maxwell",
        "--buyer",
        "Helios",
        "--status",
        "signed",
        "--date",
        "2026-09-01",
    ]);
    db.ok(&[
        "visit",
        "log",
        "Lumina",
        "--buyer",
        "Borealis",
        "--date",
        "2026-11-02",
    ]);
    db.ok(&[
        "visit",
        "log",
        "Lumina",
        "--buyer",
        "Borealis",
        "--date",
        "2026-03-02",
    ]);
    db.ok(&[
        "visit",
        "log",
        "Lumina",
        "--buyer",
        "Aurora",
        "--date",
        "2026-06-01",
    ]);
    db
}

/// Aurora's gaps at threshold 1, as of `day`.
fn gaps(db: &Db, day: &str) -> Value {
    db.json(&[
        "report",
        "gaps",
        "--buyer",
        "Aurora",
        "--threshold",
        "1",
        "--as-of",
        day,
    ])
}

/// 1. A gaps report where nothing is scarce says so, not that everything is signed.
fn a_gaps_report_with_nothing_scarce_says_so() {
    let db = Db::seeded();
    let said = db.ok(&["report", "gaps", "--buyer", "Aurora", "--threshold", "1"]);
    assert!(!said.contains("every scarce supplier is signed"), "{said}");
    db.ok(&[
        "supplier",
        "add",
        "Third PECVD Maker",
        "--capability",
        "hjt-full-line",
        "--capability",
        "pvd",
        "--capability",
        "pecvd",
    ]);
    let said = db.ok(&["report", "gaps", "--buyer", "Aurora", "--threshold", "1"]);
    assert!(said.contains("No scarce suppliers at threshold 1."), "{said}");
    let html = db.ok(&[
        "report",
        "gaps",
        "--buyer",
        "Aurora",
        "--threshold",
        "1",
        "--format",
        "html",
    ]);
    assert!(html.contains("No scarce suppliers at threshold 1."), "{html}");
}

/// 2. Gaps show the early warnings: other buyers' deals and recent visits, and rank by them.
fn gaps_show_who_else_is_after_a_supplier() {
    let db = contested();
    let report = gaps(&db, "2026-11-30");
    let rows = report["suppliers"].as_array().unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r["name"].as_str().unwrap()).collect();
    // Maxwell is signed by Helios: first; Lumina has Helios negotiating: next.
    assert_eq!(
        names,
        ["Maxwell PVD GmbH", "Lumina Heterojunction Equipment Co., Ltd."]
    );
    let lumina = &rows[1]["competitors"];
    assert_eq!(
        lumina,
        &serde_json::json!([
            {"buyer": "Helios Energy", "kind": "external", "status": "negotiating", "since": "2026-10-01"},
            {"buyer": "Borealis PV", "kind": "internal", "status": "visited", "since": "2026-11-02"}
        ])
    );
    // A visit counts for 90 days, the day itself the first.
    let competitors_on = |day: &str| {
        let report = gaps(&db, day);
        let lumina = report["suppliers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == 1)
            .cloned();
        lumina.expect("Lumina")["competitors"].clone()
    };
    let visit = serde_json::json!([{"buyer": "Borealis PV", "kind": "internal", "status": "visited", "since": "2026-03-02"}]);
    assert_eq!(competitors_on("2026-05-30"), visit, "day 90");
    assert_eq!(competitors_on("2026-05-31"), serde_json::json!([]), "day 91");
    let table = db.ok(&[
        "report",
        "gaps",
        "--buyer",
        "Aurora",
        "--threshold",
        "1",
        "--as-of",
        "2026-11-30",
    ]);
    assert!(
        table.contains("Helios Energy (external) negotiating since 2026-10-01"),
        "{table}"
    );
}

/// 3. One buyer's status report keeps other buyers' signed deals, and its page names the buyer.
fn a_buyers_status_report_keeps_others_signed_deals() {
    let db = contested();
    let report = db.json(&["report", "status", "--buyer", "Aurora"]);
    let maxwell = report["suppliers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == 2)
        .unwrap();
    assert_eq!(maxwell["deals"], serde_json::json!({"Helios Energy": "signed"}));
    let lumina = report["suppliers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == 1)
        .unwrap();
    assert_eq!(lumina["deals"], serde_json::json!({}), "others' talks stay out");
    assert_eq!(array_len(&report["buyers"]), 1, "one pipeline");
    let html = db.ok(&["report", "status", "--buyer", "Aurora", "--format", "html"]);
    assert!(
        html.contains("<title>Supplier status for Aurora Solar"),
        "{}",
        &html[..400.min(html.len())]
    );
}

/// 4. Gaps count this buyer's visits and, apart, the visits of all our teams.
fn gaps_count_our_visits_and_the_teams() {
    let db = contested();
    let report = gaps(&db, "2026-11-30");
    let lumina = report["suppliers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == 1)
        .unwrap();
    assert_eq!(
        (lumina["visits"].as_i64(), lumina["last_visit"].as_str()),
        (Some(1), Some("2026-06-01"))
    );
    assert_eq!(
        (lumina["team_visits"].as_i64(), lumina["last_team_visit"].as_str()),
        (Some(3), Some("2026-11-02"))
    );
    let table = db.ok(&["report", "gaps", "--buyer", "Aurora", "--threshold", "1"]);
    assert!(
        table.contains("team_visits") && table.contains("any of our teams"),
        "{table}"
    );
}

every_backend!(
    a_gaps_report_with_nothing_scarce_says_so,
    gaps_show_who_else_is_after_a_supplier,
    a_buyers_status_report_keeps_others_signed_deals,
    gaps_count_our_visits_and_the_teams,
);
