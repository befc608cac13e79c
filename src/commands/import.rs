//! `vetted import suppliers|capacity|all`.

use std::io::{BufReader, IsTerminal};
use std::path::Path;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::Context;
use crate::cli::{
    CapacitySetArgs, ImportAllArgs, ImportCapacityArgs, ImportCommand, ImportSuppliersArgs, ProvenanceArgs,
};
use crate::domain::text;
use crate::domain::values::Invalid;
use crate::error::{Error, Result};
use crate::io::input::Input;
use crate::io::rejects::RejectFile;
use crate::io::statement_csv;
use crate::io::supplier_csv::{Mapping, SupplierCsv};
use crate::output::{Format, Table};
use crate::store::backup;
use crate::store::capacity::{self, NewCapacity};
use crate::store::import::{self, ImportOptions, ImportSummary, Progress};

pub async fn run(ctx: &Context, cmd: ImportCommand) -> Result<()> {
    match cmd {
        ImportCommand::Suppliers(args) => suppliers(ctx, args).await,
        ImportCommand::Capacity(args) => capacity_rows(ctx, args).await,
        ImportCommand::All(args) => all(ctx, args).await,
    }
}

/// What `import all` restored, for scripts.
#[derive(serde::Serialize)]
struct Restored {
    records: u64,
}

crate::row!(Restored { records });

/// A progress bar on stderr, only for a person watching a terminal: bytes while the file is
/// read, rows while they are written.
struct ImportBar(ProgressBar);

impl ImportBar {
    fn new(ctx: &Context, size: Option<u64>) -> ImportBar {
        ImportBar(match size {
            Some(size) if !ctx.quiet && std::io::stderr().is_terminal() => {
                let bar = ProgressBar::with_draw_target(Some(size), ProgressDrawTarget::stderr());
                bar.set_style(style("{spinner} reading [{bar:30}] {bytes}/{total_bytes} {eta}"));
                bar
            }
            _ => ProgressBar::hidden(),
        })
    }

    fn show(&self, progress: Progress) {
        match progress {
            Progress::Read(bytes) => self.0.set_position(bytes),
            Progress::Written { rows, of } => {
                if self.0.length() != Some(of) {
                    self.0
                        .set_style(style("{spinner} writing [{bar:30}] {pos}/{len} rows {eta}"));
                    self.0.set_length(of);
                }
                self.0.set_position(rows);
            }
        }
    }
}

