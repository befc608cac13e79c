//! The past that holds still, as properties over random histories: a report taken at moment T
//! and re-run later with `--known-at T` gives the same bytes; and over facts entered in date
//! order, a report `--as-of D` taken once D's facts are in gives the same bytes later on.

use chrono::{Duration, Local, NaiveDate, SecondsFormat, Utc};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use crate::support::{Backend, Db, backend, without_known_at};

const SUPPLIERS: usize = 4;
const CAPABILITIES: [&str; 3] = ["hjt-full-line", "pecvd", "laser"];
const BUYERS: [&str; 3] = ["Aurora Solar", "Borealis PV", "Helios Energy"];
const STATUSES: [&str; 5] = ["prospect", "evaluating", "negotiating", "signed", "declined"];

/// One step of a history. `ago`: how many days before today it is dated.
#[derive(Debug, Clone)]
enum Step {
    Add {
        supplier: usize,
        capability: usize,
        ago: i64,
    },
    Visit {
        supplier: usize,
        buyer: usize,
        ago: i64,
        finding: bool,
    },
    Resolve {
        note: i32,
        ago: i64,
    },
    Deal {
        supplier: usize,
        buyer: usize,
        status: usize,
        ago: i64,
    },
    Capability {
        supplier: usize,
        capability: usize,
        add: bool,
        ago: i64,
    },
    Archive {
        supplier: usize,
        restore: bool,
        ago: i64,
    },
    Import {
        first: usize,
        capability: usize,
        ago: i64,
    },
    Undo,
    Snapshot {
        as_of: Option<i64>,
    },
}

impl Step {
    /// The day it is dated, as days before today (none for an undo or a snapshot).
    fn ago(&self) -> Option<i64> {
        self.clone().ago_mut().map(|ago| *ago)
    }

    fn ago_mut(&mut self) -> Option<&mut i64> {
        match self {
            Step::Add { ago, .. }
            | Step::Visit { ago, .. }
            | Step::Resolve { ago, .. }
            | Step::Deal { ago, .. }
            | Step::Capability { ago, .. }
            | Step::Archive { ago, .. }
            | Step::Import { ago, .. } => Some(ago),
            Step::Undo | Step::Snapshot { .. } => None,
        }
    }
}

fn step() -> impl Strategy<Value = Step> {
    let s = 0..SUPPLIERS;
    let b = 0..BUYERS.len();
    let c = 0..CAPABILITIES.len();
    let ago = 0i64..40;
    prop_oneof![
        (s.clone(), c.clone(), ago.clone()).prop_map(|(supplier, capability, ago)| Step::Add {
            supplier,
            capability,
            ago
        }),
        (s.clone(), b.clone(), ago.clone(), any::<bool>()).prop_map(|(supplier, buyer, ago, finding)| {
            Step::Visit {
                supplier,
                buyer,
                ago,
                finding,
            }
        }),
        (1i32..6, ago.clone()).prop_map(|(note, ago)| Step::Resolve { note, ago }),
        (s.clone(), b.clone(), 0..STATUSES.len(), ago.clone()).prop_map(|(supplier, buyer, status, ago)| {
            Step::Deal {
                supplier,
                buyer,
                status,
                ago,
            }
        }),
        (s.clone(), c.clone(), any::<bool>(), ago.clone()).prop_map(|(supplier, capability, add, ago)| {
            Step::Capability {
                supplier,
                capability,
                add,
                ago,
            }
        }),
        (s.clone(), any::<bool>(), ago.clone()).prop_map(|(supplier, restore, ago)| Step::Archive {
            supplier,
            restore,
            ago
        }),
        (s, c, ago.clone()).prop_map(|(first, capability, ago)| Step::Import {
            first,
            capability,
            ago
        }),
        Just(Step::Undo),
        proptest::option::of(ago).prop_map(|as_of| Step::Snapshot { as_of }),
    ]
}

fn name(supplier: usize) -> String {
    format!("Maker {supplier}")
}

