use crate::support::{Db, array_len};

fn a_supplier_keeps_its_whole_profile() {
    let db = Db::new();
    let out = db.ok(&[
        "supplier",
        "add",
        "Lumina Heterojunction Equipment Co., Ltd.",
        "--native-name",
        "苏州卢米纳异质结装备有限公司",
        "--alias",
        "Lumina",
        "--alias",
        "LHE",
        "--country",
        "chn",
        "--province",
        "Jiangsu",
        "--city",
        "Suzhou",
        "--address",
        "88 Xinghu St",
        "--website",
        "https://lumina-hjt.example.cn",
        "--capability",
        "HJT full line",
        "--capability",
        "pecvd",
        "--scarce",
        "yes",
        "--note",
        "met at SNEC",
    ]);
    assert!(out.contains("Added supplier #1"), "{out}");
    let file = db.json(&["supplier", "show", "1"]);
    let s = &file["supplier"];
    assert_eq!(s["name"], "Lumina Heterojunction Equipment Co., Ltd.");
    assert_eq!(s["native_name"], "苏州卢米纳异质结装备有限公司");
    assert_eq!(s["aliases"], serde_json::json!(["Lumina", "LHE"]));
    assert_eq!(s["country"], "CN");
    assert_eq!(s["province"], "Jiangsu");
    assert_eq!(s["address"], "88 Xinghu St");
    assert_eq!(s["website"], "https://lumina-hjt.example.cn");
    assert_eq!(s["capabilities"], serde_json::json!(["hjt-full-line", "pecvd"]));
    assert_eq!(s["scarce"], "yes");
    assert_eq!(s["note"], "met at SNEC");
    assert_eq!(s["archived"], false);
    for part in ["sites", "visits", "desk_notes", "deals"] {
        assert_eq!(array_len(&file[part]), 0, "{part}");
    }
}
every_backend!(a_supplier_keeps_its_whole_profile);

fn edit_changes_fields_aliases_and_capabilities() {
    let db = Db::seeded();
    db.ok(&[
        "supplier",
        "edit",
        "Lumina",
        "--city",
        "Wuxi",
        "--province",
        "",
        "--alias",
        "LHE",
        "--remove-alias",
        "Lumina",
        "--capability",
        "wet bench",
        "--remove-capability",
        "pecvd",
        "--name",
        "Lumina HJT Equipment Co., Ltd.",
    ]);
    let s = &db.json(&["supplier", "show", "LHE"])["supplier"];
    assert_eq!(s["name"], "Lumina HJT Equipment Co., Ltd.");
    assert_eq!(s["city"], "Wuxi");
    assert_eq!(s["province"], serde_json::Value::Null);
    assert_eq!(s["aliases"], serde_json::json!(["LHE"]));
    assert_eq!(
        s["capabilities"],
        serde_json::json!(["hjt-full-line", "wet-bench"])
    );
}
every_backend!(edit_changes_fields_aliases_and_capabilities);

fn an_edit_that_fails_half_way_changes_nothing() {
    let db = Db::seeded();
    // The city would be set before the unknown alias is found: the transaction must undo it.
    db.refuses(
        &[
            "supplier",
            "edit",
            "Lumina",
            "--city",
            "Wuxi",
            "--remove-alias",
            "Nope",
        ],
        65,
        "remove-alias",
    );
    assert_eq!(
        db.json(&["supplier", "show", "Lumina"])["supplier"]["city"],
        "Suzhou"
    );
}
every_backend!(an_edit_that_fails_half_way_changes_nothing);

fn an_edit_that_changes_nothing_records_nothing() {
    let db = Db::seeded();
    let before = db.json(&["history"]);
    db.ok(&["supplier", "edit", "Lumina", "--city", "Suzhou"]);
    assert_eq!(db.json(&["history"]), before);
}
every_backend!(an_edit_that_changes_nothing_records_nothing);

fn names_aliases_and_native_names_are_unique_across_suppliers() {
    let db = Db::seeded();
    db.refuses(
        &["supplier", "add", "LUMINA HETEROJUNCTION EQUIPMENT CO LTD"],
        65,
        "already names supplier",
    );
    db.refuses(&["supplier", "add", "Lumina"], 65, "already names supplier");
    db.refuses(
        &["supplier", "add", "Other", "--alias", "maxwell pvd"],
        65,
        "alias",
    );
    db.refuses(
        &[
            "supplier",
            "edit",
            "Maxwell",
            "--native-name",
            "苏州卢米纳异质结装备",
        ],
        65,
        "native name",
    );
}
every_backend!(names_aliases_and_native_names_are_unique_across_suppliers);

fn list_filters_by_capability_country_and_text() {
    let db = Db::seeded();
    db.ok(&[
        "supplier",
        "add",
        "Kestrel Wet Systems",
        "--country",
        "CN",
        "--capability",
        "wet-bench",
    ]);
    let names = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["supplier", "list"];
        all.extend(args);
        db.json(&all)
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(&[]).len(), 3);
    assert_eq!(names(&["--capability", "PVD"]), vec!["Maxwell PVD GmbH"]);
    assert_eq!(names(&["--country", "china"]).len(), 2);
    assert_eq!(names(&["--search", "wet"]), vec!["Kestrel Wet Systems"]);
}
every_backend!(list_filters_by_capability_country_and_text);

