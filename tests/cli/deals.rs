use crate::support::{Db, array_len};

fn a_deal_keeps_its_dated_history() {
    let db = Db::seeded();
    db.ok(&[
        "deal",
        "set",
        "Lumina",
        "--buyer",
        "Aurora Solar",
        "--status",
        "prospect",
        "--date",
        "2026-01-05",
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
        "2026-02-01",
    ]);
    let out = db.ok(&[
        "deal",
        "set",
        "Lumina",
        "--buyer",
        "Aurora Solar",
        "--status",
        "signed",
        "--date",
        "2026-03-15",
        "--value",
        "12,500,000.50",
        "--currency",
        "cny",
        "--scope",
        "2 HJT lines",
        "--note",
        "board approved",
    ]);
    assert!(out.contains("is now signed (since 2026-03-15)"), "{out}");
    let deals = db.json(&["deal", "list"]);
    assert_eq!(array_len(&deals), 1, "one deal per buyer and supplier");
    assert_eq!(deals[0]["status"], "signed");
    assert_eq!(deals[0]["since"], "2026-03-15");
    assert_eq!(deals[0]["value"], "12500000.50", "money is an exact decimal");
    assert_eq!(deals[0]["currency"], "CNY");
    assert_eq!(deals[0]["scope"], "2 HJT lines");
    let history = db.json(&["deal", "history", "Lumina"]);
    let statuses: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["prospect", "evaluating", "signed"]);
    assert_eq!(history[2]["note"], "board approved");
    assert_eq!(history[2]["actor"], "tester");
}
every_backend!(a_deal_keeps_its_dated_history);

fn repeating_the_status_in_force_records_nothing() {
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
        "2026-02-01",
    ]);
    let before = db.snapshot();
    let out = db.ok(&[
        "deal",
        "set",
        "Lumina",
        "--buyer",
        "Aurora Solar",
        "--status",
        "Evaluating",
        "--date",
        "2026-02-03",
    ]);
    assert!(out.contains("already evaluating; nothing recorded"), "{out}");
    assert_eq!(db.snapshot(), before);
    // With a note it is a dated remark, and is kept.
    db.ok(&[
        "deal",
        "set",
        "Lumina",
        "--buyer",
        "Aurora Solar",
        "--status",
        "evaluating",
        "--note",
        "samples sent",
    ]);
    assert_eq!(array_len(&db.json(&["deal", "history", "Lumina"])), 2);
}
every_backend!(repeating_the_status_in_force_records_nothing);

fn only_a_signed_deal_is_terminated_and_a_signed_one_is_not_declined() {
    let db = Db::seeded();
    db.refuses(
        &[
            "deal",
            "set",
            "Lumina",
            "--buyer",
            "Aurora Solar",
            "--status",
            "terminated",
        ],
        65,
        "status",
    );
    db.ok(&[
        "deal",
        "set",
        "Lumina",
        "--buyer",
        "Aurora Solar",
        "--status",
        "signed",
        "--date",
        "2026-02-01",
    ]);
    db.refuses(
        &[
            "deal",
            "set",
            "Lumina",
            "--buyer",
            "Aurora Solar",
            "--status",
            "declined",
        ],
        65,
        "terminated",
    );
    db.ok(&[
        "deal",
        "set",
        "Lumina",
        "--buyer",
        "Aurora Solar",
        "--status",
        "terminated",
        "--date",
        "2026-04-01",
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
        "2026-05-01",
    ]);
    // A terminated deal starts again as prospect or evaluating (DESIGN, "Deal transitions").
    assert_eq!(db.json(&["deal", "list"])[0]["status"], "evaluating");
}
every_backend!(only_a_signed_deal_is_terminated_and_a_signed_one_is_not_declined);

fn a_back_dated_event_is_judged_by_the_status_then_and_keeps_the_latest_current() {
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
        "2026-02-01",
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
        "2026-06-01",
    ]);
    // Recorded late: talks started in March. The deal is still signed today.
    db.ok(&[
        "deal",
        "set",
        "Lumina",
        "--buyer",
        "Aurora Solar",
        "--status",
        "negotiating",
        "--date",
        "2026-03-01",
    ]);
    let deal = &db.json(&["deal", "list"])[0];
    assert_eq!(deal["status"], "signed");
    assert_eq!(deal["since"], "2026-06-01");
    let dates: Vec<String> = db
        .json(&["deal", "history", "Lumina", "--buyer", "Aurora Solar"])
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e["date"].as_str().unwrap(),
                e["status"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        dates,
        [
            "2026-02-01 evaluating",
            "2026-03-01 negotiating",
            "2026-06-01 signed"
        ]
    );
    // Terminating before it was signed is refused, whatever the current status.
    db.refuses(
        &[
            "deal",
            "set",
            "Lumina",
            "--buyer",
            "Aurora Solar",
            "--status",
            "terminated",
            "--date",
            "2026-04-01",
        ],
        65,
        "not signed",
    );
}
every_backend!(a_back_dated_event_is_judged_by_the_status_then_and_keeps_the_latest_current);

