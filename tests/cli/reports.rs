//! `report status` and `report gaps`: scarcity, ordering, point in time, every format; and the demo.

use crate::support::{Db, array_len, supplier_names as names, vetted};

/// Three HJT line makers (scarce), one PVD maker (scarce), plenty of wet benches (not scarce).
fn market() -> Db {
    let db = Db::new();
    db.ok(&["buyer", "add", "Aurora Solar"]);
    db.ok(&["buyer", "add", "Borealis PV"]);
    db.ok(&["buyer", "add", "Helios Energy", "--external"]);
    for (name, caps) in [
        ("Lumina HJT", &["hjt-full-line", "pecvd"][..]),
        ("Qiantang PV", &["hjt-full-line", "rpd"][..]),
        ("Zhicheng Equipment", &["hjt-full-line"][..]),
        ("Maxwell PVD", &["pvd", "wet-bench"][..]),
        ("Kestrel Wet", &["wet-bench"][..]),
        ("Ningbo Clean", &["wet-bench"][..]),
        ("Wuxi Benches", &["wet-bench"][..]),
        ("Gone Tools", &["pvd"][..]),
    ] {
        // On record since New Year, before everything the reports are asked about.
        let mut args = vec!["supplier", "add", name, "--date", "2026-01-01"];
        for cap in caps {
            args.extend(["--capability", cap]);
        }
        db.ok(&args);
    }
    db.ok(&["supplier", "archive", "Gone Tools", "--date", "2026-01-01"]);
    db.ok(&[
        "supplier",
        "edit",
        "Kestrel Wet",
        "--scarce",
        "yes",
        "--date",
        "2026-01-01",
    ]);
    db.ok(&[
        "supplier",
        "edit",
        "Zhicheng Equipment",
        "--scarce",
        "no",
        "--date",
        "2026-01-01",
    ]);
    // Helios locks up Qiantang in March; Aurora signs Lumina in May, Borealis signs Maxwell and
    // terminates it.
    for (supplier, buyer, status, date) in [
        ("Qiantang", "Helios", "negotiating", "2026-02-01"),
        ("Qiantang", "Helios", "signed", "2026-03-15"),
        ("Lumina", "Aurora", "evaluating", "2026-01-10"),
        ("Lumina", "Aurora", "signed", "2026-05-20"),
        ("Maxwell", "Borealis", "signed", "2026-02-01"),
        ("Maxwell", "Borealis", "terminated", "2026-04-01"),
        ("Maxwell", "Aurora", "negotiating", "2026-03-01"),
    ] {
        db.ok(&[
            "deal", "set", supplier, "--buyer", buyer, "--status", status, "--date", date,
        ]);
    }
    db.ok(&[
        "visit",
        "log",
        "Maxwell",
        "--buyer",
        "Aurora",
        "--date",
        "2026-02-20",
        "--finding",
        "critical:no interlock",
    ]);
    db.ok(&[
        "visit",
        "log",
        "Kestrel",
        "--buyer",
        "Aurora",
        "--date",
        "2026-01-05",
        "--finding",
        "major:bath drift",
    ]);
    db.ok(&[
        "visit",
        "log",
        "Kestrel",
        "--buyer",
        "Borealis",
        "--date",
        "2026-03-05",
    ]);
    db.ok(&["note", "resolve", "1", "--date", "2026-04-15"]);
    db
}

/// The entry called `name` in a report's `list` (`suppliers` or `buyers`).
fn entry<'a>(report: &'a serde_json::Value, list: &str, name: &str) -> &'a serde_json::Value {
    report[list]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {list}: {report}"))
}

/// `report gaps --buyer Aurora` followed by `args`.
fn aurora_gaps<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut all = vec!["report", "gaps", "--buyer", "Aurora"];
    all.extend(args);
    all
}

