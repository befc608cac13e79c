//! `vetted import suppliers`: matching, merging, all-or-nothing, and every error class.

use std::io::Write;
use std::process::Stdio;

use crate::support::{Db, array_len, vetted};

/// The four counts of an import summary, from its JSON.
fn counts(summary: &serde_json::Value) -> [u64; 4] {
    ["created", "updated", "unchanged", "rejected"].map(|k| summary[k].as_u64().expect("a count"))
}

fn import(db: &Db, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["import", "suppliers"];
    all.extend(args);
    db.json(&all)
}

fn names(db: &Db) -> Vec<String> {
    db.json(&["supplier", "list", "--all"])
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect()
}

const LIST: &str = "\
name,native_name,aliases,capabilities,country,province,city,address,website,scarce,note
\"Lumina Heterojunction Equipment Co., Ltd.\",苏州卢米纳异质结装备有限公司,Lumina;LHE,hjt-full-line;pecvd,CN,Jiangsu,Suzhou,,lumina.example.cn,auto,\"visited twice,
see notes\"
Maxwell PVD GmbH,,,pvd,Germany,,Dresden,,,,
";

fn a_canonical_list_imports_with_every_field() {
    let db = Db::new();
    let file = db.file("list.csv", LIST);
    let summary = import(&db, &[&file]);
    assert_eq!(counts(&summary), [2, 0, 0, 0]);
    assert_eq!(summary["rows"], 2);
    let table = db.ok(&["import", "suppliers", &file]);
    assert!(
        table.contains("created") && table.contains("unchanged"),
        "a summary table: {table}"
    );
    let s = &db.json(&["supplier", "show", "LHE"])["supplier"];
    assert_eq!(s["native_name"], "苏州卢米纳异质结装备有限公司");
    assert_eq!(s["aliases"], serde_json::json!(["Lumina", "LHE"]));
    assert_eq!(s["capabilities"], serde_json::json!(["hjt-full-line", "pecvd"]));
    assert_eq!(s["website"], "lumina.example.cn");
    assert_eq!(s["note"], "visited twice,\nsee notes");
    assert_eq!(
        db.json(&["supplier", "show", "maxwell"])["supplier"]["country"],
        "DE"
    );
    let history = db.json(&["history"]);
    assert_eq!(
        history.as_array().unwrap().last().unwrap()["action"],
        "import.suppliers"
    );
}
every_backend!(a_canonical_list_imports_with_every_field);

fn reimporting_changes_nothing_and_matching_rows_merge() {
    let db = Db::seeded();
    let file = db.file("list.csv", LIST);
    let out = db.ok(&["import", "suppliers", &file, "--format", "json"]);
    let summary: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(summary["created"], 0);
    assert_eq!(summary["updated"], 2, "the seeded suppliers gain fields");
    let before = db.snapshot();
    let again: serde_json::Value =
        serde_json::from_str(&db.ok(&["import", "suppliers", &file, "--format", "json"])).unwrap();
    assert_eq!(again["unchanged"], 2);
    assert_eq!(again["updated"], 0);
    assert_eq!(
        db.snapshot(),
        before,
        "a re-import writes nothing, not even history"
    );

    // Rows of one file that name the same supplier are merged, whatever the spelling.
    let dupes = db.file(
        "dupes.csv",
        "name,aliases,capabilities,city\nKestrel Wet Systems,KWS,wet-bench,\nKESTREL WET SYSTEMS CO LTD,,texturing,Wuxi\nKWS,Kestrel,,Changzhou\n",
    );
    assert_eq!(counts(&import(&db, &[&dupes]))[0], 1);
    let k = &db.json(&["supplier", "show", "kestrel"])["supplier"];
    assert_eq!(k["capabilities"], serde_json::json!(["texturing", "wet-bench"]));
    assert_eq!(
        k["city"], "Wuxi",
        "empty fields are filled by later rows, not overwritten"
    );
    assert_eq!(k["aliases"], serde_json::json!(["KWS", "Kestrel"]));
}
every_backend!(reimporting_changes_nothing_and_matching_rows_merge);

