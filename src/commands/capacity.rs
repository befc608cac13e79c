//! `vetted capacity set|list`, `vetted hold set|list`, `vetted quote add|list`.

use super::{Context, Dated};
use crate::cli::{
    CapacityCommand, CapacitySetArgs, HoldCommand, HoldSetArgs, ProvenanceArgs, QuoteAddArgs, QuoteCommand,
    StatementListArgs,
};
use crate::domain::capacity::{LeadTime, Period};
use crate::domain::status::{Confidence, HoldStatus};
use crate::domain::values::{self, Invalid};
use crate::domain::{dates, text};
use crate::error::Result;
use crate::store::capacity::{self, NewCapacity, NewHolding, NewQuote, Provenance, StatementFilter};

/// The most units a capacity or a holding states.
const MAX_UNITS: i64 = 10_000;

pub async fn run_capacity(ctx: &Context, cmd: CapacityCommand) -> Result<()> {
    match cmd {
        CapacityCommand::Set(args) => {
            let new = NewCapacity::try_from(ctx.dated(args))?;
            let store = ctx.store().await?;
            let stated = capacity::set_capacity(&store, new).await?;
            ctx.done(&stated.sentence(), "capacity", &stated)
        }
        CapacityCommand::List(args) => {
            let filter = filter(args)?;
            let store = ctx.store().await?;
            let list = capacity::list_capacity(&store, filter).await?;
            ctx.print(&ctx.output.list(
                &list,
                &[
                    "supplier",
                    "capability",
                    "period",
                    "units",
                    "unit",
                    "date",
                    "confidence",
                    "source",
                ],
            )?)
        }
    }
}

pub async fn run_hold(ctx: &Context, cmd: HoldCommand) -> Result<()> {
    match cmd {
        HoldCommand::Set(args) => {
            let new = NewHolding::try_from(ctx.dated(args))?;
            let store = ctx.store().await?;
            let held = capacity::set_holding(&store, new).await?;
            ctx.done(&held.sentence(), "holding", &held)
        }
        HoldCommand::List(args) => {
            let filter = filter(args)?;
            let store = ctx.store().await?;
            let list = capacity::list_holdings(&store, filter).await?;
            ctx.print(&ctx.output.list(
                &list,
                &[
                    "supplier",
                    "capability",
                    "period",
                    "buyer",
                    "kind",
                    "units",
                    "status",
                    "date",
                    "confidence",
                    "source",
                ],
            )?)
        }
    }
}

pub async fn run_quote(ctx: &Context, cmd: QuoteCommand) -> Result<()> {
    match cmd {
        QuoteCommand::Add(args) => {
            let new = NewQuote::try_from(ctx.dated(args))?;
            let store = ctx.store().await?;
            let quote = capacity::add_quote(&store, new).await?;
            ctx.done(&quote.sentence(), "quote", &quote)
        }
        QuoteCommand::List(args) => {
            let filter = filter(args)?;
            let store = ctx.store().await?;
            let list = capacity::list_quotes(&store, filter).await?;
            ctx.print(&ctx.output.list(
                &list,
                &[
                    "id",
                    "supplier",
                    "buyer",
                    "capability",
                    "lead_time",
                    "price",
                    "currency",
                    "valid_until",
                    "date",
                    "confidence",
                ],
            )?)
        }
    }
}

fn filter(args: StatementListArgs) -> Result<StatementFilter, Invalid> {
    Ok(StatementFilter {
        capability: args
            .capability
            .as_deref()
            .map(|c| values::parse_capability("capability", c))
            .transpose()?,
        supplier: args.supplier,
        buyer: args.buyer,
        history: args.history,
    })
}

/// A statement's day (`--date`, default today, never in the future) and provenance.
fn provenance(
    args: ProvenanceArgs,
    today: chrono::NaiveDate,
) -> Result<(chrono::NaiveDate, Provenance), Invalid> {
    let date = match args.date.as_deref() {
        Some(d) => dates::parse_past_date("date", d, today)?,
        None => today,
    };
    Ok((
        date,
        Provenance {
            source: text::optional_line("source", args.source.as_deref())?,
            confidence: args.confidence.as_deref().map(Confidence::parse).transpose()?,
            note: text::optional_long("note", args.note.as_deref())?,
        },
    ))
}

fn units(input: &str) -> Result<i32, Invalid> {
    Ok(values::parse_whole("units", input, 0, MAX_UNITS)? as i32)
}

impl TryFrom<Dated<CapacitySetArgs>> for NewCapacity {
    type Error = Invalid;

    fn try_from(Dated { args, today }: Dated<CapacitySetArgs>) -> Result<NewCapacity, Invalid> {
        let (date, provenance) = provenance(args.provenance, today)?;
        Ok(NewCapacity {
            capability: values::parse_capability("capability", &args.capability)?,
            period: Period::parse("period", &args.period)?,
            units: units(&args.units)?,
            unit: text::name("unit", &args.unit)?,
            date,
            provenance,
            supplier: args.supplier,
        })
    }
}

impl TryFrom<Dated<HoldSetArgs>> for NewHolding {
    type Error = Invalid;

    fn try_from(Dated { args, today }: Dated<HoldSetArgs>) -> Result<NewHolding, Invalid> {
        let (date, provenance) = provenance(args.provenance, today)?;
        Ok(NewHolding {
            capability: values::parse_capability("capability", &args.capability)?,
            period: Period::parse("period", &args.period)?,
            units: units(&args.units)?,
            status: HoldStatus::parse(&args.status)?,
            date,
            provenance,
            supplier: args.supplier,
            buyer: args.buyer,
        })
    }
}

impl TryFrom<Dated<QuoteAddArgs>> for NewQuote {
    type Error = Invalid;

    fn try_from(Dated { args, today }: Dated<QuoteAddArgs>) -> Result<NewQuote, Invalid> {
        let (date, provenance) = provenance(args.provenance, today)?;
        let price = match (&args.price, &args.currency) {
            (Some(p), Some(c)) => Some(values::parse_money("price", p, "currency", c)?),
            (Some(_), None) => {
                return Err(Invalid::new(
                    "currency",
                    "required with --price (e.g. --currency CNY)",
                ));
            }
            (None, Some(_)) => return Err(Invalid::new("price", "required with --currency")),
            (None, None) => None,
        };
        let valid_until = args
            .valid_until
            .as_deref()
            .map(|d| dates::parse_date("valid-until", d, today))
            .transpose()?;
        if let Some(until) = valid_until.filter(|until| *until < date) {
            return Err(Invalid::new(
                "valid-until",
                format!("{until} is before the quote was made ({date})"),
            ));
        }
        Ok(NewQuote {
            capability: values::parse_capability("capability", &args.capability)?,
            lead_time: LeadTime::parse("lead-time", &args.lead_time)?,
            price,
            valid_until,
            date,
            provenance,
            supplier: args.supplier,
            buyer: args.buyer,
        })
    }
}