fn gaps_list_scarce_unsigned_suppliers_most_urgent_first() {
    let db = market();
    let gaps = db.json(&aurora_gaps(&["--as-of", "2026-06-30"]));
    assert_eq!(gaps["buyer"], "Aurora Solar");
    assert_eq!(gaps["as_of"], "2026-06-30");
    assert_eq!(gaps["threshold"], 3);
    // Lumina is signed by Aurora; Zhicheng's override says no; Gone Tools is archived, which
    // leaves Maxwell the only active PVD maker.
    assert_eq!(names(&gaps), ["Qiantang PV", "Maxwell PVD", "Kestrel Wet"]);
    let qiantang = &gaps["suppliers"][0];
    assert_eq!(qiantang["signed_with"], serde_json::json!(["Helios Energy"]));
    assert_eq!(
        qiantang["scarce_reasons"],
        serde_json::json!(["hjt-full-line", "rpd"])
    );
    assert_eq!(qiantang["alternatives"], 0, "rpd: nobody else");
    assert_eq!(qiantang["deal_status"], serde_json::Value::Null);
    assert_eq!(qiantang["last_visit"], serde_json::Value::Null);
    let maxwell = &gaps["suppliers"][1];
    assert_eq!(maxwell["deal_status"], "negotiating");
    assert_eq!(
        maxwell["signed_with"],
        serde_json::json!([]),
        "Borealis terminated"
    );
    assert_eq!(maxwell["last_visit"], "2026-02-20");
    assert_eq!(maxwell["visits"], 1);
    assert_eq!(
        maxwell["open_findings"],
        serde_json::json!({"info": 0, "minor": 0, "major": 0, "critical": 0})
    );
    let kestrel = &gaps["suppliers"][2];
    assert_eq!(kestrel["scarce_reasons"], serde_json::json!(["override"]));
    assert_eq!(kestrel["visits"], 1, "only this buyer's visits");
    assert_eq!(kestrel["open_findings"]["major"], 1);
}
every_backend!(gaps_list_scarce_unsigned_suppliers_most_urgent_first);

fn as_of_reads_the_dated_history() {
    let db = market();
    // On 1 March Helios had not signed Qiantang, Lumina was still being evaluated, and the
    // interlock finding was open; Borealis still held Maxwell.
    let early = db.json(&aurora_gaps(&["--as-of", "2026-03-01"]));
    let early_names = names(&early);
    assert!(early_names.contains(&"Lumina HJT".to_string()), "{early_names:?}");
    // Borealis, our sister team, had signed Maxwell: listed apart, and not pressing it first.
    let maxwell = entry(&early, "suppliers", "Maxwell PVD");
    assert_eq!(maxwell["signed_with"], serde_json::json!(["Borealis PV"]));
    assert_eq!(maxwell["sister_teams"][0]["buyer"], "Borealis PV");
    assert_eq!(maxwell["sister_teams"][0]["status"], "signed");
    assert_eq!(maxwell["competitors"], serde_json::json!([]));
    assert_ne!(
        early["suppliers"][0]["name"], "Maxwell PVD",
        "a sister team does not press"
    );
    assert_eq!(maxwell["open_findings"]["critical"], 1);
    let lumina = entry(&early, "suppliers", "Lumina HJT");
    assert_eq!(lumina["deal_status"], "evaluating");
    let qiantang = entry(&early, "suppliers", "Qiantang PV");
    assert_eq!(
        qiantang["signed_with"],
        serde_json::json!([]),
        "signed after the day"
    );

    // Adding history after the day does not change the report for that day.
    let before = db.ok(&["report", "status", "--as-of", "2026-03-01", "--format", "json"]);
    db.ok(&[
        "deal",
        "set",
        "Kestrel",
        "--buyer",
        "Borealis",
        "--status",
        "signed",
        "--date",
        "2026-05-01",
    ]);
    db.ok(&[
        "visit",
        "log",
        "Lumina",
        "--buyer",
        "Helios",
        "--date",
        "2026-04-01",
    ]);
    assert_eq!(
        db.ok(&["report", "status", "--as-of", "2026-03-01", "--format", "json"]),
        before
    );
}
every_backend!(as_of_reads_the_dated_history);

fn status_deals_follow_an_event_recorded_later_but_dated_earlier() {
    let db = Db::new();
    db.ok(&["buyer", "add", "Aurora Solar"]);
    db.ok(&[
        "supplier",
        "add",
        "Qiantang PV",
        "--capability",
        "rpd",
        "--date",
        "2026-01-01",
    ]);
    let deal = |status: &str, date: &str| {
        db.ok(&[
            "deal", "set", "Qiantang", "--buyer", "Aurora", "--status", status, "--date", date,
        ]);
    };
    deal("signed", "2026-05-01");
    // Entered afterwards: the evaluation that came before the signature.
    deal("evaluating", "2026-02-01");
    let on = |day: &str| {
        let status = db.json(&["report", "status", "--as-of", day]);
        let deal = entry(&status, "suppliers", "Qiantang PV")["deals"]["Aurora Solar"].clone();
        let signed = status["buyers"][0]["deals"]["signed"].clone();
        (deal, signed)
    };
    assert_eq!(on("2026-01-31"), (serde_json::Value::Null, 0.into()));
    assert_eq!(on("2026-02-01"), ("evaluating".into(), 0.into()));
    assert_eq!(on("2026-04-30"), ("evaluating".into(), 0.into()));
    assert_eq!(on("2026-05-01"), ("signed".into(), 1.into()));
    assert_eq!(on("2026-11-29"), ("signed".into(), 1.into()));
}
every_backend!(status_deals_follow_an_event_recorded_later_but_dated_earlier);

