//! What a new user tripped over (issue 13): each numbered fix, through the binary.

use serde_json::Value;

use crate::support::{Db, array_len, vetted};

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

/// Fix 1: A gaps report where nothing is scarce says so, not that everything is signed.
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

/// Fix 2: Gaps show the early warnings: other buyers' deals and recent visits, and rank by them.
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
    // Competitors are external buyers; our sister team Borealis is listed apart.
    assert_eq!(
        rows[1]["competitors"],
        serde_json::json!([
            {"buyer": "Helios Energy", "kind": "external", "status": "negotiating", "since": "2026-10-01", "confidence": "likely", "units": []}
        ])
    );
    assert_eq!(
        rows[1]["sister_teams"],
        serde_json::json!([
            {"buyer": "Borealis PV", "kind": "internal", "status": "visited", "since": "2026-11-02", "confidence": "confirmed", "units": []}
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
        lumina.expect("Lumina")["sister_teams"].clone()
    };
    let visit = serde_json::json!([{"buyer": "Borealis PV", "kind": "internal", "status": "visited", "since": "2026-03-02", "confidence": "confirmed", "units": []}]);
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
        table.contains("Helios Energy (external, likely) negotiating since 2026-10-01"),
        "{table}"
    );
}

/// Fix 3: One buyer's status report keeps other buyers' signed deals, and its page names the buyer.
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

/// Fix 4: Gaps count this buyer's visits and, apart, the visits of all our teams.
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

