//! `vetted site add|list`.

use super::{Context, Dated};
use crate::cli::{SiteAddArgs, SiteCommand, SiteListArgs};
use crate::domain::values::{self, Invalid};
use crate::domain::{dates, text};
use crate::error::Result;
use crate::store::sites::{self, NewSite};

pub async fn run(ctx: &Context, cmd: SiteCommand) -> Result<()> {
    match cmd {
        SiteCommand::Add(args) => add(ctx, args).await,
        SiteCommand::List(args) => list(ctx, args).await,
    }
}

impl TryFrom<Dated<SiteAddArgs>> for NewSite {
    type Error = Invalid;

    fn try_from(Dated { args, today }: Dated<SiteAddArgs>) -> Result<NewSite, Invalid> {
        Ok(NewSite {
            date: match args.date.as_deref() {
                Some(d) => dates::parse_past_date("date", d, today)?,
                None => today,
            },
            name: text::name("name", &args.name)?,
            city: text::optional_line("city", args.city.as_deref())?,
            province: text::optional_line("province", args.province.as_deref())?,
            country: args
                .country
                .as_deref()
                .map(|c| values::parse_country("country", c))
                .transpose()?,
            lines: args
                .lines
                .as_deref()
                .map(|n| values::parse_count("lines", n))
                .transpose()?,
            supplier: args.supplier,
        })
    }
}

async fn add(ctx: &Context, args: SiteAddArgs) -> Result<()> {
    let new = NewSite::try_from(ctx.dated(args))?;
    let store = ctx.store().await?;
    let site = sites::add(&store, new).await?;
    ctx.done(
        &format!("Added site #{} {} of {}", site.id, site.name, site.supplier),
        "site",
        &site,
    )
}

async fn list(ctx: &Context, args: SiteListArgs) -> Result<()> {
    let SiteListArgs { supplier } = args;
    let store = ctx.store().await?;
    let list = sites::list(&store, supplier.as_deref()).await?;
    ctx.print(&ctx.output.list(
        &list,
        &["id", "supplier", "name", "city", "province", "country", "lines"],
    ))
}
