//! Capacity, holdings and quotes, and `report capacity` (issue 14), through the binary.

use serde_json::Value;

use crate::support::{Db, array_len, record};

/// Seeded, and Lumina's hjt-full-line capacity for 2027: 4 lines a quarter, stated on
/// 2026-09-01.
fn with_capacity() -> Db {
    let db = Db::seeded();
    for quarter in ["2027Q1", "2027Q2", "2027Q3", "2027Q4"] {
        db.ok(&[
            "capacity",
            "set",
            "Lumina",
            "--capability",
            "hjt-full-line",
            "--period",
            quarter,
            "--units",
            "4",
            "--date",
            "2026-09-01",
        ]);
    }
    db
}

fn hold(db: &Db, buyer: &str, period: &str, units: &str, status: &str, date: &str) {
    db.ok(&[
        "hold",
        "set",
        "Lumina",
        "--buyer",
        buyer,
        "--capability",
        "hjt-full-line",
        "--period",
        period,
        "--units",
        units,
        "--status",
        status,
        "--date",
        date,
    ]);
}

fn report(db: &Db, extra: &[&str]) -> Value {
    let mut args = vec![
        "report",
        "capacity",
        "--capability",
        "hjt-full-line",
        "--from",
        "2027Q1",
        "--to",
        "2027Q4",
    ];
    args.extend(extra);
    db.json(&args)
}

/// The row of Lumina's quarter.
fn row<'a>(report: &'a Value, period: &str) -> &'a Value {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["period"] == period)
        .unwrap_or_else(|| panic!("no row for {period}: {report}"))
}

fn a_later_statement_supersedes_and_history_is_kept() {
    let db = with_capacity();
    db.ok(&[
        "capacity",
        "set",
        "Lumina",
        "--capability",
        "hjt-full-line",
        "--period",
        "2027Q2",
        "--units",
        "6",
        "--date",
        "2026-11-01",
        "--source",
        "supplier's sales",
    ]);
    let standing = db.json(&["capacity", "list", "Lumina"]);
    assert_eq!(array_len(&standing), 4);
    let q2 = standing
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["period"] == "2027Q2")
        .unwrap();
    assert_eq!(
        (q2["units"].as_i64(), q2["source"].as_str()),
        (Some(6), Some("supplier's sales"))
    );
    assert_eq!(
        array_len(&db.json(&["capacity", "list", "Lumina", "--history"])),
        5
    );
    // As of a day before the later statement, the earlier one stands.
    assert_eq!(
        row(&report(&db, &["--as-of", "2026-10-15"]), "2027Q2")["capacity"],
        4
    );
    assert_eq!(
        row(&report(&db, &["--as-of", "2026-11-01"]), "2027Q2")["capacity"],
        6
    );
    // Before any statement, nothing.
    assert_eq!(array_len(&report(&db, &["--as-of", "2026-08-31"])["rows"]), 0);
}

