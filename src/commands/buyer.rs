//! `vetted buyer add|list|edit|merge`.

use super::Context;
use super::capitalised;
use crate::cli::{BuyerAddArgs, BuyerCommand, BuyerEditArgs, MergeArgs};
use crate::domain::text;
use crate::domain::values::Invalid;
use crate::error::Result;
use crate::store::buyers::{self, BuyerEdit, NewBuyer};
use crate::store::merge;

pub async fn run(ctx: &Context, cmd: BuyerCommand) -> Result<()> {
    match cmd {
        BuyerCommand::Add(args) => add(ctx, args).await,
        BuyerCommand::List => {
            let store = ctx.store().await?;
            let list = buyers::list(&store).await?;
            ctx.print(&ctx.output.list(&list, &["id", "name", "kind", "note"])?)
        }
        BuyerCommand::Edit(args) => edit(ctx, args).await,
        BuyerCommand::Merge(args) => merge(ctx, args).await,
    }
}

async fn edit(ctx: &Context, args: BuyerEditArgs) -> Result<()> {
    let BuyerEditArgs {
        buyer,
        name,
        internal,
        external,
        note,
    } = args;
    let edit = BuyerEdit {
        name: name.as_deref().map(|n| text::name("name", n)).transpose()?,
        external: (internal || external).then_some(external),
        note: text::clearable("note", note.as_deref(), text::long)?,
    };
    let store = ctx.store().await?;
    let outcome = buyers::edit(&store, &buyer, edit).await?;
    ctx.corrected(outcome, "buyer", |b| {
        format!("Corrected buyer #{} {}", b.id, b.name)
    })
}

async fn merge(ctx: &Context, args: MergeArgs) -> Result<()> {
    let store = ctx.store().await?;
    let merged = merge::buyers(&store, &args.duplicate, &args.into).await?;
    ctx.done(&capitalised(&merged.summary), "buyer", &merged.kept)
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
