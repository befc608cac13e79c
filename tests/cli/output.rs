//! Output for people (aligned tables, colour on request) and machines (JSON, CSV, Markdown).

use crate::support::{Db, vetted};

fn lists_are_json_arrays_with_snake_case_keys() {
    let db = Db::seeded();
    let list = db.json(&["supplier", "list"]);
    let first = list.as_array().unwrap()[0].as_object().unwrap();
    for key in [
        "id",
        "name",
        "native_name",
        "aliases",
        "country",
        "capabilities",
        "archived",
    ] {
        assert!(first.contains_key(key), "missing {key}");
    }
    assert!(
        db.json(&["visit", "list"]).is_array(),
        "an empty list is still an array"
    );
    assert!(db.json(&["history"]).is_array());
    assert!(db.json(&["deal", "list"]).is_array());
}
every_backend!(lists_are_json_arrays_with_snake_case_keys);

fn csv_lists_parse_back_with_every_field() {
    let db = Db::seeded();
    let out = db.ok(&["supplier", "list", "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(&header[..3], ["id", "name", "native_name"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    let name = header.iter().position(|h| h == "name").unwrap();
    let caps = header.iter().position(|h| h == "capabilities").unwrap();
    assert_eq!(
        &rows[0][name], "Lumina Heterojunction Equipment Co., Ltd.",
        "commas survive quoting"
    );
    assert_eq!(&rows[0][caps], "hjt-full-line; pecvd");
    let empty = db.ok(&["visit", "list", "--format", "csv"]);
    assert!(
        empty.starts_with("id,date,supplier,buyer"),
        "an empty list keeps its header: {empty:?}"
    );
}
every_backend!(csv_lists_parse_back_with_every_field);

fn show_as_csv_is_field_value_pairs() {
    let db = Db::seeded();
    let out = db.ok(&["supplier", "show", "Lumina", "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    assert_eq!(reader.headers().unwrap(), vec!["field", "value"]);
    let pairs: Vec<(String, String)> = reader
        .records()
        .map(|r| r.unwrap())
        .map(|r| (r[0].to_string(), r[1].to_string()))
        .collect();
    assert!(pairs.contains(&(
        "supplier.native_name".into(),
        "苏州卢米纳异质结装备有限公司".into()
    )));
    assert!(pairs.contains(&("sites.0.name".into(), "Suzhou Plant 2".into())));
}
every_backend!(show_as_csv_is_field_value_pairs);

fn markdown_tables_paste_into_a_document() {
    let db = Db::seeded();
    let out = db.ok(&["deal", "list", "--format", "md"]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("| id | buyer | supplier | status"), "{out}");
    assert!(lines[1].starts_with("| --- |"), "{out}");
    let show = db.ok(&["visit", "list", "--format", "md"]);
    assert_eq!(show.lines().count(), 2, "header and rule for no visits:\n{show}");
}
every_backend!(markdown_tables_paste_into_a_document);

fn tables_align_columns_and_colour_only_when_asked() {
    let db = Db::seeded();
    let plain = db.ok(&["buyer", "list"]);
    let lines: Vec<&str> = plain.lines().collect();
    assert!(lines[0].contains("name") && lines[0].contains("kind"));
    let col = |line: &str| {
        line.find("internal")
            .or_else(|| line.find("external"))
            .or_else(|| line.find("kind"))
    };
    assert_eq!(col(lines[0]), col(lines[2]), "columns line up:\n{plain}");
    assert!(!plain.contains('\u{1b}'), "no colour when not a terminal");
    let coloured = db.ok(&["buyer", "list", "--color", "always"]);
    assert!(coloured.contains("\u{1b}["), "--color always colours");
    let out = vetted()
        .env("NO_COLOR", "1")
        .arg("--db")
        .arg(db.target())
        .args(["buyer", "list", "--color", "never"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains('\u{1b}'));
}
every_backend!(tables_align_columns_and_colour_only_when_asked);

fn quiet_mutations_print_nothing_and_json_mutations_print_the_record() {
    let db = Db::seeded();
    assert_eq!(db.ok(&["-q", "buyer", "add", "Cirrus"]), "");
    let visit = db.json(&["visit", "log", "Lumina", "--buyer", "Cirrus"]);
    assert_eq!(visit["buyer"], "Cirrus");
    assert!(visit["id"].is_number());
}
every_backend!(quiet_mutations_print_nothing_and_json_mutations_print_the_record);

#[test]
fn completions_and_man_page() {
    let out = vetted().args(["completions", "bash"]).output().unwrap();
    assert!(out.status.success());
    let script = String::from_utf8(out.stdout).unwrap();
    assert!(script.contains("complete") && script.contains("vetted"));
    let out = vetted().args(["completions", "fish"]).output().unwrap();
    assert!(String::from_utf8(out.stdout).unwrap().contains("visit"));
    let out = vetted().arg("man").output().unwrap();
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(
        page.starts_with(".ie") || page.contains(".TH vetted"),
        "{}",
        &page[..200.min(page.len())]
    );
}

/// What a command prints to a real 80-column terminal (`script` gives it a pseudo-terminal of
/// that size): every line, its escapes dropped, at most 80 columns wide. Skipped, and says so,
/// where util-linux's `script` is missing.
fn on_an_80_column_terminal(db: &Db, args: &[&str]) -> Option<String> {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: the 80-column check needs util-linux's `script`");
        return None;
    }
    let quoted: Vec<String> = [env!("CARGO_BIN_EXE_vetted"), "--db"]
        .into_iter()
        .map(String::from)
        .chain([db.target().to_string_lossy().into_owned()])
        .chain(args.iter().map(|a| a.to_string()))
        .map(|a| format!("'{}'", a.replace('\'', "'\\''")))
        .collect();
    let line = format!("stty cols 80 rows 50; {}", quoted.join(" "));
    let out = std::process::Command::new("script")
        .args(["-qfec", &line, "/dev/null"])
        .env_remove("COLUMNS")
        .env_remove("VETTED_DB")
        .env("USER", "tester")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let text = String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n");
    for line in text.lines() {
        let width = unicode_width::UnicodeWidthStr::width(line);
        assert!(
            width <= 80,
            "{args:?}: a line of {width} columns:\n{line}\n\n{text}"
        );
    }
    Some(text)
}

/// Tables keep to an 80-column terminal (gaps 184–197 columns, `supplier show` 155–175, `log`
/// 142–151, capacity 137, status 99–116 did not): a table that cannot fit turns into one block
/// per record, and a long list in a cell is cut to a few with `+N more`. `--layout` chooses.
fn tables_fit_an_80_column_terminal() {
    let db = crate::html::demo_like();
    for buyer in ["Borealis", "Helios"] {
        db.ok(&[
            "visit",
            "log",
            "Lumina",
            "--buyer",
            buyer,
            "--purpose",
            "competitor line audit with a long purpose",
        ]);
    }
    for buyer in ["Zenith Cells", "Polar Modules", "Orion Cells", "Vega Solar"] {
        db.ok(&["buyer", "add", buyer, "--external"]);
    }
    for buyer in ["Zenith", "Polar", "Orion", "Vega"] {
        db.ok(&[
            "deal",
            "set",
            "Lumina",
            "--buyer",
            buyer,
            "--status",
            "evaluating",
        ]);
    }
    db.ok(&[
        "capacity",
        "set",
        "Lumina",
        "--capability",
        "hjt-full-line",
        "--period",
        &crate::support::this_quarter(),
        "--units",
        "4",
    ]);
    let commands: [&[&str]; 6] = [
        &["report", "gaps", "--buyer", "Aurora"],
        &["report", "status"],
        &["report", "capacity"],
        &["supplier", "show", "Lumina"],
        &["log"],
        &["deal", "list"],
    ];
    for args in commands {
        let Some(text) = on_an_80_column_terminal(&db, args) else {
            return;
        };
        assert!(!text.trim().is_empty(), "{args:?}");
    }
    let gaps = on_an_80_column_terminal(&db, &["report", "gaps", "--buyer", "Aurora"]).unwrap();
    assert!(gaps.contains("── 1 ─"), "one block per record: {gaps}");
    assert!(gaps.contains("+2 more"), "a long list cut: {gaps}");
    // Asked for, a table it is (as wide as it must be); records anywhere.
    let out = db.run(&["report", "gaps", "--buyer", "Aurora", "--layout", "table"]);
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .any(|l| l.contains("competitors"))
    );
    let records = db.ok(&["buyer", "list", "--layout", "records"]);
    assert!(records.starts_with("── 1 ─"), "{records}");
    assert!(
        records
            .lines()
            .any(|l| l.starts_with("name ") && l.ends_with(" Aurora Solar")),
        "{records}"
    );
    // A pipe keeps whole lines, for grep.
    let piped = db.ok(&["report", "gaps", "--buyer", "Aurora"]);
    assert!(piped.lines().any(|l| l.contains("competitors")), "{piped}");
}
every_backend!(tables_fit_an_80_column_terminal);
