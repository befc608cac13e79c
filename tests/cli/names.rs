//! Names as the supplier world writes them (ISO 20275 legal forms, both Chinese scripts), and a
//! database whose keys were made by the earlier rules brought in step by `db migrate`.

use crate::support::Db;

/// The migration that computes every stored key again by today's rules.
const NAME_KEYS: &str = "m20261206_000007_name_keys_iso_20275";

/// Legal forms written long, dotted or first, and either Chinese script, find the same record.
fn names_are_matched_the_way_the_trade_writes_them() {
    let db = Db::seeded();
    db.ok(&["supplier", "add", "ULVAC K.K.", "--country", "JP"]);
    db.ok(&["supplier", "add", "Meyer Burger Technology AG", "--country", "CH"]);
    db.ok(&[
        "supplier",
        "add",
        "台灣積體電路製造股份有限公司",
        "--country",
        "TW",
    ]);
    for (reference, name) in [
        ("株式会社ULVAC", "ULVAC K.K."),
        ("ULVAC Kabushiki Kaisha", "ULVAC K.K."),
        (
            "Meyer Burger Technology Aktiengesellschaft",
            "Meyer Burger Technology AG",
        ),
        ("MEYER BURGER TECHNOLOGY A.G.", "Meyer Burger Technology AG"),
        ("台湾积体电路制造有限公司", "台灣積體電路製造股份有限公司"),
    ] {
        let shown = db.json(&["supplier", "show", reference]);
        assert_eq!(shown["supplier"]["name"], name, "{reference}: {shown}");
    }
    // The same company added again under another spelling is refused as a duplicate.
    db.fails(&["supplier", "add", "ULVAC株式会社"], 65);
    // A word in the middle is never a legal form.
    db.ok(&["supplier", "add", "Limited Edition Coatings"]);
    db.ok(&["supplier", "add", "Edition Coatings"]);
}
every_backend!(names_are_matched_the_way_the_trade_writes_them);

/// A database from before the rules: its keys are computed again by `db migrate`, records that
/// now share a name are listed with a suggestion and never merged silently, and a lookup of the
/// shared name reports both ids until they are merged.
fn keys_from_the_earlier_rules_are_recomputed_and_shared_names_reported() {
    let db = Db::new();
    db.ok(&["buyer", "add", "Aurora Solar"]);
    db.ok(&["supplier", "add", "ULVAC Inc.", "--country", "JP"]);
    db.ok(&["supplier", "add", "Placeholder One"]);
    db.ok(&["supplier", "add", "Placeholder Two"]);
    db.ok(&["site", "add", "ULVAC Inc.", "Chigasaki Plant"]);
    // As the earlier rules stored them: a legal form before the name and a Traditional name
    // kept in their keys.
    db.sql(
        "UPDATE supplier SET name = 'ULVAC株式会社', name_norm = 'ulvac株式会社' \
         WHERE name_norm = 'placeholder one'",
    );
    db.sql(
        "UPDATE supplier SET name = '台灣積體電路製造', name_norm = '台灣積體電路製造' \
         WHERE name_norm = 'placeholder two'",
    );
    db.sql("UPDATE buyer SET name = 'Aurora Solar Aktiengesellschaft', name_norm = 'aurora solar aktiengesellschaft'");
    db.sql(&format!(
        "DELETE FROM seaql_migrations WHERE version = '{NAME_KEYS}'"
    ));
    // A server database behind this binary is refused until migrated.
    if db.server.is_some() {
        let stderr = db.fails(&["supplier", "list"], 69);
        assert!(stderr.contains("vetted db migrate"), "{stderr}");
    }

    let out = db.ok(&["db", "migrate"]);
    assert!(out.contains("Applied 1 migration(s)"), "{out}");
    assert!(
        out.contains("supplier name 'ulvac' is now shared by ULVAC Inc. (#1) and ULVAC株式会社 (#2)"),
        "{out}"
    );
    assert!(out.contains("vetted supplier merge 2 --into 1"), "{out}");
    // Nothing was merged: both suppliers are listed, and the shared name is ambiguous.
    let listed = db.json(&["supplier", "list"]);
    assert_eq!(listed.as_array().unwrap().len(), 3, "{listed}");
    let stderr = db.fails(&["supplier", "show", "ULVAC"], 65);
    assert!(stderr.contains("#1") && stderr.contains("#2"), "{stderr}");
    // The other keys now follow the rules: either script, long or short legal form.
    let shown = db.json(&["supplier", "show", "台湾积体电路制造"]);
    assert_eq!(shown["supplier"]["id"], 3, "{shown}");
    db.ok(&[
        "visit",
        "log",
        "1",
        "--buyer",
        "Aurora Solar AG",
        "--site",
        "Chigasaki",
    ]);

    // Merged, the name is one supplier's again.
    db.ok(&["supplier", "merge", "2", "--into", "1"]);
    let shown = db.json(&["supplier", "show", "ULVAC株式会社"]);
    assert_eq!(shown["supplier"]["id"], 1, "{shown}");
    // Migrating again finds nothing to do and nothing shared.
    let out = db.ok(&["db", "migrate"]);
    assert!(
        out.contains("Applied 0 migration(s)") && !out.contains("shared"),
        "{out}"
    );
}
every_backend!(keys_from_the_earlier_rules_are_recomputed_and_shared_names_reported);