fn on_existing_skip_leaves_stored_suppliers_alone() {
    let db = Db::seeded();
    let file = db.file("list.csv", "name,city\nLumina,Wuxi\nNew Co,Xi'an\n");
    assert_eq!(
        counts(&import(&db, &[&file, "--on-existing", "skip"])),
        [1, 0, 1, 0]
    );
    assert_eq!(
        db.json(&["supplier", "show", "Lumina"])["supplier"]["city"],
        "Suzhou"
    );
    db.ok(&["import", "suppliers", &file]);
    assert_eq!(
        db.json(&["supplier", "show", "Lumina"])["supplier"]["city"],
        "Wuxi",
        "update replaces"
    );
}
every_backend!(on_existing_skip_leaves_stored_suppliers_alone);

fn a_dry_run_counts_and_writes_nothing() {
    let db = Db::seeded();
    let file = db.file("list.csv", LIST);
    let before = db.snapshot();
    let out = db.ok(&["import", "suppliers", &file, "--dry-run"]);
    assert!(out.contains("Would import"), "{out}");
    assert!(out.contains("nothing was written"), "{out}");
    let summary = import(&db, &[&file, "--dry-run"]);
    assert_eq!(counts(&summary), [0, 2, 0, 0]);
    assert_eq!(summary["dry_run"], true);
    assert_eq!(db.snapshot(), before);
}
every_backend!(a_dry_run_counts_and_writes_nothing);

fn bad_rows_are_reported_by_line_and_nothing_is_written() {
    let db = Db::seeded();
    let file = db.file(
        "bad.csv",
        "name,country,scarce,note\r\nGood One,CN,,\r\nBad Country,Atlantis,,\"two\r\nlines\"\r\n,CN,,\r\nBad Scarce,CN,maybe,\r\nToo,Many,Fields,Here,Extra\r\n",
    );
    let err = db.refuses(&["import", "suppliers", &file], 65, "rows are invalid");
    for expected in [
        "4 of 5 rows are invalid, so nothing was imported",
        "line 3: country: 'Atlantis' is not a known country",
        "line 5: name: is empty",
        "line 6: scarce: 'maybe' is not one of auto, yes, no",
        "line 7: has 5 fields but the header has 4",
    ] {
        assert!(err.contains(expected), "missing '{expected}' in:\n{err}");
    }
}
every_backend!(bad_rows_are_reported_by_line_and_nothing_is_written);

fn skip_invalid_imports_the_rest_and_writes_rejects_verbatim() {
    let db = Db::new();
    let file = db.file(
        "bad.csv",
        "name,country\nGood One,CN\nBad Country,Atlantis\nGood Two,DE\n",
    );
    let rejects = db.path.with_file_name("rejects.csv");
    let summary = import(
        &db,
        &[
            &file,
            "--skip-invalid",
            "--reject-file",
            rejects.to_str().unwrap(),
        ],
    );
    assert_eq!(counts(&summary), [2, 0, 0, 1]);
    assert_eq!(summary["rows"], 3);
    assert_eq!(names(&db), ["Good One", "Good Two"]);
    let written = std::fs::read_to_string(&rejects).unwrap();
    assert_eq!(
        written,
        "name,country,error\nBad Country,Atlantis,line 3: country: 'Atlantis' is not a known country (ISO 3166-1 code or English name)\n"
    );
}
every_backend!(skip_invalid_imports_the_rest_and_writes_rejects_verbatim);

