//! `vetted export WHAT`: lists as CSV (safe to open in a spreadsheet) or JSON, and `all` as a
//! full backup.

use serde::Serialize;

use super::Context;
use crate::cli::{ExportArgs, ExportWhat};
use crate::domain::status::ScarceOverride;
use crate::error::{Error, Result};
use crate::io::out_file::OutFile;
use crate::output::{Format, Row, Table};
use crate::store::deals::{self, DealFilter};
use crate::store::notes::{self, NoteFilter};
use crate::store::suppliers::{self, SupplierFilter, SupplierView};
use crate::store::visits::{self, VisitFilter, VisitView};
use crate::store::{backup, buyers, sites};

/// A supplier in the import's canonical columns, so an exported CSV imports back as it was.
#[derive(Serialize)]
struct SupplierRecord {
    name: String,
    native_name: Option<String>,
    aliases: Vec<String>,
    capabilities: Vec<String>,
    country: Option<String>,
    province: Option<String>,
    city: Option<String>,
    address: Option<String>,
    website: Option<String>,
    scarce: ScarceOverride,
    note: Option<String>,
    /// The day it is on record from, so that the list imports back as of the same days.
    date: chrono::NaiveDate,
}

crate::row!(SupplierRecord {
    name,
    native_name,
    aliases,
    capabilities,
    country,
    province,
    city,
    address,
    website,
    scarce,
    note,
    date
});

impl From<SupplierView> for SupplierRecord {
    fn from(s: SupplierView) -> Self {
        SupplierRecord {
            name: s.name,
            native_name: s.native_name,
            aliases: s.aliases,
            capabilities: s.capabilities,
            country: s.country,
            province: s.province,
            city: s.city,
            address: s.address,
            website: s.website,
            scarce: s.scarce,
            note: s.note,
            date: s.listed_on,
        }
    }
}

/// A visit without its findings, which `export notes` carries.
#[derive(Serialize)]
struct VisitRecord {
    id: i32,
    date: chrono::NaiveDate,
    supplier_id: i32,
    supplier: String,
    buyer_id: i32,
    buyer: String,
    site_id: Option<i32>,
    site: Option<String>,
    visitors: Vec<String>,
    purpose: Option<String>,
    lines_inspected: Option<i32>,
    summary: Option<String>,
}

crate::row!(VisitRecord {
    id,
    date,
    supplier_id,
    supplier,
    buyer_id,
    buyer,
    site_id,
    site,
    visitors,
    purpose,
    lines_inspected,
    summary
});

impl From<VisitView> for VisitRecord {
    fn from(v: VisitView) -> Self {
        VisitRecord {
            id: v.id,
            date: v.date,
            supplier_id: v.supplier_id,
            supplier: v.supplier,
            buyer_id: v.buyer_id,
            buyer: v.buyer,
            site_id: v.site_id,
            site: v.site,
            visitors: v.visitors,
            purpose: v.purpose,
            lines_inspected: v.lines_inspected,
            summary: v.summary,
        }
    }
}

/// An export is a file for another program: JSON when asked for, CSV otherwise (the default
/// format, a table, is for people, and an export never is).
fn write_rows<T: Row>(ctx: &Context, out: Option<OutFile>, rows: &[T]) -> Result<()> {
    super::emit(out, |out| {
        if ctx.output.format == Format::Json {
            serde_json::to_writer_pretty(&mut *out, rows)?;
            out.write_all(b"\n")?;
            return Ok(());
        }
        // Every column, even for no rows: an empty export still imports back (as nothing).
        let table = Table::of(rows);
        let cells = table
            .rows
            .iter()
            .map(|row| row.iter().map(|cell| cell.csv().into_owned()).collect())
            .collect();
        Ok(ctx.output.write_csv(&mut *out, &table.columns, cells)?)
    })
}

pub async fn run(ctx: &Context, args: ExportArgs) -> Result<()> {
    if matches!(ctx.output.format, Format::Md | Format::Html) {
        return Err(Error::invalid("format", "export writes csv or json"));
    }
    let out = ctx.out(args.out.as_deref())?;
    let store = ctx.store().await?;
    match args.what {
        ExportWhat::Suppliers => {
            let all = SupplierFilter {
                include_archived: true,
                ..Default::default()
            };
            let list = suppliers::list(&store, all).await?;
            if ctx.output.format == Format::Json {
                write_rows(ctx, out, &list)
            } else {
                let records: Vec<SupplierRecord> = list.into_iter().map(SupplierRecord::from).collect();
                write_rows(ctx, out, &records)
            }
        }
        ExportWhat::Buyers => write_rows(ctx, out, &buyers::list(&store).await?),
        ExportWhat::Sites => write_rows(ctx, out, &sites::list(&store, None).await?),
        ExportWhat::Visits => {
            let list = visits::list(&store, VisitFilter::default()).await?;
            let records: Vec<VisitRecord> = list.into_iter().map(VisitRecord::from).collect();
            write_rows(ctx, out, &records)
        }
        ExportWhat::Notes => {
            let all = NoteFilter {
                supplier: None,
                open_only: false,
                min_severity: None,
            };
            write_rows(ctx, out, &notes::list(&store, all).await?)
        }
        ExportWhat::Deals => {
            let all = DealFilter {
                buyer: None,
                status: None,
            };
            write_rows(ctx, out, &deals::list(&store, all).await?)
        }
        ExportWhat::All => {
            let backup = backup::export_all(&store).await?;
            super::emit(out, |out| {
                serde_json::to_writer_pretty(&mut *out, &backup)?;
                Ok(out.write_all(b"\n")?)
            })
        }
    }
}
