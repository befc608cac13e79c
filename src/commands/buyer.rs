//! `vetted buyer add|list`.

use super::Context;
use crate::cli::BuyerCommand;
use crate::domain::text;
use crate::error::Result;
use crate::store::buyers::{self, NewBuyer};

pub async fn run(ctx: &Context, cmd: BuyerCommand) -> Result<()> {
    match cmd {
        BuyerCommand::Add { name, external, note } => {
            let new = NewBuyer {
                name: text::name("name", &name)?,
                external,
                note: text::optional_long("note", note.as_deref())?,
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
