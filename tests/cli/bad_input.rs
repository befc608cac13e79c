//! Every class of bad input: a message naming the field, exit 65 (2 for usage), nothing written.

use crate::support::Db;

fn impossible_and_malformed_dates() {
    let db = Db::seeded();
    let err = db.refuses(
        &[
            "visit",
            "log",
            "Lumina",
            "--buyer",
            "Aurora Solar",
            "--date",
            "2026-02-30",
        ],
        65,
        "date",
    );
    assert!(err.contains("'2026-02-30' is not a real calendar date"), "{err}");
    db.refuses(
        &[
            "visit",
            "log",
            "Lumina",
            "--buyer",
            "Aurora Solar",
            "--date",
            "30/01/2026",
        ],
        65,
        "date",
    );
    db.refuses(
        &[
            "deal",
            "set",
            "Lumina",
            "--buyer",
            "Aurora Solar",
            "--status",
            "signed",
            "--date",
            "2026-13-01",
        ],
        65,
        "date",
    );
    db.refuses(&["visit", "list", "--since", "last week"], 65, "since");
    let future = (chrono::Local::now().date_naive() + chrono::Days::new(3)).to_string();
    let err = db.refuses(
        &[
            "visit",
            "log",
            "Lumina",
            "--buyer",
            "Aurora Solar",
            "--date",
            &future,
        ],
        65,
        "date",
    );
    assert!(err.contains("in the future"), "{err}");
}
every_backend!(impossible_and_malformed_dates);

fn unknown_status_severity_country_currency_and_scarcity() {
    let db = Db::seeded();
    let err = db.refuses(
        &[
            "deal",
            "set",
            "Lumina",
            "--buyer",
            "Aurora Solar",
            "--status",
            "won",
        ],
        65,
        "status",
    );
    assert!(
        err.contains("prospect, evaluating, negotiating, signed, declined, terminated"),
        "{err}"
    );
    db.refuses(
        &[
            "visit",
            "log",
            "Lumina",
            "--buyer",
            "Aurora Solar",
            "--finding",
            "urgent:leak",
        ],
        65,
        "finding",
    );
    db.refuses(
        &[
            "visit",
            "log",
            "Lumina",
            "--buyer",
            "Aurora Solar",
            "--finding",
            "no severity",
        ],
        65,
        "finding",
    );
    db.refuses(
        &["note", "add", "--supplier", "Lumina", "--severity", "high", "x"],
        65,
        "severity",
    );
    let err = db.refuses(
        &["supplier", "add", "Atlantis Tools", "--country", "Atlantis"],
        65,
        "country",
    );
    assert!(err.contains("'Atlantis' is not a known country"), "{err}");
    db.refuses(&["supplier", "edit", "Lumina", "--country", "XX"], 65, "country");
    db.refuses(
        &[
            "deal",
            "set",
            "Lumina",
            "--buyer",
            "Aurora Solar",
            "--status",
            "signed",
            "--value",
            "5",
            "--currency",
            "XYZ",
        ],
        65,
        "currency",
    );
    db.refuses(&["supplier", "edit", "Lumina", "--scarce", "maybe"], 65, "scarce");
    db.refuses(
        &["supplier", "edit", "Lumina", "--capability", "pe;cvd"],
        65,
        "capability",
    );
    db.refuses(
        &["supplier", "edit", "Lumina", "--website", "not a site"],
        65,
        "website",
    );
}
every_backend!(unknown_status_severity_country_currency_and_scarcity);

fn negative_and_malformed_counts() {
    let db = Db::seeded();
    let err = db.refuses(
        &[
            "visit",
            "log",
            "Lumina",
            "--buyer",
            "Aurora Solar",
            "--lines-inspected",
            "-2",
        ],
        65,
        "lines-inspected",
    );
    assert!(err.contains("negative"), "{err}");
    db.refuses(
        &[
            "visit",
            "log",
            "Lumina",
            "--buyer",
            "Aurora Solar",
            "--lines-inspected",
            "2.5",
        ],
        65,
        "lines-inspected",
    );
}
every_backend!(negative_and_malformed_counts);

fn malformed_amounts() {
    let db = Db::seeded();
    for amount in ["12,34", "1e6", "ten", "5.", "1.23456"] {
        db.refuses(
            &[
                "deal",
                "set",
                "Lumina",
                "--buyer",
                "Aurora Solar",
                "--status",
                "signed",
                "--value",
                amount,
                "--currency",
                "USD",
            ],
            65,
            "value",
        );
    }
}
every_backend!(malformed_amounts);

