//! One thin file per command group: arguments → validated domain input → store service → output.

mod buyer;
mod db;
mod deal;
pub mod demo;
mod export;
mod history;
mod import;
mod meta;
mod note;
mod report;
mod site;
mod supplier;
mod visit;

use std::io::{IsTerminal, Write};

use chrono::NaiveDate;

use crate::cli::{Cli, ColorChoice, Command};
use crate::domain::{dates, text};
use crate::error::Result;
use crate::output::{Format, Output};
use crate::store::connect::Location;
use crate::store::{OnOpen, Store};

/// What every command needs: where the database is, who acts, how to print.
pub struct Context {
    pub db: Option<String>,
    pub actor: String,
    pub today: NaiveDate,
    pub output: Output,
    pub quiet: bool,
}

impl Context {
    pub fn from_cli(cli: &Cli) -> Context {
        let g = &cli.global;
        let color = match g.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
            }
        };
        let actor = g
            .actor
            .clone()
            .or_else(|| std::env::var("USER").ok())
            .or_else(|| std::env::var("USERNAME").ok())
            .filter(|a| !a.trim().is_empty())
            .unwrap_or_else(|| "unknown".to_string());
        Context {
            db: g.db.clone(),
            actor,
            today: chrono::Local::now().date_naive(),
            output: Output {
                format: g.format,
                color,
            },
            quiet: g.quiet,
        }
    }

    pub async fn store(&self) -> Result<Store> {
        self.open(OnOpen::Migrate).await
    }

    async fn open(&self, on_open: OnOpen) -> Result<Store> {
        // The actor is stored with every change, so it is held to the rules of a name.
        let actor = text::name("actor", &self.actor)?;
        let location = Location::resolve(self.db.as_deref())?;
        Store::open(&location, actor, self.today, on_open).await
    }

    pub fn print(&self, text: &str) -> Result<()> {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())?;
        out.flush()?;
        Ok(())
    }

    /// After a change: a one-line confirmation for people, or the changed record for machines.
    pub fn done<T: serde::Serialize>(&self, message: &str, title: &str, record: &T) -> Result<()> {
        match self.output.format {
            Format::Table if self.quiet => Ok(()),
            Format::Table => self.print(&format!("{message}\n")),
            _ => self.print(&self.output.document(title, record, &[])),
        }
    }

    pub fn date(&self, field: &str, input: &str) -> Result<NaiveDate> {
        Ok(dates::parse_date(field, input, self.today)?)
    }

    pub fn past_date(&self, field: &str, input: &str) -> Result<NaiveDate> {
        Ok(dates::parse_past_date(field, input, self.today)?)
    }
}

pub async fn run(cli: Cli) -> Result<()> {
    let ctx = Context::from_cli(&cli);
    if ctx.output.format == Format::Html && !matches!(cli.command, Command::Report(_)) {
        return Err(crate::error::Error::invalid(
            "format",
            "html is for reports; lists and records come as table, json, csv or md",
        ));
    }
    match cli.command {
        Command::Buyer(cmd) => buyer::run(&ctx, cmd).await,
        Command::Supplier(cmd) => supplier::run(&ctx, cmd).await,
        Command::Site(cmd) => site::run(&ctx, cmd).await,
        Command::Visit(cmd) => visit::run(&ctx, cmd).await,
        Command::Note(cmd) => note::run(&ctx, cmd).await,
        Command::Deal(cmd) => deal::run(&ctx, cmd).await,
        Command::Report(cmd) => report::run(&ctx, cmd).await,
        Command::History(args) => history::run(&ctx, args).await,
        Command::Import(cmd) => import::run(&ctx, cmd).await,
        Command::Export(args) => export::run(&ctx, args).await,
        Command::Db(cmd) => db::run(&ctx, cmd).await,
        Command::Demo => demo::run(&ctx).await,
        Command::Completions { shell } => meta::completions(&ctx, shell),
        Command::Man => meta::man(&ctx),
    }
}
