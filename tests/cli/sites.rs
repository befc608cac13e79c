use crate::support::{Db, array_len};

fn sites_belong_to_their_supplier() {
    let db = Db::seeded();
    db.ok(&[
        "site",
        "add",
        "Maxwell",
        "Dresden Works",
        "--city",
        "Dresden",
        "--lines",
        "2",
    ]);
    let all = db.json(&["site", "list"]);
    assert_eq!(array_len(&all), 2);
    let lumina = db.json(&["site", "list", "lumina"]);
    assert_eq!(array_len(&lumina), 1);
    assert_eq!(lumina[0]["name"], "Suzhou Plant 2");
    assert_eq!(lumina[0]["lines"], 4);
    // The country defaults to the supplier's.
    assert_eq!(lumina[0]["country"], "CN");
    assert_eq!(all[1]["country"], "DE");
}
every_backend!(sites_belong_to_their_supplier);

fn a_site_name_is_unique_per_supplier() {
    let db = Db::seeded();
    db.refuses(
        &["site", "add", "Lumina", "SUZHOU PLANT 2"],
        65,
        "already has a site",
    );
    db.ok(&["site", "add", "Maxwell", "Suzhou Plant 2"]);
}
every_backend!(a_site_name_is_unique_per_supplier);

fn a_site_needs_a_sane_line_count() {
    let db = Db::seeded();
    db.refuses(&["site", "add", "Lumina", "Wuxi", "--lines", "-2"], 65, "lines");
    db.refuses(&["site", "add", "Lumina", "Wuxi", "--lines", "two"], 65, "lines");
    db.refuses(
        &["site", "add", "Lumina", "Wuxi", "--country", "Narnia"],
        65,
        "country",
    );
}
every_backend!(a_site_needs_a_sane_line_count);