fn archiving_hides_a_supplier_but_keeps_its_evidence() {
    let db = Db::seeded();
    db.ok(&[
        "visit",
        "log",
        "Lumina",
        "--buyer",
        "Aurora Solar",
        "--date",
        "2026-01-10",
        "--finding",
        "major:leak",
    ]);
    db.ok(&[
        "deal",
        "set",
        "Lumina",
        "--buyer",
        "Aurora Solar",
        "--status",
        "evaluating",
        "--date",
        "2026-01-11",
    ]);
    assert!(db.ok(&["supplier", "archive", "Lumina"]).contains("Archived"));
    let active = db.json(&["supplier", "list"]);
    assert_eq!(array_len(&active), 1);
    assert_eq!(array_len(&db.json(&["supplier", "list", "--all"])), 2);
    let file = db.json(&["supplier", "show", "Lumina"]);
    assert_eq!(file["supplier"]["archived"], true);
    assert_eq!(array_len(&file["visits"]), 1);
    assert_eq!(array_len(&file["deals"]), 1);
    // No new evidence against an archived supplier until it is restored.
    db.refuses(
        &["visit", "log", "Lumina", "--buyer", "Aurora Solar"],
        65,
        "archived",
    );
    db.refuses(&["supplier", "archive", "Lumina"], 65, "already archived");
    db.ok(&["supplier", "archive", "Lumina", "--restore"]);
    db.ok(&["visit", "log", "Lumina", "--buyer", "Aurora Solar"]);
}
every_backend!(archiving_hides_a_supplier_but_keeps_its_evidence);

fn show_gives_the_whole_file() {
    let db = Db::seeded();
    db.ok(&[
        "visit",
        "log",
        "Lumina",
        "--buyer",
        "Aurora Solar",
        "--site",
        "Suzhou Plant 2",
        "--date",
        "2026-02-03",
        "--visitor",
        "Li Wei",
        "--finding",
        "critical:no spare parts stock",
        "--finding",
        "info:tidy",
    ]);
    db.ok(&[
        "note",
        "add",
        "--supplier",
        "Lumina",
        "--topic",
        "finance",
        "Credit report requested",
    ]);
    db.ok(&[
        "deal",
        "set",
        "Lumina",
        "--buyer",
        "Helios",
        "--status",
        "signed",
        "--date",
        "2026-03-01",
    ]);
    let file = db.json(&["supplier", "show", "苏州卢米纳异质结装备有限公司"]);
    assert_eq!(file["sites"][0]["name"], "Suzhou Plant 2");
    assert_eq!(file["visits"][0]["site"], "Suzhou Plant 2");
    assert_eq!(file["visits"][0]["findings"][0]["severity"], "critical");
    assert_eq!(array_len(&file["visits"][0]["findings"]), 2);
    assert_eq!(file["desk_notes"][0]["topic"], "finance");
    assert_eq!(file["deals"][0]["buyer"], "Helios Energy");
    assert_eq!(file["deals"][0]["history"][0]["status"], "signed");
    let table = db.ok(&["supplier", "show", "Lumina"]);
    for heading in [
        "sites",
        "visits",
        "visits: findings",
        "desk_notes",
        "deals",
        "deals: history",
    ] {
        assert!(
            table.lines().any(|l| l.trim() == heading),
            "no '{heading}' section in:\n{table}"
        );
    }
    assert!(table.contains("no spare parts stock"));
}
every_backend!(show_gives_the_whole_file);

/// `supplier archive --reason` says why, in `show` and the log (it took none); after a merge,
/// `supplier show` has one supplier section, with the merged one named in it (two sections both
/// titled "supplier" read as two suppliers, the merged one first).
fn an_archive_says_why_and_a_merged_supplier_is_part_of_the_profile() {
    let db = Db::seeded();
    db.ok(&[
        "supplier",
        "archive",
        "Maxwell",
        "--reason",
        "went bankrupt in March",
    ]);
    let shown = db.json(&["supplier", "show", "Maxwell"]);
    assert_eq!(
        shown["supplier"]["archive_reason"], "went bankrupt in March",
        "{shown}"
    );
    let log = db.json(&["log", "--limit", "1"]);
    assert_eq!(
        log[0]["summary"],
        "archived supplier Maxwell PVD GmbH: went bankrupt in March"
    );
    db.refuses(
        &["supplier", "archive", "Maxwell", "--restore", "--reason", "x"],
        2,
        "reason",
    );
    db.ok(&["supplier", "archive", "Maxwell", "--restore"]);
    assert_eq!(
        db.json(&["supplier", "show", "Maxwell"])["supplier"]["archive_reason"],
        serde_json::Value::Null
    );
    db.ok(&["supplier", "add", "Lumina HJT"]);
    db.ok(&["supplier", "merge", "Lumina HJT", "--into", "Lumina"]);
    let table = db.ok(&["supplier", "show", "Lumina"]);
    assert_eq!(
        table.matches("\nsupplier\n").count() + usize::from(table.starts_with("supplier\n")),
        1,
        "{table}"
    );
    assert!(table.starts_with("supplier\n"), "{table}");
    let profile_end = table.find("\ndated").unwrap();
    assert!(
        table[..profile_end].contains("#3 Lumina HJT (merged into #1)"),
        "{table}"
    );
}
every_backend!(an_archive_says_why_and_a_merged_supplier_is_part_of_the_profile);