fn status_covers_every_active_supplier_capability_and_buyer() {
    let db = market();
    let status = db.json(&["report", "status", "--as-of", "2026-06-30"]);
    assert_eq!(
        array_len(&status["suppliers"]),
        7,
        "the archived supplier drops out"
    );
    let caps: Vec<(String, u64, bool)> = status["capabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().into(),
                c["suppliers"].as_u64().unwrap(),
                c["scarce"].as_bool().unwrap(),
            )
        })
        .collect();
    assert!(caps.contains(&("hjt-full-line".into(), 3, true)));
    assert!(caps.contains(&("wet-bench".into(), 4, false)));
    assert!(caps.contains(&("pvd".into(), 1, true)));
    let maxwell = entry(&status, "suppliers", "Maxwell PVD");
    assert_eq!(
        maxwell["deals"],
        serde_json::json!({"Aurora Solar": "negotiating", "Borealis PV": "terminated"})
    );
    assert_eq!(maxwell["scarce"], true);
    let zhicheng = entry(&status, "suppliers", "Zhicheng Equipment");
    assert_eq!(zhicheng["scarce"], false);
    let helios = entry(&status, "buyers", "Helios Energy");
    assert_eq!(helios["kind"], "external");
    assert_eq!(helios["deals"]["signed"], 1);
    let kestrel = entry(&status, "suppliers", "Kestrel Wet");
    assert_eq!(kestrel["visits"], 2);
    let only_aurora = db.json(&["report", "status", "--buyer", "Aurora", "--as-of", "2026-06-30"]);
    assert_eq!(array_len(&only_aurora["buyers"]), 1);
    let kestrel = entry(&only_aurora, "suppliers", "Kestrel Wet");
    assert_eq!(kestrel["visits"], 1);
}
every_backend!(status_covers_every_active_supplier_capability_and_buyer);

fn the_threshold_decides_what_is_scarce() {
    let db = market();
    let strict = db.json(&aurora_gaps(&["--threshold", "1", "--as-of", "2026-06-30"]));
    assert_eq!(names(&strict), ["Qiantang PV", "Maxwell PVD", "Kestrel Wet"]);
    let loose = db.json(&aurora_gaps(&["--threshold", "4", "--as-of", "2026-06-30"]));
    assert!(
        names(&loose).contains(&"Ningbo Clean".to_string()),
        "wet-bench (4 makers) is scarce at 4"
    );
    db.fails(&aurora_gaps(&["--threshold", "0"]), 65);
    db.fails(&["report", "gaps", "--buyer", "Nobody"], 65);
    db.fails(&aurora_gaps(&["--as-of", "2026-02-31"]), 65);
}
every_backend!(the_threshold_decides_what_is_scarce);

fn reports_paste_as_csv_and_markdown_and_read_as_tables() {
    let db = market();
    let csv_text = db.ok(&aurora_gaps(&["--as-of", "2026-06-30", "--format", "csv"]));
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    for column in [
        "rank",
        "name",
        "scarce_reasons",
        "alternatives",
        "signed_with",
        "open_critical",
    ] {
        assert!(header.contains(&column.to_string()), "{column} in {header:?}");
    }
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(
        &rows[0][header.iter().position(|h| h == "signed_with").unwrap()],
        "Helios Energy"
    );
    let status_csv = db.ok(&["report", "status", "--format", "csv"]);
    assert_eq!(
        csv::Reader::from_reader(status_csv.as_bytes()).records().count(),
        7
    );

    let md = db.ok(&aurora_gaps(&["--as-of", "2026-06-30", "--format", "md"]));
    assert!(
        md.starts_with("## Scarce suppliers Aurora Solar has no signed deal with, as of 2026-06-30"),
        "{md}"
    );
    assert!(md.contains("| rank | id | name |"), "{md}");
    assert!(md.contains("| --- |"));
    let table = db.ok(&["report", "status", "--as-of", "2026-06-30"]);
    for heading in [
        "Supplier status as of 2026-06-30",
        "Capabilities",
        "Deal pipeline",
    ] {
        assert!(table.contains(heading), "{heading}:\n{table}");
    }
    let out = db.path.with_file_name("gaps.json");
    db.ok(&aurora_gaps(&[
        "--format",
        "json",
        "--out",
        out.to_str().unwrap(),
    ]));
    let written: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(written["buyer"], "Aurora Solar");
}
every_backend!(reports_paste_as_csv_and_markdown_and_read_as_tables);

