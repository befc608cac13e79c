//! `vetted demo`: a fresh SQLite database built from the bundled fixtures through the same
//! services users drive, then a look at what it holds.

use std::path::PathBuf;

use serde::Deserialize;

use super::Context;
use crate::domain::status::{DealStatus, Severity};
use crate::domain::values;
use crate::error::{Error, Result};
use crate::output::Format;
use crate::store::buyers::{self, NewBuyer};
use crate::store::connect::Location;
use crate::store::deals::{self, DealChange, DealFilter};
use crate::store::notes::{self, NoteFilter};
use crate::store::sites::{self, NewSite};
use crate::store::suppliers::{self, SupplierChanges, SupplierFilter};
use crate::store::visits::{self, NewVisit};
use crate::store::{OnOpen, Store};

/// The bundled sample: three buyers, HJT equipment makers, their factories, visits and deals.
const FIXTURE: &str = include_str!("../../fixtures/demo.json");

#[derive(Deserialize)]
struct Fixture {
    buyers: Vec<FixtureBuyer>,
    suppliers: Vec<FixtureSupplier>,
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
struct FixtureSupplier {
    name: String,
    native_name: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    country: Option<String>,
    province: Option<String>,
    city: Option<String>,
    website: Option<String>,
    #[serde(default)]
    capabilities: Vec<String>,
    note: Option<String>,
    #[serde(default)]
    sites: Vec<FixtureSite>,
}

#[derive(Deserialize)]
struct FixtureSite {
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
    for s in fixture.suppliers {
        let country = s
            .country
            .as_deref()
            .map(|c| values::parse_country("country", c))
            .transpose()?;
        let supplier = suppliers::add(
            store,
            SupplierChanges {
                name: Some(s.name),
                native_name: Some(s.native_name),
                country: Some(country),
                province: Some(s.province),
                city: Some(s.city),
                website: Some(s.website),
                note: Some(s.note),
                add_aliases: s.aliases,
                add_capabilities: s
                    .capabilities
                    .iter()
                    .map(|c| values::parse_capability("capability", c))
                    .collect::<Result<_, _>>()?,
                ..Default::default()
            },
        )
        .await?;
        for site in s.sites {
            sites::add(
                store,
                NewSite {
                    supplier: supplier.id.to_string(),
                    name: site.name,
                    city: site.city,
                    province: site.province,
                    country: None,
                    lines: site.lines,
                },
            )
            .await?;
        }
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
                    (Some(v), Some(c)) => Some((
                        values::parse_amount("value", &v)?,
                        values::parse_currency("currency", &c)?,
                    )),
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

pub async fn run(ctx: &Context) -> Result<()> {
    let fixture: Fixture = serde_json::from_str(FIXTURE)
        .map_err(|e| Error::Other(format!("the bundled demo fixture is broken: {e}")))?;
    let path = demo_path(ctx)?;
    let location = Location::Sqlite(path.clone());
    let store = Store::open(&location, "demo".to_string(), ctx.today, OnOpen::Migrate).await?;
    load(&store, fixture).await?;

    let heading = |title: &str| match ctx.output.format {
        Format::Md => format!("## {title}\n\n"),
        Format::Table => format!("{title}\n"),
        _ => String::new(),
    };
    let suppliers = suppliers::list(&store, SupplierFilter::default()).await?;
    let deals = deals::list(
        &store,
        DealFilter {
            buyer: None,
            status: None,
        },
    )
    .await?;
    let findings = notes::list(
        &store,
        NoteFilter {
            supplier: None,
            open_only: true,
            min_severity: Some(Severity::Major),
        },
    )
    .await?;
    if ctx.output.format == Format::Json {
        let all = serde_json::json!({ "suppliers": suppliers, "deals": deals, "open_findings": findings });
        return ctx.print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&all).expect("JSON")
        ));
    }
    let mut out = String::new();
    if !ctx.quiet {
        out.push_str(&format!(
            "Demo database: {}\n(use it with: vetted --db {} supplier list)\n\n",
            path.display(),
            path.display()
        ));
    }
    out.push_str(&heading("Suppliers"));
    out.push_str(&ctx.output.list(
        &suppliers,
        &["id", "name", "native_name", "country", "city", "capabilities"],
    ));
    out.push('\n');
    out.push_str(&heading("Deals"));
    out.push_str(&ctx.output.list(
        &deals,
        &["buyer", "supplier", "status", "since", "value", "currency"],
    ));
    out.push('\n');
    out.push_str(&heading("Open major and critical findings"));
    out.push_str(&ctx.output.list(
        &findings,
        &["id", "date", "supplier", "visit_id", "severity", "text"],
    ));
    ctx.print(&out)
}