fn deals_are_listed_by_buyer_and_status() {
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
        "deal",
        "set",
        "Lumina",
        "--buyer",
        "Helios Energy",
        "--status",
        "signed",
    ]);
    db.ok(&[
        "deal",
        "set",
        "Maxwell",
        "--buyer",
        "Helios Energy",
        "--status",
        "negotiating",
    ]);
    assert_eq!(array_len(&db.json(&["deal", "list", "--buyer", "Helios"])), 2);
    let signed = db.json(&["deal", "list", "--status", "signed"]);
    assert_eq!(array_len(&signed), 1);
    assert_eq!(signed[0]["buyer"], "Helios Energy");
    db.fails(&["deal", "history", "Maxwell", "--buyer", "Aurora Solar"], 65);
}
every_backend!(deals_are_listed_by_buyer_and_status);

fn value_and_currency_come_together_and_are_checked() {
    let db = Db::seeded();
    let set = [
        "deal",
        "set",
        "Lumina",
        "--buyer",
        "Aurora Solar",
        "--status",
        "negotiating",
    ];
    let with = |extra: &[&str]| -> Vec<String> { set.iter().chain(extra).map(|s| s.to_string()).collect() };
    for (extra, field) in [
        (&["--value", "100"][..], "currency"),
        (&["--currency", "EUR"][..], "value"),
        (&["--value", "1.2.3", "--currency", "EUR"][..], "value"),
        (&["--value", "-5", "--currency", "EUR"][..], "value"),
        (&["--value", "12.345678", "--currency", "EUR"][..], "value"),
        (&["--value", "100", "--currency", "EURO"][..], "currency"),
    ] {
        let args = with(extra);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        db.refuses(&args, 65, field);
    }
}
every_backend!(value_and_currency_come_together_and_are_checked);

fn one_table_of_transitions_everywhere() {
    let db = Db::seeded();
    let set = |status: &'static str, date: &'static str| {
        vec![
            "deal",
            "set",
            "Lumina",
            "--buyer",
            "Aurora Solar",
            "--status",
            status,
            "--date",
            date,
        ]
    };
    db.ok(&set("evaluating", "2026-02-01"));
    db.ok(&set("signed", "2026-06-01"));
    let history = || db.json(&["deal", "history", "Lumina"]);
    let before = history();
    // A signed deal is amended or terminated; it does not go back to prospect or get declined.
    db.refuses(&set("prospect", "2026-07-01"), 65, "status");
    db.refuses(&set("declined", "2026-07-01"), 65, "status");
    // A back-dated event must lead to the one after it: declined in March, signed in June.
    let message = db.refuses(&set("declined", "2026-03-01"), 65, "date");
    assert!(message.contains("signed on 2026-06-01"), "{message}");
    assert_eq!(history(), before, "nothing written");
    // Recorded late, and the answer says what was recorded and what stands.
    let said = db.ok(&set("negotiating", "2026-03-01"));
    assert!(
        said.contains("recorded negotiating on 2026-03-01; current status: signed (since 2026-06-01)"),
        "{said}"
    );
    db.ok(&set("terminated", "2026-08-01"));
    db.refuses(&set("negotiating", "2026-09-01"), 65, "status");
    db.ok(&set("evaluating", "2026-09-01"));
    // The table is in the help.
    let help = db.ok(&["deal", "set", "--help"]);
    assert!(
        help.contains("from signed only to signed") && help.contains("prospect or evaluating"),
        "{help}"
    );
}
every_backend!(one_table_of_transitions_everywhere);

/// A competitor's move heard in the trade press does not read as fact: `deal set` says how sure
/// it is, and `deal list` and `deal history` show confidence and source (they hid both).
fn how_sure_a_deal_is_shows_wherever_it_is_listed() {
    let db = Db::seeded();
    let said = db.ok(&[
        "deal",
        "set",
        "Lumina",
        "--buyer",
        "Helios",
        "--status",
        "negotiating",
        "--confidence",
        "rumour",
        "--source",
        "trade press",
    ]);
    assert!(
        said.contains("is now negotiating (rumour, trade press)"),
        "{said}"
    );
    let said = db.ok(&[
        "deal",
        "set",
        "Lumina",
        "--buyer",
        "Aurora",
        "--status",
        "evaluating",
    ]);
    assert!(said.contains("is now evaluating (since"), "{said}");
    for args in [vec!["deal", "list"], vec!["deal", "history", "Lumina"]] {
        let table = db.ok(&args);
        assert!(
            table.contains("confidence") && table.contains("rumour") && table.contains("trade press"),
            "{args:?}: {table}"
        );
    }
    let deals = db.json(&["deal", "list", "--buyer", "Helios"]);
    assert_eq!(
        (deals[0]["confidence"].as_str(), deals[0]["source"].as_str()),
        (Some("rumour"), Some("trade press"))
    );
    // A later confirmed event is what the deal says now.
    db.ok(&[
        "deal",
        "set",
        "Lumina",
        "--buyer",
        "Helios",
        "--status",
        "signed",
        "--confidence",
        "confirmed",
    ]);
    let deals = db.json(&["deal", "list", "--buyer", "Helios"]);
    assert_eq!(deals[0]["confidence"], "confirmed", "{deals}");
    assert_eq!(deals[0]["source"], serde_json::Value::Null);
}
every_backend!(how_sure_a_deal_is_shows_wherever_it_is_listed);
