//! Several processes writing one SQLite file at once all succeed.

use crate::support::{Db, array_len, at_once, writers_logging_visits};

#[test]
fn processes_opening_a_new_file_at_once_all_succeed() {
    let db = Db::new();
    let outs = at_once(&[db.target()], 8, |i| {
        vec!["-q".into(), "buyer".into(), "add".into(), format!("Buyer {i}")]
    });
    for out in outs {
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    assert_eq!(array_len(&db.json(&["buyer", "list"])), 8);
}

fn eight_writers_logging_forty_visits_each_lose_nothing() {
    let db = Db::seeded();
    for writer in writers_logging_visits(&[db.target()], 8, 40) {
        writer.join().unwrap();
    }
    assert_eq!(array_len(&db.json(&["visit", "list"])), 320);
    assert_eq!(array_len(&db.json(&["note", "list"])), 320);
}
every_backend!(eight_writers_logging_forty_visits_each_lose_nothing);

fn eight_first_deal_sets_for_one_pair_make_one_deal() {
    let db = Db::seeded();
    let outs = at_once(&[db.target()], 8, |i| {
        [
            "-q",
            "deal",
            "set",
            "Lumina",
            "--buyer",
            "Aurora Solar",
            "--status",
            "evaluating",
        ]
        .into_iter()
        .map(String::from)
        .chain([
            "--value".into(),
            format!("{}000", i + 1),
            "--currency".into(),
            "USD".into(),
        ])
        .chain(["--note".into(), format!("writer {i}")])
        .collect()
    });
    for out in &outs {
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{:?}: {stderr}", out.status);
    }
    let deals = db.json(&["deal", "list"]);
    assert_eq!(array_len(&deals), 1, "{deals}");
    let history = db.json(&["deal", "history", "Lumina", "--buyer", "Aurora Solar"]);
    assert_eq!(array_len(&history), 8, "{history}");
    // The deal reads what its latest event says, whichever writer that was.
    let latest = history.as_array().unwrap().last().unwrap();
    assert_eq!(deals[0]["status"], "evaluating");
    assert_eq!(deals[0]["value"], latest["value"], "{deals}\n{history}");
    let mut notes: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["note"].as_str().unwrap())
        .collect();
    notes.sort();
    assert_eq!(notes, (0..8).map(|i| format!("writer {i}")).collect::<Vec<_>>());
}
every_backend!(eight_first_deal_sets_for_one_pair_make_one_deal);

/// Adding a buyer that exists is refused (exit 65) whether the other add came before or at the
/// same moment: `add` promises a new record, and a script that adds twice should hear so.
fn eight_adds_of_one_new_buyer_at_once_make_one() {
    let db = Db::seeded();
    let outs = at_once(&[db.target()], 8, |_| {
        ["-q", "buyer", "add", "Nova Cells"].map(String::from).to_vec()
    });
    let added = outs.iter().filter(|o| o.status.success()).count();
    assert_eq!(added, 1, "{outs:?}");
    for out in outs.iter().filter(|o| !o.status.success()) {
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(65), "{stderr}");
        assert!(stderr.contains("buyer 'Nova Cells' already exists"), "{stderr}");
    }
    let buyers = db.json(&["buyer", "list"]);
    assert_eq!(array_len(&buyers), 4, "{buyers}");
    let history = db.json(&["history"]);
    let adds = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["summary"].as_str().is_some_and(|s| s.contains("Nova Cells")))
        .count();
    assert_eq!(adds, 1, "{history}");
}
every_backend!(eight_adds_of_one_new_buyer_at_once_make_one);

/// A session of another program holding the supplier table locked: vetted gives up on it
/// within its bound and says the database is busy (exit 69), on every backend, writing nothing;
/// once the lock is gone it works. (On the servers a write waited without end: 99 s behind
/// `LOCK TABLE`, then succeeded.)
fn a_command_behind_a_lock_gives_up_busy() {
    let db = Db::seeded();
    let holder = crate::support::LockHolder::lock_suppliers(&db);
    let started = std::time::Instant::now();
    let outs = at_once(&[db.target()], 2, |i| {
        match i {
            0 => ["supplier", "add", "Behind The Lock Ltd"].as_slice(),
            _ => ["supplier", "list"].as_slice(),
        }
        .iter()
        .map(|s| s.to_string())
        .collect()
    });
    let waited = started.elapsed();
    drop(holder);
    for (out, what) in outs.iter().zip(["a write", "a read"]) {
        let stderr = String::from_utf8_lossy(&out.stderr);
        // SQLite readers never wait for a writer (WAL).
        if what == "a read" && crate::support::backend() == crate::support::Backend::Sqlite {
            assert!(out.status.success(), "{stderr}");
            continue;
        }
        assert_eq!(out.status.code(), Some(69), "{what} after {waited:?}: {stderr}");
        assert!(stderr.contains("database busy"), "{stderr}");
    }
    let names: Vec<String> = db
        .json(&["supplier", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect();
    assert!(!names.iter().any(|n| n.contains("Behind")), "{names:?}");
    db.ok(&["supplier", "add", "Behind The Lock Ltd"]);
}
every_backend!(a_command_behind_a_lock_gives_up_busy);