/// Fix 7: After `vetted demo`, the database file alone (without its -wal) holds the demo.
#[test]
fn the_demo_database_file_alone_is_complete() {
    let home = tempfile::tempdir().unwrap();
    let out = vetted()
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("data"))
        .arg("demo")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let demo = walk(home.path())
        .into_iter()
        .find(|p| p.file_name().is_some_and(|n| n == "demo.db"))
        .expect("demo.db");
    let copy = home.path().join("copy.db");
    std::fs::copy(&demo, &copy).unwrap();
    let listed = vetted()
        .args([
            "--db",
            copy.to_str().unwrap(),
            "supplier",
            "list",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let suppliers: Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert!(array_len(&suppliers) > 10, "{suppliers}");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found
}

/// Fix 8: `--skip-invalid` without a reject file says which rows it left out; rows that name one
/// supplier are counted as merged.
fn skipped_rows_are_named_and_merged_rows_counted() {
    let db = Db::new();
    let mut rows = String::from("name,country\nAlpha Vacuum,CN\nalpha vacuum co ltd,CN\n");
    for i in 0..25 {
        rows.push_str(&format!("Bad {i},Atlantis\n"));
    }
    let csv = db.file("makers.csv", rows);
    let out = db.run(&["import", "suppliers", &csv, "--skip-invalid", "--format", "json"]);
    assert!(out.status.success());
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (
            summary["created"].as_i64(),
            summary["merged"].as_i64(),
            summary["rejected"].as_i64()
        ),
        (Some(1), Some(1), Some(25)),
        "{summary}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("25 rows rejected"), "{stderr}");
    assert!(stderr.contains("line 4: country:"), "{stderr}");
    assert_eq!(stderr.matches(": country:").count(), 20, "the first 20: {stderr}");
}

/// Fix 11: Global options have their own heading, and one set from the environment is not shown
/// as required in a usage line.
#[test]
fn global_options_are_apart_and_never_shown_as_required() {
    let out = vetted()
        .env("VETTED_DB", "somewhere.db")
        .env("VETTED_ACTOR", "ana")
        .args(["report", "gaps"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let usage = stderr
        .lines()
        .find(|l| l.starts_with("Usage:"))
        .unwrap_or_default();
    assert_eq!(usage, "Usage: vetted report gaps --buyer <BUYER>", "{stderr}");
    let help = vetted().args(["visit", "log", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    let global = help.find("Global options:").expect("a heading of their own");
    assert!(
        help.find("--db").unwrap() > global && help.find("--purpose").unwrap() < global,
        "{help}"
    );
}

/// Fix 12: One rule, one exit code, for every number.
fn every_number_is_refused_alike() {
    let db = Db::seeded();
    for (args, field) in [
        (
            &["report", "gaps", "--buyer", "Aurora", "--threshold", "-1"][..],
            "threshold",
        ),
        (
            &["report", "gaps", "--buyer", "Aurora", "--threshold", "0"][..],
            "threshold",
        ),
        (&["report", "status", "--threshold", "many"][..], "threshold"),
        (&["log", "--limit", "-1"][..], "limit"),
        (&["supplier", "list", "--limit", "0"][..], "limit"),
        (&["visit", "show", "-3"][..], "id"),
        (&["visit", "show", "first"][..], "id"),
        (&["note", "resolve", "0"][..], "id"),
        (&["site", "add", "Lumina", "Wuxi", "--lines", "-2"][..], "lines"),
    ] {
        db.refuses(args, 65, field);
    }
}

/// Fix 13: Tables keep to the terminal's width without cutting words; `--columns` and `--limit`
/// pick; money has its thousands grouped for people, not in CSV.
fn tables_fit_and_columns_and_rows_are_picked() {
    let db = Db::seeded();
    db.ok(&[
        "supplier",
        "add",
        "Changzhou Screen Printing Automation",
        "--capability",
        "screen-printing",
        "--capability",
        "wet-bench",
    ]);
    db.ok(&[
        "deal",
        "set",
        "Lumina",
        "--buyer",
        "Aurora",
        "--status",
        "signed",
        "--value",
        "186500000",
        "--currency",
        "CNY",
    ]);
    let narrow = vetted()
        .env("COLUMNS", "90")
        .args(["--db", db.target().to_str().unwrap(), "supplier", "list"])
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&narrow.stdout);
    assert!(table.lines().all(|l| l.chars().count() <= 90), "{table}");
    assert!(table.lines().count() > 5, "lines broken to fit: {table}");
    assert!(table.contains("screen-printing"), "a word is never cut: {table}");
    let picked = db.ok(&["supplier", "list", "--columns", "name,country", "--limit", "2"]);
    let lines: Vec<&str> = picked.lines().collect();
    assert_eq!(lines.len(), 4, "header, rule and two rows: {picked}");
    assert!(
        lines[0].contains("name") && lines[0].contains("country") && !lines[0].contains("id"),
        "{picked}"
    );
    db.refuses(&["supplier", "list", "--columns", "name,colour"], 65, "columns");
    assert_eq!(array_len(&db.json(&["supplier", "list", "--limit", "1"])), 1);
    assert!(db.ok(&["deal", "list"]).contains("186,500,000.00"));
    assert!(
        db.ok(&["deal", "list", "--format", "csv"])
            .contains(",186500000.00,")
    );
    let report = db.json(&["report", "status", "--limit", "1"]);
    assert_eq!(array_len(&report["suppliers"]), 1);
}

/// Fix 14: `vetted man --dir` writes every page the main page refers to.
#[test]
fn every_manual_page_referred_to_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = vetted()
        .args(["man", "--dir", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let main = std::fs::read_to_string(dir.path().join("vetted.1")).unwrap();
    let referred: Vec<String> = main
        .split("vetted\\-")
        .skip(1)
        .filter_map(|rest| {
            rest.split_once("(1)")
                .map(|(name, _)| format!("vetted-{}.1", name.replace("\\-", "-")))
        })
        .collect();
    assert!(referred.len() > 10, "{referred:?}");
    for page in &referred {
        assert!(
            dir.path().join(page).exists(),
            "{page} is referred to but not written"
        );
    }
    assert!(dir.path().join("vetted-deal-void.1").exists());
}

/// Fix 15: Completion offers the spellings of every enumerated value.
#[test]
fn completion_offers_the_statuses() {
    let out = vetted().args(["completions", "bash"]).output().unwrap();
    let script = String::from_utf8_lossy(&out.stdout);
    assert!(
        script.contains("prospect evaluating negotiating signed declined terminated"),
        "deal statuses"
    );
    assert!(script.contains("info minor major critical"), "severities");
    assert!(script.contains("auto yes no"), "scarcity overrides");
}

/// Fix 16: `--out` with a known extension and no `--format` writes that format.
fn the_out_file_says_the_format() {
    let db = Db::seeded();
    let csv = db.path.with_file_name("gaps.csv");
    db.ok(&[
        "report",
        "gaps",
        "--buyer",
        "Aurora",
        "--threshold",
        "1",
        "--out",
        csv.to_str().unwrap(),
    ]);
    let written = std::fs::read_to_string(&csv).unwrap();
    assert!(written.starts_with("rank,id,name,"), "{written}");
    let json = db.path.with_file_name("buyers.json");
    db.ok(&["export", "buyers", "--out", json.to_str().unwrap()]);
    let buyers: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(array_len(&buyers), 3);
    // Every report that takes --out, the capacity report too.
    let html = db.path.with_file_name("capacity.html");
    db.ok(&["report", "capacity", "--out", html.to_str().unwrap()]);
    let written = std::fs::read_to_string(&html).unwrap();
    assert!(written.starts_with("<!DOCTYPE html>"), "{written}");
}

/// Fix 17: Multi-valued cells take `|` as well as `;`, as Open Supply Hub writes them.
fn bars_separate_values_too() {
    let db = Db::new();
    let csv = db.file(
        "osh.csv",
        "name,capabilities,aliases\nNorth Mill,Apparel|Health; PECVD,NM|North\n",
    );
    db.ok(&["import", "suppliers", &csv]);
    let mill = &db.json(&["supplier", "list"])[0];
    assert_eq!(
        mill["capabilities"],
        serde_json::json!(["apparel", "health", "pecvd"])
    );
    assert_eq!(mill["aliases"], serde_json::json!(["NM", "North"]));
}

/// Fix 18: The smaller things: a finding's count reads right; the actor is the login name when
/// `$USER` is unset; a backup given to `import suppliers` is recognised; a mistyped database
/// of a command that reads is refused.
fn the_smaller_things() {
    let db = Db::seeded();
    db.ok(&[
        "visit",
        "log",
        "Lumina",
        "--buyer",
        "Aurora",
        "--finding",
        "minor:one",
    ]);
    let summary = db.json(&["log", "--limit", "1"])[0]["summary"].clone();
    assert!(summary.as_str().unwrap().ends_with("(1 finding)"), "{summary}");
    let out = vetted()
        .env_remove("USER")
        .env_remove("USERNAME")
        .args([
            "--db",
            db.target().to_str().unwrap(),
            "buyer",
            "add",
            "Nameless Team",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let actor = db.json(&["log", "--limit", "1"])[0]["actor"].clone();
    assert_ne!(actor, "unknown");
    assert!(!actor.as_str().unwrap().is_empty());
    let backup = db.file("backup.json", db.ok(&["export", "all"]));
    let message = db.fails(&["import", "suppliers", &backup], 65);
    assert!(message.contains("import all"), "{message}");
    if let crate::support::Backend::Sqlite = crate::support::backend() {
        let typo = db.path.with_file_name("vetted-typo.db");
        let out = vetted()
            .args(["--db", typo.to_str().unwrap(), "supplier", "list"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(66));
        assert!(!typo.exists(), "no empty database was made");
    }
}

every_backend!(
    a_gaps_report_with_nothing_scarce_says_so,
    gaps_show_who_else_is_after_a_supplier,
    a_buyers_status_report_keeps_others_signed_deals,
    gaps_count_our_visits_and_the_teams,
    skipped_rows_are_named_and_merged_rows_counted,
    every_number_is_refused_alike,
    tables_fit_and_columns_and_rows_are_picked,
    the_out_file_says_the_format,
    bars_separate_values_too,
    the_smaller_things,
);
