//! Valid time: a supplier's capabilities, aliases, archive state, scarcity override and its
//! sites' line counts are dated facts (`--date`), so that `--as-of D` reads them as they stood
//! at the end of D, and what is recorded today leaves yesterday's answers as they were.

use serde_json::Value;

use crate::support::{Db, array_len, supplier_names as listed};

const BEFORE: &str = "2026-11-30";

fn status(db: &Db, as_of: &str) -> Value {
    db.json(&["report", "status", "--as-of", as_of])
}

fn gaps(db: &Db, as_of: &str) -> Value {
    db.json(&["report", "gaps", "--buyer", "Aurora", "--as-of", as_of])
}

fn capabilities_of(report: &Value, name: &str) -> Vec<String> {
    report["suppliers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("{name} is not in {report:#}"))["capabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect()
}

fn two_makers() -> Db {
    let db = Db::new();
    db.ok(&["buyer", "add", "Aurora Solar"]);
    for name in ["Lumina", "Nova Deposition"] {
        db.ok(&[
            "supplier",
            "add",
            name,
            "--capability",
            "hjt-full-line",
            "--date",
            "2026-01-01",
        ]);
    }
    db
}

fn what_is_recorded_today_leaves_yesterday_as_it_was() {
    let db = two_makers();
    let (status_before, gaps_before) = (status(&db, BEFORE), gaps(&db, BEFORE));
    assert_eq!(listed(&status_before), ["Lumina", "Nova Deposition"]);
    assert_eq!(array_len(&gaps_before["suppliers"]), 2, "{gaps_before:#}");

    db.ok(&["supplier", "archive", "Nova"]);
    db.ok(&[
        "supplier",
        "edit",
        "Lumina",
        "--capability",
        "laser",
        "--scarce",
        "no",
    ]);
    db.ok(&["supplier", "add", "Orion Tools", "--capability", "hjt-full-line"]);

    assert_eq!(status(&db, BEFORE), status_before);
    assert_eq!(gaps(&db, BEFORE), gaps_before);
    let today = db.json(&["report", "status"]);
    assert_eq!(listed(&today), ["Lumina", "Orion Tools"]);
    assert_eq!(capabilities_of(&today, "Lumina"), ["hjt-full-line", "laser"]);
    let gaps_today = db.json(&["report", "gaps", "--buyer", "Aurora"]);
    assert_eq!(
        gaps_today["suppliers"][0]["name"], "Orion Tools",
        "{gaps_today:#}"
    );
    assert_eq!(array_len(&gaps_today["suppliers"]), 1, "Lumina is scarce no more");
}

every_backend!(what_is_recorded_today_leaves_yesterday_as_it_was);

fn back_dated_facts_change_the_days_they_name() {
    let db = two_makers();
    db.ok(&["supplier", "archive", "Nova", "--date", "2026-03-01"]);
    assert_eq!(listed(&status(&db, "2026-02-28")), ["Lumina", "Nova Deposition"]);
    assert_eq!(listed(&status(&db, "2026-03-01")), ["Lumina"]);
    db.ok(&["supplier", "archive", "--restore", "Nova", "--date", "2026-05-01"]);
    assert_eq!(listed(&status(&db, "2026-04-30")), ["Lumina"]);
    assert_eq!(listed(&status(&db, "2026-05-01")), ["Lumina", "Nova Deposition"]);
    assert_eq!(
        listed(&db.json(&["report", "status"])),
        ["Lumina", "Nova Deposition"]
    );

    // A capability removed from a day on; scarcity and alternatives follow the day.
    db.ok(&[
        "supplier",
        "edit",
        "Lumina",
        "--remove-capability",
        "hjt-full-line",
        "--capability",
        "pecvd",
        "--date",
        "2026-04-01",
    ]);
    let march = status(&db, "2026-03-31");
    assert_eq!(capabilities_of(&march, "Lumina"), ["hjt-full-line"]);
    assert_eq!(capabilities_of(&status(&db, "2026-04-01"), "Lumina"), ["pecvd"]);
    let june = status(&db, "2026-06-01");
    let hjt = june["capabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "hjt-full-line")
        .cloned()
        .unwrap();
    assert_eq!(hjt["suppliers"], 1, "{june:#}");
    let feb_gaps = gaps(&db, "2026-02-01");
    assert_eq!(feb_gaps["suppliers"][0]["alternatives"], 1, "{feb_gaps:#}");

    // The timeline is kept, oldest first, and shown with the supplier.
    let nova = db.json(&["supplier", "show", "Nova"]);
    let dated: Vec<(String, Value)> = nova["dated"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["date"].as_str().unwrap().to_string(), f["value"].clone()))
        .collect();
    assert_eq!(
        dated,
        [
            ("2026-01-01".to_string(), Value::Null),
            ("2026-03-01".to_string(), Value::from("yes")),
            ("2026-05-01".to_string(), Value::Null),
        ]
    );
    // An undone fact leaves the past it named.
    db.ok(&["undo"]); // the capability change
    db.ok(&["undo"]); // the restore
    assert_eq!(listed(&status(&db, "2026-06-01")), ["Lumina"]);
    assert_eq!(array_len(&db.json(&["supplier", "show", "Nova"])["dated"]), 2);

    // A day before the supplier was listed, or one to come, is refused and writes nothing.
    let message = db.refuses(
        &["supplier", "archive", "--restore", "Nova", "--date", "2025-12-31"],
        65,
        "date",
    );
    assert!(
        message.contains("before the supplier was listed (2026-01-01)"),
        "{message}"
    );
    db.refuses(
        &[
            "supplier",
            "edit",
            "Lumina",
            "--alias",
            "LHE",
            "--date",
            "2099-01-01",
        ],
        65,
        "date",
    );
}

every_backend!(back_dated_facts_change_the_days_they_name);

fn suppliers_are_listed_from_their_day_or_their_first_evidence() {
    let db = Db::new();
    db.ok(&["buyer", "add", "Aurora Solar"]);
    db.ok(&["buyer", "add", "Helios Energy", "--external"]);
    let csv = db.file(
        "makers.csv",
        "name,country,capabilities\nQiantang Machinery,CN,hjt-full-line\nMesa Ridge,US,laser\n",
    );
    db.ok(&["import", "suppliers", &csv, "--date", "2026-01-15"]);
    assert!(listed(&status(&db, "2026-01-14")).is_empty());
    assert_eq!(
        listed(&status(&db, "2026-01-15")),
        ["Mesa Ridge", "Qiantang Machinery"]
    );

    // Added today, but a competitor signed with it in February: on record from then.
    db.ok(&["supplier", "add", "Yaoke Laser", "--capability", "laser"]);
    assert_eq!(
        listed(&status(&db, "2026-03-01")),
        ["Mesa Ridge", "Qiantang Machinery"]
    );
    db.ok(&[
        "deal",
        "set",
        "Yaoke",
        "--buyer",
        "Helios",
        "--status",
        "signed",
        "--date",
        "2026-02-01",
    ]);
    let march = status(&db, "2026-03-01");
    assert_eq!(
        listed(&march),
        ["Mesa Ridge", "Qiantang Machinery", "Yaoke Laser"]
    );
    assert_eq!(
        db.json(&["supplier", "show", "Yaoke"])["supplier"]["listed_on"],
        "2026-02-01"
    );
    // An import dated later changes what it adds from its own day on.
    let more = db.file("more.csv", "name,capabilities\nMesa Ridge,laser;metrology\n");
    db.ok(&["import", "suppliers", &more, "--date", "2026-06-01"]);
    assert_eq!(
        capabilities_of(&status(&db, "2026-05-31"), "Mesa Ridge"),
        ["laser"]
    );
    assert_eq!(
        capabilities_of(&status(&db, "2026-06-01"), "Mesa Ridge"),
        ["laser", "metrology"]
    );
    db.refuses(&["import", "suppliers", &more, "--date", "tomorrow"], 65, "date");

    // A `date` column dates its row; a bad one is named by line and column, and nothing is
    // written.
    let dated = db.file(
        "dated.csv",
        "name,capabilities,date\nKestrel Wet,wet-bench,2026-01-10\nNingbo Clean,wet-bench,\n",
    );
    db.ok(&["import", "suppliers", &dated, "--date", "2026-01-20"]);
    let show = |name: &str| db.json(&["supplier", "show", name])["supplier"]["listed_on"].clone();
    assert_eq!(show("Kestrel"), "2026-01-10");
    assert_eq!(show("Ningbo"), "2026-01-20");
    let exported = db.ok(&["export", "suppliers"]);
    assert!(exported.lines().next().unwrap().ends_with(",date"), "{exported}");
    let copy = Db::new();
    copy.ok(&["import", "suppliers", &copy.file("copy.csv", &exported)]);
    assert_eq!(
        listed(&copy.json(&["report", "status", "--as-of", "2026-01-12"])),
        listed(&status(&db, "2026-01-12"))
    );
    let bad = db.file(
        "bad.csv",
        "name,date\nLater Maker,2099-01-01\nOdd Maker,13/01/2026\n",
    );
    let message = db.refuses(&["import", "suppliers", &bad], 65, "date");
    assert!(message.contains("line 2"), "{message}");
    assert!(message.contains("line 3"), "{message}");
}

every_backend!(suppliers_are_listed_from_their_day_or_their_first_evidence);

fn known_at_and_as_of_combine_over_dated_facts() {
    let db = two_makers();
    let question = ["report", "gaps", "--buyer", "Aurora", "--as-of", "2026-04-01"];
    let first = db.json(&question);
    let moment = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    std::thread::sleep(std::time::Duration::from_millis(20));
    // Learnt later: Nova was archived in March, and a site of Lumina had two lines from May.
    db.ok(&["supplier", "archive", "Nova", "--date", "2026-03-01"]);
    db.ok(&[
        "site",
        "add",
        "Lumina",
        "Wujiang Plant",
        "--lines",
        "2",
        "--date",
        "2026-05-01",
    ]);
    let now = db.json(&question);
    assert_ne!(now, first);
    let mut then: Vec<&str> = question.to_vec();
    then.extend(["--known-at", &moment]);
    let known = |db: &Db| {
        let mut report = db.json(&then);
        report.as_object_mut().unwrap().shift_remove("known_at");
        report
    };
    assert_eq!(known(&db), first);
    let lumina = db.json(&["supplier", "show", "Lumina"]);
    let lines: Vec<&Value> = lumina["dated"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "lines")
        .collect();
    assert_eq!(lines.len(), 2, "{lumina:#}");
    assert_eq!(lines[1]["value"], "2");
    assert_eq!(lines[1]["date"], "2026-05-01");

    // A backup carries the dated facts and still round-trips byte for byte.
    let text = db.ok(&["export", "all"]);
    let backup: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        array_len(&backup["dated_facts"]),
        4,
        "{:#}",
        backup["dated_facts"]
    );
    let file = db.file("backup.json", &text);
    let copy = Db::new();
    copy.ok(&["import", "all", &file]);
    assert_eq!(copy.ok(&["export", "all"]), text);
    assert_eq!(known(&copy), first);
}

every_backend!(known_at_and_as_of_combine_over_dated_facts);