/// Runs a step's command. It may be refused (65: an archived supplier, a move the deal rules
/// forbid, a day before a supplier's listing); anything else fails the property.
fn apply(db: &Db, today: NaiveDate, step: &Step) {
    let day = |ago: i64| (today - Duration::days(ago)).to_string();
    let args: Vec<String> = match step {
        Step::Add {
            supplier,
            capability,
            ago,
        } => vec![
            "supplier".into(),
            "add".into(),
            name(*supplier),
            "--capability".into(),
            CAPABILITIES[*capability].into(),
            "--date".into(),
            day(*ago),
        ],
        Step::Visit {
            supplier,
            buyer,
            ago,
            finding,
        } => {
            let mut args = vec![
                "visit".into(),
                "log".into(),
                name(*supplier),
                "--buyer".into(),
                BUYERS[*buyer].into(),
                "--date".into(),
                day(*ago),
            ];
            if *finding {
                args.extend(["--finding".into(), "major:chamber leak".into()]);
            }
            args
        }
        Step::Resolve { note, ago } => vec![
            "note".into(),
            "resolve".into(),
            note.to_string(),
            "--date".into(),
            day(*ago),
        ],
        Step::Deal {
            supplier,
            buyer,
            status,
            ago,
        } => vec![
            "deal".into(),
            "set".into(),
            name(*supplier),
            "--buyer".into(),
            BUYERS[*buyer].into(),
            "--status".into(),
            STATUSES[*status].into(),
            "--date".into(),
            day(*ago),
        ],
        Step::Capability {
            supplier,
            capability,
            add,
            ago,
        } => vec![
            "supplier".into(),
            "edit".into(),
            name(*supplier),
            if *add {
                "--capability"
            } else {
                "--remove-capability"
            }
            .into(),
            CAPABILITIES[*capability].into(),
            "--date".into(),
            day(*ago),
        ],
        Step::Archive {
            supplier,
            restore,
            ago,
        } => {
            let mut args = vec!["supplier".into(), "archive".into(), name(*supplier)];
            if *restore {
                args.push("--restore".into());
            }
            args.extend(["--date".into(), day(*ago)]);
            args
        }
        Step::Import {
            first,
            capability,
            ago,
        } => {
            let rows: String = (0..2)
                .map(|i| {
                    format!(
                        "{},{}\n",
                        name((first + i) % SUPPLIERS),
                        CAPABILITIES[*capability]
                    )
                })
                .collect();
            let file = db.file("import.csv", format!("name,capabilities\n{rows}"));
            vec![
                "import".into(),
                "suppliers".into(),
                file,
                "--date".into(),
                day(*ago),
            ]
        }
        Step::Undo => vec!["undo".into()],
        Step::Snapshot { .. } => return,
    };
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = db.run(&args);
    assert!(
        out.status.success() || out.status.code() == Some(65),
        "vetted {args:?}: {:?} {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The reports a snapshot takes: status and gaps, as of a day or today.
fn reports(db: &Db, today: NaiveDate, as_of: Option<i64>, known_at: Option<&str>) -> Vec<String> {
    let mut common: Vec<String> = vec!["--format".into(), "json".into()];
    if let Some(ago) = as_of {
        common.extend(["--as-of".into(), (today - Duration::days(ago)).to_string()]);
    }
    if let Some(moment) = known_at {
        common.extend(["--known-at".into(), moment.to_string()]);
    }
    let status: Vec<String> = ["report", "status"].iter().map(|s| s.to_string()).collect();
    let gaps: Vec<String> = ["report", "gaps", "--buyer", "Aurora"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    [status, gaps]
        .into_iter()
        .map(|mut args| {
            args.extend(common.iter().cloned());
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            without_known_at(&db.ok(&args))
        })
        .collect()
}

/// The buyers, added by another actor: the history's `undo`s (this actor's latest operation)
/// never take them back, so the reports always have a buyer to ask about.
fn buyers(db: &Db) {
    db.ok(&["--actor", "setup", "buyer", "add", BUYERS[0]]);
    db.ok(&["--actor", "setup", "buyer", "add", BUYERS[1]]);
    db.ok(&["--actor", "setup", "buyer", "add", BUYERS[2], "--external"]);
}

/// Cases per property: fewer on the servers, where every command costs more.
fn cases() -> u32 {
    match backend() {
        Backend::Sqlite => 12,
        _ => 2,
    }
}

fn every_report_rerun_at_its_moment_is_the_same() {
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&prop::collection::vec(step(), 8..28), |steps| {
            let db = Db::new();
            let today = Local::now().date_naive();
            buyers(&db);
            let mut taken: Vec<(Option<i64>, String, Vec<String>)> = Vec::new();
            for step in &steps {
                apply(&db, today, step);
                if let Step::Snapshot { as_of } = step {
                    let answer = reports(&db, today, *as_of, None);
                    let moment = Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true);
                    taken.push((*as_of, moment, answer));
                }
            }
            // A final one, after everything.
            let answer = reports(&db, today, None, None);
            taken.push((
                None,
                Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true),
                answer,
            ));
            for (as_of, moment, answer) in &taken {
                let again = reports(&db, today, *as_of, Some(moment));
                prop_assert_eq!(
                    &again,
                    answer,
                    "known at {} (as of {:?}) after {:#?}",
                    moment,
                    as_of,
                    steps
                );
            }
            Ok(())
        })
        .unwrap();
}

every_backend!(every_report_rerun_at_its_moment_is_the_same);

fn as_of_a_day_whose_facts_are_in_stays_the_same() {
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    let history = prop::collection::vec(step(), 8..28).prop_map(|steps| {
        // Dated facts only, entered in date order (oldest first).
        let mut dated: Vec<Step> = steps.into_iter().filter(|s| s.ago().is_some()).collect();
        let mut days: Vec<i64> = dated.iter().filter_map(Step::ago).collect();
        days.sort_unstable_by(|a, b| b.cmp(a));
        for (step, day) in dated.iter_mut().zip(days) {
            if let Some(ago) = step.ago_mut() {
                *ago = day;
            }
        }
        dated
    });
    runner
        .run(&history, |steps| {
            let db = Db::new();
            let today = Local::now().date_naive();
            buyers(&db);
            let mut taken: Vec<(i64, Vec<String>)> = Vec::new();
            for (i, step) in steps.iter().enumerate() {
                apply(&db, today, step);
                let ago = step.ago().expect("a dated step");
                let next = steps.get(i + 1).and_then(Step::ago);
                // The day's facts are all in once the next one is dated later.
                if next.is_none_or(|n| n < ago) {
                    taken.push((ago, reports(&db, today, Some(ago), None)));
                }
            }
            for (ago, answer) in &taken {
                let again = reports(&db, today, Some(*ago), None);
                prop_assert_eq!(&again, answer, "as of {} days ago after {:#?}", ago, steps);
            }
            Ok(())
        })
        .unwrap();
}

every_backend!(as_of_a_day_whose_facts_are_in_stays_the_same);