fn file_level_problems_are_clear() {
    let db = Db::seeded();
    let empty = db.file("empty.csv", "");
    assert!(
        db.refuses(&["import", "suppliers", &empty], 65, "empty.csv")
            .contains("the file is empty")
    );
    let no_name = db.file("no-name.csv", "company,city\nA,B\n");
    let err = db.refuses(&["import", "suppliers", &no_name], 65, "no name column");
    assert!(err.contains("--map COLUMN=name"), "{err}");
    db.ok(&[
        "import",
        "suppliers",
        &no_name,
        "--map",
        "company=name",
        "--dry-run",
    ]);
    let unknown = db.file("unknown.csv", "name,sector\nA,Apparel\n");
    let err = db.refuses(&["import", "suppliers", &unknown], 65, "unknown column 'sector'");
    assert!(err.contains("--map 'sector=-'"), "{err}");
    db.refuses(
        &["import", "suppliers", &unknown, "--map", "sector=colour"],
        65,
        "map",
    );
    let bad_utf8 = db.file("latin1.csv", b"name,city\nM\xfcller GmbH,K\xf6ln\n");
    db.refuses(
        &["import", "suppliers", &bad_utf8],
        65,
        "line 2: name: is not valid UTF-8",
    );
    let missing = db.path.with_file_name("nowhere.csv");
    let err = db.fails(&["import", "suppliers", missing.to_str().unwrap()], 66);
    assert!(err.contains("nowhere.csv"), "{err}");
}
every_backend!(file_level_problems_are_clear);

fn a_row_matching_two_suppliers_is_refused() {
    let db = Db::seeded();
    let file = db.file("both.csv", "name,aliases\nLumina,Maxwell PVD\n");
    let err = db.refuses(
        &["import", "suppliers", &file],
        65,
        "line 2: name: matches more than one supplier",
    );
    assert!(err.contains("Maxwell PVD GmbH (#2)"), "{err}");
}
every_backend!(a_row_matching_two_suppliers_is_refused);

