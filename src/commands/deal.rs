//! `vetted deal set|list|history`.

use super::{Context, Dated};
use crate::cli::{DealCommand, DealHistoryArgs, DealListArgs, DealSetArgs, VoidArgs};
use crate::domain::status::{Confidence, DealStatus};
use crate::domain::values::{self, Invalid};
use crate::domain::{dates, text};
use crate::error::Result;
use crate::store::deals::{self, DealChange, DealFilter, DealOutcome};

pub async fn run(ctx: &Context, cmd: DealCommand) -> Result<()> {
    match cmd {
        DealCommand::Set(args) => set(ctx, args).await,
        DealCommand::List(args) => list(ctx, args).await,
        DealCommand::History(args) => history(ctx, args).await,
        DealCommand::Void(args) => void(ctx, args).await,
    }
}

async fn void(ctx: &Context, args: VoidArgs) -> Result<()> {
    let VoidArgs { id, reason } = args;
    let id = values::parse_id("id", &id)?;
    let reason = text::long("reason", &reason)?;
    let store = ctx.store().await?;
    let deal = deals::void(&store, id, reason).await?;
    let now = if deal.voided {
        format!(
            "it was the deal's only event, so {}'s deal with {} is void (`vetted undo` brings it back)",
            deal.buyer, deal.supplier
        )
    } else {
        format!(
            "{} deal with {} is {} (since {})",
            deal.buyer, deal.supplier, deal.status, deal.since
        )
    };
    ctx.done(&format!("Voided deal event #{id}; {now}"), "deal", &deal)
}

impl TryFrom<Dated<DealSetArgs>> for DealChange {
    type Error = Invalid;

    fn try_from(Dated { args, today }: Dated<DealSetArgs>) -> Result<DealChange, Invalid> {
        let value = match (&args.value, &args.currency) {
            (Some(v), Some(c)) => Some(values::parse_money("value", v, "currency", c)?),
            (Some(_), None) => {
                return Err(Invalid::new(
                    "currency",
                    "required with --value (e.g. --currency CNY)",
                ));
            }
            (None, Some(_)) => return Err(Invalid::new("value", "required with --currency")),
            (None, None) => None,
        };
        Ok(DealChange {
            status: DealStatus::parse(&args.status)?,
            date: dates::parse_past_date("date", &args.date, today)?,
            value,
            scope: text::optional_line("scope", args.scope.as_deref())?,
            note: text::optional_long("note", args.note.as_deref())?,
            source: text::optional_line("source", args.source.as_deref())?,
            confidence: args.confidence.as_deref().map(Confidence::parse).transpose()?,
            supplier: args.supplier,
            buyer: args.buyer,
        })
    }
}

async fn set(ctx: &Context, args: DealSetArgs) -> Result<()> {
    let change = DealChange::try_from(ctx.dated(args))?;
    let store = ctx.store().await?;
    let (status, date) = (change.status, change.date);
    match deals::set(&store, change).await? {
        // A back-dated event leaves a later one in force: say both.
        DealOutcome::Recorded(deal) if (deal.status, deal.since) != (status, date) => ctx.done(
            &format!(
                "{} deal with {}: recorded {status} on {date}; current status: {} (since {})",
                deal.buyer, deal.supplier, deal.status, deal.since
            ),
            "deal",
            &deal,
        ),
        DealOutcome::Recorded(deal) => ctx.done(
            &format!(
                "{} deal with {} is now {}{} (since {})",
                deal.buyer,
                deal.supplier,
                deal.status,
                how_sure(&deal),
                deal.since
            ),
            "deal",
            &deal,
        ),
        DealOutcome::Unchanged(deal) => ctx.done(
            &format!(
                "{} deal with {} is already {}; nothing recorded",
                deal.buyer, deal.supplier, deal.status
            ),
            "deal",
            &deal,
        ),
    }
}

async fn list(ctx: &Context, args: DealListArgs) -> Result<()> {
    let DealListArgs { buyer, status } = args;
    let filter = DealFilter {
        buyer,
        status: status.as_deref().map(DealStatus::parse).transpose()?,
    };
    let store = ctx.store().await?;
    let list = deals::list(&store, filter).await?;
    ctx.print(&ctx.output.list(
        &list,
        &[
            "id",
            "buyer",
            "supplier",
            "status",
            "since",
            "value",
            "currency",
            "scope",
            "confidence",
            "source",
        ],
    )?)
}

async fn history(ctx: &Context, args: DealHistoryArgs) -> Result<()> {
    let DealHistoryArgs { supplier, buyer } = args;
    let store = ctx.store().await?;
    let events = deals::history(&store, &supplier, buyer.as_deref()).await?;
    ctx.print(&ctx.output.list(
        &events,
        &[
            "id",
            "date",
            "buyer",
            "status",
            "confidence",
            "source",
            "value",
            "currency",
            "scope",
            "note",
            "actor",
        ],
    )?)
}

/// ` (likely, trade press)`: how sure a status is and where it was heard, when it is not
/// confirmed; nothing when it is.
fn how_sure(deal: &deals::DealView) -> String {
    match (deal.confidence, &deal.source) {
        (Confidence::Confirmed, _) => String::new(),
        (sure, Some(source)) => format!(" ({sure}, {source})"),
        (sure, None) => format!(" ({sure})"),
    }
}