#[test]
fn the_demo_builds_a_fresh_database_and_prints_both_reports_the_same_each_time() {
    let dir = tempfile::tempdir().unwrap();
    let run = || {
        let out = vetted()
            .env("HOME", dir.path())
            .env("XDG_DATA_HOME", dir.path().join("data"))
            .args(["-q", "demo"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let first = run();
    assert!(first.contains("Supplier status as of"), "{first}");
    assert!(
        first.contains("Scarce suppliers Aurora Solar has no signed deal with"),
        "{first}"
    );
    assert_eq!(run(), first, "the demo rebuilds from scratch");
    let demo_db = dir.path().join("data/vetted/demo.db");
    let suppliers = vetted()
        .arg("--db")
        .arg(&demo_db)
        .args(["supplier", "list", "--format", "json"])
        .output()
        .unwrap();
    let suppliers: serde_json::Value = serde_json::from_slice(&suppliers.stdout).unwrap();
    assert!(array_len(&suppliers) >= 12);
    let history = vetted()
        .arg("--db")
        .arg(&demo_db)
        .args(["history", "--format", "json"])
        .output()
        .unwrap();
    let history: serde_json::Value = serde_json::from_slice(&history.stdout).unwrap();
    assert!(
        history
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "import.suppliers"),
        "suppliers came through the import"
    );
}

/// The demo also shows how much of the complete-line makers' capacity is free and who holds it,
/// read as of the fixture's last statement (2026-11-20) so it is the same on any day: Lumina is
/// sold out to 2028Q2 (Aurora's contract, Helios's contracts and reservations), Helios's rumour at
/// Qiantang is listed but not subtracted, and at the last half-year's pace (14 lines taken in
/// 180 days: 7 a quarter) the 5 + 6 = 11 free lines from 2026Q4 run out in the second quarter,
/// 2027Q1.
#[test]
fn the_demo_shows_who_holds_the_scarce_capacity_and_when_it_runs_out() {
    let dir = tempfile::tempdir().unwrap();
    let out = vetted()
        .env("HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .args(["demo", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let demo: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let capacity = &demo["capacity"];
    assert_eq!(capacity["as_of"], "2026-11-20", "{capacity}");
    let row = |supplier: &str, period: &str| {
        capacity["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["supplier"]["name"].as_str().unwrap().starts_with(supplier) && r["period"] == period)
            .unwrap_or_else(|| panic!("no {supplier} {period} row in {capacity}"))
            .clone()
    };
    let lumina = row("Lumina", "2027Q1");
    assert_eq!(
        (lumina["capacity"].as_i64(), lumina["free"].as_i64()),
        (Some(2), Some(0))
    );
    let holders: Vec<&str> = lumina["held"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["buyer"].as_str().unwrap())
        .collect();
    assert!(
        holders.contains(&"Aurora Solar") && holders.contains(&"Helios Energy"),
        "{lumina}"
    );
    let qiantang = row("Qiantang", "2027Q4");
    assert_eq!(qiantang["free"], 1, "a rumour is not subtracted: {qiantang}");
    let outlook = &capacity["outlook"][0];
    assert_eq!(outlook["capability"], "hjt-full-line");
    assert_eq!(outlook["free_next_4_quarters"], 5, "{outlook}");
    assert_eq!(outlook["taken_per_quarter"], 7.0, "{outlook}");
    assert_eq!(outlook["sold_out_by"], "2027Q1", "{outlook}");
    assert_eq!(
        outlook["sold_out"][0]["name"],
        "Lumina Heterojunction Equipment Co., Ltd."
    );
    assert_eq!(outlook["sold_out"].as_array().unwrap().len(), 1, "{outlook}");
}

/// A status or severity changed by hand in the database to a spelling vetted never stores is an
/// error that names it (65), never a deal or finding silently left out of the answer.
fn a_value_stored_by_hand_is_reported_not_skipped() {
    let db = Db::seeded();
    db.ok(&[
        "deal",
        "set",
        "Lumina",
        "--buyer",
        "Aurora Solar",
        "--status",
        "evaluating",
    ]);
    db.ok(&[
        "note",
        "add",
        "--supplier",
        "Lumina",
        "--severity",
        "major",
        "Chamber leak",
    ]);
    let refused = |commands: &[&[&str]], problem: &str| {
        for args in commands {
            let stderr = db.fails(args, 65);
            assert!(stderr.contains(problem), "{args:?}: {stderr}");
        }
    };
    db.sql("UPDATE deal SET status = 'bogus'");
    refused(
        &[
            &["--format", "json", "report", "status"],
            &["--format", "json", "report", "gaps", "--buyer", "Aurora Solar"],
            &["deal", "list"],
            &["supplier", "show", "Lumina"],
        ],
        "'bogus' is not a deal status",
    );
    db.sql("UPDATE deal SET status = 'evaluating'");
    db.sql("UPDATE note SET severity = 'Severe'");
    refused(
        &[&["note", "list"], &["supplier", "show", "Lumina"]],
        "'Severe' is not a severity",
    );
}
every_backend!(a_value_stored_by_hand_is_reported_not_skipped);

/// A finding is open from the day it was noted until the day it is resolved: on that day's
/// evening it is closed.
fn a_finding_is_open_from_its_day_until_the_day_it_is_resolved() {
    let db = Db::seeded();
    db.ok(&[
        "note",
        "add",
        "--supplier",
        "Lumina",
        "--severity",
        "major",
        "--date",
        "2026-03-04",
        "Chamber leak",
    ]);
    db.ok(&[
        "note",
        "resolve",
        "1",
        "--resolution",
        "Resealed",
        "--date",
        "2026-04-02",
    ]);
    for (day, open) in [
        ("2026-03-03", 0),
        ("2026-03-04", 1),
        ("2026-04-01", 1),
        ("2026-04-02", 0),
    ] {
        let report = db.json(&["report", "status", "--as-of", day]);
        let lumina = entry(&report, "suppliers", "Lumina Heterojunction Equipment Co., Ltd.");
        assert_eq!(lumina["open_findings"]["major"], open, "as of {day}");
        let gaps = db.json(&["report", "gaps", "--buyer", "Aurora Solar", "--as-of", day]);
        let lumina = entry(&gaps, "suppliers", "Lumina Heterojunction Equipment Co., Ltd.");
        assert_eq!(lumina["open_findings"]["major"], open, "gaps as of {day}");
    }
}
every_backend!(a_finding_is_open_from_its_day_until_the_day_it_is_resolved);

/// A gaps report judged by capacity says so (its heading named suppliers, its JSON nothing),
/// and every report read as known at a moment says that moment in its heading and JSON.
fn a_report_says_what_it_judged_by_and_when_it_was_known() {
    let db = Db::seeded();
    let gaps = db.json(&["report", "gaps", "--buyer", "Aurora", "--scarce-by", "capacity"]);
    assert_eq!(gaps["scarce_by"], "capacity", "{gaps}");
    assert_eq!(
        db.json(&["report", "gaps", "--buyer", "Aurora"])["scarce_by"],
        "suppliers"
    );
    db.ok(&[
        "capacity",
        "set",
        "Lumina",
        "--capability",
        "hjt-full-line",
        "--period",
        &crate::support::this_quarter(),
        "--units",
        "1",
    ]);
    let table = db.ok(&["report", "gaps", "--buyer", "Aurora", "--scarce-by", "capacity"]);
    assert!(
        table.contains("3 or fewer units free in the next four quarters"),
        "{table}"
    );
    assert!(!table.contains("active suppliers)"), "{table}");
    let moment = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    for report in [
        vec!["report", "status"],
        vec!["report", "gaps", "--buyer", "Aurora"],
        vec!["report", "capacity"],
    ] {
        let mut args = report.clone();
        args.extend(["--known-at", moment.as_str()]);
        let table = db.ok(&args);
        assert!(
            table.contains(&format!("as known at {moment}")),
            "{args:?}: {table}"
        );
        let mut md = args.clone();
        md.extend(["--format", "md"]);
        assert!(db.ok(&md).contains("as known at"), "{md:?}");
        let mut json = args.clone();
        json.extend(["--format", "json"]);
        let value: serde_json::Value = serde_json::from_str(&db.ok(&json)).unwrap();
        assert_eq!(value["known_at"], moment.as_str(), "{json:?}");
        let plain = db.json(&report);
        assert!(plain.get("known_at").is_none(), "{report:?}: {plain}");
    }
}
every_backend!(a_report_says_what_it_judged_by_and_when_it_was_known);