fn style(template: &str) -> ProgressStyle {
    // The templates are constants of this file; a bad one falls back to the plain bar.
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

async fn suppliers(ctx: &Context, args: ImportSuppliersArgs) -> Result<()> {
    let maps: Vec<Mapping> = args
        .maps
        .iter()
        .map(|m| m.parse())
        .collect::<Result<_, Invalid>>()?;
    let input = Input::open(&args.file)?;
    // Checked before anything is read: never the input or the database.
    let reject_out = |path: &Path| ctx.out_file("reject-file", path, Some(Path::new(&args.file)));
    let reject_out_file = args.reject_file.as_deref().map(reject_out).transpose()?;
    let csv = SupplierCsv::open(BufReader::with_capacity(1 << 16, input.reader), &maps)
        .map_err(|e| Error::invalid(&input.source, e.0))?
        .keep_raw(args.reject_file.is_some());
    let mut rejects = match (&args.reject_file, reject_out_file) {
        (Some(path), Some(out)) => {
            RejectFile::new(csv.headers(), out, ctx.output.clone(), move || reject_out(path))?
        }
        _ => RejectFile::none(),
    };
    let options = ImportOptions {
        source: input.source,
        dry_run: args.dry_run,
        skip_invalid: args.skip_invalid,
        on_existing: args.on_existing,
        date: match args.date.as_deref() {
            Some(d) => ctx.past_date("date", d)?,
            None => ctx.today,
        },
    };
    let store = ctx.store().await?;
    let bar = ImportBar::new(ctx, input.size);
    let result = import::import_suppliers(&store, csv, &options, &mut rejects, |p| bar.show(p)).await;
    bar.0.finish_and_clear();
    let summary = result?;
    if args.skip_invalid && args.reject_file.is_none() && summary.rejected > 0 && !ctx.quiet {
        eprint!("{}", ctx.output.text(&rejected_text(&summary)));
    }
    match ctx.output.format {
        Format::Table if ctx.quiet => Ok(()),
        Format::Table => ctx.print(&summary_text(ctx, &options, &summary)),
        _ => ctx.print(&ctx.output.document("import", &summary)),
    }
}

/// Which rows `--skip-invalid` left out, when no reject file keeps them: the first problems
/// and how many rows in all.
fn rejected_text(summary: &ImportSummary) -> String {
    let mut text = format!("{} rejected:\n", text::counted(summary.rejected, "row"));
    for problem in &summary.problems {
        text.push_str(&format!("  {problem}\n"));
    }
    if summary.rejected > summary.problems.len() as u64 {
        text.push_str("  ...\n");
    }
    text.push_str("--reject-file FILE keeps every rejected row with its problem\n");
    text
}

/// What an import did, for people.
fn summary_text(ctx: &Context, options: &ImportOptions, summary: &ImportSummary) -> String {
    let verb = if options.dry_run {
        "Would import"
    } else {
        "Imported"
    };
    let mut text = format!(
        "{verb} {}: {}\n",
        options.source,
        text::counted(summary.rows, "row")
    );
    text.push_str(&ctx.output.table(
        &Table::of(std::slice::from_ref(summary)),
        &["created", "updated", "unchanged", "merged", "rejected"],
    ));
    if !summary.changes.is_empty() {
        let changes = if options.dry_run {
            "Changes it would make to suppliers on record:"
        } else {
            "Changes to suppliers on record:"
        };
        text.push_str(&format!("{changes}\n"));
        text.push_str(&ctx.output.table(&Table::of(&summary.changes), &[]));
    }
    if options.dry_run {
        text.push_str("Dry run: nothing was written.\n");
    }
    text
}

/// The columns of a capacity file, and those it must have.
const CAPACITY_COLUMNS: &[&str] = &[
    "supplier",
    "capability",
    "period",
    "units",
    "unit",
    "date",
    "source",
    "confidence",
    "note",
];
const CAPACITY_REQUIRED: &[&str] = &["supplier", "capability", "period", "units"];

/// `import capacity`: every row checked by the rules of `capacity set`, then all written as one
/// operation (or, with a problem anywhere, nothing).
async fn capacity_rows(ctx: &Context, args: ImportCapacityArgs) -> Result<()> {
    let input = Input::open(&args.file)?;
    let source = input.source.clone();
    let parsed = statement_csv::read(
        BufReader::with_capacity(1 << 16, input.reader),
        CAPACITY_COLUMNS,
        CAPACITY_REQUIRED,
    )
    .map_err(|e| Error::invalid(&source, e.0))?;
    let mut problems = parsed.problems;
    let mut rows = Vec::with_capacity(parsed.rows.len());
    for row in &parsed.rows {
        let cell = |column: &str| row.get(column).map(str::to_string);
        let args = CapacitySetArgs {
            supplier: cell("supplier").unwrap_or_default(),
            capability: cell("capability").unwrap_or_default(),
            period: cell("period").unwrap_or_default(),
            units: cell("units").unwrap_or_default(),
            unit: cell("unit").unwrap_or_else(|| "lines".to_string()),
            provenance: ProvenanceArgs {
                date: cell("date"),
                source: cell("source"),
                confidence: cell("confidence"),
                note: cell("note"),
            },
        };
        let checked = if args.supplier.is_empty() {
            Err(Invalid::new("supplier", "required"))
        } else {
            NewCapacity::try_from(ctx.dated(args))
        };
        match checked {
            Ok(new) => rows.push((row.line, new)),
            Err(e) => problems.push(crate::io::supplier_csv::RowError {
                line: row.line,
                column: e.field.to_string(),
                problem: e.problem,
            }),
        }
    }
    let store = ctx.store().await?;
    if !problems.is_empty() {
        // Every problem at once: the rows' suppliers are looked up too.
        let names = rows.iter().map(|(line, new)| (*line, new.supplier.as_str()));
        let found = problems.iter().map(|p| (p.line, p.to_string())).collect();
        return Err(capacity::check_suppliers(&store.db, names)
            .await?
            .refusal(found, parsed.count));
    }
    let done = capacity::import_capacity(&store, &source, &rows, args.dry_run).await?;
    let verb = if args.dry_run { "Would import" } else { "Imported" };
    let mut text = format!("{verb} {}\n", text::counted(done.rows, "capacity row"));
    if args.dry_run {
        text.push_str("Dry run: nothing was written.\n");
    }
    match ctx.output.format {
        Format::Table if ctx.quiet => Ok(()),
        Format::Table => ctx.print(&text),
        _ => ctx.print(&ctx.output.document("import", &done)),
    }
}

async fn all(ctx: &Context, args: ImportAllArgs) -> Result<()> {
    let text = Input::open(&args.file)?.read_to_string()?;
    let backup = backup::read(&args.file, &text)?;
    let store = ctx.store().await?;
    let restored = backup::import_all(&store, backup).await?;
    ctx.done(
        &format!("Restored {restored} records from {}", args.file),
        "restore",
        &Restored { records: restored },
    )
}
