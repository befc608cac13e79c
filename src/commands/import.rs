//! `vetted import suppliers`.

use std::fs::File;
use std::io::{BufReader, IsTerminal, Read};
use std::path::Path;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::Context;
use crate::cli::{ImportCommand, OnExistingChoice};
use crate::domain::text;
use crate::domain::values::Invalid;
use crate::error::{Error, Result};
use crate::io::rejects::RejectFile;
use crate::io::supplier_csv::{Mapping, SupplierCsv};
use crate::output::Format;
use crate::store::backup;
use crate::store::import::{self, ImportOptions, OnExisting, Progress};

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
            // Checked before anything is read: never the input or the database.
            let reject_out = |path: &Path| ctx.out_file("reject-file", path, Some(Path::new(&file)));
            let reject_out_file = reject_file.as_deref().map(reject_out).transpose()?;
            let csv = SupplierCsv::open(BufReader::with_capacity(1 << 16, input), &maps)
                .map_err(|e| Error::invalid(&source, e.0))?
                .keep_raw(reject_file.is_some());
            let mut rejects = match (&reject_file, reject_out_file) {
                (Some(path), Some(out)) => {
                    RejectFile::new(csv.headers(), out, ctx.output, move || reject_out(path))?
                }
                _ => RejectFile::none(),
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
            };
            let store = ctx.store().await?;
            let result =
                import::import_suppliers(&store, csv, &options, &mut rejects, |progress| match progress {
                    Progress::Read(bytes) => bar.set_position(bytes),
                    Progress::Written { rows, of } => {
                        if bar.length() != Some(of) {
                            bar.set_style(bar_style("{spinner} writing [{bar:30}] {pos}/{len} rows {eta}"));
                            bar.set_length(of);
                        }
                        bar.set_position(rows);
                    }
                })
                .await;
            bar.finish_and_clear();
            let summary = result?;
            match ctx.output.format {
                Format::Table if ctx.quiet => Ok(()),
                Format::Table => {
                    let verb = if dry_run { "Would import" } else { "Imported" };
                    let plural = if summary.rows == 1 { "" } else { "s" };
                    let mut text = format!("{verb} {source}: {} row{plural}\n", summary.rows);
                    text.push_str(&ctx.output.list(
                        std::slice::from_ref(&summary),
                        &["created", "updated", "unchanged", "rejected"],
                    ));
                    if dry_run {
                        text.push_str("Dry run: nothing was written.\n");
                    }
                    ctx.print(&text)
                }
                _ => ctx.print(&ctx.output.document("import", &summary)),
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
            let backup = backup::read(&file, &text)?;
            let store = ctx.store().await?;
            let restored = backup::import_all(&store, backup).await?;
            ctx.done(
                &format!("Restored {restored} records from {file}"),
                "restore",
                &Restored { records: restored },
            )
        }
    }
}

/// What `import all` restored, for scripts.
#[derive(serde::Serialize)]
struct Restored {
    records: u64,
}

crate::row!(Restored { records });

/// A byte-count bar on stderr, only for a person watching a terminal.
fn progress_bar(ctx: &Context, size: Option<u64>) -> ProgressBar {
    match size {
        Some(size) if !ctx.quiet && std::io::stderr().is_terminal() => {
            let bar = ProgressBar::with_draw_target(Some(size), ProgressDrawTarget::stderr());
            bar.set_style(bar_style(
                "{spinner} reading [{bar:30}] {bytes}/{total_bytes} {eta}",
            ));
            bar
        }
        _ => ProgressBar::hidden(),
    }
}

fn bar_style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .expect("a valid template")
        .progress_chars("=> ")
}
