//! A three-node MariaDB Galera cluster (`scripts/galera-up` starts one; `.ci/run` names its nodes
//! in `VETTED_TEST_GALERA_URLS`): processes writing through different nodes at once all succeed,
//! nothing is lost and nothing is doubled. Two nodes' transactions that touch the same rows meet
//! only at commit, where Galera's certification refuses one of them (a deadlock, 1213): it is run
//! again like any other collision.

use std::process::Output;
use std::thread;

use crate::support::{Backend, Db, array_len, at_once, run_on, vetted, writers_logging_visits};

/// The cluster's nodes, as `VETTED_TEST_GALERA_URLS` names them.
fn nodes() -> Vec<String> {
    let urls = std::env::var("VETTED_TEST_GALERA_URLS")
        .ok()
        .filter(|urls| !urls.is_empty())
        .expect("VETTED_TEST_GALERA_URLS was set when the tests were built; set it to run them");
    let nodes: Vec<String> = urls.split(',').map(|url| url.trim().to_string()).collect();
    assert!(nodes.len() >= 2, "VETTED_TEST_GALERA_URLS names one node: {urls}");
    nodes
}

/// Runs `scenario` with its database made through the cluster's first node.
fn on_cluster(scenario: fn()) {
    run_on(Backend::Mysql(nodes()[0].clone()), scenario);
}

/// Stamps a scenario as the test `scenario::galera`, run when the tests were built with the
/// cluster's nodes (and listed as ignored, with the reason, otherwise).
macro_rules! on_the_cluster {
    ($scenario:ident) => {
        mod $scenario {
            #[test]
            #[cfg_attr(
                not(vetted_test_galera),
                ignore = "skipped: Galera runs need VETTED_TEST_GALERA_URLS (scripts/galera-up; .ci/run sets it)"
            )]
            fn galera() {
                super::on_cluster(super::$scenario);
            }
        }
    };
}

/// The test's database as reached through each node, once every node has applied what was
/// written through the first (its schema and seed): a node applies the others' writes a moment
/// after they commit, and a command it serves meanwhile finds the schema behind.
fn through_every_node(db: &Db) -> Vec<String> {
    let server = db.server.as_ref().expect("a cluster database");
    let targets: Vec<String> = nodes().iter().map(|node| server.through(node)).collect();
    let expected = db.ok(&["buyer", "list", "--format", "json"]);
    for target in &targets {
        let mut tries = 0;
        loop {
            let out = vetted()
                .args(["--db", target, "buyer", "list", "--format", "json"])
                .output()
                .unwrap();
            if out.status.success() && out.stdout == expected.as_bytes() {
                break;
            }
            tries += 1;
            assert!(
                tries < 100,
                "{target} did not catch up: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            thread::sleep(std::time::Duration::from_millis(100));
        }
    }
    targets
}

fn all_succeeded(outs: &[Output]) {
    for out in outs {
        assert!(
            out.status.success(),
            "{:?}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Every node answers `args` with the same JSON.
fn every_node_says(db: &Db, args: &[&str]) -> serde_json::Value {
    let answers: Vec<serde_json::Value> = through_every_node(db)
        .iter()
        .map(|target| {
            let out = vetted()
                .arg("--db")
                .arg(target)
                .args(args)
                .args(["--format", "json"])
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            serde_json::from_slice(&out.stdout).unwrap()
        })
        .collect();
    for answer in &answers[1..] {
        assert_eq!(answer, &answers[0], "the nodes disagree on {args:?}");
    }
    answers.into_iter().next().unwrap()
}

fn visits_logged_through_every_node_all_arrive() {
    let db = Db::seeded();
    for writer in writers_logging_visits(&through_every_node(&db), 6, 10) {
        writer.join().unwrap();
    }
    assert_eq!(array_len(&every_node_says(&db, &["visit", "list"])), 60);
    assert_eq!(array_len(&every_node_says(&db, &["note", "list"])), 60);
}

on_the_cluster!(visits_logged_through_every_node_all_arrive);

fn first_deal_sets_through_every_node_make_one_deal() {
    let db = Db::seeded();
    let outs = at_once(&through_every_node(&db), 6, |i| {
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
        .map(String::from)
        .into_iter()
        .chain(["--note".into(), format!("writer {i}")])
        .collect()
    });
    all_succeeded(&outs);
    let deals = every_node_says(&db, &["deal", "list"]);
    assert_eq!(array_len(&deals), 1, "{deals}");
    assert_eq!(deals[0]["status"], "evaluating");
    let history = every_node_says(&db, &["deal", "history", "Lumina", "--buyer", "Aurora Solar"]);
    let mut notes: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["note"].as_str().unwrap())
        .collect();
    notes.sort();
    assert_eq!(notes, (0..6).map(|i| format!("writer {i}")).collect::<Vec<_>>());
}

on_the_cluster!(first_deal_sets_through_every_node_make_one_deal);

fn an_import_through_one_node_while_visits_are_logged_through_another() {
    let db = Db::seeded();
    let before = array_len(&db.json(&["supplier", "list"]));
    let mut csv = String::from("name,country,capabilities\n");
    for i in 0..2_000 {
        csv.push_str(&format!("Cluster Maker {i:04},DE,pvd\n"));
    }
    let file = db.file("makers.csv", csv);
    let targets = through_every_node(&db);
    let import = {
        let target = targets[0].clone();
        thread::spawn(move || {
            vetted()
                .arg("--db")
                .arg(target)
                .args(["-q", "import", "suppliers", &file])
                .output()
                .unwrap()
        })
    };
    let visits = writers_logging_visits(&targets[1..], 2, 10);
    let import = import.join().unwrap();
    all_succeeded(&[import]);
    for writer in visits {
        writer.join().unwrap();
    }
    let suppliers = every_node_says(&db, &["supplier", "list"]);
    assert_eq!(array_len(&suppliers), before + 2_000);
    assert_eq!(array_len(&every_node_says(&db, &["visit", "list"])), 20);
    // One operation holds the whole import.
    let log = every_node_says(&db, &["log", "--limit", "100"]);
    let imports = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|op| op["summary"].as_str().is_some_and(|s| s.contains("import")))
        .count();
    assert_eq!(imports, 1, "{log}");
}

on_the_cluster!(an_import_through_one_node_while_visits_are_logged_through_another);

/// Two undos of one operation through two nodes at once: one wins, the other is refused.
fn two_undos_of_one_operation_through_two_nodes_one_wins() {
    let db = Db::seeded();
    let nodes: Vec<std::ffi::OsString> = through_every_node(&db).into_iter().map(Into::into).collect();
    crate::operations::undos_of_one_operation_at_once(&db, &nodes[..2]);
}

on_the_cluster!(two_undos_of_one_operation_through_two_nodes_one_wins);
