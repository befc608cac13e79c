//! A supplier or buyer is found by id, name, native name or alias, ignoring case and legal
//! suffixes; unknown and ambiguous references list candidates.

use crate::support::Db;

fn supplier_id(db: &Db, reference: &str) -> i64 {
    db.json(&["supplier", "show", reference])["supplier"]["id"]
        .as_i64()
        .unwrap()
}

fn every_spelling_of_a_supplier_finds_it() {
    let db = Db::seeded();
    for reference in [
        "1",
        "#1",
        "Lumina Heterojunction Equipment Co., Ltd.",
        "LUMINA HETEROJUNCTION EQUIPMENT CO LTD",
        "lumina heterojunction equipment",
        "Lumina Heterojunction Equipment Inc.",
        "ｌｕｍｉｎａ",
        "lumina",
        "苏州卢米纳异质结装备有限公司",
        "苏州卢米纳异质结装备",
        "苏州卢米纳异质结装备股份有限公司",
    ] {
        assert_eq!(supplier_id(&db, reference), 1, "{reference}");
    }
    assert_eq!(supplier_id(&db, "maxwell pvd"), 2);
    assert_eq!(supplier_id(&db, "Maxwell"), 2, "leading whole words of a name");
}
every_backend!(every_spelling_of_a_supplier_finds_it);

fn an_unknown_supplier_lists_the_closest_names() {
    let db = Db::seeded();
    let err = db.fails(&["supplier", "show", "Lumnia Heterojunction"], 65);
    assert!(
        err.contains("supplier 'Lumnia Heterojunction' not found"),
        "{err}"
    );
    assert!(
        err.contains("did you mean: Lumina Heterojunction Equipment Co., Ltd. (#1)"),
        "{err}"
    );
    let err = db.fails(&["supplier", "show", "zzz"], 65);
    assert!(!err.contains("did you mean"), "nothing is close to zzz: {err}");
}
every_backend!(an_unknown_supplier_lists_the_closest_names);

fn an_ambiguous_reference_lists_every_match() {
    let db = Db::seeded();
    db.ok(&["supplier", "add", "Lumina Wet Bench Ltd"]);
    // A longer run of leading words is unique.
    assert_eq!(supplier_id(&db, "Lumina Heterojunction"), 1);
    // "lumina" is Lumina Heterojunction's alias, so it is exact and not ambiguous; a word both
    // names start with is.
    db.ok(&["supplier", "edit", "1", "--remove-alias", "Lumina"]);
    let err = db.fails(&["supplier", "show", "LUMINA"], 65);
    assert!(err.contains("ambiguous"), "{err}");
    assert!(
        err.contains("Lumina Heterojunction Equipment Co., Ltd. (#1)"),
        "{err}"
    );
    assert!(err.contains("Lumina Wet Bench Ltd (#3)"), "{err}");
}
every_backend!(an_ambiguous_reference_lists_every_match);

fn buyers_are_found_by_id_name_or_leading_words() {
    let db = Db::seeded();
    for reference in ["1", "Aurora Solar", "AURORA SOLAR CO., LTD.", "aurora"] {
        db.ok(&["visit", "log", "Lumina", "--buyer", reference]);
    }
    let visits = db.json(&["visit", "list", "--buyer", "aurora"]);
    assert_eq!(visits.as_array().unwrap().len(), 4);
    let err = db.fails(&["visit", "log", "Lumina", "--buyer", "Aurelia"], 65);
    assert!(
        err.contains("buyer 'Aurelia' not found; did you mean: Aurora Solar (#1)"),
        "{err}"
    );
}
every_backend!(buyers_are_found_by_id_name_or_leading_words);
