//! DESIGN "What never gets out": formula-safe CSV, visible control characters in tables, escaped
//! Markdown, and database passwords masked in help text and errors.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use crate::support::{Db, vetted};

/// What a spreadsheet runs as a formula when a cell starts with it.
const GUARDED: [char; 10] = ['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠'];

/// The formula starts a user can type into a field (tab and CR are trimmed or refused on input).
const STARTS: [&str; 8] = ["=", "+", "-", "@", "＝", "＋", "－", "＠"];

/// Hands out formula-looking values, cycling through every start.
struct Formulas(usize);

impl Formulas {
    /// The next start and the number of the value.
    fn start(&mut self) -> (&'static str, usize) {
        self.0 += 1;
        (STARTS[self.0 % STARTS.len()], self.0)
    }

    fn next(&mut self, what: &str) -> String {
        let (start, n) = self.start();
        format!("{start}HYPERLINK(\"http://evil.example\",\"{what} {n}\")")
    }

    /// A website that a spreadsheet would run (websites are checked, but only loosely).
    fn website(&mut self) -> String {
        let (start, n) = self.start();
        format!("{start}evil.example/{n}")
    }
}

fn csv_cells(text: &str) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| r.expect("valid CSV"))
        .flat_map(|r| r.iter().map(str::to_string).collect::<Vec<_>>())
        .collect()
}

fn starts_guarded(cell: &str) -> bool {
    cell.starts_with(GUARDED)
}

/// No cell starts a formula, and at least one cell is a guarded formula (the sweep's values
/// reached this output).
fn assert_safe(what: &str, text: &str) {
    let cells = csv_cells(text);
    let bad: Vec<&String> = cells.iter().filter(|c| starts_guarded(c)).collect();
    assert!(bad.is_empty(), "{what}: formula cells {bad:?} in\n{text}");
    assert!(
        cells
            .iter()
            .any(|c| c.strip_prefix('\'').is_some_and(starts_guarded)),
        "{what}: none of the sweep's values is in\n{text}"
    );
}

/// Every text field a user can set, filled with formula-looking values: two buyers, suppliers,
/// sites, visits with findings, desk notes (one resolved) and deals.
fn swept() -> Db {
    let db = Db::new();
    let mut f = Formulas(0);
    for round in 1..=2 {
        let actor = format!("--actor={}", f.next("actor"));
        let r = round.to_string();
        let date = format!("--date=2026-01-0{round}");
        let mut buyer = vec![
            actor.clone(),
            "buyer".into(),
            "add".into(),
            format!("--note={}", f.next("buyer note")),
        ];
        if round == 2 {
            buyer.push("--external".into());
        }
        buyer.extend(["--".into(), f.next("buyer")]);
        run(&db, &buyer);
        run(
            &db,
            &[
                actor.clone(),
                "supplier".into(),
                "add".into(),
                format!("--native-name={}", f.next("native")),
                format!("--alias={}", f.next("alias")),
                format!("--province={}", f.next("province")),
                format!("--city={}", f.next("city")),
                format!("--address={}", f.next("address")),
                format!("--website={}", f.website()),
                format!("--note={}", f.next("supplier note")),
                "--capability=pecvd".into(),
                "--".into(),
                f.next("supplier"),
            ],
        );
        run(
            &db,
            &[
                actor.clone(),
                "site".into(),
                "add".into(),
                format!("--city={}", f.next("site city")),
                format!("--province={}", f.next("site province")),
                "--".into(),
                r.clone(),
                f.next("site"),
            ],
        );
        run(
            &db,
            &[
                actor.clone(),
                "visit".into(),
                "log".into(),
                r.clone(),
                format!("--buyer={r}"),
                format!("--site={r}"),
                date.clone(),
                format!("--visitor={}", f.next("visitor")),
                format!("--purpose={}", f.next("purpose")),
                format!("--summary={}", f.next("summary")),
                format!("--finding=major:{}", f.next("finding")),
            ],
        );
        let note = run(
            &db,
            &[
                actor.clone(),
                "note".into(),
                "add".into(),
                format!("--supplier={r}"),
                format!("--topic={}", f.next("topic")),
                "--severity=minor".into(),
                date.clone(),
                "--".into(),
                f.next("note text"),
            ],
        );
        let note: serde_json::Value = serde_json::from_str(&note).unwrap();
        if round == 1 {
            run(
                &db,
                &[
                    actor.clone(),
                    "note".into(),
                    "resolve".into(),
                    note["id"].to_string(),
                    format!("--resolution={}", f.next("resolution")),
                    date.clone(),
                ],
            );
        }
        run(
            &db,
            &[
                actor,
                "deal".into(),
                "set".into(),
                r.clone(),
                format!("--buyer={r}"),
                "--status=negotiating".into(),
                date,
                format!("--scope={}", f.next("scope")),
                format!("--note={}", f.next("deal note")),
            ],
        );
    }
    db
}

