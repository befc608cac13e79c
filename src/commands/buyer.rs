//! `vetted buyer add|list`.

use super::Context;
use crate::cli::BuyerCommand;
use crate::domain::values::{optional_text, required_text};
use crate::error::Result;
use crate::store::buyers::{self, NewBuyer};

pub async fn run(ctx: &Context, cmd: BuyerCommand) -> Result<()> {
    match cmd {
        BuyerCommand::Add { name, external, note } => {
            let new = NewBuyer {
                name: required_text("name", &name)?,
                external,
                note: optional_text(note.as_deref()),
            };
            let store = ctx.store().await?;
            let buyer = buyers::add(&store, new).await?;
            ctx.done(
                &format!("Added {} buyer #{} {}", buyer.kind, buyer.id, buyer.name),
                "buyer",
                &buyer,
            )
        }
        BuyerCommand::List => {
            let store = ctx.store().await?;
            let list = buyers::list(&store).await?;
            ctx.print(&ctx.output.list(&list, &[]))
        }
    }
}
