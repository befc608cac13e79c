//! `vetted demo`: a fresh SQLite database built from the bundled fixtures through the same
//! services users drive, then a look at what it holds.

use std::io::Write;
use std::path::PathBuf;

use serde::Deserialize;

use super::Context;
use crate::domain::scarcity::DEFAULT_THRESHOLD;
use crate::domain::status::{DealStatus, Severity};
use crate::domain::values;
use crate::error::{Error, Result};
use crate::io::rejects::RejectFile;
use crate::io::supplier_csv::SupplierCsv;
use crate::output::Format;
use crate::report::{gaps, render, status};
use crate::store::buyers::{self, NewBuyer};
use crate::store::connect::Location;
use crate::store::deals::{self, DealChange};
use crate::store::import::{self, ImportOptions, OnExisting};
use crate::store::sites::{self, NewSite};
use crate::store::visits::{self, NewVisit};
use crate::store::{OnOpen, Store};

/// The bundled sample: three buyers, their factories, visits and deals.
const FIXTURE: &str = include_str!("../../fixtures/demo.json");
/// HJT equipment makers, as a supplier list a colleague would send: it goes through the import.
const SUPPLIERS_CSV: &str = include_str!("../../fixtures/suppliers.csv");

#[derive(Deserialize)]
struct Fixture {
    buyers: Vec<FixtureBuyer>,
    sites: Vec<FixtureSite>,
    visits: Vec<FixtureVisit>,
    deal_events: Vec<FixtureDealEvent>,
}

#[derive(Deserialize)]
struct FixtureBuyer {
    name: String,
    #[serde(default)]
    external: bool,
    note: Option<String>,
}

#[derive(Deserialize)]
struct FixtureSite {
    supplier: String,
    name: String,
    city: Option<String>,
    province: Option<String>,
    lines: Option<i32>,
}

#[derive(Deserialize)]
struct FixtureVisit {
    supplier: String,
    buyer: String,
    site: Option<String>,
    date: String,
    #[serde(default)]
    visitors: Vec<String>,
    purpose: Option<String>,
    lines_inspected: Option<i32>,
    summary: Option<String>,
    /// `severity:text`, as on the command line.
    #[serde(default)]
    findings: Vec<String>,
}

#[derive(Deserialize)]
struct FixtureDealEvent {
    supplier: String,
    buyer: String,
    status: String,
    date: String,
    value: Option<String>,
    currency: Option<String>,
    scope: Option<String>,
    note: Option<String>,
}

fn demo_path(ctx: &Context) -> Result<PathBuf> {
    match ctx.db.as_deref() {
        Some(db) => match Location::resolve(Some(db))? {
            Location::Sqlite(path) if path.exists() => Err(Error::invalid(
                "db",
                format!(
                    "{} exists; the demo builds a fresh database, so name a new file",
                    path.display()
                ),
            )),
            Location::Sqlite(path) => Ok(path),
            Location::Server(_) => Err(Error::invalid(
                "db",
                "the demo builds a fresh SQLite file; give a file path",
            )),
        },
        None => {
            let Location::Sqlite(default) = Location::resolve(None)? else {
                unreachable!("the default database is a file")
            };
            let path = default.with_file_name("demo.db");
            for suffix in ["", "-wal", "-shm"] {
                let file = PathBuf::from(format!("{}{suffix}", path.display()));
                if file.exists() {
                    std::fs::remove_file(&file)?;
                }
            }
            Ok(path)
        }
    }
}