fn run(db: &Db, args: &[String]) -> String {
    // Before the arguments: after `--` it would be a name.
    let mut all = vec!["--format", "json"];
    all.extend(args.iter().map(String::as_str));
    db.ok(&all)
}

fn no_csv_vetted_writes_starts_a_formula_unless_raw() {
    let db = swept();
    let commands: &[&[&str]] = &[
        &["buyer", "list"],
        &["supplier", "list", "--all"],
        &["supplier", "show", "1"],
        &["supplier", "show", "2"],
        &["site", "list"],
        &["visit", "list"],
        &["visit", "show", "1"],
        &["note", "list"],
        &["deal", "list"],
        &["deal", "history", "1"],
        &["history"],
        &["report", "status"],
        &["report", "gaps", "--buyer", "1"],
        &["export", "suppliers"],
        &["export", "buyers"],
        &["export", "sites"],
        &["export", "visits"],
        &["export", "notes"],
        &["export", "deals"],
        // A change printed as CSV.
        &["supplier", "edit", "1", "--city=@SUM(A1:A9)"],
    ];
    for args in commands {
        let mut csv = args.to_vec();
        csv.extend(["--format", "csv"]);
        assert_safe(&args.join(" "), &db.ok(&csv));
    }
    for args in [
        &["supplier", "list", "--all", "--format", "csv", "--raw"][..],
        &["--raw", "report", "status", "--format", "csv"],
        &["export", "suppliers", "--raw"],
    ] {
        let out = db.ok(args);
        assert!(
            csv_cells(&out).iter().any(|c| starts_guarded(c)),
            "{args:?} writes cells as they are:\n{out}"
        );
    }
}
every_backend!(no_csv_vetted_writes_starts_a_formula_unless_raw);

fn a_reject_file_is_formula_safe() {
    let db = Db::new();
    let file = db.file(
        "list.csv",
        "name,country,note\n=HYPERLINK(\"http://x\"),Atlantis,＠evil\n+Good,CN,-fine\n",
    );
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
    assert_safe("reject file", &text);
    assert!(text.contains("'=HYPERLINK") && text.contains("'＠evil"), "{text}");
}
every_backend!(a_reject_file_is_formula_safe);

/// An exported supplier list, guarded, imports back to the same names (the guard is undone, and
/// only the guard: a name that starts with an apostrophe keeps it).
fn a_guarded_export_imports_back_to_the_same_names() {
    let db = Db::new();
    for (name, alias) in [
        ("=HYPERLINK(\"http://x\",\"y\")", "@alias"),
        ("＝Full Width", "－minus"),
        ("'=Quoted Already", "'plain quote"),
        ("''+Two Quotes", "+1 plus"),
        ("Plain Name", "'－quoted full width"),
    ] {
        db.ok(&["supplier", "add", &format!("--alias={alias}"), "--", name]);
    }
    let exported = db.ok(&["export", "suppliers"]);
    let fresh = Db::new();
    fresh.ok(&["import", "suppliers", &fresh.file("suppliers.csv", &exported)]);
    assert_eq!(suppliers(&fresh), suppliers(&db));
    assert_eq!(fresh.ok(&["export", "suppliers"]), exported);
}
every_backend!(a_guarded_export_imports_back_to_the_same_names);

