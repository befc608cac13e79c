//! One thin file per command group: arguments → validated domain input → store service → output.

mod buyer;
mod capacity;
mod db;
mod deal;
pub mod demo;
mod export;
mod history;
mod import;
mod log;
mod meta;
mod note;
mod report;
mod site;
mod supplier;
mod undo;
mod visit;

use std::io::{IsTerminal, Write};
use std::path::Path;

use chrono::NaiveDate;
use tokio::sync::OnceCell;

use crate::cli::{Cli, ColorChoice, Command};
use crate::domain::{dates, text};
use crate::error::{Error, Result};
use crate::io::out_file::{OutFile, Protected};
use crate::output::{Document, Format, Output};
use crate::store::connect::Location;
use crate::store::{Corrected, OnOpen, Store};

/// What every command needs: where the database is, who acts, how to print.
pub struct Context {
    pub db: Option<String>,
    pub actor: String,
    pub today: NaiveDate,
    pub output: Output,
    pub quiet: bool,
    /// `--format` was given (not taken from `--out`'s extension).
    format_given: bool,
    /// The command line as the operation log records it, secrets masked.
    pub command: String,
    /// The command only reads: a SQLite file that does not exist is refused, never created.
    only_reads: bool,
    /// The command's one database session, opened on first use and closed by `run`.
    store: OnceCell<Store>,
}

impl Context {
    pub fn from_cli(cli: &Cli) -> Result<Context> {
        let g = &cli.global;
        let color = match g.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
            }
        };
        // Who acts: said, or the account's name (from the environment, else the system's
        // account database, as when a service or cron runs vetted without $USER).
        let actor = [
            g.actor.clone(),
            std::env::var("USER").ok(),
            std::env::var("USERNAME").ok(),
            whoami::username().ok(),
        ]
        .into_iter()
        .flatten()
        .find(|a| !a.trim().is_empty())
        .unwrap_or_else(|| "unknown".to_string());
        let limit = g
            .limit
            .as_deref()
            .map(|n| crate::domain::values::parse_positive("limit", n))
            .transpose()?;
        Ok(Context {
            db: g.db.clone(),
            actor,
            today: chrono::Local::now().date_naive(),
            output: Output {
                format: g.format,
                color,
                raw: g.raw,
                bom: g.bom,
                layout: g.layout,
                columns: g.columns.iter().map(|c| c.trim().to_string()).collect(),
                limit: limit.map(|n| n as usize),
            },
            quiet: g.quiet,
            format_given: g.format_given,
            command: crate::store::operations::masked_command_line(std::env::args()),
            only_reads: only_reads(&cli.command),
            store: OnceCell::new(),
        })
    }

    /// The command's database session (a handle sharing one pool, closed by `run`).
    pub async fn store(&self) -> Result<Store> {
        Ok(self.open(OnOpen::Migrate).await?.clone())
    }

    /// Opens the database once per command. A SQLite file that does not exist is created by a
    /// command that writes (and said so) and refused by one that only reads.
    async fn open(&self, on_open: OnOpen) -> Result<&Store> {
        self.store
            .get_or_try_init(|| async {
                // The actor is stored with every change, so it is held to the rules of a name.
                let actor = text::name("actor", &self.actor)?;
                let location = Location::resolve(self.db.as_deref())?;
                let new_file = match &location {
                    Location::Sqlite(path) if !path.exists() => Some(path),
                    _ => None,
                };
                if let (Some(path), true) = (new_file, self.only_reads) {
                    return Err(Error::NoDatabase(path.display().to_string()));
                }
                let store = Store::open(&location, actor, self.today, self.command.clone(), on_open).await?;
                if let (Some(path), false) = (new_file, self.quiet) {
                    eprintln!("created database at {}", path.display());
                }
                Ok(store)
            })
            .await
    }

    /// Ends the command's database session, if it opened one.
    async fn close(&mut self) {
        if let Some(store) = self.store.take() {
            store.close().await;
        }
    }

    /// Opens `--out`/`--reject-file` `path`, refused when it is the database or `input`.
    pub fn out_file(&self, field: &str, path: &Path, input: Option<&Path>) -> Result<OutFile> {
        let mut protected = Protected::database(&Location::resolve(self.db.as_deref())?);
        if let Some(input) = input {
            protected = protected.with_input(input);
        }
        OutFile::create(field, path, &protected)
    }

    /// `--out FILE` when given, checked and opened before any work is done. Its extension says
    /// the format unless `--format` does; one that names no format vetted writes (`.pdf`,
    /// `.xlsx`) is refused rather than filled with something else.
    pub fn out(&self, path: Option<&Path>) -> Result<Option<OutFile>> {
        if let Some(path) = path {
            // The database first: that is the mistake to name.
            Protected::database(&Location::resolve(self.db.as_deref())?).check("out", path)?;
        }
        if let Some(path) = path
            && !self.format_given
            && !Format::is_known_extension(path)
        {
            return Err(Error::invalid(
                "out",
                format!(
                    "{} names a format vetted does not write; name the file {} or give --format",
                    path.display(),
                    Format::EXTENSIONS
                ),
            ));
        }
        path.map(|path| self.out_file("out", path, None)).transpose()
    }

    pub fn print(&self, text: &str) -> Result<()> {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())?;
        out.flush()?;
        Ok(())
    }

    /// After a change: a one-line confirmation for people, or the changed record for machines.
    pub fn done<T: Document>(&self, message: &str, title: &str, record: &T) -> Result<()> {
        match self.output.format {
            Format::Table if self.quiet => Ok(()),
            Format::Table => self.print(&format!("{}\n", self.output.text(message))),
            _ => self.print(&self.output.document(title, record)),
        }
    }

    /// Says what a correction did: `saved`, or that the record already said so and nothing was
    /// written.
    pub fn corrected<T: Document>(
        &self,
        outcome: Corrected<T>,
        title: &str,
        saved: impl Fn(&T) -> String,
    ) -> Result<()> {
        match outcome {
            Corrected::Saved(record) => self.done(&saved(&record), title, &record),
            Corrected::Unchanged(record) => self.done(
                &format!("Nothing changed: {title} already says so; nothing was recorded"),
                title,
                &record,
            ),
        }
    }

    /// `args` with the day they are read on.
    pub fn dated<A>(&self, args: A) -> Dated<A> {
        Dated {
            args,
            today: self.today,
        }
    }

    pub fn date(&self, field: &str, input: &str) -> Result<NaiveDate> {
        Ok(dates::parse_date(field, input, self.today)?)
    }

    pub fn past_date(&self, field: &str, input: &str) -> Result<NaiveDate> {
        Ok(dates::parse_past_date(field, input, self.today)?)
    }
}

