//! `vetted import suppliers`.

use std::fs::File;
use std::io::{BufReader, IsTerminal, Read};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::Context;
use crate::cli::{ImportCommand, OnExistingChoice};
use crate::domain::text;
use crate::domain::values::Invalid;
use crate::error::{Error, Result};
use crate::io::supplier_csv::{Mapping, SupplierCsv};
use crate::output::{self, Format};
use crate::store::backup;
use crate::store::import::{self, ImportOptions, OnExisting};

pub async fn run(ctx: &Context, cmd: ImportCommand) -> Result<()> {
    match cmd {
        ImportCommand::Suppliers {
            file,
            dry_run,
            maps,
            skip_invalid,
            reject_file,
            on_existing,
        } => {
            let maps: Vec<Mapping> = maps.iter().map(|m| m.parse()).collect::<Result<_, Invalid>>()?;
            let (input, size): (Box<dyn Read + Send>, Option<u64>) = if file == "-" {
                (Box::new(std::io::stdin()), None)
            } else {
                let opened = File::open(&file).map_err(|source| Error::MissingFile {
                    path: file.clone(),
                    source,
                })?;
                let size = opened.metadata().ok().map(|m| m.len());
                (Box::new(opened), size)
            };
            // The file's name goes into the audit trail: it is held to the rules of one-line text.
            let source = if file == "-" {
                "standard input".to_string()
            } else {
                text::line("file", &file)?
            };
            let csv = SupplierCsv::open(BufReader::with_capacity(1 << 16, input), &maps)
                .map_err(|e| Error::invalid(&source, e.0))?
                .keep_raw(reject_file.is_some());

            let mut rejects = match &reject_file {
                Some(path) => {
                    let mut writer = csv::Writer::from_path(path).map_err(|e| {
                        Error::invalid("reject-file", format!("cannot write {}: {e}", path.display()))
                    })?;
                    let mut header = csv.headers().to_vec();
                    header.push("error".into());
                    writer
                        .write_record(header.iter().map(|c| ctx.output.csv_cell(c)))
                        .map_err(csv_error)?;
                    Some(writer)
                }
                None => None,
            };
            let bar = progress_bar(ctx, size);
            let options = ImportOptions {
                source: source.clone(),
                dry_run,
                skip_invalid,
                on_existing: match on_existing {
                    OnExistingChoice::Update => OnExisting::Update,
                    OnExistingChoice::Skip => OnExisting::Skip,
                },
                size_hint: size,
            };
            let store = ctx.store().await?;
            let result = import::import_suppliers(
                &store,
                csv,
                &options,
                |raw, errors| {
                    if let Some(writer) = rejects.as_mut() {
                        let mut record = raw.fields();
                        record.push(
                            errors
                                .iter()
                                .map(ToString::to_string)
                                .collect::<Vec<_>>()
                                .join("; "),
                        );
                        // The rows as read: each cell's value, guarded as every CSV is.
                        let guarded = record.iter().map(|c| ctx.output.csv_cell(output::unguard(c)));
                        writer.write_record(guarded).map_err(csv_error)?;
                    }
                    Ok(())
                },
                |position| bar.set_position(position),
            )
            .await;
            bar.finish_and_clear();
            if let Some(mut writer) = rejects {
                writer.flush()?;
            }
            let summary = result?;
            match ctx.output.format {
                Format::Table if ctx.quiet => Ok(()),
                Format::Table => {
                    let verb = if dry_run { "Would import" } else { "Imported" };
                    let plural = if summary.rows == 1 { "" } else { "s" };
                    let mut text = format!("{verb} {source}: {} row{plural}\n", summary.rows);
                    text.push_str(
                        &ctx.output
                            .list(&[&summary], &["created", "updated", "unchanged", "rejected"]),
                    );
                    if dry_run {
                        text.push_str("Dry run: nothing was written.\n");
                    }
                    ctx.print(&text)
                }
                _ => ctx.print(&ctx.output.document("import", &summary, &[])),
            }
        }
        ImportCommand::All { file } => {
            let text = if file == "-" {
                let mut text = String::new();
                std::io::stdin().read_to_string(&mut text)?;
                text
            } else {
                std::fs::read_to_string(&file).map_err(|source| Error::MissingFile {
                    path: file.clone(),
                    source,
                })?
            };
            let backup: backup::Backup = serde_json::from_str(&text)
                .map_err(|e| Error::invalid(&file, format!("not a vetted backup: {e}")))?;
            let store = ctx.store().await?;
            let restored = backup::import_all(&store, backup).await?;
            ctx.done(
                &format!("Restored {restored} records from {file}"),
                "restore",
                &serde_json::json!({ "records": restored }),
            )
        }
    }
}

fn csv_error(e: csv::Error) -> Error {
    Error::Other(format!("cannot write the reject file: {e}"))
}

/// A byte-count bar on stderr, only for a person watching a terminal.
fn progress_bar(ctx: &Context, size: Option<u64>) -> ProgressBar {
    match size {
        Some(size) if !ctx.quiet && std::io::stderr().is_terminal() => {
            let bar = ProgressBar::with_draw_target(Some(size), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{spinner} importing [{bar:30}] {bytes}/{total_bytes} {eta}")
                    .expect("a valid template")
                    .progress_chars("=> "),
            );
            bar
        }
        _ => ProgressBar::hidden(),
    }
}