/// `;` and `|` separate aliases in a CSV cell, so an alias holding one would come back from its
/// own export as other aliases (`|aa` as `aa`): it is refused, on the command line as in a file.
fn an_alias_with_a_list_separator_is_refused() {
    let db = Db::new();
    for alias in ["|aa", "a;b", "x｜y"] {
        let stderr = db.refuses(
            &["supplier", "add", "Zeta Coatings", "--alias", alias],
            65,
            "alias",
        );
        assert!(stderr.contains("separates values"), "{stderr}");
    }
    let csv = db.file("s.csv", "name,aliases\nZeta Coatings,Zeta|Z-Coat\n");
    db.ok(&["import", "suppliers", &csv]);
    let show = &db.json(&["supplier", "show", "Zeta"])["supplier"];
    assert_eq!(show["aliases"], serde_json::json!(["Zeta", "Z-Coat"]), "{show}");
}
every_backend!(an_alias_with_a_list_separator_is_refused);

/// Every supplier as `export suppliers --format json` gives it, without the id (a new database
/// numbers them in its own order).
fn suppliers(db: &Db) -> Vec<serde_json::Value> {
    let mut list = db.json(&["export", "suppliers"]);
    let list = list.as_array_mut().expect("a JSON array");
    for s in list.iter_mut() {
        s.as_object_mut().unwrap().remove("id");
    }
    list.clone()
}

/// Random names and aliases either are refused (65) or come back unchanged through
/// `supplier add` → `export suppliers` → `import suppliers` → `export suppliers --format json`.
fn random_names_are_refused_or_round_trip() {
    // Runs of spaces (no-break and ideographic too) are one space for `supplier add` as for the
    // import; tabs and line breaks in a name are refused.
    const CHARS: &[char] = &[
        'a', 'Z', '7', ' ', ' ', '\u{a0}', '\u{3000}', '\t', '\n', '=', '+', '-', '@', '＝', '＋', '－',
        '＠', '\'', '"', ',', '\u{1b}', '\u{7}', '\u{202e}', '\u{9b}', '苏', '州', '卢', 'é', '\\', '|', '<',
        '[', ']', '`',
    ];
    let text = || {
        prop::collection::vec(prop::sample::select(CHARS), 1..10)
            .prop_map(|chars| chars.into_iter().collect::<String>())
    };
    let mut runner = TestRunner::new(Config {
        cases: 4,
        failure_persistence: None,
        ..Config::default()
    });
    let entries = prop::collection::vec((text(), text()), 5);
    runner
        .run(&entries, |entries| {
            let db = Db::new();
            for (name, alias) in &entries {
                let out = db.run(&["supplier", "add", &format!("--alias={alias}"), "--", name]);
                prop_assert!(
                    out.status.success() || out.status.code() == Some(65),
                    "{name:?} / {alias:?}: {:?} {}",
                    out.status,
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            let fresh = Db::new();
            let exported = db.ok(&["export", "suppliers"]);
            fresh.ok(&["import", "suppliers", &fresh.file("suppliers.csv", &exported)]);
            prop_assert_eq!(suppliers(&fresh), suppliers(&db), "{}", exported);
            Ok(())
        })
        .unwrap();
}
every_backend!(random_names_are_refused_or_round_trip);

const HOSTILE: &str = "Evil\u{1b}[2J\u{1b}[31mRed\u{7}\u{9b}31m\u{202e}desrever";

fn tables_show_control_characters_as_escapes() {
    let db = Db::seeded();
    db.ok(&["visit", "log", "Maxwell", "--buyer", "Aurora Solar"]);
    // Stored before input refused such names, or by hand: output must still be safe.
    let escaped = HOSTILE.replace('\'', "''");
    db.sql(&format!("UPDATE supplier SET name = '{escaped}' WHERE id = 2"));
    db.sql(&format!("UPDATE buyer SET name = '{escaped}' WHERE id = 3"));
    for args in [
        &["supplier", "list"][..],
        &["supplier", "show", "2"],
        &["buyer", "list"],
        &["visit", "list"],
        &["report", "status"],
        &["report", "gaps", "--buyer", "3"],
        &["supplier", "edit", "2", "--city", "Dresden"],
        &["supplier", "list", "--format", "md"],
    ] {
        let out = db.ok(args);
        for c in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}'] {
            assert!(!out.contains(c), "{args:?} printed {c:?} raw:\n{out}");
        }
        assert!(out.contains("\\u{1b}"), "{args:?} shows the escape:\n{out}");
    }
    let coloured = db.ok(&["buyer", "list", "--color", "always"]);
    assert!(!coloured.contains("\u{1b}[2J"), "{coloured}");
    let json = db.json(&["supplier", "show", "2"]);
    assert_eq!(json["supplier"]["name"], HOSTILE, "JSON carries the value itself");
}
every_backend!(tables_show_control_characters_as_escapes);