fn unknown_buyer_or_supplier() {
    let db = Db::seeded();
    db.refuses(
        &["visit", "log", "Nobody Ltd", "--buyer", "Aurora Solar"],
        65,
        "supplier 'Nobody Ltd' not found",
    );
    db.refuses(
        &["visit", "log", "Lumina", "--buyer", "Zephyr"],
        65,
        "buyer 'Zephyr' not found",
    );
    db.refuses(
        &["deal", "set", "Lumina", "--buyer", "Zephyr", "--status", "signed"],
        65,
        "buyer",
    );
    db.refuses(&["site", "add", "Nobody", "Plant"], 65, "supplier");
}
every_backend!(unknown_buyer_or_supplier);

fn usage_errors_exit_2() {
    let db = Db::seeded();
    db.fails(&["visit", "log", "Lumina"], 2);
    db.fails(&["deal", "set", "Lumina", "--buyer", "Aurora Solar"], 2);
    db.fails(&["supplier", "frobnicate"], 2);
    // A malformed number is bad input (65, like every number: trial::every_number_is_refused_alike),
    // a missing one a usage error.
    db.fails(&["visit", "show"], 2);
    db.fails(&["--format", "xml", "buyer", "list"], 2);
}
every_backend!(usage_errors_exit_2);

/// `--known-at` names a moment that has been: one in the future is refused like a future date
/// (it was accepted, and `-05:00` moved the report's day to tomorrow), and a moment before 1900
/// gets the same message however it is written.
fn known_at_is_a_moment_that_has_been() {
    let db = Db::seeded();
    let soon = chrono::Utc::now() + chrono::Duration::hours(2);
    for future in [
        soon.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        soon.with_timezone(&chrono::FixedOffset::west_opt(5 * 3600).unwrap())
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        (chrono::Local::now().date_naive() + chrono::Days::new(2)).to_string(),
    ] {
        let err = db.refuses(&["report", "status", "--known-at", &future], 65, "known-at: ");
        assert!(err.contains("in the future"), "{future}: {err}");
    }
    let early: Vec<String> = ["1899-12-31", "0001-01-01T00:00:00Z"]
        .iter()
        .map(|moment| {
            let err = db.refuses(
                &["report", "gaps", "--buyer", "Aurora", "--known-at", moment],
                65,
                "known-at: ",
            );
            err.replace(moment, "MOMENT")
                .replace("1899-12-31", "MOMENT")
                .replace("0001-01-01", "MOMENT")
        })
        .collect();
    assert_eq!(early[0], early[1]);
    // Today and a moment just past are the record as it stands.
    let known = db.ok(&["report", "status", "--known-at", "today", "--format", "json"]);
    assert!(known.contains("\"known_at\""), "{known}");
    assert_eq!(
        crate::support::without_known_at(&known),
        crate::support::without_known_at(&db.ok(&["report", "status", "--format", "json"]))
    );
}
every_backend!(known_at_is_a_moment_that_has_been);

/// Small traps a new user fell into, each now said: a lead time without its unit (read as weeks
/// in silence), `--out` naming a format vetted does not write (a text table in `gaps.pdf`).
fn a_lead_time_needs_its_unit_and_out_a_format_vetted_writes() {
    let db = Db::seeded();
    let err = db.refuses(
        &[
            "quote",
            "add",
            "Lumina",
            "--buyer",
            "Aurora",
            "--capability",
            "hjt-full-line",
            "--lead-time",
            "40",
        ],
        65,
        "lead-time: ",
    );
    assert!(
        err.contains("40w") && err.contains("40m") && err.contains("40d"),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("gaps.pdf");
    let err = db.refuses(
        &[
            "report",
            "gaps",
            "--buyer",
            "Aurora",
            "--out",
            pdf.to_str().unwrap(),
        ],
        65,
        "out: ",
    );
    assert!(err.contains(".csv") && err.contains(".html"), "{err}");
    assert!(!pdf.exists(), "a file was written");
    // Said plainly, the format is written whatever the name; .txt is a table.
    db.ok(&[
        "report",
        "gaps",
        "--buyer",
        "Aurora",
        "--format",
        "csv",
        "--out",
        pdf.to_str().unwrap(),
    ]);
    let txt = dir.path().join("gaps.txt");
    db.ok(&[
        "report",
        "gaps",
        "--buyer",
        "Aurora",
        "--out",
        txt.to_str().unwrap(),
    ]);
    assert!(
        std::fs::read_to_string(&txt)
            .unwrap()
            .contains("Scarce suppliers")
    );
}
every_backend!(a_lead_time_needs_its_unit_and_out_a_format_vetted_writes);
