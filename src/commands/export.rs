//! `vetted export WHAT`: lists as CSV (safe to open in a spreadsheet) or JSON, and `all` as a
//! full backup.

use std::fs::File;
use std::io::{BufWriter, Write};

use serde::Serialize;

use super::Context;
use crate::cli::{ExportArgs, ExportWhat};
use crate::error::{Error, Result};
use crate::output::{self, Format};
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
    scarce: String,
    note: Option<String>,
}

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

fn open_out(args: &ExportArgs) -> Result<Box<dyn Write>> {
    Ok(match &args.out {
        Some(path) => Box::new(BufWriter::new(File::create(path).map_err(|e| {
            Error::invalid("out", format!("cannot write {}: {e}", path.display()))
        })?)),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    })
}

fn write_rows<T: Serialize>(ctx: &Context, args: &ExportArgs, rows: &[T]) -> Result<()> {
    let mut out = open_out(args)?;
    match ctx.output.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, rows)?;
            out.write_all(b"\n")?;
        }
        Format::Csv | Format::Table => {
            let (header, cells) = output::csv_cells(rows);
            ctx.output.write_csv(&mut out, &header, cells)?;
        }
        Format::Md | Format::Html => return Err(Error::invalid("format", "export writes csv or json")),
    }
    out.flush()?;
    Ok(())
}

pub async fn run(ctx: &Context, args: ExportArgs) -> Result<()> {
    if matches!(ctx.output.format, Format::Md | Format::Html) {
        return Err(Error::invalid("format", "export writes csv or json"));
    }
    let store = ctx.store().await?;
    match args.what {
        ExportWhat::Suppliers => {
            let all = SupplierFilter {
                include_archived: true,
                ..Default::default()
            };
            let list = suppliers::list(&store, all).await?;
            if ctx.output.format == Format::Json {
                write_rows(ctx, &args, &list)
            } else {
                let records: Vec<SupplierRecord> = list.into_iter().map(SupplierRecord::from).collect();
                write_rows(ctx, &args, &records)
            }
        }
        ExportWhat::Buyers => write_rows(ctx, &args, &buyers::list(&store).await?),
        ExportWhat::Sites => write_rows(ctx, &args, &sites::list(&store, None).await?),
        ExportWhat::Visits => {
            let list = visits::list(&store, VisitFilter::default()).await?;
            let records: Vec<VisitRecord> = list.into_iter().map(VisitRecord::from).collect();
            write_rows(ctx, &args, &records)
        }
        ExportWhat::Notes => {
            let all = NoteFilter {
                supplier: None,
                open_only: false,
                min_severity: None,
            };
            write_rows(ctx, &args, &notes::list(&store, all).await?)
        }
        ExportWhat::Deals => {
            let all = DealFilter {
                buyer: None,
                status: None,
            };
            write_rows(ctx, &args, &deals::list(&store, all).await?)
        }
        ExportWhat::All => {
            let backup = backup::export_all(&store).await?;
            let mut out = open_out(&args)?;
            serde_json::to_writer_pretty(&mut out, &backup)?;
            out.write_all(b"\n")?;
            out.flush()?;
            Ok(())
        }
    }
}
