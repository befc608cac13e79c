use crate::support::{Db, array_len};

fn logging_a_visit_records_everything_said() {
    let db = Db::seeded();
    let out = db.ok(&[
        "visit",
        "log",
        "LUMINA HETEROJUNCTION EQUIPMENT CO LTD",
        "--buyer",
        "Aurora Solar",
        "--site",
        "suzhou plant 2",
        "--date",
        "2026-03-04",
        "--visitor",
        "Li Wei",
        "--visitor",
        "Anna Keller",
        "--purpose",
        "PECVD line audit",
        "--lines-inspected",
        "3",
        "--summary",
        "Stable uptime; chamber leak open",
        "--finding",
        "major:PECVD chamber leak rate above spec",
        "--finding",
        "Minor: SOP binders out of date",
    ]);
    assert_eq!(
        out.trim(),
        "Logged visit #1: Aurora Solar visited Lumina Heterojunction Equipment Co., Ltd. on 2026-03-04 (2 findings)"
    );
    let visit = db.json(&["visit", "show", "1"]);
    assert_eq!(visit["date"], "2026-03-04");
    assert_eq!(visit["buyer"], "Aurora Solar");
    assert_eq!(visit["site"], "Suzhou Plant 2");
    assert_eq!(visit["visitors"], serde_json::json!(["Li Wei", "Anna Keller"]));
    assert_eq!(visit["purpose"], "PECVD line audit");
    assert_eq!(visit["lines_inspected"], 3);
    assert_eq!(visit["summary"], "Stable uptime; chamber leak open");
    let findings = visit["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2);
    assert_eq!(findings[0]["severity"], "major");
    assert_eq!(findings[0]["text"], "PECVD chamber leak rate above spec");
    assert_eq!(findings[0]["date"], "2026-03-04");
    assert_eq!(findings[0]["status"], "open");
    assert_eq!(findings[1]["severity"], "minor");
}
every_backend!(logging_a_visit_records_everything_said);

fn a_visit_defaults_to_today_and_accepts_yesterday() {
    let db = Db::seeded();
    let today = chrono::Local::now().date_naive();
    db.ok(&["visit", "log", "Lumina", "--buyer", "Aurora Solar"]);
    db.ok(&[
        "visit",
        "log",
        "Lumina",
        "--buyer",
        "Aurora Solar",
        "--date",
        "yesterday",
    ]);
    let visits = db.json(&["visit", "list"]);
    assert_eq!(visits[0]["date"], (today - chrono::Days::new(1)).to_string());
    assert_eq!(visits[1]["date"], today.to_string());
}
every_backend!(a_visit_defaults_to_today_and_accepts_yesterday);

fn visits_are_listed_by_date_with_filters() {
    let db = Db::seeded();
    for (supplier, buyer, date) in [
        ("Lumina", "Aurora Solar", "2026-03-01"),
        ("Maxwell", "Aurora Solar", "2026-01-15"),
        ("Lumina", "Borealis PV", "2026-02-10"),
        ("Lumina", "Helios Energy", "2026-04-20"),
    ] {
        db.ok(&["visit", "log", supplier, "--buyer", buyer, "--date", date]);
    }
    let dates = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["visit", "list"];
        all.extend(args);
        db.json(&all)
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["date"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        dates(&[]),
        ["2026-01-15", "2026-02-10", "2026-03-01", "2026-04-20"]
    );
    assert_eq!(
        dates(&["--supplier", "lumina"]),
        ["2026-02-10", "2026-03-01", "2026-04-20"]
    );
    assert_eq!(dates(&["--buyer", "Aurora Solar"]), ["2026-01-15", "2026-03-01"]);
    assert_eq!(
        dates(&["--since", "2026-02-10", "--until", "2026-03-31"]),
        ["2026-02-10", "2026-03-01"]
    );
}
every_backend!(visits_are_listed_by_date_with_filters);

fn inspected_lines_cannot_exceed_the_site() {
    let db = Db::seeded();
    db.refuses(
        &[
            "visit",
            "log",
            "Lumina",
            "--buyer",
            "Aurora Solar",
            "--site",
            "Suzhou Plant 2",
            "--lines-inspected",
            "5",
        ],
        65,
        "lines-inspected",
    );
}
every_backend!(inspected_lines_cannot_exceed_the_site);

fn an_unknown_site_is_named_with_its_supplier() {
    let db = Db::seeded();
    let err = db.refuses(
        &[
            "visit",
            "log",
            "Lumina",
            "--buyer",
            "Aurora Solar",
            "--site",
            "Plant 9",
        ],
        65,
        "site",
    );
    assert!(
        err.contains("of supplier 'Lumina Heterojunction Equipment Co., Ltd.'"),
        "{err}"
    );
}
every_backend!(an_unknown_site_is_named_with_its_supplier);

fn an_unknown_visit_is_reported() {
    let db = Db::seeded();
    let err = db.fails(&["visit", "show", "42"], 65);
    assert!(err.contains("visit '42' not found"), "{err}");
    assert_eq!(array_len(&db.json(&["visit", "list"])), 0);
}
every_backend!(an_unknown_visit_is_reported);

/// A visit logged against the wrong supplier and buyer is moved, its findings with it, its
/// site cleared unless one of the new supplier's is named (findings had to be voided and
/// retyped); undo moves it back.
fn a_visit_moves_to_another_supplier_and_buyer_with_its_findings() {
    let db = Db::seeded();
    db.ok(&[
        "visit",
        "log",
        "Lumina",
        "--buyer",
        "Aurora",
        "--site",
        "Suzhou Plant 2",
        "--date",
        "2026-03-01",
        "--finding",
        "major:PVD target wear",
        "--finding",
        "minor:loose cable",
    ]);
    let before = crate::support::record(&db);
    let moved = db.json(&[
        "visit",
        "edit",
        "1",
        "--supplier",
        "Maxwell",
        "--buyer",
        "Borealis",
    ]);
    assert_eq!(
        (
            moved["supplier"].as_str(),
            moved["buyer"].as_str(),
            moved["site"].is_null()
        ),
        (Some("Maxwell PVD GmbH"), Some("Borealis PV"), true),
        "{moved}"
    );
    let findings = db.json(&["note", "list", "--supplier", "Maxwell"]);
    assert_eq!(array_len(&findings), 2, "{findings}");
    assert_eq!(array_len(&db.json(&["note", "list", "--supplier", "Lumina"])), 0);
    let maxwell = db.json(&["supplier", "show", "Maxwell"]);
    assert_eq!(maxwell["visits"][0]["findings"][0]["text"], "PVD target wear");
    // A site of another supplier is refused; undo gives everything back.
    db.refuses(&["visit", "edit", "1", "--site", "Suzhou Plant 2"], 65, "site");
    db.ok(&["undo"]);
    assert_eq!(crate::support::record(&db), before);
}
every_backend!(a_visit_moves_to_another_supplier_and_buyer_with_its_findings);