fn standard_input_is_read_with_a_dash() {
    let db = Db::new();
    let mut child = vetted()
        .arg("--db")
        .arg(db.target())
        .args(["import", "suppliers", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all("name\nVia Stdin Ltd\n".as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("Imported standard input: 1 row\n"));
    assert_eq!(array_len(&db.json(&["supplier", "list"])), 1);
}
every_backend!(standard_input_is_read_with_a_dash);

/// The import reads, matches and writes a long file in batches of 2,000 rows and skips looking up
/// names it has never seen: a row far down the file must still find the supplier an early row
/// created, and a second import must find every supplier the first stored.
fn rows_match_across_batches_and_a_second_import_of_a_long_file() {
    let db = Db::new();
    let mut csv = String::from("name,aliases,capabilities,city\n");
    for i in 1..=4_500 {
        csv.push_str(&format!("Supplier {i:05} Co Ltd,S{i:05},pecvd,\n"));
    }
    // Far past the first batch: the same supplier by its alias, and by another spelling.
    csv.push_str("S00007,Seven,laser,Wuxi\n");
    csv.push_str("SUPPLIER 00008 LIMITED,,pvd,Hefei\n");
    let file = db.file("long.csv", &csv);
    let first = import(&db, &[&file]);
    assert_eq!(counts(&first), [4_500, 0, 0, 0], "{first}");
    assert_eq!(first["rows"], 4_502);
    let seven = &db.json(&["supplier", "show", "S00007"])["supplier"];
    assert_eq!(seven["name"], "Supplier 00007 Co Ltd");
    assert_eq!(seven["aliases"], serde_json::json!(["S00007", "Seven"]));
    assert_eq!(seven["capabilities"], serde_json::json!(["laser", "pecvd"]));
    assert_eq!(seven["city"], "Wuxi");
    let eight = &db.json(&["supplier", "show", "Supplier 00008"])["supplier"];
    assert_eq!(eight["capabilities"], serde_json::json!(["pecvd", "pvd"]));

    let before = db.snapshot();
    let again = import(&db, &[&file]);
    assert_eq!(counts(&again), [0, 0, 4_500, 0], "{again}");
    assert_eq!(
        db.snapshot(),
        before,
        "a re-import of the long file writes nothing"
    );
    assert_eq!(array_len(&db.json(&["supplier", "list", "--all"])), 4_500);
}
every_backend!(rows_match_across_batches_and_a_second_import_of_a_long_file);

/// A reject file, fixed, imports back as it is: the `error` column vetted wrote is not an
/// unknown column (it needed `--map error=-`). `--bom` begins a CSV with a byte-order mark for
/// Excel, and vetted reads its own files back with one.
fn a_fixed_reject_file_imports_back_and_csv_can_carry_a_bom() {
    let db = Db::seeded();
    let file = db.file("list.csv", "name,country\nGood One,CN\nBad Country,Atlantis\n");
    let rejects = db.path.with_file_name("rejects.csv");
    db.ok(&[
        "import",
        "suppliers",
        &file,
        "--skip-invalid",
        "--reject-file",
        rejects.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&rejects).unwrap();
    assert!(text.starts_with("name,country,error\n"), "{text}");
    std::fs::write(&rejects, text.replace("Atlantis", "Germany")).unwrap();
    let summary = db.json(&["import", "suppliers", rejects.to_str().unwrap()]);
    assert_eq!(summary["created"], 1, "{summary}");
    db.ok(&["supplier", "show", "Bad Country"]);
    // A column named `error` elsewhere is still a column vetted does not know.
    let file = db.file("odd.csv", "error,name\nx,Odd Co\n");
    db.refuses(&["import", "suppliers", &file], 65, "unknown column 'error'");
    // --bom: every CSV vetted writes begins with one; without it, none.
    for args in [
        vec!["supplier", "list", "--format", "csv"],
        vec!["report", "status", "--format", "csv"],
        vec!["export", "suppliers"],
    ] {
        let plain = db.ok(&args);
        assert!(!plain.starts_with('\u{feff}'), "{args:?}");
        let mut with = args.clone();
        with.push("--bom");
        let marked = db.ok(&with);
        assert_eq!(marked.strip_prefix('\u{feff}'), Some(plain.as_str()), "{args:?}");
    }
    let exported = db.file("bom.csv", db.ok(&["export", "suppliers", "--bom"]));
    let summary = db.json(&["import", "suppliers", &exported]);
    assert_eq!(summary["created"], 0, "{summary}");
}
every_backend!(a_fixed_reject_file_imports_back_and_csv_can_carry_a_bom);

/// A re-imported row that matches a supplier on record says what it changes, field by field
/// (supplier, field, before, after), on a dry run and in every format; and `history` shows an
/// edit's before → after. (A row matched by its Traditional name changed the country CN → TW,
/// replaced the note and added a capability; the dry run said only "1 updated".)
fn an_import_says_what_it_changes_of_suppliers_on_record() {
    let db = Db::seeded();
    db.ok(&["supplier", "edit", "Lumina", "--note", "good data"]);
    let csv = db.file(
        "again.csv",
        "name,country,note,capabilities\n蘇州盧米納異質結裝備有限公司,TW,overwritten,pvd\n",
    );
    let before = crate::support::record(&db);
    let dry = db.json(&["import", "suppliers", &csv, "--dry-run"]);
    let changes: Vec<(String, String, String)> = dry["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            assert_eq!(c["supplier"], "Lumina Heterojunction Equipment Co., Ltd.");
            (
                c["field"].as_str().unwrap().to_string(),
                c["before"].as_str().unwrap().to_string(),
                c["after"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        changes.contains(&("country".into(), "CN".into(), "TW".into())),
        "{changes:?}"
    );
    assert!(
        changes.contains(&("note".into(), "good data".into(), "overwritten".into())),
        "{changes:?}"
    );
    assert!(
        changes.contains(&(
            "capabilities".into(),
            "hjt-full-line; pecvd".into(),
            "hjt-full-line; pecvd; pvd".into()
        )),
        "{changes:?}"
    );
    assert_eq!(crate::support::record(&db), before, "a dry run writes nothing");
    let table = db.ok(&["import", "suppliers", &csv, "--dry-run"]);
    assert!(
        table.contains("Changes it would make to suppliers on record:") && table.contains("good data"),
        "{table}"
    );
    for format in ["csv", "md"] {
        let out = db.ok(&["import", "suppliers", &csv, "--dry-run", "--format", format]);
        assert!(
            out.contains("overwritten") && out.contains("TW"),
            "{format}: {out}"
        );
    }
    db.ok(&["import", "suppliers", &csv]);
    let history = db.ok(&["history", "--supplier", "Lumina"]);
    assert!(history.contains("note: – → good data"), "{history}");
    assert!(history.contains("country: CN → TW"), "{history}");
}
every_backend!(an_import_says_what_it_changes_of_suppliers_on_record);