async fn load(store: &Store, fixture: Fixture) -> Result<()> {
    let today = store.today;
    for b in fixture.buyers {
        buyers::add(
            store,
            NewBuyer {
                name: b.name,
                external: b.external,
                note: b.note,
            },
        )
        .await?;
    }
    let csv = SupplierCsv::open(SUPPLIERS_CSV.as_bytes(), &[])
        .map_err(|e| Error::Other(format!("the bundled supplier list is broken: {}", e.0)))?;
    let options = ImportOptions {
        source: "fixtures/suppliers.csv".into(),
        dry_run: false,
        skip_invalid: false,
        on_existing: OnExisting::Update,
    };
    import::import_suppliers(store, csv, &options, &mut RejectFile::none(), |_| {}).await?;
    for site in fixture.sites {
        sites::add(
            store,
            NewSite {
                supplier: site.supplier,
                name: site.name,
                city: site.city,
                province: site.province,
                country: None,
                lines: site.lines,
            },
        )
        .await?;
    }
    // Visits and deal events interleave by date, as they would have been recorded.
    enum Step {
        Visit(FixtureVisit),
        Deal(FixtureDealEvent),
    }
    let mut steps: Vec<(String, Step)> = fixture
        .visits
        .into_iter()
        .map(|v| (v.date.clone(), Step::Visit(v)))
        .chain(
            fixture
                .deal_events
                .into_iter()
                .map(|d| (d.date.clone(), Step::Deal(d))),
        )
        .collect();
    steps.sort_by(|a, b| a.0.cmp(&b.0));
    for (_, step) in steps {
        match step {
            Step::Visit(v) => {
                let findings = v
                    .findings
                    .iter()
                    .map(|f| {
                        let (severity, text) = f.split_once(':').unwrap_or(("info", f));
                        Ok((Severity::parse(severity)?, text.trim().to_string()))
                    })
                    .collect::<Result<_>>()?;
                visits::log(
                    store,
                    NewVisit {
                        supplier: v.supplier,
                        buyer: v.buyer,
                        site: v.site,
                        date: crate::domain::dates::parse_past_date("date", &v.date, today)?,
                        visitors: v.visitors,
                        purpose: v.purpose,
                        lines_inspected: v.lines_inspected,
                        summary: v.summary,
                        findings,
                    },
                )
                .await?;
            }
            Step::Deal(d) => {
                let value = match (d.value, d.currency) {
                    (Some(v), Some(c)) => Some(values::parse_money("value", &v, "currency", &c)?),
                    _ => None,
                };
                deals::set(
                    store,
                    DealChange {
                        supplier: d.supplier,
                        buyer: d.buyer,
                        status: DealStatus::parse(&d.status)?,
                        date: crate::domain::dates::parse_past_date("date", &d.date, today)?,
                        value,
                        scope: d.scope,
                        note: d.note,
                    },
                )
                .await?;
            }
        }
    }
    Ok(())
}

fn fixture_first_buyer() -> Result<String> {
    let fixture: Fixture = parse_fixture()?;
    fixture
        .buyers
        .into_iter()
        .next()
        .map(|b| b.name)
        .ok_or_else(|| Error::Other("the bundled demo fixture has no buyers".into()))
}

fn parse_fixture() -> Result<Fixture> {
    serde_json::from_str(FIXTURE)
        .map_err(|e| Error::Other(format!("the bundled demo fixture is broken: {e}")))
}

pub async fn run(ctx: &Context) -> Result<()> {
    let fixture: Fixture = serde_json::from_str(FIXTURE)
        .map_err(|e| Error::Other(format!("the bundled demo fixture is broken: {e}")))?;
    let path = demo_path(ctx)?;
    let location = Location::Sqlite(path.clone());
    let store = Store::open(&location, "demo".to_string(), ctx.today, OnOpen::Migrate).await?;
    load(&store, fixture).await?;

    let first_buyer = fixture_first_buyer()?;
    let status = status::build(&store.db, None, DEFAULT_THRESHOLD, store.today).await?;
    let gaps = gaps::build(&store.db, &first_buyer, DEFAULT_THRESHOLD, store.today).await?;
    store.close().await;
    if ctx.output.format == Format::Json {
        let both = serde_json::json!({ "database": path, "status": status, "gaps": gaps });
        return ctx.print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&both).expect("JSON")
        ));
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if !ctx.quiet && ctx.output.format == Format::Table {
        writeln!(
            out,
            "Demo database: {}\n(explore it with: vetted --db {} supplier list)\n",
            path.display(),
            path.display()
        )?;
    }
    render::status(&ctx.output, &status, &mut out)?;
    writeln!(out)?;
    render::gaps(&ctx.output, &gaps, &mut out)?;
    Ok(out.flush()?)
}
