//! One set of input limits, the same on every backend: names, one-line and long text, control
//! and bidi characters, dates, money; for commands, CSV rows and `import all`. Every refusal is
//! exit 65 naming the field, with nothing written.

use crate::support::Db;

const LOG: [&str; 5] = ["visit", "log", "Lumina", "--buyer", "Aurora Solar"];

fn with<'a>(base: &[&'a str], more: &[&'a str]) -> Vec<&'a str> {
    base.iter().chain(more).copied().collect()
}

fn control_and_bidi_characters_are_refused() {
    let db = Db::seeded();
    let err = db.refuses(&["supplier", "add", "Acme\u{1b}[31m Tools"], 65, "name");
    assert!(err.contains("U+001B"), "{err}");
    db.refuses(&["buyer", "add", "Bell\u{7} Buyer"], 65, "name");
    db.refuses(&["buyer", "add", "Nord\u{85}Buyer"], 65, "name");
    let err = db.refuses(&["supplier", "add", "Evil \u{202e}rednaxelA"], 65, "name");
    assert!(err.contains("U+202E"), "{err}");
    db.refuses(
        &["supplier", "edit", "Lumina", "--city", "Suz\u{2066}hou"],
        65,
        "city",
    );
    db.refuses(
        &["supplier", "edit", "Lumina", "--website", "a.example\u{1b}"],
        65,
        "website",
    );
    db.refuses(
        &["supplier", "edit", "Lumina", "--alias", "Lu\u{9}mi"],
        65,
        "alias",
    );
    db.refuses(&with(&LOG, &["--summary", "fine\u{1b}[2J"]), 65, "summary");
    db.refuses(&with(&LOG, &["--purpose", "line\none"]), 65, "purpose");
    db.refuses(&with(&LOG, &["--visitor", "Li\u{202a}Wei"]), 65, "visitor");
    db.refuses(&with(&LOG, &["--finding", "major:leak\u{1}"]), 65, "finding");
    db.refuses(
        &["note", "add", "--supplier", "Lumina", "text\u{2069}"],
        65,
        "text",
    );
    db.refuses(
        &["note", "add", "--supplier", "Lumina", "--topic", "a\tb", "text"],
        65,
        "topic",
    );
    // An imported file's name goes into the audit trail.
    let file = db.file("list\u{1b}[2J.csv", "name\nNova Tools\n");
    db.refuses(&["import", "suppliers", &file], 65, "file");
    // Long text keeps its tabs and line breaks.
    let note = db.json(&["note", "add", "--supplier", "Lumina", "first\tline\nsecond line"]);
    assert_eq!(note["text"], "first\tline\nsecond line");
}
every_backend!(control_and_bidi_characters_are_refused);

fn names_that_normalise_to_nothing_are_refused() {
    let db = Db::seeded();
    for name in ["...", "!!!", "\u{200b}\u{200b}", "有限公司"] {
        let err = db.refuses(&["supplier", "add", name], 65, "name");
        assert!(err.contains("letter or digit"), "{name}: {err}");
    }
    db.refuses(&["buyer", "add", "--", "---"], 65, "name");
    db.refuses(
        &["supplier", "add", "Nova", "--native-name", "株式会社"],
        65,
        "native-name",
    );
    db.refuses(&["supplier", "edit", "Lumina", "--alias", "()"], 65, "alias");
    db.refuses(&["supplier", "edit", "Lumina", "--name", "  .  "], 65, "name");
    db.refuses(&["site", "add", "Lumina", "&&"], 65, "name");
    db.refuses(&with(&LOG, &["--visitor", "?"]), 65, "visitor");
}
every_backend!(names_that_normalise_to_nothing_are_refused);

fn names_are_at_most_200_characters_everywhere() {
    let db = Db::seeded();
    for len in [201, 300, 3000] {
        let long = "n".repeat(len);
        let err = db.refuses(&["supplier", "add", &long], 65, "name");
        assert!(err.contains("at most 200"), "{err}");
        db.refuses(&["buyer", "add", &long], 65, "name");
    }
    let long = "名".repeat(201);
    db.refuses(&["supplier", "edit", "Lumina", "--alias", &long], 65, "alias");
    db.refuses(
        &["supplier", "edit", "Lumina", "--native-name", &long],
        65,
        "native-name",
    );
    db.refuses(&["site", "add", "Lumina", &long], 65, "name");
    db.refuses(&with(&LOG, &["--visitor", &long]), 65, "visitor");
    db.refuses(&["--actor", &long, "buyer", "add", "Nova"], 65, "actor");
    // 200 characters fit on every backend, however many bytes they take.
    let fits = "名".repeat(200);
    let added = db.json(&["supplier", "add", &fits, "--alias", &"a".repeat(200)]);
    assert_eq!(added["name"], fits.as_str());
    db.ok(&["buyer", "add", &"b".repeat(200)]);
}
every_backend!(names_are_at_most_200_characters_everywhere);

fn one_line_and_long_text_have_limits() {
    let db = Db::seeded();
    let line = "c".repeat(1001);
    let err = db.refuses(&["supplier", "edit", "Lumina", "--city", &line], 65, "city");
    assert!(err.contains("at most 1000"), "{err}");
    db.refuses(
        &["supplier", "edit", "Lumina", "--province", &line],
        65,
        "province",
    );
    db.refuses(&["supplier", "edit", "Lumina", "--address", &line], 65, "address");
    db.refuses(&["site", "add", "Lumina", "Plant 9", "--city", &line], 65, "city");
    db.refuses(&with(&LOG, &["--purpose", &line]), 65, "purpose");
    db.refuses(
        &["note", "add", "--supplier", "Lumina", "--topic", &line, "x"],
        65,
        "topic",
    );
    let long = "x".repeat(64 * 1024 + 1);
    let err = db.refuses(&["note", "add", "--supplier", "Lumina", &long], 65, "text");
    assert!(err.contains("64 KiB"), "{err}");
    db.refuses(&with(&LOG, &["--summary", &long]), 65, "summary");
    db.refuses(&["supplier", "edit", "Lumina", "--note", &long], 65, "note");
    db.refuses(&["buyer", "add", "Nova", "--note", &long], 65, "note");
    // Right at the limits, every backend stores them.
    let line = "城".repeat(1000);
    db.ok(&["supplier", "edit", "Lumina", "--city", &line, "--province", &line]);
    db.ok(&[
        "site",
        "add",
        "Lumina",
        "Plant 9",
        "--city",
        &line,
        "--province",
        &line,
    ]);
    db.ok(&["note", "add", "--supplier", "Lumina", "--topic", &line, "x"]);
    let full = "x".repeat(64 * 1024);
    db.ok(&["note", "add", "--supplier", "Lumina", &full]);
    let shown = db.json(&["supplier", "show", "Lumina"]);
    assert_eq!(shown["supplier"]["city"], line.as_str());
}
every_backend!(one_line_and_long_text_have_limits);

fn dates_before_1900_are_refused() {
    let db = Db::seeded();
    for date in ["0000-01-01", "0001-01-01", "1899-12-31"] {
        let err = db.refuses(&with(&LOG, &["--date", date]), 65, "date");
        assert!(err.contains("1900-01-01"), "{err}");
        db.refuses(
            &[
                "deal",
                "set",
                "Lumina",
                "--buyer",
                "Aurora Solar",
                "--status",
                "prospect",
                "--date",
                date,
            ],
            65,
            "date",
        );
        db.refuses(
            &["note", "add", "--supplier", "Lumina", "--date", date, "x"],
            65,
            "date",
        );
        db.refuses(&["visit", "list", "--since", date], 65, "since");
        db.refuses(&["report", "status", "--as-of", date], 65, "as-of");
    }
    db.refuses(&["visit", "list", "--until", "2101-01-01"], 65, "until");
    db.refuses(&["history", "--since", "9999-12-31"], 65, "since");
    db.ok(&["visit", "list", "--until", "2100-12-31"]);
    db.ok(&with(&LOG, &["--date", "1900-01-01"]));
    // Every report still reads the database.
    db.ok(&["report", "status", "--format", "json"]);
}
every_backend!(dates_before_1900_are_refused);

fn deal(value: &str, currency: &str) -> Vec<String> {
    [
        "deal",
        "set",
        "Lumina",
        "--buyer",
        "Aurora Solar",
        "--status",
        "signed",
        "--value",
        value,
        "--currency",
        currency,
    ]
    .map(String::from)
    .to_vec()
}

fn money_fits_every_backend_and_its_currency() {
    let db = Db::seeded();
    let refuse = |value: &str, currency: &str, field: &str| {
        let args = deal(value, currency);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        db.refuses(&args, 65, field)
    };
    let err = refuse("12345678901234567", "USD", "value");
    assert!(err.contains("15"), "{err}");
    refuse("1234567890123456", "USD", "value");
    let err = refuse("12.345", "USD", "value");
    assert!(err.contains("USD"), "{err}");
    refuse("100.5", "JPY", "value");
    refuse("1.23456", "KWD", "value");
    for currency in ["XXX", "XTS", "XAU"] {
        refuse("5", currency, "currency");
    }
    let ok = |value: &str, currency: &str| {
        let mut args = deal(value, currency);
        args.extend(["--format".into(), "json".into()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out: serde_json::Value = serde_json::from_str(&db.ok(&args)).unwrap();
        out
    };
    let deal = ok("999999999999999.99", "USD");
    assert_eq!(deal["currency"], "USD");
    ok("1.234", "KWD");
    ok("1200", "JPY");
    db.ok(&["report", "status"]);
}
every_backend!(money_fits_every_backend_and_its_currency);

fn csv_rows_break_each_limit_with_line_and_column() {
    let db = Db::seeded();
    let long_name = "n".repeat(201);
    let long_city = "c".repeat(1001);
    let long_note = "x".repeat(64 * 1024 + 1);
    let csv = format!(
        "name,native_name,aliases,city,website,note\n\
         Good One,,,,,\n\
         Bad\u{1b}Name,,,,,\n\
         ...,,,,,\n\
         {long_name},,,,,\n\
         Fine Two,有限公司,,,,\n\
         Fine Three,,\u{202e}x,,,\n\
         Fine Four,,,{long_city},,\n\
         Fine Five,,,,bad\u{7}.example,\n\
         Fine Six,,,,,{long_note}\n\
         Fine Seven,,,Suzhou\u{0},,\n"
    );
    let file = db.file("limits.csv", &csv);
    let err = db.refuses(&["import", "suppliers", &file], 65, "line 3: name:");
    for expected in [
        "line 4: name:",
        "line 5: name:",
        "line 6: native_name:",
        "line 7: aliases:",
        "line 8: city:",
        "line 9: website:",
        "line 10: note:",
        "line 11: city:",
    ] {
        assert!(err.contains(expected), "{expected}: {err}");
    }
    assert!(!err.contains("line 2:"), "{err}");
    let summary = db.json(&["import", "suppliers", &file, "--skip-invalid"]);
    assert_eq!(summary["created"], 1);
    assert_eq!(summary["rejected"], 9);
}
every_backend!(csv_rows_break_each_limit_with_line_and_column);

fn a_huge_csv_cell_is_refused_while_reading() {
    let db = Db::seeded();
    let mut csv = String::from("name,city,note\nBefore Co,Suzhou,short\n\"Huge Co\",Wuxi,\"");
    // A few MB in one quoted cell, with quotes and line breaks inside it.
    for _ in 0..40_000 {
        csv.push_str("a \"\"quoted\"\" line of some length,\nand more text after it. ");
    }
    csv.push_str("\"\nAfter Co,Changzhou,fine\n");
    let file = db.file("huge.csv", &csv);
    let err = db.refuses(&["import", "suppliers", &file], 65, "line 3: note:");
    assert!(err.contains("64 KiB"), "{err}");
    let summary = db.json(&["import", "suppliers", &file, "--skip-invalid"]);
    assert_eq!(
        summary["created"], 2,
        "the rows before and after the cell: {summary}"
    );
    assert_eq!(summary["rejected"], 1);
    db.ok(&["supplier", "show", "After Co"]);
}
every_backend!(a_huge_csv_cell_is_refused_while_reading);

fn a_backup_with_a_bad_record_is_refused_with_its_path() {
    let db = Db::seeded();
    db.ok(&with(&LOG, &["--date", "2024-05-01", "--purpose", "audit"]));
    db.ok(&[
        "deal",
        "set",
        "Lumina",
        "--buyer",
        "Aurora Solar",
        "--status",
        "prospect",
        "--date",
        "2024-05-02",
    ]);
    let backup = db.path.with_file_name("backup.json");
    db.ok(&["export", "all", "--out", backup.to_str().unwrap()]);
    let good: serde_json::Value = serde_json::from_slice(&std::fs::read(&backup).unwrap()).unwrap();
    let broken = |change: &dyn Fn(&mut serde_json::Value), expected: &str| {
        let mut doc = good.clone();
        change(&mut doc);
        let fresh = Db::new();
        let file = fresh.file("broken.json", serde_json::to_string_pretty(&doc).unwrap());
        let err = fresh.refuses(&["import", "all", &file], 65, expected);
        assert!(!err.contains("error returned from database"), "{err}");
    };
    broken(
        &|d| d["deals"][0]["status"] = "bogus".into(),
        "deals[0].status: 'bogus' is not a deal status",
    );
    broken(
        &|d| d["deal_events"][0]["status"] = "won".into(),
        "deal_events[0].status:",
    );
    broken(
        &|d| d["visits"][0]["visit_date"] = "0000-01-01".into(),
        "visits[0].visit_date:",
    );
    broken(
        &|d| d["suppliers"][1]["name"] = "...".into(),
        "suppliers[1].name:",
    );
    broken(
        &|d| d["buyers"][0]["name"] = "n".repeat(201).into(),
        "buyers[0].name:",
    );
    broken(
        &|d| d["visits"][0]["purpose"] = "x\u{1b}".into(),
        "visits[0].purpose:",
    );
    broken(
        &|d| d["suppliers"][0]["country"] = "XX".into(),
        "suppliers[0].country:",
    );
    broken(
        &|d| d["supplier_capabilities"][0]["capability"] = "pe;cvd".into(),
        "supplier_capabilities[0].capability:",
    );
    broken(&|d| d["deals"][0]["buyer_id"] = 99.into(), "deals[0].buyer_id:");
    // A backup holds only the spellings vetted stores, not what a user may type.
    broken(
        &|d| d["deals"][0]["status"] = "Prospect".into(),
        "deals[0].status: 'Prospect' is not a deal status",
    );
    broken(
        &|d| d["suppliers"][0]["scarce_override"] = "maybe".into(),
        "suppliers[0].scarce_override: 'maybe' is not a scarcity override",
    );
}
every_backend!(a_backup_with_a_bad_record_is_refused_with_its_path);

fn rows_of_long_cells_import_on_every_backend() {
    let db = Db::new();
    // 18 MB of notes just under the limit: more than MariaDB takes in one statement by default.
    let note = "n".repeat(60_000);
    let mut csv = String::from("name,note\n");
    for i in 0..300 {
        csv.push_str(&format!("Supplier {i},{note}\n"));
    }
    let file = db.file("long-notes.csv", &csv);
    let summary = db.json(&["import", "suppliers", &file]);
    assert_eq!(summary["created"], 300, "{summary}");
    let shown = db.json(&["supplier", "show", "Supplier 299"]);
    assert_eq!(shown["supplier"]["note"], note.as_str());
}
every_backend!(rows_of_long_cells_import_on_every_backend);

/// A backup that contradicts itself (hand-edited or damaged) is refused naming the path, and
/// nothing is restored: a deal whose status is not what its events say, a supplier merged into
/// itself or two merged into each other, an earlier version holding what live rows refuse.
/// A command line holding a password is restored masked. (All of these restored.)
fn a_backup_that_contradicts_itself_is_refused() {
    let db = Db::seeded();
    db.ok(&[
        "deal",
        "set",
        "Lumina",
        "--buyer",
        "Aurora Solar",
        "--status",
        "evaluating",
        "--date",
        "2024-05-01",
    ]);
    db.ok(&[
        "deal",
        "set",
        "Lumina",
        "--buyer",
        "Aurora Solar",
        "--status",
        "signed",
        "--date",
        "2024-06-01",
        "--value",
        "1000",
        "--currency",
        "USD",
    ]);
    db.ok(&[
        "supplier",
        "edit",
        "Maxwell",
        "--city",
        "Dresden",
        "--note",
        "PVD maker",
    ]);
    let backup = db.path.with_file_name("backup.json");
    db.ok(&["export", "all", "--out", backup.to_str().unwrap()]);
    let good: serde_json::Value = serde_json::from_slice(&std::fs::read(&backup).unwrap()).unwrap();
    let restore = |doc: &serde_json::Value| {
        let fresh = Db::new();
        let file = fresh.file("backup.json", serde_json::to_string_pretty(doc).unwrap());
        (fresh, file)
    };
    let broken = |change: &dyn Fn(&mut serde_json::Value), expected: &str| {
        let mut doc = good.clone();
        change(&mut doc);
        let (fresh, file) = restore(&doc);
        fresh.refuses(&["import", "all", &file], 65, expected)
    };
    let err = broken(
        &|d| d["deals"][0]["status"] = "declined".into(),
        "deals[0].status: ",
    );
    assert!(err.contains("declined") && err.contains("signed"), "{err}");
    broken(
        &|d| d["deals"][0]["status_date"] = "2024-05-01".into(),
        "deals[0].status_date: ",
    );
    broken(&|d| d["deals"][0]["value"] = "2000".into(), "deals[0].value: ");
    broken(
        &|d| d["deal_events"][0]["status"] = "terminated".into(),
        "deals[0].status: ",
    );
    let err = broken(
        &|d| d["suppliers"][0]["merged_into"] = 1.into(),
        "suppliers[0].merged_into: ",
    );
    assert!(err.contains("into itself"), "{err}");
    let err = broken(
        &|d| {
            d["suppliers"][0]["merged_into"] = 2.into();
            d["suppliers"][1]["merged_into"] = 1.into();
        },
        "suppliers[0].merged_into: ",
    );
    assert!(err.contains("circle"), "{err}");
    broken(
        &|d| d["suppliers"][0]["merged_into"] = 99.into(),
        "suppliers[0].merged_into: ",
    );
    broken(
        &|d| d["buyers"][1]["merged_into"] = 2.into(),
        "buyers[1].merged_into: ",
    );
    let err = broken(
        &|d| d["history"]["suppliers"][0]["row"]["city"] = "Dres\u{1b}[31mden".into(),
        "history.suppliers[0].row.city: ",
    );
    assert!(err.contains("control"), "{err}");
    broken(
        &|d| d["history"]["suppliers"][0]["row"]["note"] = "\u{202e}txt.exe".into(),
        "history.suppliers[0].row.note: ",
    );
    // A value no Rust type should have to explain.
    let err = broken(
        &|d| d["visits"] = serde_json::json!([{"id": 3_000_000_000u64}]),
        "visits[0].id: ",
    );
    assert!(!err.contains("expected i32"), "{err}");
    let err = broken(
        &|d| d["deals"][0]["value"] = format!("0.{}1", "0".repeat(400)).into(),
        "deals[0].value: ",
    );
    assert!(!err.contains("Scale exceeds"), "{err}");
    // A password in a recorded command line is masked as it is restored.
    let mut doc = good.clone();
    doc["operations"][0]["command"] =
        "vetted --db 'postgres://ann:s3cret@db/team' buyer add 'Aurora Solar'".into();
    let (fresh, file) = restore(&doc);
    fresh.ok(&["import", "all", &file]);
    let log = fresh.ok(&["log", "--format", "json"]);
    assert!(
        !log.contains("s3cret") && log.contains("postgres://ann:***@db/team"),
        "{log}"
    );
    // The backup itself restores as it is.
    let (fresh, file) = restore(&good);
    fresh.ok(&["import", "all", &file]);
}
every_backend!(a_backup_that_contradicts_itself_is_refused);

/// A backup in UTF-16 is refused naming the file (it exited 1 with "stream did not contain
/// valid UTF-8"); one with a UTF-8 byte-order mark restores, as a CSV with one imports.
fn a_backup_is_read_as_utf8_with_or_without_a_byte_order_mark() {
    let db = Db::seeded();
    let text = db.ok(&["export", "all"]);
    let fresh = Db::new();
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let file = fresh.file("utf16.json", utf16);
    let err = fresh.refuses(&["import", "all", &file], 65, "utf16.json: ");
    assert!(err.contains("UTF-16"), "{err}");
    let file = fresh.file("bom.json", [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat());
    fresh.ok(&["import", "all", &file]);
    assert_eq!(fresh.json(&["supplier", "list"]), db.json(&["supplier", "list"]));
}
every_backend!(a_backup_is_read_as_utf8_with_or_without_a_byte_order_mark);