fn free_is_capacity_less_what_is_reserved_or_contracted() {
    let db = with_capacity();
    hold(&db, "Aurora", "2027Q1", "1", "reserved", "2026-10-01");
    hold(&db, "Helios", "2027Q1", "2", "contracted", "2026-10-02");
    hold(&db, "Borealis", "2027Q1", "1", "rumoured", "2026-10-03");
    let q1 = row(&report(&db, &[]), "2027Q1").clone();
    assert_eq!(
        q1["free"], 1,
        "4 - 1 reserved - 2 contracted; the rumour is not subtracted: {q1}"
    );
    let held: Vec<String> = q1["held"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            format!(
                "{} {} {} {}",
                h["buyer"].as_str().unwrap(),
                h["status"].as_str().unwrap(),
                h["units"],
                h["confidence"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        held,
        [
            "Aurora Solar reserved 1 confirmed",
            "Borealis PV rumoured 1 confirmed",
            "Helios Energy contracted 2 likely"
        ],
        "ours first; a competitor's hold is likely unless said"
    );
    // Released: the units are free again, and the holding no longer listed.
    hold(&db, "Helios", "2027Q1", "2", "released", "2026-11-20");
    let q1 = row(&report(&db, &[]), "2027Q1").clone();
    assert_eq!(q1["free"], 3, "{q1}");
    assert_eq!(array_len(&q1["held"]), 2);
    let table = db.ok(&["report", "capacity", "--from", "2027Q1", "--to", "2027Q4"]);
    assert!(table.contains("Aurora Solar reserved 1"), "{table}");
    // Undo gives the holding back.
    db.ok(&["undo"]);
    assert_eq!(row(&report(&db, &[]), "2027Q1")["free"], 1);
}

/// The outlook, by hand: 2027Q1–Q4 have 4 lines each, 16 in all. Reserved and contracted in the
/// last 180 days (as of 2026-12-01): 3 + 2 + 1 = 6 units, 3 a quarter. Free: Q1 4 - 3 = 1, Q2
/// 4 - 2 = 2, Q3 4 - 1 = 3, Q4 4: 10. At 3 a quarter the 10 last 10 / 3 = 3.3, so four quarters:
/// sold out in 2027Q4. An older contract (2026-04-01, more than 180 days back) is not pace.
fn the_outlook_by_hand() {
    let db = with_capacity();
    hold(&db, "Helios", "2027Q1", "3", "contracted", "2026-10-01");
    hold(&db, "Aurora", "2027Q2", "2", "reserved", "2026-11-01");
    hold(&db, "Borealis", "2027Q3", "1", "contracted", "2026-11-20");
    hold(&db, "Borealis", "2027Q4", "0", "contracted", "2026-04-01");
    let r = report(&db, &["--as-of", "2026-12-01", "--buyer", "Helios"]);
    let outlook = &r["outlook"][0];
    assert_eq!(outlook["capability"], "hjt-full-line");
    assert_eq!(outlook["free_next_4_quarters"], 10);
    assert_eq!(outlook["taken_per_quarter"], 3.0);
    assert_eq!(outlook["sold_out_by"], "2027Q4");
    assert_eq!(
        outlook["window"], "2027Q1",
        "Helios holds Q1 units, and others are free"
    );
    let totals: Vec<i64> = r["totals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["free"].as_i64().unwrap())
        .collect();
    assert_eq!(totals, [1, 2, 3, 4]);
    // Without --buyer there is no window.
    assert!(
        report(&db, &["--as-of", "2026-12-01"])["outlook"][0]
            .get("window")
            .is_none()
    );
    assert_eq!(array_len(&outlook["sold_out"]), 0, "Lumina still has lines free");
    // Helios takes every line left: Lumina is sold out in every quarter shown, and says so.
    for (period, units) in [("2027Q1", "4"), ("2027Q2", "2"), ("2027Q3", "3"), ("2027Q4", "4")] {
        hold(&db, "Helios", period, units, "contracted", "2026-12-01");
    }
    let sold = report(&db, &["--as-of", "2026-12-01"]);
    assert_eq!(
        sold["outlook"][0]["sold_out"][0]["name"], "Lumina Heterojunction Equipment Co., Ltd.",
        "{sold}"
    );
    let table = db.ok(&["report", "capacity", "--as-of", "2026-12-01"]);
    let outlook_line = table.lines().last().unwrap();
    assert!(outlook_line.contains("Lumina"), "{table}");
}

fn capacity_as_it_was_known() {
    let db = with_capacity();
    hold(&db, "Helios", "2027Q1", "3", "contracted", "2026-10-01");
    std::thread::sleep(std::time::Duration::from_millis(20));
    let moment = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
    let then = report(&db, &["--as-of", "2026-12-01"]);
    std::thread::sleep(std::time::Duration::from_millis(20));
    // Recorded later: a back-dated reservation, and a correction of Q1's capacity.
    hold(&db, "Aurora", "2027Q1", "1", "reserved", "2026-09-15");
    db.ok(&[
        "capacity",
        "set",
        "Lumina",
        "--capability",
        "hjt-full-line",
        "--period",
        "2027Q1",
        "--units",
        "5",
        "--date",
        "2026-11-01",
    ]);
    let now = report(&db, &["--as-of", "2026-12-01"]);
    assert_ne!(now, then);
    assert_eq!(row(&now, "2027Q1")["free"], 1);
    let mut known = report(&db, &["--as-of", "2026-12-01", "--known-at", &moment]);
    known.as_object_mut().unwrap().shift_remove("known_at");
    assert_eq!(known, then);
}

fn bad_statements_are_refused_and_write_nothing() {
    let db = with_capacity();
    fn set<'a>(extra: &[&'a str]) -> Vec<&'a str> {
        let mut args = vec!["capacity", "set", "Lumina", "--capability", "hjt-full-line"];
        args.extend(extra);
        args
    }
    db.refuses(&set(&["--period", "2027Q5", "--units", "1"]), 65, "period");
    db.refuses(&set(&["--period", "2101Q1", "--units", "1"]), 65, "period");
    db.refuses(&set(&["--period", "2027Q1", "--units", "-1"]), 65, "units");
    db.refuses(&set(&["--period", "2027Q1", "--units", "10001"]), 65, "units");
    db.refuses(
        &set(&["--period", "2027Q1", "--units", "2", "--date", "2999-01-01"]),
        65,
        "date",
    );
    db.refuses(
        &set(&["--period", "2027Q1", "--units", "2", "--confidence", "sure"]),
        65,
        "confidence",
    );
    db.refuses(
        &[
            "hold",
            "set",
            "Lumina",
            "--buyer",
            "Nobody",
            "--capability",
            "hjt-full-line",
            "--period",
            "2027Q1",
            "--units",
            "1",
            "--status",
            "reserved",
        ],
        65,
        "buyer",
    );
    db.refuses(
        &[
            "hold",
            "set",
            "Lumina",
            "--buyer",
            "Aurora",
            "--capability",
            "hjt-full-line",
            "--period",
            "2027Q1",
            "--units",
            "1",
            "--status",
            "maybe",
        ],
        65,
        "status",
    );
    db.refuses(
        &[
            "quote",
            "add",
            "Lumina",
            "--buyer",
            "Aurora",
            "--capability",
            "hjt-full-line",
            "--lead-time",
            "forever",
        ],
        65,
        "lead-time",
    );
    db.refuses(
        &["report", "capacity", "--from", "2027Q3", "--to", "2027Q1"],
        65,
        "to",
    );
}

