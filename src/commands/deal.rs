//! `vetted deal set|list|history`.

use super::Context;
use crate::cli::DealCommand;
use crate::domain::status::DealStatus;
use crate::domain::text;
use crate::domain::values::{self, Invalid};
use crate::error::Result;
use crate::store::deals::{self, DealChange, DealFilter, DealOutcome};

pub async fn run(ctx: &Context, cmd: DealCommand) -> Result<()> {
    match cmd {
        DealCommand::Set {
            supplier,
            buyer,
            status,
            date,
            value,
            currency,
            scope,
            note,
        } => {
            let value = match (value, currency) {
                (Some(v), Some(c)) => Some(values::parse_money("value", &v, "currency", &c)?),
                (Some(_), None) => {
                    return Err(
                        Invalid::new("currency", "required with --value (e.g. --currency CNY)").into(),
                    );
                }
                (None, Some(_)) => return Err(Invalid::new("value", "required with --currency").into()),
                (None, None) => None,
            };
            let change = DealChange {
                supplier,
                buyer,
                status: DealStatus::parse(&status)?,
                date: ctx.past_date("date", &date)?,
                value,
                scope: text::optional_line("scope", scope.as_deref())?,
                note: text::optional_long("note", note.as_deref())?,
            };
            let store = ctx.store().await?;
            match deals::set(&store, change).await? {
                DealOutcome::Recorded(deal) => ctx.done(
                    &format!(
                        "{} deal with {} is now {} (since {})",
                        deal.buyer, deal.supplier, deal.status, deal.since
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
        DealCommand::List { buyer, status } => {
            let filter = DealFilter {
                buyer,
                status: status.as_deref().map(DealStatus::parse).transpose()?,
            };
            let store = ctx.store().await?;
            let list = deals::list(&store, filter).await?;
            ctx.print(&ctx.output.list(
                &list,
                &[
                    "id", "buyer", "supplier", "status", "since", "value", "currency", "scope",
                ],
            ))
        }
        DealCommand::History { supplier, buyer } => {
            let store = ctx.store().await?;
            let events = deals::history(&store, &supplier, buyer.as_deref()).await?;
            ctx.print(&ctx.output.list(
                &events,
                &[
                    "date", "buyer", "status", "value", "currency", "scope", "note", "actor",
                ],
            ))
        }
    }
}
