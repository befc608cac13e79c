//! `vetted buyer add|list`.

use super::Context;
use crate::cli::{BuyerAddArgs, BuyerCommand};
use crate::domain::text;
use crate::domain::values::Invalid;
use crate::error::Result;
use crate::store::buyers::{self, NewBuyer};

pub async fn run(ctx: &Context, cmd: BuyerCommand) -> Result<()> {
    match cmd {
        BuyerCommand::Add(args) => add(ctx, args).await,
        BuyerCommand::List => {
            let store = ctx.store().await?;
            let list = buyers::list(&store).await?;
            ctx.print(&ctx.output.list(&list, &[]))
        }
    }
}

impl TryFrom<BuyerAddArgs> for NewBuyer {
    type Error = Invalid;

    fn try_from(args: BuyerAddArgs) -> Result<NewBuyer, Invalid> {
        Ok(NewBuyer {
            name: text::name("name", &args.name)?,
            external: args.external,
            note: text::optional_long("note", args.note.as_deref())?,
        })
    }
}

async fn add(ctx: &Context, args: BuyerAddArgs) -> Result<()> {
    let new = NewBuyer::try_from(args)?;
    let store = ctx.store().await?;
    let buyer = buyers::add(&store, new).await?;
    ctx.done(
        &format!("Added {} buyer #{} {}", buyer.kind, buyer.id, buyer.name),
        "buyer",
        &buyer,
    )
}
