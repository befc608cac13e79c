//! Several processes writing one SQLite file at once all succeed.

use std::thread;

use crate::support::{Db, array_len};

#[test]
fn processes_opening_a_new_file_at_once_all_succeed() {
    let db = Db::new();
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let path = db.target();
            thread::spawn(move || {
                crate::support::vetted()
                    .arg("--db")
                    .arg(&path)
                    .args(["-q", "buyer", "add", &format!("Buyer {i}")])
                    .output()
                    .unwrap()
            })
        })
        .collect();
    for handle in handles {
        let out = handle.join().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    assert_eq!(array_len(&db.json(&["buyer", "list"])), 8);
}

#[test]
fn eight_writers_logging_forty_visits_each_lose_nothing() {
    crate::support::each_backend(eight_writers_logging_forty_visits_each_lose_nothing_on);
}

fn eight_writers_logging_forty_visits_each_lose_nothing_on() {
    let db = Db::seeded();
    let handles: Vec<_> = (0..8)
        .map(|writer| {
            let path = db.target();
            thread::spawn(move || {
                for visit in 0..40 {
                    let out = crate::support::vetted()
                        .arg("--db")
                        .arg(&path)
                        .args(["-q", "visit", "log", "Lumina", "--buyer", "Aurora Solar"])
                        .args(["--finding", &format!("minor:writer {writer} visit {visit}")])
                        .output()
                        .unwrap();
                    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    assert_eq!(array_len(&db.json(&["visit", "list"])), 320);
    assert_eq!(array_len(&db.json(&["note", "list"])), 320);
}
