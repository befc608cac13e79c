//! `vetted demo`: a fresh SQLite database built from the bundled fixtures through the same
//! services users drive, then a look at what it holds.

use std::io::Write;
use std::path::PathBuf;

use serde::Deserialize;

use super::{Context, Dated};
use crate::cli::{
    BuyerAddArgs, CapacitySetArgs, DealSetArgs, HoldSetArgs, QuoteAddArgs, SiteAddArgs, VisitLogArgs,
};
use crate::domain::capacity::Period;
use crate::domain::scarcity::DEFAULT_THRESHOLD;
use crate::error::{Error, Result};
use crate::io::rejects::RejectFile;
use crate::io::supplier_csv::SupplierCsv;
use crate::output::Format;
use crate::report::known::Known;
use crate::report::{capacity as report_capacity, gaps, render, status};
use crate::store::buyers::{self, NewBuyer};
use crate::store::capacity::{self, NewCapacity, NewHolding, NewQuote};
use crate::store::connect::Location;
use crate::store::deals::{self, DealChange};
use crate::store::import::{self, ImportOptions, OnExisting};
use crate::store::sites::{self, NewSite};
use crate::store::visits::{self, NewVisit};
use crate::store::{OnOpen, Store};

/// The bundled sample: three buyers, their factories, visits, deals, and the capacity of the
/// complete-line makers with who holds it.
const FIXTURE: &str = include_str!("../../fixtures/demo.json");
/// HJT equipment makers, as a supplier list a colleague would send: it goes through the import.
const SUPPLIERS_CSV: &str = include_str!("../../fixtures/suppliers.csv");

/// What the demo records, each step as a command line would give it.
#[derive(Deserialize)]
struct Fixture {
    buyers: Vec<BuyerAddArgs>,
    sites: Vec<SiteAddArgs>,
    visits: Vec<VisitLogArgs>,
    deal_events: Vec<DealSetArgs>,
    #[serde(default)]
    capacity: Vec<CapacitySetArgs>,
    #[serde(default)]
    holdings: Vec<HoldSetArgs>,
    #[serde(default)]
    quotes: Vec<QuoteAddArgs>,
}

impl Fixture {
    /// What the capacity report covers: as of the latest capacity, holding or quote statement,
    /// from that day's quarter to the last one capacity is stated for, so the demo shows the same
    /// outlook whatever day it runs. None when the fixture states no capacity.
    fn capacity_scope(&self, today: chrono::NaiveDate) -> Result<Option<report_capacity::Scope>> {
        let days = self
            .capacity
            .iter()
            .map(|c| &c.provenance)
            .chain(self.holdings.iter().map(|h| &h.provenance))
            .chain(self.quotes.iter().map(|q| &q.provenance))
            .filter_map(|p| p.date.as_deref())
            .map(|d| crate::domain::dates::parse_past_date("date", d, today))
            .collect::<Result<Vec<_>, _>>()?;
        let last = self
            .capacity
            .iter()
            .map(|c| Period::parse("period", &c.period))
            .collect::<Result<Vec<_>, _>>()?;
        let (Some(as_of), Some(to)) = (days.into_iter().max(), last.into_iter().max()) else {
            return Ok(None);
        };
        Ok(Some(report_capacity::Scope {
            capability: None,
            from: Period::of_day(as_of),
            to,
            as_of,
            buyer: None,
        }))
    }
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
                return Err(Error::Other("the default database is not a file".into()));
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

/// Records the fixture through the services the commands use, with the commands' checks.
async fn load(store: &Store, fixture: Fixture) -> Result<()> {
    let today = store.today;
    let first_day = fixture
        .visits
        .iter()
        .map(|v| v.date.as_str())
        .chain(fixture.deal_events.iter().map(|d| d.date.as_str()))
        .map(|d| crate::domain::dates::parse_past_date("date", d, today))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .min()
        .unwrap_or(today);
    for buyer in fixture.buyers {
        buyers::add(store, NewBuyer::try_from(buyer)?).await?;
    }
    let csv = SupplierCsv::open(SUPPLIERS_CSV.as_bytes(), &[])
        .map_err(|e| Error::Other(format!("the bundled supplier list is broken: {}", e.0)))?;
    let options = ImportOptions {
        source: "fixtures/suppliers.csv".into(),
        dry_run: false,
        skip_invalid: false,
        on_existing: OnExisting::Update,
        // The list was there before the first visit and deal event the fixture records.
        date: first_day,
    };
    import::import_suppliers(store, csv, &options, &mut RejectFile::none(), |_| {}).await?;
    for site in fixture.sites {
        let site = Dated {
            args: site,
            today: first_day,
        };
        sites::add(store, NewSite::try_from(site)?).await?;
    }
    // Visits and deal events interleave by date, as they would have been recorded.
    enum Step {
        Visit(VisitLogArgs),
        Deal(DealSetArgs),
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
            Step::Visit(args) => {
                visits::log(store, NewVisit::try_from(Dated { args, today })?).await?;
            }
            Step::Deal(args) => {
                deals::set(store, DealChange::try_from(Dated { args, today })?).await?;
            }
        }
    }
    for args in fixture.capacity {
        capacity::set_capacity(store, NewCapacity::try_from(Dated { args, today })?).await?;
    }
    for args in fixture.holdings {
        capacity::set_holding(store, NewHolding::try_from(Dated { args, today })?).await?;
    }
    for args in fixture.quotes {
        capacity::add_quote(store, NewQuote::try_from(Dated { args, today })?).await?;
    }
    Ok(())
}

pub async fn run(ctx: &Context) -> Result<()> {
    let fixture: Fixture = serde_json::from_str(FIXTURE)
        .map_err(|e| Error::Other(format!("the bundled demo fixture is broken: {e}")))?;
    // The gaps report is the first buyer's.
    let first_buyer = fixture
        .buyers
        .first()
        .map(|b| b.name.clone())
        .ok_or_else(|| Error::Other("the bundled demo fixture has no buyers".into()))?;
    let capacity_scope = fixture.capacity_scope(ctx.today)?;
    let path = demo_path(ctx)?;
    let location = Location::Sqlite(path.clone());
    let store = Store::open(
        &location,
        "demo".to_string(),
        ctx.today,
        ctx.command.clone(),
        OnOpen::Migrate,
    )
    .await?;
    load(&store, fixture).await?;

    let status = status::build(&store.db, None, DEFAULT_THRESHOLD, store.today, Known::NOW).await?;
    let question = gaps::Question {
        buyer: &first_buyer,
        threshold: DEFAULT_THRESHOLD,
        as_of: store.today,
        scarce_by: crate::domain::scarcity::Basis::Suppliers,
    };
    let gaps = gaps::build(&store.db, &question, Known::NOW).await?;
    let capacity = match capacity_scope {
        Some(scope) => Some(report_capacity::build(&store.db, Known::NOW, &scope).await?),
        None => None,
    };
    store.close().await;
    if ctx.output.format == Format::Json {
        let all = serde_json::json!({
            "database": path,
            "status": status,
            "gaps": gaps,
            "capacity": capacity,
        });
        return ctx.print(&format!("{}\n", serde_json::to_string_pretty(&all)?));
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
    if let Some(capacity) = capacity {
        writeln!(out)?;
        render::capacity(&ctx.output, &capacity, &mut out)?;
    }
    Ok(out.flush()?)
}