fn quotes_and_provenance() {
    let db = Db::seeded();
    let quote = db.json(&[
        "quote",
        "add",
        "Lumina",
        "--buyer",
        "Aurora",
        "--capability",
        "hjt-full-line",
        "--lead-time",
        "9m",
        "--price",
        "1250000",
        "--currency",
        "USD",
        "--valid-until",
        "2027-06-30",
        "--source",
        "visit #3",
    ]);
    assert_eq!(
        (quote["lead_time"].as_str(), quote["lead_days"].as_i64()),
        (Some("9m"), Some(274))
    );
    assert_eq!(array_len(&db.json(&["quote", "list", "Lumina"])), 1);
    // A competitor's deal event is likely unless said; ours confirmed; a rumour says so.
    db.ok(&[
        "deal",
        "set",
        "Maxwell",
        "--buyer",
        "Helios",
        "--status",
        "negotiating",
        "--source",
        "press",
    ]);
    db.ok(&[
        "deal",
        "set",
        "Lumina",
        "--buyer",
        "Aurora",
        "--status",
        "evaluating",
    ]);
    db.ok(&[
        "deal",
        "set",
        "Lumina",
        "--buyer",
        "Helios",
        "--status",
        "evaluating",
        "--confidence",
        "rumour",
    ]);
    let events = |supplier: &str| db.json(&["deal", "history", supplier]);
    let maxwell = &events("Maxwell")[0];
    assert_eq!(
        (maxwell["confidence"].as_str(), maxwell["source"].as_str()),
        (Some("likely"), Some("press"))
    );
    let lumina = events("Lumina");
    let confidences: Vec<&str> = lumina
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["confidence"].as_str().unwrap())
        .collect();
    assert_eq!(confidences, ["confirmed", "rumour"]);
}

