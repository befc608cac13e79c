//! Real supplier lists written elsewhere (`../shared/external-csv`, see its README). These run
//! when that folder exists next to the project, and say so when it does not.

use std::path::PathBuf;

use crate::support::{Db, array_len};

fn folder() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/external-csv");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: {} does not exist", dir.display());
        None
    }
}

fn path(dir: &std::path::Path, file: &str) -> String {
    dir.join(file).to_str().unwrap().to_string()
}

fn summary(db: &Db, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["import", "suppliers"];
    all.extend(args);
    db.json(&all)
}

const NORTHWIND_MAPS: &[&str] = &[
    "--map",
    "SupplierID=-",
    "--map",
    "CompanyName=name",
    "--map",
    "ContactName=-",
    "--map",
    "ContactTitle=-",
    "--map",
    "Region=province",
    "--map",
    "PostalCode=-",
    "--map",
    "Phone=-",
    "--map",
    "Fax=-",
    "--map",
    "HomePage=-",
];

fn open_supply_hub_lists_import_and_the_geocoded_copy_adds_nothing() {
    let Some(dir) = folder() else { return };
    let db = Db::new();
    let list2 = path(&dir, "open-supply-hub/facility_lists_2.csv");
    let first = summary(&db, &[&list2, "--map", "sector=-"]);
    assert_eq!(first["rows"], 83);
    assert_eq!(first["rejected"], 0);
    let created = first["created"].as_u64().unwrap();
    assert!(created > 70 && created < 83, "duplicate rows are merged: {first}");
    // Upper-case country names became codes.
    let list = db.json(&["supplier", "list", "--country", "CN"]);
    assert!(array_len(&list) > 50);

    let again = summary(&db, &[&list2, "--map", "sector=-"]);
    assert_eq!(
        (again["created"].as_u64(), again["updated"].as_u64()),
        (Some(0), Some(0)),
        "{again}"
    );

    let geocoded = path(&dir, "open-supply-hub/facility_lists_geocoded_2.csv");
    let before = db.snapshot();
    let third = summary(
        &db,
        &[&geocoded, "--map", "sector=-", "--map", "lat=-", "--map", "lng=-"],
    );
    assert_eq!(third["created"], 0, "{third}");
    assert_eq!(third["updated"], 0, "{third}");
    assert_eq!(db.snapshot(), before);

    for (file, maps) in [
        (
            "open-supply-hub/facility_lists_12.csv",
            &["--map", "sector=-"][..],
        ),
        (
            "open-supply-hub/facility_lists_15.csv",
            &["--map", "sector=-"][..],
        ),
        (
            "open-supply-hub/facilities_with_bom.csv",
            &["--map", "sector=-", "--map", "extra_1=-"][..],
        ),
        (
            "open-supply-hub/fixture_Summer_2019_Affiliate_List.csv",
            &["--map", "sector=-", "--map", "lat=-", "--map", "lng=-"][..],
        ),
    ] {
        let file = path(&dir, file);
        let mut args = vec![file.as_str()];
        args.extend(maps);
        let s = summary(&db, &args);
        assert_eq!(s["rejected"], 0, "{file}: {s}");
        assert!(s["created"].as_u64().unwrap() > 0, "{file}: {s}");
    }
    // The BOM file's first header is `country`, not `\u{feff}country`.
    assert_eq!(
        db.json(&["supplier", "show", "Somewhere"])["supplier"]["country"],
        "US"
    );
}
every_backend!(open_supply_hub_lists_import_and_the_geocoded_copy_adds_nothing);

fn northwind_exports_import_and_the_malformed_one_is_refused_by_line() {
    let Some(dir) = folder() else { return };
    let db = Db::new();
    let quoted = path(&dir, "northwind/suppliers_neo4j-contrib_quoted.csv");
    let mut args = vec![quoted.as_str()];
    args.extend(NORTHWIND_MAPS);
    let s = summary(&db, &args);
    assert_eq!(
        (s["created"].as_u64(), s["rejected"].as_u64()),
        (Some(29), Some(0)),
        "{s}"
    );
    let exotic = &db.json(&["supplier", "show", "Exotic Liquids"])["supplier"];
    assert_eq!(exotic["country"], "GB", "UK is the United Kingdom");
    assert_eq!(exotic["province"], serde_json::Value::Null);

    let nulls = path(&dir, "northwind/suppliers_northwind-mongo_NULLs.csv");
    let fresh = Db::new();
    let mut args = vec![nulls.as_str()];
    args.extend(NORTHWIND_MAPS);
    summary(&fresh, &args);
    let exotic = &fresh.json(&["supplier", "show", "Exotic Liquids"])["supplier"];
    assert_eq!(
        exotic["province"],
        serde_json::Value::Null,
        "NULL literals are empty"
    );

    let ragged = path(
        &dir,
        "northwind/suppliers_neo4j-contrib_master_unquoted_ragged.csv",
    );
    let mut args = vec!["import", "suppliers", ragged.as_str()];
    args.extend(NORTHWIND_MAPS);
    let err = fresh.refuses(&args, 65, "9 of 29 rows are invalid");
    assert_eq!(
        err.matches("has 13 fields but the header has 12").count(),
        9,
        "{err}"
    );
    assert!(err.contains("line 8: "), "{err}");
}
every_backend!(northwind_exports_import_and_the_malformed_one_is_refused_by_line);