fn markdown_escapes_markup() {
    let db = Db::seeded();
    let name = "<script>alert(1)</script> [x](http://evil.example) `code` a|b & c\\";
    db.ok(&["supplier", "add", name, "--capability", "pecvd"]);
    db.ok(&["buyer", "add", "<b>Bold</b> [team](http://evil.example)"]);
    for args in [
        &["supplier", "list", "--format", "md"][..],
        &["supplier", "show", "3", "--format", "md"],
        &["report", "status", "--format", "md"],
        &["report", "gaps", "--buyer", "4", "--format", "md"],
    ] {
        let out = db.ok(args);
        for raw in ["<script>", "</script>", "<b>", "[x](", "[team](", "`code`", "a|b"] {
            assert!(!out.contains(raw), "{args:?} passes {raw:?} through:\n{out}");
        }
        assert!(
            out.contains("&lt;script&gt;") || out.contains("&lt;b&gt;"),
            "{args:?}:\n{out}"
        );
    }
    let html = db.ok(&["report", "status", "--format", "html"]);
    assert!(
        !html.contains("<script>") && html.contains("&lt;script&gt;"),
        "HTML escapes too"
    );
    let list = db.ok(&["supplier", "list", "--format", "md"]);
    assert!(
        list.contains(
            "&lt;script&gt;alert(1)&lt;/script&gt; \\[x\\](http://evil.example) \\`code\\` a\\|b &amp; c\\\\"
        ),
        "{list}"
    );
}
every_backend!(markdown_escapes_markup);

#[test]
fn help_masks_the_password_of_the_database_in_the_environment() {
    for url in [
        "postgres://u:s3cret@db.example/vetted",
        "postgres://u@db.example/vetted?sslmode=require&password=s3cret",
        "mysql://u@db.example/vetted?sslpassword=s3cret&ssl-mode=REQUIRED",
    ] {
        for args in [
            &["--help"][..],
            &["supplier", "add", "--help"],
            &["report", "status", "--help"],
            &["-h"],
            &["man"],
        ] {
            let out = vetted().env("VETTED_DB", url).args(args).output().unwrap();
            assert!(out.status.success(), "{args:?}");
            let help = String::from_utf8_lossy(&out.stdout);
            assert!(!help.contains("s3cret"), "{url} {args:?}:\n{help}");
            assert!(
                help.contains("db.example/vetted"),
                "the value is shown, masked:\n{help}"
            );
        }
    }
}

#[test]
fn errors_mask_passwords_in_the_url() {
    for url in [
        "postgres://u:s3cret@127.0.0.1:1/vetted",
        "postgres://u@127.0.0.1:1/vetted?password=s3cret",
        "mysql://u@127.0.0.1:1/vetted?PASSWORD=s3cret",
        "redis://u:s3cret@127.0.0.1:1/?password=s3cret",
    ] {
        for args in [&["db", "status"][..], &["supplier", "list"]] {
            let out = vetted().env("VETTED_DB", url).args(args).output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(!out.status.success(), "{url}");
            assert!(!stderr.contains("s3cret"), "{url} {args:?}: {stderr}");
            assert!(stderr.contains("127.0.0.1:1"), "{stderr}");
        }
    }
}