/// Arguments and the day they are read on: `today`, `yesterday` and "not in the future" depend on
/// it. Commands turn them into their service's input with `TryFrom`; the demo's fixture goes the
/// same way.
pub struct Dated<A> {
    pub args: A,
    pub today: NaiveDate,
}

/// Writes a report or export to its `--out` file (whole or not at all) or to stdout, through a
/// buffer.
fn emit(out: Option<OutFile>, write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    let Some(mut out) = out else {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        write(&mut out)?;
        return Ok(out.flush()?);
    };
    match write(&mut out) {
        Err(Error::Io(e)) => Err(out.error(e)),
        other => other,
    }?;
    out.close()
}

/// Whether a command only reads the record (lists, shows, reports, exports, history, `db
/// status`): those never create a database.
fn only_reads(command: &Command) -> bool {
    use crate::cli::{
        BuyerCommand, DbCommand, DealCommand, NoteCommand, SiteCommand, SupplierCommand, VisitCommand,
    };
    match command {
        Command::Buyer(c) => matches!(c, BuyerCommand::List),
        Command::Supplier(c) => matches!(c, SupplierCommand::List(_) | SupplierCommand::Show(_)),
        Command::Site(c) => matches!(c, SiteCommand::List(_)),
        Command::Visit(c) => matches!(c, VisitCommand::List(_) | VisitCommand::Show(_)),
        Command::Note(c) => matches!(c, NoteCommand::List(_)),
        Command::Deal(c) => matches!(c, DealCommand::List(_) | DealCommand::History(_)),
        Command::Capacity(c) => matches!(c, crate::cli::CapacityCommand::List(_)),
        Command::Hold(c) => matches!(c, crate::cli::HoldCommand::List(_)),
        Command::Quote(c) => matches!(c, crate::cli::QuoteCommand::List(_)),
        Command::Db(c) => matches!(c, DbCommand::Status),
        Command::Report(_) | Command::History(_) | Command::Log(_) | Command::Export(_) => true,
        Command::Undo(args) | Command::Redo(args) => args.dry_run,
        Command::Import(_) | Command::Demo | Command::Completions { .. } | Command::Man(_) => false,
    }
}

pub async fn run(cli: Cli) -> Result<()> {
    let mut ctx = Context::from_cli(&cli)?;
    // Boxed: the future of every command in one enum is too deep for the compiler to lay out
    // inline.
    let result = Box::pin(run_command(&ctx, cli)).await;
    ctx.close().await;
    result
}

async fn run_command(ctx: &Context, cli: Cli) -> Result<()> {
    if ctx.output.format == Format::Html && !matches!(cli.command, Command::Report(_)) {
        return Err(Error::invalid(
            "format",
            "html is for reports; lists and records come as table, json, csv or md",
        ));
    }
    match cli.command {
        Command::Buyer(cmd) => buyer::run(ctx, cmd).await,
        Command::Supplier(cmd) => supplier::run(ctx, cmd).await,
        Command::Site(cmd) => site::run(ctx, cmd).await,
        Command::Visit(cmd) => visit::run(ctx, cmd).await,
        Command::Note(cmd) => note::run(ctx, cmd).await,
        Command::Deal(cmd) => deal::run(ctx, cmd).await,
        Command::Capacity(cmd) => capacity::run_capacity(ctx, cmd).await,
        Command::Hold(cmd) => capacity::run_hold(ctx, cmd).await,
        Command::Quote(cmd) => capacity::run_quote(ctx, cmd).await,
        Command::Report(cmd) => report::run(ctx, cmd).await,
        Command::History(args) => history::run(ctx, args).await,
        Command::Log(args) => log::run(ctx, args).await,
        Command::Undo(args) => undo::run(ctx, args, undo::Way::Undo).await,
        Command::Redo(args) => undo::run(ctx, args, undo::Way::Redo).await,
        Command::Import(cmd) => import::run(ctx, cmd).await,
        Command::Export(args) => export::run(ctx, args).await,
        Command::Db(cmd) => db::run(ctx, cmd).await,
        Command::Demo => demo::run(ctx).await,
        Command::Completions { shell } => meta::completions(ctx, shell),
        Command::Man(args) => meta::man(ctx, args),
    }
}

/// `text` with its first letter in capitals: a summary the store writes in the log's style
/// (`merged supplier ...`), said to people as a sentence.
pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
