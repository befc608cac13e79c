use crate::support::{Db, array_len};

fn buyers_are_added_and_listed_internal_first() {
    let db = Db::new();
    assert!(
        db.ok(&["buyer", "add", "Helios Energy", "--external"])
            .contains("external buyer #1")
    );
    db.ok(&["buyer", "add", "Aurora Solar", "--note", "HJT line team"]);
    let list = db.json(&["buyer", "list"]);
    assert_eq!(array_len(&list), 2);
    assert_eq!(list[0]["name"], "Aurora Solar");
    assert_eq!(list[0]["kind"], "internal");
    assert_eq!(list[0]["note"], "HJT line team");
    assert_eq!(list[1]["kind"], "external");
}
every_backend!(buyers_are_added_and_listed_internal_first);

fn a_buyer_name_is_taken_whatever_its_case_or_suffix() {
    let db = Db::new();
    db.ok(&["buyer", "add", "Aurora Solar Co., Ltd."]);
    let err = db.refuses(&["buyer", "add", "AURORA SOLAR"], 65, "already exists");
    assert!(err.contains("Aurora Solar Co., Ltd."), "{err}");
}
every_backend!(a_buyer_name_is_taken_whatever_its_case_or_suffix);

fn an_empty_buyer_name_is_refused() {
    let db = Db::new();
    db.refuses(&["buyer", "add", "  "], 65, "name");
}
every_backend!(an_empty_buyer_name_is_refused);