/// Gaps carry capacity: free units in the next four quarters, the first quarter with one free,
/// the buyer's quoted lead time, holdings among the competitors; and `--scarce-by capacity`
/// judges scarcity by free units. As of 2026-12-01 the next four quarters are 2026Q4–2027Q3:
/// Lumina states none for 2026Q4 and 4 a quarter after, 12 in all, less Helios' 3 contracted
/// in 2027Q1: 9 free, the first in 2027Q1 (4 - 3 = 1).
fn gaps_carry_capacity_and_judge_scarcity_by_it() {
    let db = with_capacity();
    db.ok(&[
        "supplier",
        "add",
        "Qiantang PV",
        "--capability",
        "hjt-full-line",
        "--date",
        "2026-01-01",
    ]);
    hold(&db, "Helios", "2027Q1", "3", "contracted", "2026-10-01");
    db.ok(&[
        "quote",
        "add",
        "Lumina",
        "--buyer",
        "Aurora",
        "--capability",
        "hjt-full-line",
        "--lead-time",
        "40w",
        "--valid-until",
        "2027-06-30",
        "--date",
        "2026-11-01",
    ]);
    let gaps = |extra: &[&str]| {
        let mut args = vec!["report", "gaps", "--buyer", "Aurora", "--as-of", "2026-12-01"];
        args.extend(extra);
        db.json(&args)
    };
    let names = |report: &Value| -> Vec<String> {
        report["suppliers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_string())
            .collect()
    };
    let by_suppliers = gaps(&["--threshold", "1"]);
    assert_eq!(
        names(&by_suppliers),
        ["Lumina Heterojunction Equipment Co., Ltd.", "Maxwell PVD GmbH"]
    );
    let lumina = &by_suppliers["suppliers"][0];
    assert_eq!(lumina["scarce_reasons"], serde_json::json!(["pecvd"]));
    // Scarce for pecvd, of which it stated no capacity: nothing known.
    assert_eq!(
        (
            lumina["free_units"].clone(),
            lumina["earliest_free_period"].clone()
        ),
        (Value::Null, Value::Null)
    );
    assert_eq!(lumina["quoted_lead_time"], "40w");
    let held = lumina["competitors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["status"] == "contracted")
        .cloned();
    assert_eq!(
        held,
        Some(
            serde_json::json!({"buyer": "Helios Energy", "kind": "external", "status": "contracted", "since": "2026-10-01", "confidence": "likely", "units": [{"units": 3, "period": "2027Q1"}]})
        )
    );
    // By capacity: hjt-full-line has 9 free units (Qiantang stated none), at most 10: scarce;
    // pecvd and pvd have none stated: not judged scarce.
    let by_capacity = gaps(&["--threshold", "10", "--scarce-by", "capacity"]);
    assert_eq!(
        names(&by_capacity),
        ["Lumina Heterojunction Equipment Co., Ltd.", "Qiantang PV"]
    );
    let lumina = &by_capacity["suppliers"][0];
    assert_eq!(
        (
            lumina["free_units"].as_i64(),
            lumina["earliest_free_period"].as_str()
        ),
        (Some(9), Some("2027Q1"))
    );
    assert_eq!(by_capacity["suppliers"][1]["free_units"], Value::Null);
    assert!(names(&gaps(&["--threshold", "8", "--scarce-by", "capacity"])).is_empty());
    // A later quote that no longer holds on the day gives way to the one that does.
    db.ok(&[
        "quote",
        "add",
        "Lumina",
        "--buyer",
        "Aurora",
        "--capability",
        "hjt-full-line",
        "--lead-time",
        "30w",
        "--valid-until",
        "2026-11-20",
        "--date",
        "2026-11-10",
    ]);
    assert_eq!(
        gaps(&["--threshold", "1"])["suppliers"][0]["quoted_lead_time"],
        "40w"
    );
    let mid_november = db.json(&[
        "report",
        "gaps",
        "--buyer",
        "Aurora",
        "--threshold",
        "1",
        "--as-of",
        "2026-11-15",
    ]);
    assert_eq!(mid_november["suppliers"][0]["quoted_lead_time"], "30w");
    let table = db.ok(&[
        "report",
        "gaps",
        "--buyer",
        "Aurora",
        "--as-of",
        "2026-12-01",
        "--threshold",
        "10",
        "--scarce-by",
        "capacity",
    ]);
    assert!(
        table.contains("Helios Energy (external, likely) contracted 3 × 2027Q1 since 2026-10-01"),
        "{table}"
    );
}

every_backend!(
    a_later_statement_supersedes_and_history_is_kept,
    free_is_capacity_less_what_is_reserved_or_contracted,
    the_outlook_by_hand,
    capacity_as_it_was_known,
    bad_statements_are_refused_and_write_nothing,
    quotes_and_provenance,
    gaps_carry_capacity_and_judge_scarcity_by_it,
);

/// A backup carries capacity, holdings and quotes, and round-trips byte for byte.
fn a_backup_carries_capacity() {
    let db = with_capacity();
    hold(&db, "Helios", "2027Q1", "3", "contracted", "2026-10-01");
    db.ok(&[
        "quote",
        "add",
        "Lumina",
        "--buyer",
        "Aurora",
        "--capability",
        "hjt-full-line",
        "--lead-time",
        "40w",
    ]);
    let backup = db.ok(&["export", "all"]);
    let file = db.file("backup.json", &backup);
    let fresh = Db::new();
    fresh.ok(&["import", "all", &file]);
    assert_eq!(record(&fresh), record(&db));
    assert_eq!(fresh.ok(&["export", "all"]), backup);
}
every_backend!(a_backup_carries_capacity);

/// `import capacity`: a file as a maker's sales team would send it (a BOM, CRLF, names by alias,
/// columns in any order and case) is one operation; the rows stand like `capacity set`
/// statements, a later row for the same quarter supersedes an earlier one, and undo takes the
/// whole file back.
fn capacity_rows_import_from_csv() {
    let db = Db::seeded();
    let csv = db.file(
        "capacity.csv",
        "\u{feff}Period,Supplier,capability,UNITS,date,source,confidence\r\n\
         2027Q1,Lumina,hjt-full-line,3,2026-09-01,Lumina sales,confirmed\r\n\
         2027-Q2,Lumina,hjt-full-line,3,2026-09-01,Lumina sales,\r\n\
         Q1 2027,Lumina,hjt-full-line,2,2026-10-01,Lumina sales (revised),likely\r\n\
         2027Q1,Maxwell,pvd,12,,,\r\n",
    );
    let dry = db.ok(&["import", "capacity", &csv, "--dry-run"]);
    assert!(dry.contains("Would import 4 capacity rows"), "{dry}");
    assert_eq!(
        array_len(&db.json(&["capacity", "list"])),
        0,
        "a dry run writes nothing"
    );
    let out = db.ok(&["import", "capacity", &csv]);
    assert!(out.contains("Imported 4 capacity rows"), "{out}");
    let stands: Vec<String> = db
        .json(&["capacity", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {} {} {}",
                c["capability"].as_str().unwrap(),
                c["period"].as_str().unwrap(),
                c["units"],
                c["confidence"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        stands,
        [
            "hjt-full-line 2027Q1 2 likely",
            "hjt-full-line 2027Q2 3 confirmed",
            "pvd 2027Q1 12 confirmed"
        ],
        "the revised Q1 row supersedes the first"
    );
    assert_eq!(array_len(&db.json(&["capacity", "list", "--history"])), 4);
    let log = db.json(&["log", "--limit", "1"]);
    assert!(
        log[0]["summary"]
            .as_str()
            .unwrap()
            .starts_with("Imported 4 capacity rows from"),
        "one operation: {log}"
    );
    db.ok(&["undo"]);
    assert_eq!(array_len(&db.json(&["capacity", "list", "--history"])), 0);
}

/// Any bad row writes nothing, and the error names every bad line and column: an unknown
/// supplier, a bad quarter, negative units, an unknown confidence, a cell too many, a
/// missing supplier.
fn a_bad_capacity_row_writes_nothing() {
    let db = Db::seeded();
    let before = record(&db);
    let csv = db.file(
        "capacity.csv",
        "supplier,capability,period,units,confidence\n\
         Lumina,hjt-full-line,2027Q1,2,\n\
         Nobody Ltd,hjt-full-line,2027Q1,2,\n\
         Lumina,hjt-full-line,2027Q5,2,\n\
         Lumina,hjt-full-line,2027Q2,-1,\n\
         Lumina,hjt-full-line,2027Q3,1,certain\n\
         Lumina,hjt-full-line,2027Q4,1,,extra\n\
         ,hjt-full-line,2027Q4,1,\n",
    );
    let err = db.fails(&["import", "capacity", &csv], 65);
    for expected in [
        "line 4: period",
        "line 5: units",
        "line 6: confidence",
        "line 7: 6 cells",
        "line 8: supplier: required",
    ] {
        assert!(err.contains(expected), "{expected}: {err}");
    }
    // The unknown supplier is not one of the invalid rows: the row is right, the record
    // lacks the supplier.
    assert!(
        err.contains("5 of 7 rows are invalid and 1 names a supplier not on record, so nothing was imported"),
        "{err}"
    );
    assert!(
        err.contains("line 3: supplier: 'Nobody Ltd' is not on record; add it first"),
        "{err}"
    );
    assert_eq!(record(&db), before);
    // Values right, a reference wrong: found against the database, still nothing written.
    let csv = db.file(
        "capacity.csv",
        "supplier,capability,period,units\nLumina,hjt-full-line,2027Q1,2\nNobody Ltd,hjt-full-line,2027Q1,2\n",
    );
    let err = db.fails(&["import", "capacity", &csv], 65);
    assert!(
        err.contains("1 of 2 rows names a supplier not on record")
            && err.contains("line 3: supplier: 'Nobody Ltd' is not on record"),
        "{err}"
    );
    assert_eq!(record(&db), before);
    // A header it does not know stops the file before any row.
    let csv = db.file("capacity.csv", "supplier,capability,quarter,units\n");
    let err = db.fails(&["import", "capacity", &csv], 65);
    assert!(err.contains("'quarter' is not a column"), "{err}");
    assert_eq!(record(&db), before);
}
every_backend!(capacity_rows_import_from_csv, a_bad_capacity_row_writes_nothing);

/// Rumoured capacity is listed and marked, never counted: not in free units, totals, the
/// outlook, or `gaps --scarce-by capacity` (it showed as capacity 9, free 9, unmarked).
fn rumoured_capacity_is_listed_not_counted() {
    let db = Db::seeded();
    db.ok(&[
        "supplier",
        "add",
        "Qiantang PV",
        "--capability",
        "hjt-full-line",
        "--date",
        "2026-01-01",
    ]);
    for (supplier, units, confidence) in [("Lumina", "9", "rumour"), ("Qiantang", "2", "likely")] {
        db.ok(&[
            "capacity",
            "set",
            supplier,
            "--capability",
            "hjt-full-line",
            "--period",
            "2027Q1",
            "--units",
            units,
            "--confidence",
            confidence,
            "--date",
            "2026-09-01",
        ]);
    }
    let report = db.json(&[
        "report",
        "capacity",
        "--from",
        "2027Q1",
        "--to",
        "2027Q1",
        "--as-of",
        "2026-12-01",
    ]);
    let rows = report["rows"].as_array().unwrap();
    let lumina = rows
        .iter()
        .find(|r| r["supplier"]["name"].as_str().unwrap().starts_with("Lumina"))
        .unwrap();
    assert_eq!(
        (
            lumina["capacity"].as_i64(),
            lumina["confidence"].as_str(),
            lumina["free"].as_i64()
        ),
        (Some(9), Some("rumour"), Some(0)),
        "{lumina}"
    );
    assert_eq!(report["totals"][0]["capacity"], 2, "{report}");
    assert_eq!(report["totals"][0]["free"], 2, "{report}");
    assert_eq!(report["outlook"][0]["free_next_4_quarters"], 2, "{report}");
    let table = db.ok(&[
        "report",
        "capacity",
        "--from",
        "2027Q1",
        "--to",
        "2027Q1",
        "--as-of",
        "2026-12-01",
    ]);
    assert!(table.contains("rumour"), "{table}");
    let page = db.ok(&[
        "report",
        "capacity",
        "--from",
        "2027Q1",
        "--to",
        "2027Q1",
        "--as-of",
        "2026-12-01",
        "--format",
        "html",
    ]);
    assert!(
        page.contains("9 <span class=\"unsure\">(rumour)</span>"),
        "{page}"
    );
    // By capacity, 2 free lines in all: scarce at a threshold of 2, and the rumour's 9 do not
    // lift it above.
    let gaps = db.json(&[
        "report",
        "gaps",
        "--buyer",
        "Aurora",
        "--as-of",
        "2026-12-01",
        "--scarce-by",
        "capacity",
        "--threshold",
        "2",
    ]);
    assert_eq!(array_len(&gaps["suppliers"]), 2, "{gaps}");
}

/// A hold with no capacity stated leaves nothing free, never less: the excess is `over_held`.
/// Numbers in CSV are written plain (the guard wrote `'-1`).
fn free_is_never_below_zero_and_numbers_are_plain_in_csv() {
    let db = Db::seeded();
    hold(&db, "Helios", "2027Q1", "1", "reserved", "2026-10-01");
    let report = report(&db, &["--as-of", "2026-12-01"]);
    let q1 = row(&report, "2027Q1");
    assert_eq!(
        (
            q1["free"].as_i64(),
            q1["over_held"].as_i64(),
            q1["confidence"].is_null()
        ),
        (Some(0), Some(1), true),
        "{q1}"
    );
    let csv = db.ok(&[
        "report",
        "capacity",
        "--from",
        "2027Q1",
        "--to",
        "2027Q1",
        "--as-of",
        "2026-12-01",
        "--format",
        "csv",
    ]);
    assert!(!csv.contains("'-") && !csv.contains(",-"), "{csv}");
    assert!(csv.lines().next().unwrap().ends_with("free,over_held"), "{csv}");
    assert!(csv.lines().nth(1).unwrap().ends_with(",0,1"), "{csv}");
}
every_backend!(
    rumoured_capacity_is_listed_not_counted,
    free_is_never_below_zero_and_numbers_are_plain_in_csv
);

/// The window (the first quarter a buyer could still get a unit) counts the buyer's own quoted
/// lead time from the as-of day: with a 40-week quote, 2027Q2 is not reachable from 2026-12-01
/// (it said 2027Q1). The projected sell-out is drawn as a projection, between quarters and
/// labelled with its pace.
fn the_window_counts_our_quoted_lead_time() {
    let db = with_capacity();
    let window =
        |db: &Db| report(db, &["--as-of", "2026-12-01", "--buyer", "Aurora"])["outlook"][0]["window"].clone();
    assert_eq!(window(&db), "2027Q1", "no quote: from the as-of quarter");
    db.ok(&[
        "quote",
        "add",
        "Lumina",
        "--buyer",
        "Aurora",
        "--capability",
        "hjt-full-line",
        "--lead-time",
        "40w",
        "--date",
        "2026-11-01",
    ]);
    // 2026-12-01 + 280 days = 2027-09-07: 2027Q3.
    assert_eq!(window(&db), "2027Q3");
    hold(&db, "Helios", "2027Q3", "4", "contracted", "2026-11-20");
    assert_eq!(window(&db), "2027Q4", "Q3 is gone, Q4 is free and reachable");
    hold(&db, "Helios", "2027Q1", "4", "contracted", "2026-11-21");
    hold(&db, "Helios", "2027Q2", "3", "reserved", "2026-11-22");
    let page = db.ok(&[
        "report",
        "capacity",
        "--capability",
        "hjt-full-line",
        "--from",
        "2027Q1",
        "--to",
        "2027Q4",
        "--as-of",
        "2026-12-01",
        "--format",
        "html",
    ]);
    assert!(page.contains("projected sell-out at"), "{page}");
}
every_backend!(the_window_counts_our_quoted_lead_time);
