//! `vetted log`: the operation log.

use std::io::Write;

use serde::Serialize;

use super::Context;
use crate::cli::{LogArgs, LogCommand};
use crate::error::{Error, Result};
use crate::output::{Format, Row, Table};
use crate::store::log::{self, Changes, LogChange, LogEntry, LogFilter};
use crate::store::{lookup, operations};

pub async fn run(ctx: &Context, args: LogArgs) -> Result<()> {
    if let Some(LogCommand::Show(show)) = args.show {
        return one(ctx, &show.operation).await;
    }
    let since = args.since.as_deref().map(|d| ctx.date("since", d)).transpose()?;
    let store = ctx.store().await?;
    let supplier_id = match &args.supplier {
        Some(reference) => Some(lookup::supplier(&store.db, reference).await?.id),
        None => None,
    };
    let filter = LogFilter {
        since,
        actor: args.actor,
        supplier_id,
        limit: ctx.output.limit.map(|n| n as u64),
        // A table shows each operation's summary; every other format how many records of each
        // kind it changed, and the changes of a small one. `--changes` reads them all below.
        changes: match ctx.output.format {
            Format::Table if !args.changes => Changes::None,
            _ => Changes::Brief,
        },
    };
    let entries = log::log(&store.db, &filter).await?;
    if args.changes {
        return every_change(ctx, &store.db, entries).await;
    }
    ctx.print(&ctx.output.list(
        &entries,
        &["seq", "at", "actor", "summary", "undoes", "undone_by"],
    )?)
}

/// `log show OP`: one operation with every change it made (as `log --changes` gives them).
async fn one(ctx: &Context, reference: &str) -> Result<()> {
    let store = ctx.store().await?;
    let op = operations::named(&store.db, reference).await?;
    let filter = LogFilter {
        changes: Changes::Brief,
        ..Default::default()
    };
    let entry = log::one(&store.db, op.seq, &filter)
        .await?
        .ok_or_else(|| Error::Other(format!("operation {} vanished", op.id)))?;
    every_change(ctx, &store.db, vec![entry]).await
}

/// One change of an operation, as a row of `log --changes`.
#[derive(Serialize)]
struct ChangeRow<'a> {
    operation: &'a str,
    at: &'a str,
    actor: &'a str,
    entity: &'static str,
    id: serde_json::Value,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
}

crate::row!(ChangeRow<'_> {
    operation,
    at,
    actor,
    entity,
    id,
    before,
    after
});

impl<'a> ChangeRow<'a> {
    fn of(entry: &'a LogEntry, change: LogChange) -> ChangeRow<'a> {
        ChangeRow {
            operation: &entry.id,
            at: &entry.at,
            actor: &entry.actor,
            entity: change.entity,
            id: change.id,
            before: change.before,
            after: change.after,
        }
    }
}

/// The most changes `log --changes` draws as an aligned table (which needs them all at once);
/// CSV, Markdown and JSON are written as the changes are read.
const TABLE_CHANGES: u64 = 2_000;

/// `log --changes`: every change of every entry, written as it is read, so that memory stays
/// flat whatever an operation changed.
async fn every_change(
    ctx: &Context,
    db: &impl sea_orm::ConnectionTrait,
    entries: Vec<LogEntry>,
) -> Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout());
    match ctx.output.format {
        Format::Json => {
            out.write_all(b"[")?;
            for (i, mut entry) in entries.into_iter().enumerate() {
                out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
                entry.changes.clear();
                entry.changes_complete = true;
                write_entry(&mut out, db, &entry).await?;
            }
            out.write_all(b"\n]\n")?;
        }
        Format::Table => {
            let total: u64 = entries.iter().flat_map(|e| &e.records).map(|r| r.records).sum();
            if total > TABLE_CHANGES {
                return Err(Error::invalid(
                    "changes",
                    format!(
                        "{total} changes are more than a table shows ({TABLE_CHANGES}); use \
                         --format csv, md or json, which write every one as it is read"
                    ),
                ));
            }
            let mut rows = Vec::new();
            for entry in &entries {
                log::each_change(db, entry.seq, &mut |change| {
                    rows.push(ChangeRow::of(entry, change).cells());
                    Ok(())
                })
                .await?;
            }
            let table = Table {
                columns: ChangeRow::COLUMNS.iter().map(|c| c.to_string()).collect(),
                rows,
            };
            out.write_all(ctx.output.main_table(&table, &[])?.as_bytes())?;
        }
        _ => {
            out.write_all(ctx.output.streamed_header(ChangeRow::COLUMNS).as_bytes())?;
            for entry in &entries {
                log::each_change(db, entry.seq, &mut |change| {
                    let line = ctx.output.streamed_row(&ChangeRow::of(entry, change).cells());
                    Ok(out.write_all(line.as_bytes())?)
                })
                .await?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

/// An entry with every change, as `serde_json::to_string_pretty` would lay it out inside the
/// list, its changes written one by one as they are read.
async fn write_entry(
    out: &mut impl Write,
    db: &impl sea_orm::ConnectionTrait,
    entry: &LogEntry,
) -> Result<()> {
    let serde_json::Value::Object(fields) = serde_json::to_value(entry)? else {
        return Err(Error::Other("a log entry is not a JSON object".into()));
    };
    let seq = entry.seq;
    out.write_all(b"  {")?;
    for (i, (key, value)) in fields.iter().enumerate() {
        out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        write!(out, "    {}: ", serde_json::to_string(key)?)?;
        if key != "changes" {
            out.write_all(indented(&serde_json::to_string_pretty(value)?, 4).as_bytes())?;
            continue;
        }
        let mut first = true;
        out.write_all(b"[")?;
        log::each_change(db, seq, &mut |change| {
            out.write_all(if first { b"\n      " } else { b",\n      " })?;
            first = false;
            out.write_all(indented(&serde_json::to_string_pretty(&change)?, 6).as_bytes())?;
            Ok(())
        })
        .await?;
        out.write_all(if first { b"]" } else { b"\n    ]" })?;
    }
    out.write_all(b"\n  }")?;
    Ok(())
}

/// Pretty JSON placed `by` spaces in: every line but the first moves right.
fn indented(json: &str, by: usize) -> String {
    json.replace('\n', &format!("\n{}", " ".repeat(by)))
}
